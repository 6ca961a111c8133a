#!/usr/bin/python3
"""Self-test of tools/onnx_torch.py: op by op against torch modules exported to ONNX, plus the rules.

    /usr/bin/python3 tools/check_onnx_torch.py        (about 10 s; prints one line per check)

Each small torch module is exported (opset 13, dynamic batch) and evaluated by OnnxTorch in float64; its
output and its input gradient must match the module's own (float64) to 1e-10. Then the rectifier rules
are pinned on hand-made values, and hand-built ONNX graphs cover what the exporter does not emit
(asymmetric Conv/MaxPool pads, AveragePool count_include_pad with ceil_mode, Clip min/max inputs).
"""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from onnx_torch import OnnxTorch, clip, leaky_relu, relu  # noqa: E402

torch.set_num_threads(2)
warnings.filterwarnings("ignore")
FAILS = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")
    if not ok:
        FAILS.append(name)


class Lambda(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


def export(module: nn.Module, shape, opset: int = 13) -> onnx.ModelProto:
    buf = io.BytesIO()
    module = module.float().eval()
    torch.onnx.export(module, torch.zeros(shape), buf, opset_version=opset, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "b"}, "y": {0: "b"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    return onnx.load_from_string(buf.getvalue())


def compare_module(name: str, module: nn.Module, shape, opset: int = 13, scale: float = 1.0, tol: float = 1e-10) -> None:
    torch.manual_seed(0)
    proto = export(module, shape, opset)
    ops = sorted({n.op_type for n in proto.graph.node})
    ev = OnnxTorch(proto, dtype=torch.float64)
    ref = module.double()
    x = torch.randn((2,) + tuple(shape[1:]), dtype=torch.float64) * scale
    xa = x.clone().requires_grad_(True)
    xb = x.clone().requires_grad_(True)
    ya, yb = ref(xa), ev.run(xb)[ev.output_names[0]]
    w = torch.randn(ya.shape, dtype=torch.float64)
    (ga,) = torch.autograd.grad((ya * w).sum(), xa)
    (gb,) = torch.autograd.grad((yb * w).sum(), xb)
    dy = float((ya - yb).abs().max())
    dg = float((ga - gb).abs().max())
    check(name, ya.shape == yb.shape and dy < tol and dg < tol, f"|dy| {dy:.1e} |dgrad| {dg:.1e} ops {ops}")


def graph_model(nodes, inputs, outputs, inits) -> onnx.ModelProto:
    g = helper.make_graph(nodes, "t", inputs, outputs, [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def main() -> None:
    torch.manual_seed(0)
    # --- exported modules ---
    compare_module("conv stride/dilation/groups", nn.Sequential(
        nn.Conv2d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2), nn.ReLU(),
        nn.Conv2d(6, 6, (3, 1), padding=(1, 0), groups=6), nn.LeakyReLU(0.25)), (1, 4, 11, 9))
    compare_module("maxpool ceil/dilation/pad", nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.MaxPool2d(2, stride=1, dilation=2)), (1, 3, 14, 13))
    compare_module("avgpool count_include_pad 1 + ceil", nn.Sequential(
        nn.Conv2d(3, 4, 1), nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=True)),
        (1, 3, 10, 9))
    compare_module("avgpool count_include_pad 0 + ceil", nn.Sequential(
        nn.Conv2d(3, 4, 1), nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
        (1, 3, 10, 9))
    bn = nn.BatchNorm2d(4)
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5), bn.bias.normal_(), bn.running_mean.normal_(), bn.running_var.uniform_(0.5, 2)
    compare_module("batchnorm + relu6 + GAP + flatten + linear", nn.Sequential(
        nn.Conv2d(3, 4, 3), bn, nn.ReLU6(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5),
        nn.Dropout(0.5)), (1, 3, 8, 8))
    compare_module("view/shape/gather/reshape + matmul + softmax + sigmoid/tanh", nn.Sequential(
        nn.Conv2d(3, 4, 3), Lambda(lambda x: x.view(x.size(0), -1)),
        Lambda(lambda x: torch.sigmoid(x) @ torch.ones(x.shape[1], 3, dtype=x.dtype) + torch.tanh(x[:, :3])),
        nn.Softmax(dim=1)), (1, 3, 6, 6))
    compare_module("transpose/concat/slice/pad/unsqueeze/squeeze/sub/div/clip", Lambda(lambda x: torch.cat([
        F.pad(x.transpose(2, 3), (1, 2, 0, 1), value=0.5)[:, :, 1:-1:2, ::3],
        (x.unsqueeze(1).squeeze(1)[:, :, :3, :4] - 0.25) / 1.5], dim=1).clamp(-0.5, 0.75)), (1, 2, 7, 6))
    # Hardswish: x·HardSigmoid(x) below opset 14, HardSwish from 14. torch's hardsigmoid_backward uses
    # float32(1/6) even in float64, so the product rule on x·HardSigmoid(x) differs from hardswish_backward
    # (x/3 + 1/2 exactly) by |x|·4e-8: the old export form cannot be closer.
    for opset, tol in ((11, 1e-7), (13, 1e-7), (14, 1e-10)):
        compare_module(f"hardswish/hardsigmoid/silu/SE product, opset {opset}", Lambda(
            lambda x: F.hardswish(x) * F.hardsigmoid(x.mean((2, 3), keepdim=True)) + F.silu(x)), (1, 3, 4, 4),
            opset, 3.0, tol)
    for opset in (11, 13):  # ShuffleNet's chunk (Slice), channel shuffle (Reshape/Transpose), mean pool
        compare_module(f"chunk + channel shuffle + mean, opset {opset}", Lambda(lambda x: torch.cat(
            [t * (i + 1.5) for i, t in enumerate(x.chunk(2, dim=1))], 1).view(x.size(0), 2, 2, 3, 3)
            .transpose(1, 2).reshape(x.size(0), 4, 3, 3).mean([2, 3])), (1, 4, 3, 3), opset)
    compare_module("split sizes", Lambda(lambda x: torch.cat([t.tanh() for t in x.split([1, 3], dim=1)][::-1], 1)),
                   (1, 4, 3, 3), 13)
    compare_module("strided negative-step slice", Lambda(lambda x: x.flip(3)[:, :, ::2]), (1, 2, 5, 5))

    # --- hand-built graphs: asymmetric pads (ONNX pads = [top, left, bottom, right]) ---
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    m = graph_model([helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
                                      pads=[0, 0, 1, 1])],
                    [vi("x", [1, 3, 8, 8])], [vi("y", [1, 4, 4, 4])], {"w": w})
    x = torch.randn(1, 3, 8, 8, dtype=torch.float64)
    y = OnnxTorch(m).run(x)["y"]
    ref = F.conv2d(F.pad(x, (0, 1, 0, 1)), torch.from_numpy(w).double(), stride=2)
    check("conv asymmetric pads (TF SAME)", y.shape == (1, 4, 4, 4) and float((y - ref).abs().max()) < 1e-12)
    m = graph_model([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2],
                                      pads=[1, 0, 0, 1])], [vi("x", [1, 1, 3, 3])], [vi("y", [1, 1, 2, 2])], {})
    x = -torch.arange(9, dtype=torch.float64).reshape(1, 1, 3, 3) - 1  # all negative: pads must be -inf
    y = OnnxTorch(m).run(x)["y"]
    check("maxpool asymmetric pads with -inf", y.flatten().tolist() == [-1.0, -3.0, -4.0, -6.0], str(y.flatten().tolist()))
    # ties: the gradient goes to the first maximum in row-major order
    xt = torch.tensor([[[[1.0, 1.0], [1.0, 1.0]]]], dtype=torch.float64, requires_grad=True)
    m = graph_model([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
                    [vi("x", [1, 1, 2, 2])], [vi("y", [1, 1, 1, 1])], {})
    (g,) = torch.autograd.grad(OnnxTorch(m).run(xt)["y"].sum(), xt)
    check("maxpool tie -> first maximum", g.flatten().tolist() == [1.0, 0.0, 0.0, 0.0], str(g.flatten().tolist()))
    m = graph_model([helper.make_node("Flatten", ["x"], ["y"], axis=-1)], [vi("x", [2, 3, 4, 5])],
                    [vi("y", [24, 5])], {})
    check("flatten axis -1", tuple(OnnxTorch(m).run(torch.zeros(2, 3, 4, 5))["y"].shape) == (24, 5))
    # Clip with min/max as inputs, ReLU6 kinks: derivative 0 at both kinks
    m = graph_model([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], [vi("x", [5])], [vi("y", [5])],
                    {"lo": np.array(0.0, np.float32), "hi": np.array(6.0, np.float32)})
    xc = torch.tensor([-1.0, 0.0, 3.0, 6.0, 7.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(OnnxTorch(m).run(xc)["y"].sum(), xc)
    check("clip(0,6) derivative 1[0<x<6]", g.tolist() == [0, 0, 1, 0, 0], str(g.tolist()))

    # --- rules on hand-made values: x = [-2, 0, 3, 7], incoming R = [1, -1, -2, 5] ---
    x0 = torch.tensor([-2.0, 0.0, 3.0, 7.0], dtype=torch.float64)
    R = torch.tensor([1.0, -1.0, -2.0, 5.0], dtype=torch.float64)
    expect = {
        ("relu", "exact"): [0, 0, -2, 5], ("relu", "guided"): [0, 0, 0, 5], ("relu", "deconv"): [1, 0, 0, 5],
        ("leaky", "exact"): [0.1, -0.1, -2, 5], ("leaky", "guided"): [0.1, 0, 0, 5],
        ("leaky", "deconv"): [1, 0, 0, 5],
        ("relu6", "exact"): [0, 0, -2, 0], ("relu6", "guided"): [0, 0, 0, 0], ("relu6", "deconv"): [1, 0, 0, 5],
    }
    fns = {"relu": lambda x, r: relu(x, r), "leaky": lambda x, r: leaky_relu(x, 0.1, r),
           "relu6": lambda x, r: clip(x, 0.0, 6.0, r)}
    for (op, rule), want in expect.items():
        xi = x0.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(fns[op](xi, rule), xi, R)
        check(f"rule {op}/{rule}", torch.allclose(g, torch.tensor(want, dtype=torch.float64)), str(g.tolist()))

    if FAILS:
        sys.exit(f"{len(FAILS)} failed: {FAILS}")
    print("all checks passed")


if __name__ == "__main__":
    main()
