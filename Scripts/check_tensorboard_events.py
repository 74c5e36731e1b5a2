"""Read a run's TensorBoard event files back with the `tensorboard` package, as a yardstick.

The project writes the event files itself (Sources/Pipeline/Reporting/TensorBoard); this script
checks them with TensorBoard's own reader, outside the project's dependencies:

    pip install tensorboard
    python3 Scripts/check_tensorboard_events.py artifacts [--serve]

For every `events/` folder under the given folder it prints each scalar tag with its number of
steps and first/last step, and each image tag with its count, as TensorBoard's EventAccumulator
loads them (restarts purged, as TensorBoard does). It checks that:
  * every record and event parses (the accumulator raises on a bad checksum);
  * the scalars are those metrics.jsonl holds: one `loss` per training line, one `swd/mean` per
    evaluation line (after a resume, the lines dropped from metrics.jsonl are purged here too);
  * steps of every tag strictly increase.
With --serve it also starts `tensorboard --logdir FOLDER` on a free port and checks that its HTTP
API lists every stage folder as a run with its scalar tags. Exits 1 on any failure.
"""
import argparse, json, os, socket, subprocess, sys, time, urllib.request

from tensorboard.backend.event_processing import event_accumulator


def metrics_counts(stage):
    """(training lines, evaluation lines) of the stage's metrics.jsonl."""
    path = os.path.join(stage, "metrics.jsonl")
    training = evaluation = 0
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                record = json.loads(line)
                if record.get("event") == "eval":
                    evaluation += 1
                else:
                    training += 1
    return training, evaluation


def check_stage(events_folder, root):
    stage = os.path.dirname(events_folder)
    name = os.path.relpath(stage, root)
    accumulator = event_accumulator.EventAccumulator(
        events_folder, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.IMAGES: 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    problems = []
    print(f"{name}:")
    for tag in sorted(tags["scalars"]):
        steps = [e.step for e in accumulator.Scalars(tag)]
        print(f"  scalar {tag:24s} {len(steps):5d} steps ({steps[0]}..{steps[-1]})")
        if any(b <= a for a, b in zip(steps, steps[1:])):
            problems.append(f"{name}: {tag}: steps do not increase: {steps}")
    for tag in sorted(tags["images"]):
        images = accumulator.Images(tag)
        print(f"  image  {tag:24s} {len(images):5d} images (steps {[e.step for e in images]}, "
              f"{images[-1].width}x{images[-1].height})")
    training, evaluation = metrics_counts(stage)
    loss = len(accumulator.Scalars("loss")) if "loss" in tags["scalars"] else 0
    swd = len(accumulator.Scalars("swd/mean")) if "swd/mean" in tags["scalars"] else 0
    if loss != training:
        problems.append(f"{name}: {loss} loss steps, metrics.jsonl has {training} training lines")
    if swd != evaluation:
        problems.append(f"{name}: {swd} swd/mean steps, metrics.jsonl has {evaluation} evaluation lines")
    return name, set(tags["scalars"]), problems


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_server(root, expected):
    """Starts TensorBoard on the folder and asks its API for the runs and their scalar tags."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", root, "--host", "127.0.0.1",
                               "--port", str(port), "--load_fast", "false"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    problems = []
    try:
        runs = {}
        for _ in range(120):
            time.sleep(0.5)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/data/plugin/scalars/tags", timeout=5) as r:
                    runs = json.load(r)
                if set(expected) <= set(runs):
                    break
            except OSError:
                continue
        print(f"tensorboard --logdir {root}: runs {sorted(runs)}")
        for name, tags in expected.items():
            served = set(runs.get(name, {}))
            if not tags <= served:
                problems.append(f"tensorboard serves {name} without {sorted(tags - served)}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="an artifacts folder, a run folder or a stage folder")
    parser.add_argument("--serve", action="store_true", help="also check what `tensorboard --logdir` serves")
    args = parser.parse_args()
    root = os.path.abspath(args.folder)
    folders = sorted(d for d, _, files in os.walk(root)
                     if os.path.basename(d) == "events" and any("tfevents" in f for f in files))
    if not folders:
        print(f"no event files under {root}")
        return 1
    problems, expected = [], {}
    for folder in folders:
        name, tags, found = check_stage(folder, root)
        # TensorBoard names a run by the folder holding the event files.
        expected[os.path.join(name, "events")] = tags
        problems += found
    if args.serve:
        problems += check_server(root, expected)
    for problem in problems:
        print("FAIL", problem)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
