"""Check a `pipeline bench --export` file against the PyTorch reference network.

A yardstick only: the project never depends on Python. Usage (PyTorch and safetensors in a venv):
    python Scripts/check_bench_export.py EXPORT.safetensors [--reference ../shared/bench/torch_reference.py]
Loads the exported initial parameters into the reference network, runs the exported input through it,
and prints the largest relative error of the output and of every parameter gradient of the MSE loss.
Exits 1 if any exceeds --tolerance.
"""
import argparse, importlib.util, json, struct, sys

import torch
import torch.nn.functional as F
from safetensors.torch import load_file


def load_reference(path):
    spec = importlib.util.spec_from_file_location("torch_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def metadata(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(length)).get("__metadata__", {})


def relative_error(ours, theirs):
    # Scale by the tensor's own magnitude so that tiny entries do not dominate the figure.
    return ((ours - theirs).abs().max() / theirs.abs().max().clamp_min(1e-12)).item()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("export")
    p.add_argument("--reference", default="../shared/bench/torch_reference.py")
    p.add_argument("--tolerance", type=float, default=1e-4)
    a = p.parse_args()
    torch.set_default_dtype(torch.float64)  # the reference in double precision: our float32 is the one judged
    ref = load_reference(a.reference)
    preset = metadata(a.export)["preset"]
    tensors = load_file(a.export)
    model = {"aelite": lambda: ref.AELite(),
             "latent-unet": lambda: ref.UNet(4, 64, (1, 2, 2)),
             "pixel-unet": lambda: ref.UNet(3, 32, (1, 2, 4, 8, 8))}[preset]()
    params = {k[len("param."):]: v.double() for k, v in tensors.items() if k.startswith("param.")}
    missing, unexpected = model.load_state_dict(params, strict=False)
    if missing or unexpected:
        sys.exit(f"{a.export}: parameter names differ from the reference: missing {missing}, unexpected {unexpected}")
    x = tensors["input.x"].double()
    if preset == "aelite":
        out = model(x)
    else:
        out = model(x, tensors["input.t"].double(), tensors["input.y"].long())
    F.mse_loss(out, x).backward()
    worst = [("output", relative_error(tensors["output"].double(), out.detach()))]
    print(f"{preset}: {len(params)} parameter tensors, output relative error {worst[0][1]:.2e}")
    for name, q in model.named_parameters():
        worst.append((f"grad.{name}", relative_error(tensors[f"grad.{name}"].double(), q.grad)))
    worst.sort(key=lambda pair: -pair[1])
    for name, err in worst[:5]:
        print(f"  {name}: {err:.2e}")
    failed = [n for n, e in worst if e > a.tolerance]
    print(f"largest relative error {worst[0][1]:.2e} ({worst[0][0]}); {len(failed)} above {a.tolerance:g}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
