#!/usr/bin/python3
"""Golden attribution fixtures for heatlens' TypeScript tests, computed by PyTorch autograd.

Each case writes one folder:
    input.npy            float32, the model's input layout (NCHW here), batch B = 2
    target.npy           int64 [B], the target class of each batch element
    logits.npy           float32 [B, classes], pre-softmax logits
    gradient.npy         d y_{b,c_b} / d x                      (float32, same shape as input)
    saliency.npy         abs(gradient)
    grad-x-input.npy     x * gradient
    guided-backprop.npy  rectifier rule R -> relu(R) * d
    deconvnet.npy        rectifier rule R -> relu(R)
    gradient-prob.npy    d softmax(y)_{b,c_b} / d x
    manifest.json        what is what (model path relative to the repo root, names, targets, checks)
    model.onnx           (torchvision cases only) the exported model the TS side compiles

Everything is computed in float64 (weights cast to float64) and stored as float32.
ONNX cases are evaluated with tools/onnx_torch.py; torchvision cases with the real torchvision module
(rectifier modules swapped for rule modules), and cross-checked against onnx_torch on the export.

Run with Debian's python (it has torch):  /usr/bin/python3 tools/make_fixtures.py [--cases a,b]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import sys
import tarfile
import time
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from onnx_torch import (OnnxTorch, RuleReLU, RuleReLU6, _pool_geometry, clip_replay, gather_pool,  # noqa: E402
                        replace_rectifiers)  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
METHODS = ["gradient", "saliency", "grad-x-input", "guided-backprop", "deconvnet", "gradient-prob"]
RULE_OF = {"gradient": "exact", "guided-backprop": "guided", "deconvnet": "deconv"}

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CIFAR_IMAGES = ["test/cat/0000.jpg", "test/ship/0000.jpg"]
PHOTOS = ["chelsea.png", "coffee.png"]

# targets: "top1" = the image's own top-1 class, an int = that class
CASES = {
    "default": dict(kind="onnx", size="small", model="repo:models/default/model.onnx",
                    images="cifar", norm="preset", targets=["top1", 3]),
    "resnet20": dict(kind="onnx", size="small", model="shared:models/resnet20-cifar10/model.onnx",
                     images="cifar", norm=("meanstd", IMAGENET_MEAN, IMAGENET_STD), targets=["top1", 7]),
    # The 224×224 cases explain seeded noise images: the photos' flat regions make exactly tied max-pool
    # windows, and natural images put more units near a kink; a float32 engine may break either
    # differently from float64 (both valid subgradients). mobilenet-v1 keeps the photos.
    "darknet-tiny": dict(kind="onnx", size="big", model="shared:models/darknet-tiny-imagenet/model.onnx",
                         images="noise", norm=("scale", 1 / 255.0, 0.0, "x/255"),
                         targets=["top1", "top1"]),
    "mobilenet-v1-025": dict(kind="onnx", size="big",
                             model="shared:models/mobilenet-v1-025-imagenet/model.onnx",
                             images="photos", norm=("scale", 1 / 127.5, -1.0, "x/127.5 - 1"),
                             targets=["top1", "top1"]),
    "resnet18": dict(kind="torchvision", size="big", arch="resnet18", images="noise",
                     norm=("meanstd", IMAGENET_MEAN, IMAGENET_STD), targets=["top1", 281]),
    "vgg11_bn": dict(kind="torchvision", size="big", arch="vgg11_bn", images="noise",
                     norm=("meanstd", IMAGENET_MEAN, IMAGENET_STD), targets=["top1", 281]),
    "mobilenet_v2": dict(kind="torchvision", size="big", arch="mobilenet_v2", images="noise",
                         norm=("meanstd", IMAGENET_MEAN, IMAGENET_STD), targets=["top1", 281]),
}

# More torchvision architectures, spread over opsets 11..17 (opset 13 is the three above). The three
# heaviest (resnet50 4.1, densenet121 2.9, inception_v3 5.7 GMAC at 224/299) explain 128x128 noise images,
# which keeps test/fixtures.test.ts's float64-interpreter checks under a minute each on 2 cores
# (inception_v3 needs >= 75). "input_size" is the side of the square input (default 224); "opset" the
# export opset (default 13).
for _name, _opset, _size in [("shufflenet_v2_x1_0", 11, 224), ("resnet50", 11, 128), ("squeezenet1_1", 12, 224),
                             ("densenet121", 13, 128), ("mobilenet_v3_small", 14, 224),
                             ("efficientnet_b0", 15, 224), ("googlenet", 16, 224), ("inception_v3", 17, 128)]:
    CASES[_name] = dict(kind="torchvision", size="big", arch=_name, images="noise", opset=_opset, input_size=_size,
                        norm=("meanstd", IMAGENET_MEAN, IMAGENET_STD), targets=["top1", 281])

# Import-only: resnet18 exported at each of these opsets must give the PyTorch logits (and gradient).
OPSET_SWEEP = list(range(11, 18))
OPSET_SWEEP_SIZE = 64
CASES["resnet18-opsets"] = dict(kind="opsets", size="big", arch="resnet18", images="noise", input_size=OPSET_SWEEP_SIZE,
                                norm=("meanstd", IMAGENET_MEAN, IMAGENET_STD), targets=["top1", 281])

# Constructor arguments of the torchvision architectures that need them (every script builds the same module).
ARCH_KWARGS = {
    "googlenet": dict(aux_logits=False, init_weights=True),
    # PyTorch's default initialisation: torchvision's own (truncated normal, std 0.1 for the fc layer too)
    # gives logits of ±244 on these inputs, a saturated softmax (p = 1.0) and a zero probability gradient.
    "inception_v3": dict(aux_logits=False, transform_input=False, init_weights=False),
}

FD_DIRECTIONS = 3
# central differences in float64 along unit-RMS random directions; the first step at which no rectifier
# or max-pool changes its linear piece between x-hv, x and x+hv is used (then the difference has no kink
# error, only rounding)
FD_STEPS = [1e-7, 1e-8, 1e-9]
FD_LINEAR_STEP = 1e-4
FD_TOL = 1e-6


# ----------------------------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------------------------


def load_cifar(shared: Path) -> list:
    """The two CIFAR-10 JPEG test images as uint8 HxWx3 arrays."""
    out = []
    with tarfile.open(shared / "data/cifar10/test-jpeg.tar.gz") as tar:
        for name in CIFAR_IMAGES:
            data = tar.extractfile(name).read()
            out.append(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    return out


def load_noise(size: int) -> list:
    """Two images of seeded uniform random pixels (0..255), size x size."""
    gen = torch.Generator().manual_seed(7)
    return [np.asarray(torch.randint(0, 256, (size, size, 3), generator=gen, dtype=torch.uint8)) for _ in PHOTOS]


def load_images(kind: str, shared: Path, size: int) -> list:
    return {"cifar": lambda: load_cifar(shared), "photos": lambda: load_photos(shared, size), "noise": lambda: load_noise(size)}[kind]()


def load_photos(shared: Path, size: int) -> list:
    """chelsea.png / coffee.png squashed to size x size (PIL bilinear, no crop)."""
    out = []
    for name in PHOTOS:
        im = Image.open(shared / "images" / name).convert("RGB").resize((size, size), Image.BILINEAR)
        out.append(np.asarray(im))
    return out


def read_preset(path: Path):
    """mean, std (and the pixel scale, default 1/255) from models/default/preset.json: heatlens' preset
    means (pixel * scale - mean) / std; the keys are looked up anywhere in the JSON."""
    data = json.loads(path.read_text())

    def find(obj, key):
        if isinstance(obj, dict):
            if key in obj:
                return obj[key]
            for v in obj.values():
                r = find(v, key)
                if r is not None:
                    return r
        return None

    mean, std = find(data, "mean"), find(data, "std")
    if mean is None or std is None:
        raise ValueError(f"{path}: no mean/std found in {data}")
    mean, std = [float(v) for v in mean], [float(v) for v in std]
    scale = find(data, "scale")
    if scale is None:
        scale = 1 / 255.0
        if max(mean) > 1.0 or max(std) > 1.0:  # given on the 0..255 scale
            mean, std = [m / 255 for m in mean], [s / 255 for s in std]
    return mean, std, data, float(scale)


def normalise(images: list, norm, nhwc: bool) -> np.ndarray:
    x = np.stack(images).astype(np.float64)  # B,H,W,3 on 0..255
    if norm[0] == "meanstd":  # (pixel * scale - mean) / std, scale 1/255 unless a 4th element says
        x = x * norm[3] if len(norm) > 3 else x / 255.0
        x = (x - np.array(norm[1])) / np.array(norm[2])
    elif norm[0] == "scale":
        x = x * norm[1] + norm[2]
    else:
        raise ValueError(norm)
    if not nhwc:
        x = x.transpose(0, 3, 1, 2)
    # Round to float32 first: input.npy holds float32, and the reference must be the gradient at exactly
    # that input (1e-7 input perturbations move the gradients of the random-weight nets by ~1e-3).
    return np.ascontiguousarray(x).astype(np.float32).astype(np.float64)


# ----------------------------------------------------------------------------------------------------
# attribution
# ----------------------------------------------------------------------------------------------------


def pick(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """sum_b logits[b, c_b]: its gradient is each image's own gradient (images are independent)."""
    return logits.gather(1, targets[:, None]).sum()


def grad_of(fn, x: torch.Tensor, targets: torch.Tensor, rule: str, prob: bool = False):
    xi = x.detach().clone().requires_grad_(True)
    logits = fn(xi, rule)
    score = torch.softmax(logits, dim=1) if prob else logits
    (g,) = torch.autograd.grad(pick(score, targets), xi)
    return g.detach(), logits.detach()


def attributions(fn, x: torch.Tensor, targets: torch.Tensor) -> dict:
    g, _ = grad_of(fn, x, targets, "exact")
    res = {
        "gradient": g,
        "saliency": g.abs(),
        "grad-x-input": x * g,
        "guided-backprop": grad_of(fn, x, targets, "guided")[0],
        "deconvnet": grad_of(fn, x, targets, "deconv")[0],
        "gradient-prob": grad_of(fn, x, targets, "exact", prob=True)[0],
    }
    return res


def pattern_changes(a: list, b: list) -> int:
    """How many rectifier / max-pool elements are on a different linear piece."""
    assert len(a) == len(b)
    return int(sum(int((p != q).sum()) for p, q in zip(a, b)))


def fd_check(fn, x: torch.Tensor, targets: torch.Tensor, grads: dict, seed: int = 1) -> dict:
    """Central differences of sum_b y_{b,c_b} (and of the probability) along random directions,
    each half random and half along the gradient being checked.

    Steps FD_STEPS are tried in turn and the first one whose x-hv and x+hv lie on the same linear piece
    as x (no rectifier or max-pool changes) is used: the difference then has rounding error only. When
    even the smallest step crosses a kink (x sits on one: tied max-pool windows, typical of flat image
    regions, or a rectifier input exactly at its kink) the check is made on the linear piece recorded
    at x instead (every rectifier / max-pool replays x's mask / arg-max), step FD_LINEAR_STEP."""
    gen = torch.Generator().manual_seed(seed)
    out = {"steps_tried": FD_STEPS, "directions": FD_DIRECTIONS, "gradient": [], "gradient-prob": []}
    with torch.no_grad():
        base = Trace()
        p0 = torch.softmax(fn(x, "exact", base), 1)
        out["maxpool_ties_at_x"] = base.ties
        for _ in range(FD_DIRECTIONS):
            # v = r + (|r|/|g|) g: a random direction plus as much along the gradient, so that g.v is not
            # a near-cancelling sum (for a pure random r, |g.r| ~ |g||r|/sqrt(n), and can be far smaller)
            r = torch.randn(x.shape, generator=gen, dtype=torch.float64)
            v = r + grads["gradient"] * (r.norm() / grads["gradient"].norm())
            crossed = {}
            mode = "function"
            for h in FD_STEPS:
                tp: list = []
                tm: list = []
                lp, lm = fn(x + h * v, "exact", tp), fn(x - h * v, "exact", tm)
                crossed[h] = pattern_changes(base, tp) + pattern_changes(base, tm)
                if crossed[h] == 0:
                    break
            else:
                mode, h = "linear-piece", FD_LINEAR_STEP
                lp, lm = fn(x + h * v, "exact", None, base), fn(x - h * v, "exact", None, base)
            jv = (lp - lm) / (2 * h)  # finite-difference J v of the whole logits vector
            pc = p0.gather(1, targets[:, None])
            for key, fd in (("gradient", pick(jv, targets).item()),
                            # d p_c = p_c (d y_c - sum_k p_k d y_k): the softmax Jacobian applied to the
                            # finite-difference J v (differencing p itself loses ~1e-5 to rounding when
                            # p_c is near 1 or 0 and no kink-free step is large)
                            ("gradient-prob", (pc * (jv.gather(1, targets[:, None])
                                                     - (p0 * jv).sum(1, keepdim=True))).sum().item())):
                an = (grads[key] * v).sum().item()
                out[key].append({"mode": mode, "step": h, "kinks_crossed": crossed, "fd": fd, "analytic": an,
                                 "rel": abs(fd - an) / max(abs(an), 1e-300)})
    out["max_rel"] = max(r["rel"] for k in ("gradient", "gradient-prob") for r in out[k])
    return out


def resolve_targets(spec: list, logits: torch.Tensor) -> torch.Tensor:
    top = logits.argmax(dim=1)
    return torch.tensor([int(top[b]) if t == "top1" else int(t) for b, t in enumerate(spec)],
                        dtype=torch.int64)


# ----------------------------------------------------------------------------------------------------
# torchvision models
# ----------------------------------------------------------------------------------------------------


def make_torchvision(arch: str, calib: torch.Tensor | None = None, size: int = 224) -> torch.nn.Module:
    """torchvision `arch` with random weights (seed 0), in eval mode, with BatchNorm that is not the
    identity yet keeps the signal alive: random scale U(0.5, 1.5) and shift N(0, 0.1); running statistics
    measured on seeded noise images (one train-mode pass in float64, cumulative average), then perturbed (mean + N(0, 0.1)·sd,
    var · U(0.8, 1.25)). With the raw random statistics the input's influence dies out through the
    depth (mobilenet_v2: |dy/dx| ~ 1e-10), which makes a useless fixture."""
    import torchvision

    # Statistics from eight seeded noise images (ImageNet mean/std), whatever images the fixture explains:
    # then every script builds the same model, and statistics measured on the very inputs (which
    # degenerate some channels, var ≈ 0) are avoided. `calib` is accepted for compatibility and ignored.
    # The calibration images have the fixture's input size (`size`), so BN sees that resolution's statistics.
    del calib
    gen = torch.Generator().manual_seed(1)
    calib = torch.from_numpy(normalise([np.asarray(torch.randint(0, 256, (size, size, 3), generator=gen, dtype=torch.uint8))
                                        for _ in range(8)], ("meanstd", IMAGENET_MEAN, IMAGENET_STD), False))
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)(weights=None, **ARCH_KWARGS.get(arch, {}))
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.weight.uniform_(0.5, 1.5)
            m.bias.normal_(0.0, 0.1)
            m.reset_running_stats()
            m.momentum = None  # cumulative moving average: one pass = that batch's statistics
        # The calibration pass runs in float64: in float32 its sums depend on the CPU's vector kernels
        # (an AVX2-only machine measured statistics different in the last bits from the machines before
        # it, enough to move googlenet's max-pool near-ties and fail its check below); float64 sums
        # differ, if at all, far below float32's rounding, so machines build the same weights.
        # The statistics are then rounded once to float32, the dtype the module and its export keep.
        model.double().train()
        model(calib.double())
        model.float()
        for m in bns:
            m.momentum = 0.1
            # A floor keeps near-constant channels from being amplified by 1/√(var + ε).
            m.running_var.clamp_(min=0.05 * float(m.running_var.median()))
            m.running_mean.add_(torch.randn_like(m.running_mean) * 0.1 * m.running_var.sqrt())
            m.running_var.mul_(torch.empty_like(m.running_var).uniform_(0.8, 1.25))
    for m in model.modules():  # ReLU(inplace=True) would break the rule modules and autograd checks
        if hasattr(m, "inplace"):
            m.inplace = False
    return model.eval()


def export_onnx(model: torch.nn.Module, path: Path, size: int, opset: int = 13) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    x = torch.zeros(1, 3, size, size)
    # TrainingMode.PRESERVE on an eval-mode model keeps BatchNormalization nodes (inference mode)
    # instead of the exporter's Conv+BN fusion, so the TS side exercises its own BN folding.
    warnings.filterwarnings("ignore", message=".*constant folding.*")  # model is in eval mode
    torch.onnx.export(model, x, str(path), opset_version=opset, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(path)))


class Trace(list):
    """Patterns recorded by a forward pass, plus the number of max-pool windows with tied maxima."""
    ties = 0


def count_ties(x: torch.Tensor, kernel, stride, padding, dilation) -> int:
    """Max-pool windows whose non-zero maximum occurs more than once (gradient follows the tie rule)."""
    u = F.unfold(x, kernel, dilation=dilation, padding=padding, stride=stride)
    u = u.reshape(x.shape[0], x.shape[1], -1, u.shape[-1])
    top = u.max(dim=2, keepdim=True).values
    # ties at 0 (all-zero windows after a ReLU) are left out: the ReLU mask zeroes whatever they route
    return int((((u == top).sum(dim=2) > 1) & (top[:, :, 0] != 0)).sum())


def _pair(v) -> list:
    return [v, v] if isinstance(v, int) else list(v)


def _maxpool_pattern(x: torch.Tensor, kernel, stride, padding, dilation, ceil_mode, trace: list) -> None:
    """Records a 2-D max-pool's arg-max (torch's indices address the unpadded input) and counts its tied
    windows (ceil mode: the overhanging last windows are padded with -inf as well)."""
    kernel, dilation, padding = _pair(kernel), _pair(dilation), _pair(padding)
    stride = _pair(stride) if stride else kernel
    trace.append(F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=True)[1])
    if isinstance(trace, Trace):
        _, extra = _pool_geometry(list(x.shape[2:]), kernel, stride, dilation, padding + padding, int(ceil_mode))
        pad = [padding[1], padding[1] + extra[1], padding[0], padding[0] + extra[0]]
        xp = F.pad(x, pad, value=-math.inf) if any(pad) else x
        trace.ties += count_ties(xp, kernel, stride, 0, dilation)


def _tracer(trace: list):
    """Forward hook recording each rectifier's linear piece / each max-pool's arg-max."""
    def hook(mod, inp, out):
        x = inp[0].detach()
        if isinstance(mod, RuleReLU):
            trace.append(x > 0)
        elif isinstance(mod, RuleReLU6):
            trace.append((x > 0).to(torch.int8) + (x >= mod.hi).to(torch.int8))
        elif isinstance(mod, _HARD):
            trace.append(_hard_region(mod, x))
        else:
            _maxpool_pattern(x, mod.kernel_size, mod.stride, mod.padding, mod.dilation, mod.ceil_mode, trace)
    return hook


def _replayer(it):
    """Forward hook putting each rectifier / max-pool on the piece recorded (iterator `it` over a trace)."""
    def hook(mod, inp, out):
        x, m = inp[0], next(it)
        if isinstance(mod, RuleReLU):
            return x * m
        if isinstance(mod, RuleReLU6):
            return clip_replay(x, 0.0, mod.hi, m)
        if isinstance(mod, _HARD):
            return _hard_replay(mod, x, m)
        return gather_pool(x, m)  # torch's indices address the unpadded input
    return hook


# Hardswish / Hardsigmoid (MobileNetV3) are piecewise smooth with kinks at ±3: the finite-difference check
# tracks which piece each element is on (0: x < -3, 1: middle, 2: x > 3; hardswish_backward's middle piece
# is closed at both ends, hardsigmoid_backward's open) and can replay it.
_HARD = (torch.nn.Hardswish, torch.nn.Hardsigmoid)


def _hard_region(mod, x: torch.Tensor) -> torch.Tensor:
    if isinstance(mod, torch.nn.Hardswish):
        return (x >= -3).to(torch.int8) + (x > 3).to(torch.int8)
    return (x > -3).to(torch.int8) + (x >= 3).to(torch.int8)


def _hard_replay(mod, x: torch.Tensor, region: torch.Tensor) -> torch.Tensor:
    middle = x * (x + 3) / 6 if isinstance(mod, torch.nn.Hardswish) else x / 6 + 0.5
    high = x if isinstance(mod, torch.nn.Hardswish) else torch.ones_like(x)
    return torch.where(region == 0, torch.zeros_like(x), torch.where(region == 1, middle, high))


class _FunctionalRules:
    """Stands in for `torch.nn.functional` inside torchvision's model files while a rule copy runs.

    GoogLeNet and Inception v3 (BasicConv2d) and DenseNet (after the last block) call F.relu directly,
    and Inception v3 calls F.max_pool2d: replace_rectifiers cannot reach those. Here F.relu takes the
    rule (and is traced / replayed like RuleReLU modules) and F.max_pool2d is traced / replayed like
    nn.MaxPool2d. Everything else is torch.nn.functional's own. `calls` counts the relu calls."""

    def __init__(self, rule: str, trace=None, replay=None):
        self.rule, self.trace, self.replay, self.calls = rule, trace, replay, 0

    def __getattr__(self, name):
        return getattr(F, name)

    def relu(self, x, inplace=False):
        self.calls += 1
        if self.trace is not None:
            self.trace.append(x.detach() > 0)
        if self.replay is not None:
            return x * next(self.replay)
        return RuleReLU(self.rule)(x)

    def max_pool2d(self, x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
        assert not return_indices
        if self.trace is not None:
            _maxpool_pattern(x.detach(), kernel_size, stride, padding, dilation, ceil_mode, self.trace)
        if self.replay is not None:
            return gather_pool(x, next(self.replay))
        return F.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)


def _model_namespaces(model: torch.nn.Module) -> list:
    """The torchvision modules (files) defining `model`'s layers that refer to torch.nn.functional as F."""
    names = {type(m).__module__ for m in model.modules() if type(m).__module__.startswith("torchvision.")}
    return [sys.modules[n] for n in sorted(names) if getattr(sys.modules[n], "F", None) is F]


def module_fn(arch_model: torch.nn.Module):
    """fn(x, rule, trace=None, replay=None) -> logits of a float64 copy with rule modules (and rule
    functionals, see _FunctionalRules)."""
    import copy

    copies = {}
    for rule in ("exact", "guided", "deconv"):
        m = copy.deepcopy(arch_model).double().eval()
        n = replace_rectifiers(m, rule)
        copies[rule] = m
    spaces = _model_namespaces(arch_model)

    def fn(x, rule, trace=None, replay=None):
        it = iter(replay) if replay is not None else None
        proxy = _FunctionalRules(rule, trace, it)
        hooks = []
        if trace is not None or replay is not None:
            hook = _tracer(trace) if trace is not None else _replayer(it)
            hooks = [m.register_forward_hook(hook) for m in copies[rule].modules()
                     if isinstance(m, (RuleReLU, RuleReLU6, torch.nn.MaxPool2d) + _HARD)]
        for space in spaces:
            space.F = proxy
        try:
            out = copies[rule](x)
        finally:
            for space in spaces:
                space.F = F
            for h in hooks:
                h.remove()
        fn.functional_relu_calls = proxy.calls  # type: ignore[attr-defined]
        return out
    fn.replaced = n  # type: ignore[attr-defined]
    fn.functional_relu_calls = 0  # type: ignore[attr-defined]
    return fn


# ----------------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------------


def rel_max(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max() / max(float(b.abs().max()), 1e-300))


def save(folder: Path, name: str, t, dtype=np.float32) -> None:
    arr = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    np.save(folder / name, np.ascontiguousarray(arr.astype(dtype)))


def run_opsets(name: str, spec: dict, shared: Path, folder: Path) -> dict:
    """resnet18 (make_torchvision's weights) exported at every opset of OPSET_SWEEP: each export run by the
    evaluator must give the module's logits and gradient; the TS test checks that heatlens imports each
    and gets the same logits and gradient (import-only: one method)."""
    import torchvision

    t0 = time.time()
    size = spec["input_size"]
    x = torch.from_numpy(normalise(load_images(spec["images"], shared, size), spec["norm"], False))
    model = make_torchvision(spec["arch"], x, size)
    fn = module_fn(model)
    with torch.no_grad():
        logits = fn(x, "exact")
    targets = resolve_targets(spec["targets"], logits)
    grad, _ = grad_of(fn, x, targets, "exact")
    models, ops, checks = {}, {}, {}
    for opset in OPSET_SWEEP:
        path = folder / f"opset{opset}.onnx"
        export_onnx(model, path, size, opset)
        proto = onnx.load(str(path))
        assert next(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")) == opset
        ev = OnnxTorch(proto, dtype=torch.float64)
        efn = lambda xx, rule: ev.logits(xx, rule)  # noqa: E731
        with torch.no_grad():
            dl = float((efn(x, "exact") - logits).abs().max())
        dg = rel_max(grad_of(efn, x, targets, "exact")[0], grad)
        assert dl < 1e-6 * max(1.0, float(logits.abs().max())) and dg < 1e-6, f"{name} opset {opset}: {dl} {dg}"
        models[str(opset)] = path.name
        ops[str(opset)] = sorted({n.op_type for n in proto.graph.node})
        checks[str(opset)] = {"logits_max_abs": dl, "gradient_max_rel": dg}
        print(f"[{name}] opset {opset}: evaluator vs module logits {dl:.1e}, gradient {dg:.1e}; ops {ops[str(opset)]}")
    ev32 = OnnxTorch(folder / models["13"], dtype=torch.float32)
    g32, _ = grad_of(lambda xx, rule: ev32.logits(xx.float(), rule).double(), x, targets, "exact")
    save(folder, "input.npy", x)
    save(folder, "target.npy", targets, np.int64)
    save(folder, "logits.npy", logits)
    save(folder, "gradient.npy", grad)
    manifest = {
        "case": name, "kind": "opsets", "arch": spec["arch"], "opsets": OPSET_SWEEP, "models": models,
        "input": "input", "output": "logits", "shape": list(x.shape), "classes": int(logits.shape[1]),
        "targets": [int(t) for t in targets], "targetSpec": spec["targets"],
        "preprocess": describe_pre(spec, spec["norm"], size),
        "files": {"input": "input.npy", "target": "target.npy", "logits": "logits.npy", "gradient": "gradient.npy"},
        "reference": f"torchvision.models.{spec['arch']} module (random weights, seed 0), float64",
        "torch": torch.__version__, "torchvision": torchvision.__version__, "onnx": onnx.__version__,
        "onnx_ops": ops,
        "checks": {"evaluator_vs_module": checks, "float32_deviation": {"gradient": rel_max(g32, grad)}},
        "note": ("Import-only check: the same resnet18 (make_fixtures.make_torchvision weights) exported by "
                 "torch.onnx.export at each opset (dynamic batch, BatchNormalization kept). logits.npy and "
                 "gradient.npy (d y_{b,c_b}/dx) are the module's, float64 stored as float32."),
    }
    (folder / "manifest.json").write_text(compact_json(manifest) + "\n")
    dt = time.time() - t0
    size_b = sum(f.stat().st_size for f in folder.iterdir())
    print(f"[{name}] wrote {folder} ({size_b / 1e6:.1f} MB) in {dt:.1f}s")
    return {"case": name, "folder": str(folder), "seconds": dt, "bytes": size_b}


def run_case(name: str, spec: dict, shared: Path, out_small: Path, out_big: Path) -> dict:
    t0 = time.time()
    folder = (out_small if spec["size"] == "small" else out_big) / name
    if spec["kind"] == "opsets":
        folder.mkdir(parents=True, exist_ok=True)
        return run_opsets(name, spec, shared, folder)
    extra: dict = {}
    checks: dict = {}

    if spec["kind"] == "onnx":
        where, rel = spec["model"].split(":", 1)
        model_path = (REPO if where == "repo" else shared) / rel
        if not model_path.exists():
            print(f"[{name}] SKIPPED: {model_path} does not exist")
            return {"case": name, "skipped": str(model_path)}
        ev = OnnxTorch(model_path, dtype=torch.float64)
        in_shape = [d.dim_value or d.dim_param for d in
                    next(i for i in ev.graph.input if i.name == ev.input_names[0]).type.tensor_type.shape.dim]
        nhwc = len(in_shape) == 4 and in_shape[-1] in (1, 3) and in_shape[1] not in (1, 3)
        hw = in_shape[1:3] if nhwc else in_shape[2:4]
        size = hw[0] if isinstance(hw[0], int) and hw[0] > 0 else 224
        norm = spec["norm"]
        if norm == "preset":
            mean, std, preset, scale = read_preset(model_path.parent / "preset.json")
            norm = ("meanstd", mean, std, scale)
            extra["preset"] = preset
        images = load_images(spec["images"], shared, size)
        if images[0].shape[0] != size:
            images = [np.asarray(Image.fromarray(im).resize((size, size), Image.BILINEAR)) for im in images]
        x = torch.from_numpy(normalise(images, norm, nhwc))
        fn = lambda xx, rule, trace=None, replay=None: ev.logits(xx, rule, trace, replay)  # noqa: E731
        reference = "tools/onnx_torch.py evaluator, float64"
        input_name, output_name, logits_name = ev.input_names[0], ev.output_names[0], ev.logits_name
        ends_in_softmax = ev.ends_in_softmax
    else:
        size = spec.get("input_size", 224)
        opset = spec.get("opset", 13)
        images = load_images(spec["images"], shared, size)
        norm = spec["norm"]
        nhwc = False
        x = torch.from_numpy(normalise(images, norm, False))
        model = make_torchvision(spec["arch"], x, size)
        model_path = folder / "model.onnx"
        export_onnx(model, model_path, size, opset)
        fn = module_fn(model)
        kwargs = ARCH_KWARGS.get(spec["arch"], {})
        reference = (f"torchvision.models.{spec['arch']}({', '.join(f'{k}={v}' for k, v in kwargs.items())}) module "
                     "(random weights, seed 0), float64")
        input_name, output_name, logits_name, ends_in_softmax = "input", "logits", "logits", False
        ev = OnnxTorch(model_path, dtype=torch.float64)
        extra["opset"] = opset
        extra["replaced_rectifier_modules"] = fn.replaced
        extra["onnx_ops"] = sorted({n.op_type for n in ev.graph.node})

    # targets from float64 logits
    with torch.no_grad():
        logits = fn(x, "exact")
    if spec["kind"] == "torchvision":
        extra["functional_relu_calls"] = fn.functional_relu_calls
    targets = resolve_targets(spec["targets"], logits)
    attrs = attributions(fn, x, targets)

    # --- self-checks ---
    nonzero = {}
    for k, v in attrs.items():
        assert torch.isfinite(v).all(), f"{name}/{k}: non-finite values"
        nz = float((v != 0).double().mean())
        nonzero[k] = nz
        assert nz > 0.01, f"{name}/{k}: only {nz:.4f} non-zero"
    checks["nonzero_fraction"] = nonzero
    fd = fd_check(fn, x, targets, attrs)
    checks["finite_difference"] = fd
    print(f"[{name}] finite differences ({FD_DIRECTIONS} directions, steps "
          + " ".join("%.0e%s" % (r["step"], "" if r["mode"] == "function" else " on x's linear piece")
                     for r in fd["gradient"])
          + f"; {fd['maxpool_ties_at_x']} tied max-pool windows at x): max rel err {fd['max_rel']:.2e};"
          + " gradient " + " ".join("%.1e" % r["rel"] for r in fd["gradient"])
          + "; prob " + " ".join("%.1e" % r["rel"] for r in fd["gradient-prob"])
          + "; kinks crossed at rejected steps " + str([{("%.0e" % k): c for k, c in r["kinks_crossed"].items()
                                                       if c} for r in fd["gradient"]]))
    assert fd["max_rel"] < FD_TOL, f"{name}: finite-difference check failed ({fd['max_rel']:.3e})"

    if spec["kind"] == "torchvision":
        # the exported ONNX, run by the independent evaluator, must agree with the module
        efn = lambda xx, rule: ev.logits(xx, rule)  # noqa: E731
        with torch.no_grad():
            elog = efn(x, "exact")
        dl = float((elog - logits).abs().max())
        eattrs = attributions(efn, x, targets)
        dm = {k: rel_max(eattrs[k], attrs[k]) for k in attrs}
        checks["onnx_vs_module"] = {"logits_max_abs": dl, "logits_max_abs_ref": float(logits.abs().max()),
                                    "methods_max_rel": dm}
        print(f"[{name}] evaluator(ONNX export) vs torchvision module: logits max abs diff {dl:.2e} "
              f"(|logits| max {float(logits.abs().max()):.2f}); attributions max rel diff "
              + ", ".join(f"{k} {v:.1e}" for k, v in dm.items()))
        assert dl < 1e-6 * max(1.0, float(logits.abs().max())), f"{name}: logits differ by {dl}"
        assert max(dm.values()) < 1e-6, f"{name}: attributions differ {dm}"
    else:
        # the graph run in float32 should be close to float64 (catches dtype mishaps)
        ev32 = OnnxTorch(model_path, dtype=torch.float32)
        with torch.no_grad():
            l32 = ev32.logits(x.float()).double()
        checks["float32_vs_float64_logits_max_abs"] = float((l32 - logits).abs().max())

    # PyTorch's own float32 autograd on the same ONNX graph, against this float64 reference: how far any
    # float32 engine can be expected to land. Rounding flips rectifier kinks and max-pool near-ties in
    # ill-conditioned nets (random weights, flat photo regions), which moves some pixels' gradients.
    ev32 = OnnxTorch(model_path, dtype=torch.float32)
    fn32 = lambda xx, rule, trace=None, replay=None: ev32.logits(xx.float(), rule).double()  # noqa: E731
    attrs32 = attributions(fn32, x, targets)
    checks["float32_deviation"] = {k: rel_max(attrs32[k], attrs[k]) for k in attrs}
    print(f"[{name}] PyTorch float32 vs float64 reference: "
          + ", ".join(f"{k} {v:.1e}" for k, v in checks["float32_deviation"].items()))

    # --- write ---
    folder.mkdir(parents=True, exist_ok=True)
    save(folder, "input.npy", x)
    save(folder, "target.npy", targets, np.int64)
    save(folder, "logits.npy", logits)
    for k, v in attrs.items():
        save(folder, f"{k}.npy", v)
    import torchvision

    manifest = {
        "case": name,
        "model": os.path.relpath(model_path.resolve(), REPO),
        "input": input_name,
        "output": output_name,
        "logits": logits_name,
        "endsInSoftmax": ends_in_softmax,
        "layout": "NHWC" if nhwc else "NCHW",
        "shape": list(x.shape),
        "classes": int(logits.shape[1]),
        "targets": [int(t) for t in targets],
        "targetSpec": spec["targets"],
        "images": {"cifar": CIFAR_IMAGES, "photos": PHOTOS, "noise": ["uniform random pixels, seed 7"] * 2}[spec["images"]],
        "preprocess": describe_pre(spec, norm, int(x.shape[-2] if not nhwc else x.shape[1])),
        "methods": METHODS,
        "files": {"input": "input.npy", "target": "target.npy", "logits": "logits.npy",
                  **{m: f"{m}.npy" for m in METHODS}},
        "reference": reference,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "onnx": onnx.__version__,
        "checks": checks,
        **extra,
        "note": ("Computed in float64 (weights cast to float64), stored as float32. Target y_c = pre-softmax "
                 "logit of class targets[b] for image b (the Softmax input when the model ends in Softmax); "
                 "gradient-prob differentiates softmax(logits)[targets[b]]. Rectifiers (Relu, LeakyRelu, "
                 "Clip min 0): exact d = 1[x>0] / (x>0?1:alpha) / 1[0<x<hi] (0 at both kinks); "
                 "guided-backprop R->relu(R)*d; deconvnet R->relu(R). Max-pool ties: first maximum in "
                 "row-major order. Generated by tools/make_fixtures.py."),
    }
    text = compact_json(manifest)
    assert json.loads(text) == json.loads(json.dumps(manifest)), "compact_json broke the manifest"
    (folder / "manifest.json").write_text(text + "\n")
    dt = time.time() - t0
    size = sum(f.stat().st_size for f in folder.iterdir())
    print(f"[{name}] wrote {folder} ({size / 1e6:.2f} MB) targets {manifest['targets']} "
          f"logits[b,c] {[round(float(logits[b, targets[b]]), 4) for b in range(len(targets))]} in {dt:.1f}s")
    return {"case": name, "folder": str(folder), "seconds": dt, "bytes": size}


def compact_json(obj) -> str:
    """json.dumps(indent=2) with lists of scalars kept on one line."""
    text = json.dumps(obj, indent=2)
    return re.sub(r"\[\s*([^\[\]{}]*?)\s*\]",
                  lambda m: "[" + ", ".join(p.strip() for p in m.group(1).split(",")) + "]"
                  if m.group(1).strip() else "[]", text)


def describe_pre(spec, norm, size) -> str:
    src = ("CIFAR-10 test JPEGs from data/cifar10/test-jpeg.tar.gz, decoded with PIL" if spec["images"] == "cifar"
           else f"shared images resized to {size}x{size} with PIL bilinear (no crop), RGB")
    if norm[0] == "meanstd":
        scale = norm[3] if len(norm) > 3 else 1 / 255.0
        how = (("(pixel/255" if abs(scale - 1 / 255.0) < 1e-15 else f"(pixel * {scale!r}")
               + f" - mean) / std, mean {list(norm[1])}, std {list(norm[2])}")
    else:
        how = norm[3] if len(norm) > 3 else f"x * {norm[1]!r} + {norm[2]!r}"
        how += " (x = pixel value 0..255)"
    return f"{src}; {how}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"), help="path of shared/ (default ../shared)")
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, from {','.join(CASES)}")
    ap.add_argument("--out-small", default=str(REPO / "test/fixtures"), help="folder for the 32x32 cases")
    ap.add_argument("--out-big", default=str(REPO / "test/fixtures/generated"),
                    help="folder for the 224x224 cases (git-ignored)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    shared = Path(args.shared).resolve()
    if not shared.exists():
        sys.exit(f"shared folder {shared} not found (pass --shared PATH)")
    names = [c.strip() for c in args.cases.split(",") if c.strip()]
    bad = [c for c in names if c not in CASES]
    if bad:
        sys.exit(f"unknown cases: {', '.join(bad)} (known: {', '.join(CASES)})")
    t0 = time.time()
    results = [run_case(n, CASES[n], shared, Path(args.out_small), Path(args.out_big)) for n in names]
    print(f"done: {sum('folder' in r for r in results)} written, {sum('skipped' in r for r in results)} "
          f"skipped, {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
