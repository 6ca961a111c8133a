#!/usr/bin/python3
"""PyTorch timings for heatlens' benchmark table (the dynamic-autodiff baseline).

    /usr/bin/python3 tools/bench_torch.py --case resnet18 [--iters 20] [--threads 2] [--shared PATH]

Prints one JSON line: medians in milliseconds over --iters runs after --warmup runs, batch 1, float32:
    inference_ms          forward under torch.no_grad()
    gradient_ms           forward + backward of the target logit w.r.t. the input (requires_grad input)
    saliency_ms           gradient + abs
    grad_x_input_ms       gradient * input
    guided_backprop_ms    gradient with the guided rule at every rectifier (autograd.Function)
    deconvnet_ms          gradient with the DeconvNet rule at every rectifier
Also "min_ms" (minima, more robust on a busy machine) and the 1-minute load average before and after:
timings taken with a load above the thread count are not meaningful.
The target is the top-1 logit of the first fixture image (pre-softmax when the model ends in Softmax).
torchvision cases run the real torchvision module (random weights, as in make_fixtures.py; the exact
methods use the module as torchvision builds it, the guided/deconv ones a copy with rule modules);
ONNX cases run tools/onnx_torch.py's evaluator ("impl" in the JSON says which).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402
from onnx_torch import OnnxTorch, replace_rectifiers  # noqa: E402

EXTRA_CASES = {
    "doodlenet": dict(kind="onnx", size="small", model="shared:models/doodlenet-quickdraw/model.onnx",
                      images="doodle", norm=("scale", 1 / 255.0, 0.0), targets=["top1", "top1"]),
}


def first_input(name: str, spec: dict, shared: Path):
    """(model fn(x, rule), x [1,...] float32, impl, model path)."""
    if spec["kind"] == "torchvision":
        import torchvision

        torch.manual_seed(0)
        size = spec.get("input_size", 224)
        x = mf.normalise(mf.load_photos(shared, size), spec["norm"], False)
        plain = mf.make_torchvision(spec["arch"], torch.from_numpy(x), size).float()
        for m in plain.modules():  # as torchvision builds it
            if isinstance(m, (torch.nn.ReLU, torch.nn.ReLU6)):
                m.inplace = True
        ruled = {}
        for rule in ("guided", "deconv"):
            ruled[rule] = copy.deepcopy(plain)
            replace_rectifiers(ruled[rule], rule)
        x = x[:1]

        def fn(xx, rule):
            return plain(xx) if rule == "exact" else ruled[rule](xx)
        return fn, torch.from_numpy(x).float(), f"torchvision {torchvision.__version__} module", None
    where, rel = spec["model"].split(":", 1)
    path = (mf.REPO if where == "repo" else shared) / rel
    if not path.exists():
        sys.exit(f"{name}: {path} does not exist")
    ev = OnnxTorch(path, dtype=torch.float32)
    shape = [d.dim_value for d in
             next(i for i in ev.graph.input if i.name == ev.input_names[0]).type.tensor_type.shape.dim]
    norm = spec["norm"]
    if spec["images"] == "doodle":
        x = np.random.default_rng(0).random([1] + shape[1:]) * norm[1] * 255
    else:
        if norm == "preset":
            mean, std, _, scale = mf.read_preset(path.parent / "preset.json")
            norm = ("meanstd", mean, std, scale)
        size = shape[2] if shape[2] > 0 else 224
        imgs = mf.load_cifar(shared) if spec["images"] == "cifar" else mf.load_photos(shared, size)
        x = mf.normalise(imgs[:1], norm, False)
    return (lambda xx, rule: ev.logits(xx, rule)), torch.from_numpy(np.asarray(x)).float(), \
        "tools/onnx_torch.py evaluator (torch functional ops, float32)", str(path)


MINIMA: dict = {}


def timeit(f, warmup: int, iters: int, key: str) -> float:
    """Median wall time in ms (the minimum is kept in MINIMA: more robust on a busy machine)."""
    for _ in range(warmup):
        f()
    ts = []
    for _ in range(iters):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1e3)
    MINIMA[key] = round(min(ts), 3)
    return statistics.median(ts)


def main() -> None:
    cases = {**mf.CASES, **EXTRA_CASES}
    ap = argparse.ArgumentParser(description="PyTorch timings (batch 1, float32) for the benchmark table")
    ap.add_argument("--case", required=True, choices=sorted(cases))
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--shared", default=str(mf.REPO.parent / "shared"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    shared = Path(args.shared).resolve()
    fn, x, impl, path = first_input(args.case, cases[args.case], shared)
    with torch.no_grad():
        target = int(fn(x, "exact").argmax(dim=1)[0])
    load0 = os.getloadavg()[0]  # timings are only meaningful when this is below the thread count

    def infer():
        with torch.no_grad():
            fn(x, "exact")

    def grad(rule):
        xi = x.clone().requires_grad_(True)
        y = fn(xi, rule)[0, target]
        (g,) = torch.autograd.grad(y, xi)
        return g

    res = {
        "case": args.case,
        "impl": impl,
        "threads": args.threads,
        "iters": args.iters,
        "warmup": args.warmup,
        "batch": 1,
        "dtype": "float32",
        "input_shape": list(x.shape),
        "target": target,
        "inference_ms": timeit(infer, args.warmup, args.iters, "inference_ms"),
        "gradient_ms": timeit(lambda: grad("exact"), args.warmup, args.iters, "gradient_ms"),
        "saliency_ms": timeit(lambda: grad("exact").abs(), args.warmup, args.iters, "saliency_ms"),
        "grad_x_input_ms": timeit(lambda: grad("exact") * x, args.warmup, args.iters, "grad_x_input_ms"),
        "guided_backprop_ms": timeit(lambda: grad("guided"), args.warmup, args.iters, "guided_backprop_ms"),
        "deconvnet_ms": timeit(lambda: grad("deconv"), args.warmup, args.iters, "deconvnet_ms"),
        "min_ms": MINIMA,
        "loadavg_before": round(load0, 2),
        "loadavg_after": round(os.getloadavg()[0], 2),
        "torch": torch.__version__,
        "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
        "cpu": platform.processor() or platform.machine(),
        "model": os.path.relpath(path, mf.REPO) if path else None,
    }
    for k in list(res):
        if k.endswith("_ms") and isinstance(res[k], float):
            res[k] = round(res[k], 3)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
