#!/usr/bin/env python3
"""Training speed against PyTorch, measured alternately: each round runs `pipeline bench --preset P`
and then `torch_reference.py P` (the yardstick of ../shared/bench, run by a Python that has PyTorch),
each with its own warm-up steps, and takes the ratio of the two rates measured side by side. The
machine's speed drifts between sittings (30 % was seen here), so a ratio from one pair can mislead;
several rounds give its median and range.

Example:
    Scripts/bench_against_pytorch.py --python ~/torch-venv/bin/python --preset latent-unet --rounds 5
Measure on an otherwise idle machine; the project itself never needs Python or PyTorch.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys


def run(command, what):
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"bench_against_pytorch: {what} failed ({' '.join(command)}):\n{done.stderr}")
    return done.stdout


def ours(args):
    command = [args.pipeline, "bench", "--preset", args.preset, "--steps", str(args.steps), "--json",
               "--threads", str(args.threads)]
    if args.batch:
        command += ["--batch", str(args.batch)]
    output = run(command, "pipeline bench")
    document = json.loads(output[output.find("{"):])
    return document["training"]["imagesPerSecond"]


def pytorch(args):
    command = [args.python, args.reference, args.preset, "--steps", str(args.steps),
               "--threads", str(args.threads)]
    if args.batch:
        command += ["--batch", str(args.batch)]
    output = run(command, "torch_reference.py")
    match = re.search(r"train_img_per_s=([0-9.eE+-]+)", output)
    if not match:
        sys.exit(f"bench_against_pytorch: no train_img_per_s in the reference's output:\n{output}")
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", required=True, help="a Python interpreter with PyTorch installed")
    parser.add_argument("--reference", default=os.path.join("..", "shared", "bench", "torch_reference.py"))
    parser.add_argument("--pipeline", default=".build/release/pipeline")
    parser.add_argument("--preset", default="latent-unet", choices=["aelite", "latent-unet", "pixel-unet"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=5, help="timed steps per measurement (after 2 warm-up)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=0, help="0: the reference's batch")
    parser.add_argument("--json", action="store_true", help="print the rounds and summary as JSON")
    args = parser.parse_args()
    if not os.path.exists(args.reference):
        sys.exit(f"bench_against_pytorch: {args.reference} not found (give --reference)")

    rounds = []
    for index in range(args.rounds):
        # Alternate which side goes first, so neither always runs on the warmer machine.
        first_ours = index % 2 == 0
        a = ours(args) if first_ours else pytorch(args)
        b = pytorch(args) if first_ours else ours(args)
        rate_ours, rate_torch = (a, b) if first_ours else (b, a)
        rounds.append({"ours": rate_ours, "pytorch": rate_torch, "ratio": rate_ours / rate_torch})
        print(f"round {index + 1}: ours {rate_ours:.1f} img/s, PyTorch {rate_torch:.1f} img/s, "
              f"ratio {rate_ours / rate_torch:.2f}", file=sys.stderr)

    def summary(key):
        values = [r[key] for r in rounds]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    result = {"preset": args.preset, "threads": args.threads, "steps": args.steps, "rounds": rounds,
              "ours": summary("ours"), "pytorch": summary("pytorch"), "ratio": summary("ratio")}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, unit in (("ours", " img/s"), ("pytorch", " img/s"), ("ratio", "×")):
            s = result[key]
            print(f"{key:8s} median {s['median']:.2f}{unit} (range {s['min']:.2f}–{s['max']:.2f}) "
                  f"over {args.rounds} rounds")


if __name__ == "__main__":
    main()
