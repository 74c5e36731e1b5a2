#!/usr/bin/env python3
"""Data-parallel scaling of flow training: runs `mpirun -np N pipeline bench --preset P --json`
for each N given and prints step time, allreduce time (all of it, and the part backward did not
hide) and the scaling efficiency, throughput(N) / (N x throughput(1)), against the first N.

Example (one host, 8 cores, 2 threads per rank):
    Scripts/bench_ranks.py --pipeline .build/release/pipeline --preset latent-unet --ranks 1 2 4 --threads 2
Extra mpirun arguments (a hostfile, --oversubscribe...) go after `--`.
Measure on an otherwise idle machine: other work on the cores makes the numbers meaningless.
"""
import argparse
import json
import subprocess
import sys


def measure(args, ranks):
    # No binding: Open MPI binds each rank to one core when -np <= 2, which would leave a rank's
    # threads on one core (docs/distributed.md).
    command = ["mpirun", "-np", str(ranks), "--bind-to", "none"] + args.mpirun + [
        args.pipeline, "bench", "--preset", args.preset, "--steps", str(args.steps), "--json",
        "--threads", str(args.threads)]
    if args.batch:
        command += ["--batch", str(args.batch)]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    if done.returncode != 0:
        sys.exit(f"bench_ranks: {' '.join(command)} failed with status {done.returncode}")
    start = done.stdout.find("{")
    if start < 0:
        sys.exit(f"bench_ranks: no JSON document from {ranks} ranks:\n{done.stdout}")
    document = json.loads(done.stdout[start:])
    result = document.get("dataParallel")
    if result is None:
        sys.exit("bench_ranks: the document has no dataParallel part (was pipeline started by mpirun?)")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pipeline", default=".build/release/pipeline")
    parser.add_argument("--preset", default="latent-unet", choices=["latent-unet", "pixel-unet"])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--threads", type=int, default=1, help="compute threads per rank")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--batch", type=int, help="global batch (default: the preset's)")
    parser.add_argument("mpirun", nargs="*", help="extra mpirun arguments, after --")
    args = parser.parse_args()

    rows = [(n, measure(args, n)) for n in args.ranks]
    base_ranks, base = rows[0]
    base_rate = base["imagesPerSecond"] / base_ranks
    print(f"{'ranks':>5} {'step s':>8} {'img/s':>8} {'allreduce s':>11} {'exposed s':>9} {'efficiency':>10}")
    for n, r in rows:
        efficiency = r["imagesPerSecond"] / (n * base_rate)
        print(f"{n:>5} {r['medianStepSeconds']:>8.3f} {r['imagesPerSecond']:>8.1f} "
              f"{r['allreduceSecondsPerStep']:>11.4f} {r['exposedAllreduceSecondsPerStep']:>9.4f} {efficiency:>10.2f}")


if __name__ == "__main__":
    main()
