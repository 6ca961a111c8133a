#!/usr/bin/python3
"""Golden fixtures for heatlens' map and multi-pass methods (Grad-CAM family, Integrated Gradients,
SmoothGrad family), computed by PyTorch autograd in float64 and stored as float32 .npy.

Cases (folder per case):
    resnet20-cam     test/fixtures/methods/           (committed)  Grad-CAM, Grad-CAM++, HiResCAM,
    resnet20-ig      test/fixtures/methods/           (committed)  Guided Grad-CAM at two layers;
    resnet20-smooth  test/fixtures/methods/           (committed)  IG with Captum's five schemes, 16 steps;
    resnet18-cam     test/fixtures/generated/methods/ (ignored)    SmoothGrad / -squared / VarGrad of
    resnet18-ig      test/fixtures/generated/methods/ (ignored)    saliency, grad-x-input, guided backprop.

resnet20 is ../shared/models/resnet20-cifar10/model.onnx run by tools/onnx_torch.py's evaluator; resnet18
is torchvision's architecture with make_fixtures.py's random weights, evaluated from the same exported
test/fixtures/generated/resnet18/model.onnx the TypeScript side loads (exported here, the same way, when
absent) and cross-checked against the torchvision module. Inputs, targets and helpers come from
make_fixtures.py. See tools/README.md for the files and formulas.

Run with Debian's python (it has torch):  /usr/bin/python3 tools/make_method_fixtures.py [--cases a,b]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from onnx_torch import OnnxTorch  # noqa: E402
from make_fixtures import (CASES as BASE_CASES, CIFAR_IMAGES, PHOTOS, REPO, export_onnx,  # noqa: E402
                           load_cifar, load_photos, make_torchvision, module_fn, normalise,
                           pick, rel_max, resolve_targets, save)

CAM_METHODS = ["gradcam", "gradcam++", "hirescam", "guided-gradcam"]
IG_SCHEMES = ["left", "right", "middle", "trapezoid", "gausslegendre"]
SMOOTH_KINDS = ["smoothgrad", "smoothgrad-squared", "vargrad"]
SMOOTH_BASES = ["saliency", "grad-x-input", "guided-backprop"]
SMOOTH_SAMPLES = 8
SMOOTH_NOISE = 0.15  # σ = 0.15·(max x − min x) per image
GRADCAMPP_EPS = 1e-6
# A Relu input within KINK_TAU·max|input of that layer at that point| of 0 may land on either side of the kink
# in float32 (about 5 float32 ulps of the layer's largest value)
KINK_TAU = 3e-7

# Relu outputs (the last Relu of a residual stage): canonicalisation folds BatchNormalization into the
# Conv and renames the conv output, but Relu outputs keep their names.
MODELS = {
    "resnet20": dict(base="resnet20", layers=["/layer2/layer2.2/Relu_1_output_0",
                                              "/layer3/layer3.2/Relu_1_output_0"],
                     fc="linear.weight"),
    "resnet18": dict(base="resnet18", layers=["/layer3/layer3.1/relu_1/Relu_output_0",
                                              "/layer4/layer4.1/relu_1/Relu_output_0"],
                     fc="fc.weight", modules=["layer3", "layer4"]),
}

CASES = {
    "resnet20-cam": dict(model="resnet20", kind="cam", size="small"),
    "resnet20-ig": dict(model="resnet20", kind="ig", size="small", steps=16, schemes=IG_SCHEMES),
    "resnet20-smooth": dict(model="resnet20", kind="smooth", size="small"),
    "resnet18-cam": dict(model="resnet18", kind="cam", size="big"),
    "resnet18-ig": dict(model="resnet18", kind="ig", size="big", steps=8, schemes=["gausslegendre", "left"]),
}


# ----------------------------------------------------------------------------------------------------
# models and inputs
# ----------------------------------------------------------------------------------------------------


class Setup:
    """A model's evaluator, its input (float32-rounded, held in float64) and targets."""

    def __init__(self, name: str, shared: Path, out_big: Path):
        spec = MODELS[name]
        base = BASE_CASES[spec["base"]]
        self.name = name
        self.layers = spec["layers"]
        self.fc = spec["fc"]
        self.module = None
        self.checks: dict = {}
        if base["kind"] == "onnx":
            self.model_path = shared / base["model"].split(":", 1)[1]
            if not self.model_path.exists():
                raise FileNotFoundError(str(self.model_path))
            images = load_cifar(shared)
            self.images = CIFAR_IMAGES
            x64 = torch.from_numpy(normalise(images, base["norm"], False))
        else:
            images = load_photos(shared, 224)
            self.images = PHOTOS
            x64 = torch.from_numpy(normalise(images, base["norm"], False))
            # make_fixtures.py's model: same function, same calibration batch, same export
            module = make_torchvision(base["arch"], x64)
            self.model_path = out_big / base["arch"] / "model.onnx"
            if self.model_path.exists():
                self.checks["model_onnx"] = "reused"
            else:
                export_onnx(module, self.model_path, 224)
                self.checks["model_onnx"] = "exported"
            self.module = module
        # what heatlens is fed: input.npy in float32
        self.x = x64.float().double()
        self.ev = OnnxTorch(self.model_path, dtype=torch.float64)
        with torch.no_grad():
            self.logits = self.ev.logits(self.x)
        self.targets = resolve_targets(base["targets"], self.logits)
        self.target_spec = base["targets"]
        self.norm = base["norm"]
        if self.module is not None:
            m = copy.deepcopy(self.module).double().eval()
            with torch.no_grad():
                ml = m(self.x)
            d = float((ml - self.logits).abs().max())
            self.checks["module_vs_onnx_logits_max_abs"] = d
            print(f"[{name}] {self.model_path.relative_to(REPO)} ({self.checks['model_onnx']}): evaluator vs "
                  f"torchvision module logits max abs diff {d:.2e}")
            if d > 1e-6 * max(1.0, float(self.logits.abs().max())):
                raise SystemExit(f"[{name}] {self.model_path} does not match make_fixtures.make_torchvision"
                                 f"('{base['arch']}') (logits differ by {d}): delete it and rerun")

    def rel_model(self) -> str:
        return os.path.relpath(self.model_path.resolve(), REPO)


# ----------------------------------------------------------------------------------------------------
# CAM
# ----------------------------------------------------------------------------------------------------


def capture_onnx(s: Setup):
    """Activations A and G = ∂(Σ_b y_{b,c_b})/∂A at the layers (exact rule), and the guided input
    gradient, all through the ONNX evaluator."""
    xi = s.x.clone().requires_grad_(True)
    env = s.ev.run(xi, "exact")
    acts = [env[name] for name in s.layers]
    grads = torch.autograd.grad(pick(env[s.ev.logits_name], s.targets), acts)
    xg = s.x.clone().requires_grad_(True)
    (guided,) = torch.autograd.grad(pick(s.ev.logits(xg, "guided"), s.targets), xg)
    return [a.detach() for a in acts], [g.detach() for g in grads], guided.detach()


def capture_module(s: Setup, module_names):
    """The same from the torchvision module, with forward hooks on the stages whose outputs are the
    layers (BasicBlock ends in relu(out + identity): the stage output is that Relu's output)."""
    m = copy.deepcopy(s.module).double().eval()
    store = {}
    hooks = [getattr(m, n).register_forward_hook(lambda mod, i, o, n=n: store.__setitem__(n, o))
             for n in module_names]
    xi = s.x.clone().requires_grad_(True)
    logits = m(xi)
    for h in hooks:
        h.remove()
    acts = [store[n] for n in module_names]
    grads = torch.autograd.grad(pick(logits, s.targets), acts)
    fn = module_fn(s.module)
    xg = s.x.clone().requires_grad_(True)
    (guided,) = torch.autograd.grad(pick(fn(xg, "guided"), s.targets), xg)
    return [a.detach() for a in acts], [g.detach() for g in grads], guided.detach()


def cam_maps(A: torch.Tensor, G: torch.Tensor, guided: torch.Tensor, size) -> dict:
    """{method: (upsampled [B,1|C,H,W], layer map [B,1,h,w])} with the formulas heatlens implements."""
    def up(m):
        return F.interpolate(m, size=size, mode="bilinear", align_corners=False)

    def channel_map(w):
        return F.relu((w * A).sum(dim=1, keepdim=True))

    out = {}
    # Grad-CAM: α_k = mean_ij G_kij
    gc = channel_map(G.mean(dim=(2, 3), keepdim=True))
    out["gradcam"] = (up(gc), gc)
    # Grad-CAM++: a = G²/(2G² + (Σ_ab A_kab)·G³ + ε), 0 where G = 0; w_k = Σ_ij ReLU(G)·a
    g2, g3 = G * G, G * G * G
    s = A.sum(dim=(2, 3), keepdim=True)
    a = torch.where(G != 0, g2 / (2 * g2 + s * g3 + GRADCAMPP_EPS), torch.zeros_like(G))
    pp = channel_map((F.relu(G) * a).sum(dim=(2, 3), keepdim=True))
    out["gradcam++"] = (up(pp), pp)
    # HiResCAM: ReLU(Σ_k G_k ⊙ A_k)
    hr = channel_map(G)
    out["hirescam"] = (up(hr), hr)
    # Guided Grad-CAM: guided backprop ⊙ upsampled Grad-CAM (broadcast over channels); layer map = Grad-CAM's
    out["guided-gradcam"] = (guided * up(gc), gc)
    return out


def run_cam(name: str, spec: dict, s: Setup, folder: Path) -> dict:
    size = tuple(s.x.shape[2:])
    acts, grads, guided = capture_onnx(s)
    checks: dict = dict(s.checks)
    results = [cam_maps(A, G, guided, size) for A, G in zip(acts, grads)]

    # static Grad-CAM identity at the layer feeding GAP → FC: ∂y_c/∂A_kij = W[c,k]/(h·w) (A is a Relu
    # output read only by the pool, so no mask)
    W = s.ev.consts[s.fc]
    A1, G1 = acts[1], grads[1]
    expect = W[s.targets][:, :, None, None] / (A1.shape[2] * A1.shape[3])
    checks["static_gradient_identity_max_rel"] = rel_max(G1, expect.expand_as(G1))
    print(f"[{name}] layer {s.layers[1]}: autograd G vs W[c,k]/(h·w): max rel diff "
          f"{checks['static_gradient_identity_max_rel']:.1e}")
    assert checks["static_gradient_identity_max_rel"] < 1e-10, "layer gradient capture is wrong"

    if s.module is not None:
        macts, mgrads, mguided = capture_module(s, MODELS[s.name]["modules"])
        diffs = {}
        for i, (A, G) in enumerate(zip(macts, mgrads)):
            ref = cam_maps(A, G, mguided, size)
            for m in CAM_METHODS:
                diffs[f"{m}__L{i}"] = max(rel_max(ref[m][0], results[i][m][0]), rel_max(ref[m][1], results[i][m][1]))
        checks["module_vs_onnx_maps_max_rel"] = diffs
        worst = max(diffs.values())
        print(f"[{name}] maps from the torchvision module (hooks on {MODELS[s.name]['modules']}) vs the "
              f"ONNX evaluator: max rel diff {worst:.1e}")
        assert worst < 1e-8, f"module and evaluator maps differ: {diffs}"

    stats = {}
    for i, res in enumerate(results):
        for m in CAM_METHODS:
            upm, lay = res[m]
            assert torch.isfinite(upm).all() and torch.isfinite(lay).all(), f"{m} L{i}: non-finite"
            nz = float((upm != 0).double().mean())
            per_image = [float(upm[b].abs().max()) for b in range(upm.shape[0])]
            stats[f"{m}__L{i}"] = {"nonzero_fraction": nz, "max_per_image": per_image}
            assert min(per_image) > 0, f"{name} {m} L{i}: an all-zero map {per_image}"
    checks["maps"] = stats
    print(f"[{name}] non-zero fraction of the upsampled maps: "
          + ", ".join(f"{k} {v['nonzero_fraction']:.2f}" for k, v in stats.items()))
    gnz = float((guided != 0).double().mean())
    checks["guided_backprop_nonzero_fraction"] = gnz
    assert gnz > 0.01, f"guided gradient only {gnz:.4f} non-zero"

    folder.mkdir(parents=True, exist_ok=True)
    save(folder, "input.npy", s.x)
    save(folder, "target.npy", s.targets, np.int64)
    save(folder, "logits.npy", s.logits)
    files = {}
    for i, res in enumerate(results):
        for m in CAM_METHODS:
            save(folder, f"{m}__L{i}.npy", res[m][0])
            save(folder, f"{m}__L{i}__layer.npy", res[m][1])
            files[f"{m}__L{i}"] = [f"{m}__L{i}.npy", f"{m}__L{i}__layer.npy"]
    manifest = {
        "case": name, "kind": "cam", "model": s.rel_model(), "layers": s.layers,
        "layerShapes": [list(a.shape) for a in acts], "methods": CAM_METHODS,
        "shape": list(s.x.shape), "targets": [int(t) for t in s.targets], "targetSpec": s.target_spec,
        "images": s.images, "files": {"input": "input.npy", "target": "target.npy", "logits": "logits.npy", **files},
        "checks": checks,
        "note": ("A = the layer's activations [B,K,h,w], G = ∂y_c/∂A (pre-softmax logit, exact rule), float64. "
                 "gradcam: ReLU(Σ_k mean_ij(G_k)·A_k); gradcam++: a = G²/(2G² + Σ_ab A_kab·G³ + 1e-6) (0 where "
                 "G = 0), w_k = Σ_ij ReLU(G)·a, ReLU(Σ_k w_k A_k); hirescam: ReLU(Σ_k G_k⊙A_k); m__L{i}.npy = "
                 "F.interpolate(map, (H, W), bilinear, align_corners=False) [B,1,H,W]; guided-gradcam: guided "
                 "backprop input gradient ⊙ upsampled gradcam [B,C,H,W], its layer file = the gradcam map. "
                 "input.npy is the float32 input; the reference is computed from exactly those values. "
                 "Generated by tools/make_method_fixtures.py."),
    }
    return finish(name, folder, manifest)


# ----------------------------------------------------------------------------------------------------
# Integrated Gradients
# ----------------------------------------------------------------------------------------------------


def quadrature(scheme: str, n: int):
    """Captum's approximation_methods, restated with numpy: (alphas, step sizes)."""
    if scheme == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(n)
        return 0.5 * (1 + nodes), 0.5 * weights
    alphas = {
        "left": lambda: np.linspace(0, 1 - 1 / n, n),
        "right": lambda: np.linspace(1 / n, 1, n),
        "middle": lambda: np.linspace(1 / (2 * n), 1 - 1 / (2 * n), n),
        "trapezoid": lambda: np.linspace(0, 1, n),
    }[scheme]()
    deltas = np.full(n, 1 / n)
    if scheme == "trapezoid":
        deltas[0] /= 2
        deltas[-1] /= 2
    return alphas, deltas


def kink_masks(ev: OnnxTorch, env: dict, trace: list, tau: float):
    """The recorded rectifier / max-pool pattern with every Relu element whose input lies within
    tau·max|input| (per point, per layer) of the kink put on the other linear piece (max-pool arg-maxes
    kept), and the number of such elements per point."""
    recorded = [n for n in ev.graph.node if n.op_type in ("Relu", "LeakyRelu", "Clip", "MaxPool", "GlobalMaxPool")]
    assert len(recorded) == len(trace)
    flipped, counts = [], 0
    for node, m in zip(recorded, trace):
        if node.op_type != "Relu":
            flipped.append(m)
            continue
        z = env[node.input[0]].detach()
        top = z.flatten(1).abs().amax(1).reshape((-1,) + (1,) * (z.dim() - 1))
        near = z.abs() < tau * top
        counts = counts + near.flatten(1).sum(1)
        flipped.append(m ^ near)
    return flipped, [int(v) for v in counts]


def ig_one(s: Setup, ev32: OnnxTorch, xb: torch.Tensor, c: int, alphas, deltas, chunk: int) -> dict:
    """IG of one image [1,…] with a zero baseline in float64 ('ig', and 'scores': the target logit at each
    point), plus what float32 can do to it (heatlens runs in float32):
      'ig32'    the same IG evaluated by PyTorch in float32 (same graph), 'flips32' the number of Relu /
                max-pool elements on another linear piece than in float64 at each point;
      'near'    per point, the Relu elements within KINK_TAU·max|input| of their kink (float32 may put them
                on either piece), 'kink'  Σ_k max|Δ_k (x − x')(g_k' − g_k)|, g_k' the gradient at point k with
                those elements on the other piece: how far a float32 result may honestly be off."""
    base = torch.zeros_like(xb)
    total = torch.zeros_like(xb)
    total32 = torch.zeros_like(xb)
    scores, flips, near, kink = [], [], [], 0.0
    a_all = torch.from_numpy(np.asarray(alphas, dtype=np.float64))
    d_all = torch.from_numpy(np.asarray(deltas, dtype=np.float64))
    for start in range(0, len(alphas), chunk):
        a = a_all[start:start + chunk].reshape(-1, 1, 1, 1)
        d = d_all[start:start + chunk].reshape(-1, 1, 1, 1)
        pts = (base + a * (xb - base)).requires_grad_(True)
        t64: list = []
        env = s.ev.run(pts, "exact", t64)
        y = env[s.ev.logits_name][:, c]
        (g,) = torch.autograd.grad(y.sum(), pts)
        total += (d * g).sum(dim=0, keepdim=True)
        scores.append(y.detach())
        # float32 evaluation of the same graph
        p32 = pts.detach().float().requires_grad_(True)
        t32: list = []
        (g32,) = torch.autograd.grad(ev32.logits(p32, "exact", t32)[:, c].sum(), p32)
        total32 += (d * g32.double()).sum(dim=0, keepdim=True)
        flips += [sum(int((m64[j] != m32[j]).sum()) for m64, m32 in zip(t64, t32)) for j in range(a.shape[0])]
        # near-kink elements on their other piece
        flipped, counts = kink_masks(s.ev, env, t64, KINK_TAU)
        near += counts
        if any(counts):
            p2 = pts.detach().clone().requires_grad_(True)
            (g2,) = torch.autograd.grad(s.ev.logits(p2, "exact", None, flipped)[:, c].sum(), p2)
            kink += float((d * (g2 - g) * (xb - base)).flatten(1).abs().amax(1).sum())
        del env
    return {"ig": (xb - base) * total, "scores": torch.cat(scores), "ig32": (xb - base) * total32,
            "flips32": flips, "near": near, "kink": kink}


def run_ig(name: str, spec: dict, s: Setup, folder: Path, chunk: int) -> dict:
    steps = spec["steps"]
    checks: dict = dict(s.checks)
    ev32 = OnnxTorch(s.model_path, dtype=torch.float32)
    with torch.no_grad():
        y0 = s.ev.logits(torch.zeros_like(s.x))
    change = [float(s.logits[b, c] - y0[b, c]) for b, c in enumerate(s.targets.tolist())]
    checks["score_input"] = [float(s.logits[b, c]) for b, c in enumerate(s.targets.tolist())]
    checks["score_baseline"] = [float(y0[b, c]) for b, c in enumerate(s.targets.tolist())]
    out, quad, comp, f32 = {}, {}, {}, {}
    for scheme in spec["schemes"]:
        alphas, deltas = quadrature(scheme, steps)
        quad[scheme] = {"alphas": alphas.tolist(), "weights": deltas.tolist()}
        igs, scores, rel32, flips, near, bound = [], [], [], [], [], []
        for b, c in enumerate(s.targets.tolist()):
            r = ig_one(s, ev32, s.x[b:b + 1], c, alphas, deltas, chunk)
            igs.append(r["ig"])
            scores.append(r["scores"])
            scale = float(r["ig"].abs().max())
            rel32.append(rel_max(r["ig32"], r["ig"]))
            flips.append(r["flips32"])
            near.append(r["near"])
            bound.append(r["kink"] / scale)
        ig, sc = torch.cat(igs), torch.stack(scores)
        assert torch.isfinite(ig).all()
        out[scheme] = (ig, sc)
        f32[scheme] = {"pytorchFloat32Relative": rel32, "pytorchFloat32Flips": flips, "nearKink": near,
                       "kinkBound": bound}
        delta = [abs(float(ig[b].sum()) - change[b]) for b in range(ig.shape[0])]
        comp[scheme] = {"delta": delta, "relative": [d / max(abs(ch), 1e-12) for d, ch in zip(delta, change)]}
        print(f"[{name}] {scheme:13s} {steps} steps: completeness |ΣIG − (y(x) − y(0))| = "
              + ", ".join(f"{d:.3e} ({100 * r:.2f}%)" for d, r in zip(delta, comp[scheme]["relative"]))
              + f"  (y(x) − y(0) = {', '.join(f'{ch:.4f}' for ch in change)})")
        print(f"[{name}] {'':13s} float32: PyTorch float32 vs float64 IG "
              + ", ".join(f"{r:.1e}" for r in rel32) + " (elements on another piece at points "
              + "; ".join(str({k: n for k, n in enumerate(fl) if n}) for fl in flips)
              + f"); near-kink elements (τ {KINK_TAU:g}) at points "
              + "; ".join(str({k: n for k, n in enumerate(fl) if n}) for fl in near)
              + "; kink bound " + ", ".join(f"{v:.1e}" for v in bound))
        # the path's end points are the input and the baseline
        if scheme in ("right", "trapezoid"):
            assert max(abs(float(sc[b, -1]) - checks["score_input"][b]) for b in range(len(change))) < 1e-9
        if scheme in ("left", "trapezoid"):
            assert max(abs(float(sc[b, 0]) - checks["score_baseline"][b]) for b in range(len(change))) < 1e-9
    checks["completeness"] = comp
    checks["float32"] = f32

    folder.mkdir(parents=True, exist_ok=True)
    save(folder, "input.npy", s.x)
    save(folder, "target.npy", s.targets, np.int64)
    save(folder, "logits.npy", s.logits)
    files = {}
    for scheme, (ig, sc) in out.items():
        save(folder, f"ig__{scheme}__{steps}.npy", ig)
        save(folder, f"ig__{scheme}__{steps}__scores.npy", sc)
        files[scheme] = [f"ig__{scheme}__{steps}.npy", f"ig__{scheme}__{steps}__scores.npy"]
    manifest = {
        "case": name, "kind": "ig", "model": s.rel_model(), "steps": steps, "schemes": spec["schemes"],
        "baseline": "zero", "shape": list(s.x.shape), "targets": [int(t) for t in s.targets],
        "targetSpec": s.target_spec, "images": s.images,
        "files": {"input": "input.npy", "target": "target.npy", "logits": "logits.npy", **files},
        "quadrature": quad, "kinkTau": KINK_TAU,
        "kinkBound": {k: v["kinkBound"] for k, v in f32.items()}, "checks": checks,
        "note": ("IG = (x − x')·Σ_k Δ_k ∂y_c/∂x(x' + α_k(x − x')), x' = 0, y_c the pre-softmax logit, float64; "
                 "α_k, Δ_k as Captum's approximation_methods (riemann alphas np.linspace, Δ = 1/n halved at both "
                 "ends for trapezoid; gausslegendre 0.5(1 + ξ), 0.5w from leggauss), listed under 'quadrature'. "
                 "ig__{scheme}__{steps}__scores.npy = y_c at each point, [B, steps], in the order of the alphas. "
                 "float32 sensitivity (heatlens runs in float32), per scheme: pytorchFloat32Relative = max|IG32 − "
                 "IG64| / max|IG64| per image with the same graph in PyTorch float32, pytorchFloat32Flips = Relu / "
                 "max-pool elements on another linear piece than in float64 at each point; nearKink = Relu "
                 "elements whose input is within kinkTau·max|layer input| of 0 at each point (float32 may put "
                 "them on either piece); kinkBound = Σ_k max|Δ_k (x − x')(g'_k − g_k)| / max|IG64| per image, g'_k "
                 "the gradient with those elements on their other piece: the allowance a float32 result needs "
                 "beyond the tolerance. "
                 "Generated by tools/make_method_fixtures.py."),
    }
    return finish(name, folder, manifest)


# ----------------------------------------------------------------------------------------------------
# SmoothGrad
# ----------------------------------------------------------------------------------------------------


def run_smooth(name: str, spec: dict, s: Setup, folder: Path) -> dict:
    B = s.x.shape[0]
    n = SMOOTH_SAMPLES
    checks: dict = dict(s.checks)
    torch.manual_seed(0)
    eps = torch.randn((B, n) + tuple(s.x.shape[1:]), dtype=torch.float64)
    sigma = torch.stack([SMOOTH_NOISE * (s.x[b].max() - s.x[b].min()) for b in range(B)])
    # what heatlens is fed: noise.npy in float32
    noise = (eps * sigma.reshape(B, 1, 1, 1, 1)).float().double()
    checks["sigma"] = sigma.tolist()
    res = {f"{k}__{m}": [] for k in SMOOTH_KINDS for m in SMOOTH_BASES}
    for b, c in enumerate(s.targets.tolist()):
        pts = s.x[b:b + 1] + noise[b]  # [n, …]
        per = {}
        for rule, key in (("exact", "g"), ("guided", "guided-backprop")):
            p = pts.clone().requires_grad_(True)
            (g,) = torch.autograd.grad(s.ev.logits(p, rule)[:, c].sum(), p)
            per[key] = g
        a = {"saliency": per["g"].abs(), "grad-x-input": pts * per["g"], "guided-backprop": per["guided-backprop"]}
        for m in SMOOTH_BASES:
            mean = a[m].mean(dim=0, keepdim=True)
            sq = (a[m] * a[m]).mean(dim=0, keepdim=True)
            res[f"smoothgrad__{m}"].append(mean)
            res[f"smoothgrad-squared__{m}"].append(sq)
            res[f"vargrad__{m}"].append(sq - mean * mean)
    res = {k: torch.cat(v) for k, v in res.items()}
    stats = {}
    for k, v in res.items():
        assert torch.isfinite(v).all()
        nz = float((v != 0).double().mean())
        stats[k] = nz
        assert nz > 0.01, f"{k}: only {nz:.4f} non-zero"
        if k.startswith("vargrad"):
            assert float(v.min()) >= -1e-12 * float(v.abs().max()), f"{k}: negative variance"
    checks["nonzero_fraction"] = stats
    print(f"[{name}] σ per image {[round(v, 4) for v in checks['sigma']]}; non-zero fractions "
          + ", ".join(f"{k} {v:.2f}" for k, v in stats.items()))

    folder.mkdir(parents=True, exist_ok=True)
    save(folder, "input.npy", s.x)
    save(folder, "target.npy", s.targets, np.int64)
    save(folder, "logits.npy", s.logits)
    save(folder, "noise.npy", noise)
    for k, v in res.items():
        save(folder, f"{k}.npy", v)
    manifest = {
        "case": name, "kind": "smooth", "model": s.rel_model(), "samples": n, "noiseStd": SMOOTH_NOISE,
        "seed": 0, "kinds": SMOOTH_KINDS, "methods": SMOOTH_BASES, "shape": list(s.x.shape),
        "targets": [int(t) for t in s.targets], "targetSpec": s.target_spec, "images": s.images,
        "files": {"input": "input.npy", "target": "target.npy", "logits": "logits.npy", "noise": "noise.npy",
                  **{k: f"{k}.npy" for k in res}},
        "checks": checks,
        "note": ("noise.npy [B, N, …] = ε_n ~ N(0, σ_b²), σ_b = 0.15·(max x_b − min x_b), torch.manual_seed(0) then "
                 "torch.randn(B, N, …) float64 · σ_b, rounded to float32 (the reference uses the rounded values). "
                 "a = saliency |g|, grad-x-input (x + ε_n)⊙g, guided-backprop (rule R → relu(R)·1[x>0]) at "
                 "x + ε_n, g = ∂y_c/∂x, c = the clean image's target for every copy. smoothgrad = mean_n a, "
                 "smoothgrad-squared = mean_n a², vargrad = mean_n a² − (mean_n a)². "
                 "Generated by tools/make_method_fixtures.py."),
    }
    return finish(name, folder, manifest)


# ----------------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------------


def compact_json(obj, indent: int = 0) -> str:
    """json.dumps(indent=2) with lists of scalars kept on one line (strings may hold brackets)."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{inner}{json.dumps(k)}: {compact_json(v, indent + 2)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in obj):
            return "[" + ", ".join(json.dumps(v) for v in obj) + "]"
        return "[\n" + ",\n".join(inner + compact_json(v, indent + 2) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj)


def finish(name: str, folder: Path, manifest: dict) -> dict:
    import onnx
    import torchvision

    manifest.update({"torch": torch.__version__, "torchvision": torchvision.__version__, "onnx": onnx.__version__})
    text = compact_json(manifest)
    assert json.loads(text) == json.loads(json.dumps(manifest)), "compact_json broke the manifest"
    (folder / "manifest.json").write_text(text + "\n")
    size = sum(f.stat().st_size for f in folder.iterdir())
    print(f"[{name}] wrote {os.path.relpath(folder, REPO)} ({size / 1e3:.0f} kB) targets {manifest['targets']}")
    return {"case": name, "folder": str(folder), "bytes": size}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"), help="path of shared/ (default ../shared)")
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, from {','.join(CASES)}")
    ap.add_argument("--out-small", default=str(REPO / "test/fixtures/methods"), help="folder for the 32x32 cases")
    ap.add_argument("--out-big", default=str(REPO / "test/fixtures/generated"),
                    help="the generated fixtures folder: 224x224 cases go to its methods/ (git-ignored), "
                         "resnet18's model.onnx is its resnet18/model.onnx")
    ap.add_argument("--chunk", type=int, default=8, help="IG points per autograd batch (memory)")
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
    out_small, out_big = Path(args.out_small).resolve(), Path(args.out_big).resolve()
    t0 = time.time()
    setups: dict = {}
    results = []
    for name in names:
        spec = CASES[name]
        t1 = time.time()
        if spec["model"] not in setups:
            try:
                setups[spec["model"]] = Setup(spec["model"], shared, out_big)
            except FileNotFoundError as e:
                print(f"[{name}] SKIPPED: {e} does not exist")
                setups[spec["model"]] = None
        s = setups[spec["model"]]
        if s is None:
            continue
        folder = (out_small if spec["size"] == "small" else out_big / "methods") / name
        if spec["kind"] == "cam":
            r = run_cam(name, spec, s, folder)
        elif spec["kind"] == "ig":
            r = run_ig(name, spec, s, folder, args.chunk)
        else:
            r = run_smooth(name, spec, s, folder)
        print(f"[{name}] {time.time() - t1:.1f}s")
        results.append(r)
    print(f"done: {len(results)} written, {len(names) - len(results)} skipped, {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
