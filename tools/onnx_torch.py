"""A small ONNX-graph evaluator in PyTorch, used as the independent reference for heatlens.

It reads a model with the `onnx` package and evaluates the graph node by node with torch functional ops,
so torch autograd differentiates it. The rectifiers (Relu, LeakyRelu, Clip with min 0) take a backward
`rule`:

    exact   R -> R * d                 d = local derivative (Relu 1[x>0]; LeakyRelu 1 or alpha;
                                        Clip(lo, hi) 1[lo<x<hi], 0 at both kinks like torch hardtanh)
    guided  R -> relu(R) * d           (guided backprop, Springenberg et al.)
    deconv  R -> relu(R)               (DeconvNet, Zeiler & Fergus: no forward mask)

Every other op is differentiated exactly by torch. Max-pool ties go to the first maximum in row-major
order (PyTorch CPU's convention).

Usage:
    m = OnnxTorch("model.onnx", dtype=torch.float64)
    env = m.run({"input": x}, rule="guided")       # dict: every tensor name -> value
    logits = env[m.logits_name]                     # pre-softmax tensor when the graph ends in Softmax

Only needs torch, numpy and onnx (Debian: /usr/bin/python3).
"""

from __future__ import annotations

import math
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

RULES = ("exact", "guided", "deconv")


# ----------------------------------------------------------------------------------------------------
# Rectifier rules
# ----------------------------------------------------------------------------------------------------


def _apply_rule(rule: str, grad: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    if rule == "exact":
        return grad * d
    if rule == "guided":
        return grad.clamp_min(0) * d
    if rule == "deconv":
        return grad.clamp_min(0)
    raise ValueError(f"unknown rule {rule!r}; expected one of {RULES}")


class ReluRule(torch.autograd.Function):
    """y = max(x, 0); d = 1[x>0]."""

    @staticmethod
    def forward(ctx, x, rule):  # type: ignore[override]
        ctx.save_for_backward(x)
        ctx.rule = rule
        return x.clamp_min(0)

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        (x,) = ctx.saved_tensors
        d = (x > 0).to(grad.dtype)
        return _apply_rule(ctx.rule, grad, d), None


class LeakyReluRule(torch.autograd.Function):
    """y = x if x>0 else alpha*x; d = 1 if x>0 else alpha (alpha at x = 0, like torch)."""

    @staticmethod
    def forward(ctx, x, alpha, rule):  # type: ignore[override]
        ctx.save_for_backward(x)
        ctx.rule = rule
        ctx.alpha = alpha
        return torch.where(x > 0, x, x * alpha)

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        (x,) = ctx.saved_tensors
        one = torch.ones((), dtype=grad.dtype)
        d = torch.where(x > 0, one, one * ctx.alpha)
        return _apply_rule(ctx.rule, grad, d), None, None


class ClipRule(torch.autograd.Function):
    """y = min(max(x, lo), hi); d = 1[lo<x<hi] (0 at both kinks, like torch hardtanh / ReLU6)."""

    @staticmethod
    def forward(ctx, x, lo, hi, rule):  # type: ignore[override]
        ctx.save_for_backward(x)
        ctx.rule = rule
        ctx.lo = lo
        ctx.hi = hi
        return x.clamp(min=lo, max=hi)

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        (x,) = ctx.saved_tensors
        d = ((x > ctx.lo) & (x < ctx.hi)).to(grad.dtype)
        return _apply_rule(ctx.rule, grad, d), None, None, None


def relu(x: torch.Tensor, rule: str = "exact") -> torch.Tensor:
    if rule == "exact":
        return F.relu(x)  # torch's own backward: R * 1[y>0]
    return ReluRule.apply(x, rule)


def leaky_relu(x: torch.Tensor, alpha: float, rule: str = "exact") -> torch.Tensor:
    if rule == "exact":
        return F.leaky_relu(x, alpha)  # torch: R * (x>0 ? 1 : alpha)
    return LeakyReluRule.apply(x, alpha, rule)


def clip(x: torch.Tensor, lo: float, hi: float, rule: str = "exact") -> torch.Tensor:
    """Clip with hardtanh's derivative convention. `rule` only applies when lo == 0 (a rectifier)."""
    if lo != 0.0:
        rule = "exact"
    return ClipRule.apply(x, lo, hi, rule)


def clip_replay(x: torch.Tensor, lo: float, hi: float, region: torch.Tensor) -> torch.Tensor:
    """Clip on a recorded piece: region 0 -> lo, 1 -> x, 2 -> hi."""
    lo_t = torch.full_like(x, lo) if math.isfinite(lo) else x
    hi_t = torch.full_like(x, hi) if math.isfinite(hi) else x
    return torch.where(region == 0, lo_t, torch.where(region == 1, x, hi_t))


def gather_pool(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Max-pool on a recorded arg-max: y[n,c,o] = x[n,c,idx[n,c,o]] (idx over x's flattened spatial)."""
    return x.flatten(2).gather(2, idx.flatten(2)).reshape(idx.shape)


class RuleReLU(torch.nn.Module):
    """Drop-in for nn.ReLU (inplace off) using a backward rule."""

    def __init__(self, rule: str = "exact"):
        super().__init__()
        self.rule = rule

    def forward(self, x):  # noqa: D401
        return relu(x, self.rule)


class RuleReLU6(torch.nn.Module):
    """Drop-in for nn.ReLU6 / Hardtanh(0, 6) using a backward rule; d = 1[0<x<6]."""

    def __init__(self, rule: str = "exact", hi: float = 6.0):
        super().__init__()
        self.rule = rule
        self.hi = hi

    def forward(self, x):
        if self.rule == "exact":
            return F.hardtanh(x, 0.0, self.hi)
        return ClipRule.apply(x, 0.0, self.hi, self.rule)


def replace_rectifiers(module: torch.nn.Module, rule: str) -> int:
    """Replace every nn.ReLU / nn.ReLU6 / nn.LeakyReLU sub-module in place by a rule module.

    Modules reused several times in a forward (torchvision's BasicBlock.relu) are covered because the
    attribute itself is replaced. Returns the number of replacements."""
    count = 0
    for name, child in list(module.named_children()):
        if isinstance(child, torch.nn.ReLU6):
            setattr(module, name, RuleReLU6(rule))
            count += 1
        elif isinstance(child, torch.nn.ReLU):
            setattr(module, name, RuleReLU(rule))
            count += 1
        elif isinstance(child, torch.nn.LeakyReLU):
            slope = child.negative_slope
            setattr(module, name, _RuleLeaky(rule, slope))
            count += 1
        elif isinstance(child, torch.nn.Hardtanh) and child.min_val == 0.0:
            setattr(module, name, RuleReLU6(rule, child.max_val))
            count += 1
        else:
            count += replace_rectifiers(child, rule)
    return count


class _RuleLeaky(torch.nn.Module):
    def __init__(self, rule: str, alpha: float):
        super().__init__()
        self.rule = rule
        self.alpha = alpha

    def forward(self, x):
        return leaky_relu(x, self.alpha, self.rule)


# ----------------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------------

_ONNX_INT_TYPES = {
    onnx.TensorProto.INT8: torch.int8,
    onnx.TensorProto.UINT8: torch.uint8,
    onnx.TensorProto.INT16: torch.int16,
    onnx.TensorProto.INT32: torch.int32,
    onnx.TensorProto.INT64: torch.int64,
    onnx.TensorProto.BOOL: torch.bool,
}
_ONNX_FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16,
                     onnx.TensorProto.BFLOAT16}


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _ints(t: torch.Tensor) -> List[int]:
    return [int(v) for v in t.reshape(-1).tolist()]


def _pool_geometry(in_sizes, kernel, strides, dilations, pads, ceil_mode):
    """ONNX pool output sizes and the end padding needed so that floor-mode pooling yields them.

    out = floor_or_ceil((in + pb + pe - ((k-1)*d + 1)) / s) + 1; in ceil mode a last window that would
    start beyond the input and its begin padding is dropped (PyTorch's and onnxruntime's convention)."""
    n = len(in_sizes)
    outs, extra = [], []
    for i in range(n):
        pb, pe = pads[i], pads[i + n]
        span = (kernel[i] - 1) * dilations[i] + 1
        num = in_sizes[i] + pb + pe - span
        if ceil_mode:
            o = -(-num // strides[i]) + 1
            if (o - 1) * strides[i] >= in_sizes[i] + pb:
                o -= 1
        else:
            o = num // strides[i] + 1
        need = (o - 1) * strides[i] + span  # padded length needed by floor mode
        extra.append(max(0, need - (in_sizes[i] + pb + pe)))
        outs.append(o)
    return outs, extra


def _auto_pads(auto_pad: str, in_sizes, kernel, strides, dilations) -> List[int]:
    n = len(in_sizes)
    if auto_pad in ("", "NOTSET"):
        return None  # type: ignore[return-value]
    if auto_pad == "VALID":
        return [0] * (2 * n)
    begins, ends = [], []
    for i in range(n):
        out = -(-in_sizes[i] // strides[i])
        span = (kernel[i] - 1) * dilations[i] + 1
        total = max(0, (out - 1) * strides[i] + span - in_sizes[i])
        small, big = total // 2, total - total // 2
        if auto_pad == "SAME_UPPER":
            begins.append(small)
            ends.append(big)
        elif auto_pad == "SAME_LOWER":
            begins.append(big)
            ends.append(small)
        else:
            raise ValueError(f"unknown auto_pad {auto_pad!r}")
    return begins + ends


def _torch_pad_arg(pads: Sequence[int]) -> List[int]:
    """ONNX [b1..bn, e1..en] (outermost first) -> F.pad's (bn, en, ..., b1, e1) (innermost first)."""
    n = len(pads) // 2
    out: List[int] = []
    for i in reversed(range(n)):
        out += [int(pads[i]), int(pads[i + n])]
    return out


_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_MAXPOOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVGPOOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


# ----------------------------------------------------------------------------------------------------
# The evaluator
# ----------------------------------------------------------------------------------------------------


class OnnxTorch:
    SUPPORTED = (
        "Conv Gemm MatMul Relu LeakyRelu Clip Sigmoid Tanh MaxPool AveragePool GlobalAveragePool "
        "GlobalMaxPool Flatten Reshape Transpose Concat Pad Add Sub Mul Div BatchNormalization Softmax "
        "Identity Dropout Constant ConstantOfShape Expand Shape Gather Unsqueeze Squeeze Cast Slice Neg Sqrt Exp "
        "HardSigmoid HardSwish ReduceMean Split"
    ).split()

    def __init__(self, model, dtype: torch.dtype = torch.float64):
        if isinstance(model, (str, bytes)) or hasattr(model, "__fspath__"):
            model = onnx.load(str(model))
        self.model: onnx.ModelProto = model
        self.graph = model.graph
        self.dtype = dtype
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
        missing = sorted({n.op_type for n in self.graph.node if n.op_type not in self.SUPPORTED})
        if missing:
            raise NotImplementedError(f"unsupported ONNX ops: {', '.join(missing)}")
        self.consts: Dict[str, torch.Tensor] = {}
        for t in self.graph.initializer:
            self.consts[t.name] = self._tensor(numpy_helper.to_array(t), t.data_type)
        self.input_names = [i.name for i in self.graph.input if i.name not in self.consts]
        self.output_names = [o.name for o in self.graph.output]
        self.producer = {o: n for n in self.graph.node for o in n.output}
        self.logits_name = self._pre_softmax(self.output_names[0])
        self.ends_in_softmax = self.logits_name != self.output_names[0]

    # -- plumbing --------------------------------------------------------------------------------

    def _tensor(self, arr: np.ndarray, onnx_type: int) -> torch.Tensor:
        if onnx_type in _ONNX_FLOAT_TYPES or arr.dtype.kind == "f":
            return torch.from_numpy(np.array(arr, dtype=np.float64)).to(self.dtype)
        if arr.dtype == np.bool_:
            return torch.from_numpy(np.array(arr))
        return torch.from_numpy(np.array(arr, dtype=np.int64))

    def _pre_softmax(self, name: str) -> str:
        """The Softmax input when `name` is (an Identity of) a Softmax output; else `name`."""
        n = self.producer.get(name)
        while n is not None and n.op_type == "Identity":
            n = self.producer.get(n.input[0])
        if n is not None and n.op_type == "Softmax":
            return n.input[0]
        return name

    def parameters_float(self) -> List[torch.Tensor]:
        return [t for t in self.consts.values() if t.is_floating_point()]

    # -- run ---------------------------------------------------------------------------------------

    def run(self, inputs, rule: str = "exact", trace: Optional[list] = None,
            replay: Optional[list] = None) -> Dict[str, torch.Tensor]:
        """Evaluate the whole graph. `inputs` is a tensor (single-input graphs) or {name: tensor}.
        Returns every value by name (initializers included).

        With `trace` a list, appends the piecewise-linear "pattern" of every rectifier (which linear
        piece each element is on) and every MaxPool (arg-max indices): two inputs with equal traces lie
        in the same linear region, so a finite difference between them has no kink error.

        With `replay` a trace recorded earlier, every rectifier and max-pool stays on the recorded piece
        (mask / arg-max), so the graph becomes the linear map of that region (for finite differences
        at ties and kinks, where the true function has no derivative)."""
        self._trace = trace
        self._replay = iter(replay) if replay is not None else None
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; expected one of {RULES}")
        if isinstance(inputs, torch.Tensor):
            inputs = {self.input_names[0]: inputs}
        env: Dict[str, torch.Tensor] = dict(self.consts)
        for k, v in inputs.items():
            env[k] = v.to(self.dtype) if v.is_floating_point() else v
        for node in self.graph.node:
            args = [env[i] if i else None for i in node.input]
            try:
                outs = self._eval(node, args, rule)
            except Exception as e:  # name the node, op and shapes
                shapes = [tuple(a.shape) if a is not None else None for a in args]
                raise RuntimeError(f"{node.op_type} node {node.name!r} inputs {list(node.input)} "
                                   f"shapes {shapes}: {e}") from e
            if not isinstance(outs, (list, tuple)):
                outs = [outs]
            for name, val in zip(node.output, outs):
                if name:
                    env[name] = val
        return env

    def logits(self, x, rule: str = "exact", trace: Optional[list] = None,
               replay: Optional[list] = None) -> torch.Tensor:
        return self.run(x, rule, trace, replay)[self.logits_name]

    def _replayed(self) -> Optional[torch.Tensor]:
        return next(self._replay) if getattr(self, "_replay", None) is not None else None

    def _record(self, t: torch.Tensor) -> None:
        if getattr(self, "_trace", None) is not None:
            self._trace.append(t.detach())

    # -- ops ---------------------------------------------------------------------------------------

    def _eval(self, node: onnx.NodeProto, a: list, rule: str):
        op = node.op_type
        at = _attrs(node)
        self._outputs = len(node.output)
        fn: Optional[Callable] = getattr(self, "_op_" + op, None)
        if fn is None:
            raise NotImplementedError(op)
        return fn(a, at, rule)

    # rectifiers and element-wise

    def _op_Relu(self, a, at, rule):
        self._record(a[0] > 0)
        m = self._replayed()
        if m is not None:
            return a[0] * m
        return relu(a[0], rule)

    def _op_LeakyRelu(self, a, at, rule):
        alpha = float(at.get("alpha", 0.01))
        self._record(a[0] > 0)
        m = self._replayed()
        if m is not None:
            return torch.where(m, a[0], a[0] * alpha)
        return leaky_relu(a[0], alpha, rule)

    def _op_Clip(self, a, at, rule):
        if self.opset < 11:
            lo, hi = float(at.get("min", -math.inf)), float(at.get("max", math.inf))
        else:
            lo = float(a[1]) if len(a) > 1 and a[1] is not None else -math.inf
            hi = float(a[2]) if len(a) > 2 and a[2] is not None else math.inf
        self._record((a[0] > lo).to(torch.int8) + (a[0] >= hi).to(torch.int8))
        m = self._replayed()
        if m is not None:
            return clip_replay(a[0], lo, hi, m)
        return clip(a[0], lo, hi, rule)

    def _op_Sigmoid(self, a, at, rule):
        return torch.sigmoid(a[0])

    def _op_Tanh(self, a, at, rule):
        return torch.tanh(a[0])

    def _op_HardSigmoid(self, a, at, rule):
        # y = clip(alpha*x + beta, 0, 1), derivative alpha*1[0 < alpha*x + beta < 1] (0 at both kinks, like
        # torch's hardsigmoid_backward); not a rectifier: always exact
        alpha, beta = float(at.get("alpha", 0.2)), float(at.get("beta", 0.5))
        if alpha == float(np.float32(1 / 6)) and beta == 0.5:
            # PyTorch's Hardsigmoid exported: evaluate torch's own, which computes x/6 + 1/2 exactly in
            # float64 (the attribute is 1/6 rounded to float32, 4e-8 relative) but whose backward uses
            # float32(1/6) for the slope, as the attribute does
            return F.hardsigmoid(a[0])
        return clip(a[0] * alpha + beta, 0.0, 1.0, "exact")

    def _op_HardSwish(self, a, at, rule):
        # x * clip(x/6 + 1/2, 0, 1); torch's hardswish_backward: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above
        return F.hardswish(a[0])

    def _op_Neg(self, a, at, rule):
        return -a[0]

    def _op_Sqrt(self, a, at, rule):
        return torch.sqrt(a[0])

    def _op_Exp(self, a, at, rule):
        return torch.exp(a[0])

    def _op_Add(self, a, at, rule):
        return a[0] + a[1]

    def _op_Sub(self, a, at, rule):
        return a[0] - a[1]

    def _op_Mul(self, a, at, rule):
        return a[0] * a[1]

    def _op_Div(self, a, at, rule):
        if not a[0].is_floating_point() and not a[1].is_floating_point():
            return torch.div(a[0], a[1], rounding_mode="trunc")
        return a[0] / a[1]

    def _op_Identity(self, a, at, rule):
        return a[0]

    def _op_Dropout(self, a, at, rule):
        # inference: identity, mask all true
        return [a[0], torch.ones_like(a[0], dtype=torch.bool)]

    def _op_Softmax(self, a, at, rule):
        x = a[0]
        if self.opset >= 13:
            return torch.softmax(x, dim=int(at.get("axis", -1)))
        axis = int(at.get("axis", 1)) % x.dim()
        shape = x.shape
        flat = x.reshape(int(np.prod(shape[:axis])), -1)
        return torch.softmax(flat, dim=1).reshape(shape)

    # linear

    def _op_Conv(self, a, at, rule):
        x, w = a[0], a[1]
        b = a[2] if len(a) > 2 else None
        n = x.dim() - 2
        kernel = list(at.get("kernel_shape", w.shape[2:]))
        strides = list(at.get("strides", [1] * n))
        dil = list(at.get("dilations", [1] * n))
        group = int(at.get("group", 1))
        pads = _auto_pads(_s(at.get("auto_pad", "NOTSET")), list(x.shape[2:]), kernel, strides, dil)
        if pads is None:
            pads = list(at.get("pads", [0] * (2 * n)))
        if pads[:n] == pads[n:]:
            return _CONV[n](x, w, b, stride=strides, padding=pads[:n], dilation=dil, groups=group)
        x = F.pad(x, _torch_pad_arg(pads))
        return _CONV[n](x, w, b, stride=strides, padding=0, dilation=dil, groups=group)

    def _op_Gemm(self, a, at, rule):
        A, B = a[0], a[1]
        C = a[2] if len(a) > 2 else None
        if at.get("transA", 0):
            A = A.t()
        if at.get("transB", 0):
            B = B.t()
        y = float(at.get("alpha", 1.0)) * (A @ B)
        if C is not None:
            y = y + float(at.get("beta", 1.0)) * C
        return y

    def _op_MatMul(self, a, at, rule):
        return torch.matmul(a[0], a[1])

    def _op_BatchNormalization(self, a, at, rule):
        x, scale, bias, mean, var = a[:5]
        eps = float(at.get("epsilon", 1e-5))
        shape = [1, -1] + [1] * (x.dim() - 2)
        inv = scale / torch.sqrt(var + eps)
        return (x - mean.reshape(shape)) * inv.reshape(shape) + bias.reshape(shape)

    # pooling

    def _op_MaxPool(self, a, at, rule):
        x = a[0]
        n = x.dim() - 2
        kernel = list(at["kernel_shape"])
        strides = list(at.get("strides", [1] * n))
        dil = list(at.get("dilations", [1] * n))
        if int(at.get("storage_order", 0)) != 0:
            raise NotImplementedError("MaxPool storage_order=1")
        pads = _auto_pads(_s(at.get("auto_pad", "NOTSET")), list(x.shape[2:]), kernel, strides, dil)
        if pads is None:
            pads = list(at.get("pads", [0] * (2 * n)))
        _, extra = _pool_geometry(list(x.shape[2:]), kernel, strides, dil, pads,
                                  int(at.get("ceil_mode", 0)))
        full = list(pads[:n]) + [pads[n + i] + extra[i] for i in range(n)]
        if any(full):
            x = F.pad(x, _torch_pad_arg(full), value=-math.inf)
        # PyTorch CPU max-pool: first maximum in row-major order wins ties
        m = self._replayed()
        if m is not None:
            return gather_pool(x, m)
        if getattr(self, "_trace", None) is not None:
            y, idx = _MAXPOOL[n](x, kernel, strides, 0, dil, return_indices=True)
            self._record(idx)
            if n == 2 and hasattr(self._trace, "ties"):
                u = F.unfold(x.detach(), kernel, dilation=dil, stride=strides)
                u = u.reshape(x.shape[0], x.shape[1], -1, u.shape[-1])
                top = u.max(dim=2, keepdim=True).values  # ties at 0 (after a ReLU) are harmless
                self._trace.ties += int((((u == top).sum(dim=2) > 1) & (top[:, :, 0] != 0)).sum())
            return y
        return _MAXPOOL[n](x, kernel, strides, 0, dil)

    def _op_AveragePool(self, a, at, rule):
        x = a[0]
        n = x.dim() - 2
        kernel = list(at["kernel_shape"])
        strides = list(at.get("strides", [1] * n))
        dil = list(at.get("dilations", [1] * n))
        if any(d != 1 for d in dil):
            raise NotImplementedError("AveragePool with dilations")
        pads = _auto_pads(_s(at.get("auto_pad", "NOTSET")), list(x.shape[2:]), kernel, strides, dil)
        if pads is None:
            pads = list(at.get("pads", [0] * (2 * n)))
        include = int(at.get("count_include_pad", 0))
        _, extra = _pool_geometry(list(x.shape[2:]), kernel, strides, dil, pads,
                                  int(at.get("ceil_mode", 0)))
        full = list(pads[:n]) + [pads[n + i] + extra[i] for i in range(n)]
        ksize = float(np.prod(kernel))
        # y = sum over the window / count; count = real elements (+ explicit pads if count_include_pad);
        # the ceil-mode overhang is never counted (PyTorch / onnxruntime convention)
        ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype)
        if include:
            ones = F.pad(ones, _torch_pad_arg(list(pads)), value=1.0)
            mask = F.pad(ones, _torch_pad_arg([0] * n + extra))
        else:
            mask = F.pad(ones, _torch_pad_arg(full))
        xp = F.pad(x, _torch_pad_arg(full)) if any(full) else x
        s = _AVGPOOL[n](xp, kernel, strides, 0) * ksize
        c = _AVGPOOL[n](mask, kernel, strides, 0) * ksize
        return s / c

    def _op_ReduceMean(self, a, at, rule):
        x = a[0]
        axes = list(at["axes"]) if "axes" in at else (_ints(a[1]) if len(a) > 1 and a[1] is not None else None)
        if axes is None or len(axes) == 0:
            axes = list(range(x.dim()))
        return x.mean(dim=tuple(ax % x.dim() for ax in axes), keepdim=bool(int(at.get("keepdims", 1))))

    def _op_GlobalAveragePool(self, a, at, rule):
        x = a[0]
        return x.mean(dim=tuple(range(2, x.dim())), keepdim=True)

    def _op_GlobalMaxPool(self, a, at, rule):
        x = a[0]
        self._record(x.flatten(2).argmax(dim=2))
        m = self._replayed()
        if m is not None:
            return x.flatten(2).gather(2, m[:, :, None]).reshape(x.shape[:2] + (1,) * (x.dim() - 2))
        return x.flatten(2).max(dim=2).values.reshape(x.shape[:2] + (1,) * (x.dim() - 2))

    # shape ops

    def _op_Flatten(self, a, at, rule):
        x = a[0]
        axis = int(at.get("axis", 1))
        axis = axis + x.dim() if axis < 0 else axis
        return x.reshape(int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:])))

    def _op_Reshape(self, a, at, rule):
        x = a[0]
        shape = _ints(a[1])
        allowzero = int(at.get("allowzero", 0))
        if not allowzero:
            shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
        return x.reshape(shape)

    def _op_Transpose(self, a, at, rule):
        x = a[0]
        perm = list(at.get("perm", list(reversed(range(x.dim())))))
        return x.permute(perm)

    def _op_Split(self, a, at, rule):
        x = a[0]
        axis = int(at.get("axis", 0)) % x.dim()
        if len(a) > 1 and a[1] is not None:
            sizes = _ints(a[1])
        elif "split" in at:
            sizes = list(at["split"])
        else:
            k = int(at.get("num_outputs", 0)) or self._outputs
            chunk = -(-x.shape[axis] // k)
            sizes = [max(0, min(chunk, x.shape[axis] - i * chunk)) for i in range(k)]
        return list(torch.split(x, sizes, dim=axis))

    def _op_Concat(self, a, at, rule):
        ts = [t for t in a if t is not None]
        if any(t.is_floating_point() for t in ts):
            ts = [t.to(self.dtype) for t in ts]
        return torch.cat(ts, dim=int(at["axis"]))

    def _op_Pad(self, a, at, rule):
        x = a[0]
        mode = _s(at.get("mode", "constant"))
        if self.opset < 11:
            pads = list(at["pads"])
            value = float(at.get("value", 0.0))
        else:
            pads = _ints(a[1])
            value = float(a[2]) if len(a) > 2 and a[2] is not None and a[2].numel() else 0.0
            if len(a) > 3 and a[3] is not None:  # axes (opset 18)
                axes = [ax % x.dim() for ax in _ints(a[3])]
                k = len(axes)
                full = [0] * (2 * x.dim())
                for j, ax in enumerate(axes):
                    full[ax], full[ax + x.dim()] = pads[j], pads[j + k]
                pads = full
        if mode == "constant":
            return F.pad(x, _torch_pad_arg(pads), value=value)
        n = x.dim()
        if any(pads[i] or pads[i + n] for i in range(2)):
            raise NotImplementedError(f"Pad mode {mode} on batch/channel axes")
        torch_mode = {"reflect": "reflect", "edge": "replicate"}[mode]
        return F.pad(x, _torch_pad_arg(pads[2:n] + pads[n + 2:]), mode=torch_mode)

    def _op_Constant(self, a, at, rule):
        if "value" in at:
            t = at["value"]
            return self._tensor(numpy_helper.to_array(t), t.data_type)
        if "value_float" in at:
            return torch.tensor(float(at["value_float"]), dtype=self.dtype)
        if "value_floats" in at:
            return torch.tensor(list(at["value_floats"]), dtype=self.dtype)
        if "value_int" in at:
            return torch.tensor(int(at["value_int"]), dtype=torch.int64)
        if "value_ints" in at:
            return torch.tensor(list(at["value_ints"]), dtype=torch.int64)
        raise NotImplementedError(f"Constant with attributes {sorted(at)}")

    def _op_ConstantOfShape(self, a, at, rule):
        shape = _ints(a[0])
        if "value" in at:
            t = at["value"]
            v = self._tensor(numpy_helper.to_array(t), t.data_type).reshape(-1)[0]
        else:
            v = torch.tensor(0.0, dtype=self.dtype)
        return v.expand(shape).clone()

    def _op_Expand(self, a, at, rule):
        x, shape = a[0], _ints(a[1])
        # bidirectional broadcast (numpy rules), unlike torch.expand which cannot shrink a dim to 1
        return x * torch.ones(shape, dtype=x.dtype) if x.is_floating_point() else \
            torch.broadcast_to(x, torch.broadcast_shapes(tuple(x.shape), tuple(shape)))

    def _op_Shape(self, a, at, rule):
        shape = list(a[0].shape)
        start = int(at.get("start", 0))
        end = at.get("end")
        shape = shape[start:] if end is None else shape[start:int(end)]
        return torch.tensor(shape, dtype=torch.int64)

    def _op_Gather(self, a, at, rule):
        x, idx = a[0], a[1]
        axis = int(at.get("axis", 0)) % x.dim()
        idx = idx.to(torch.int64)
        idx = torch.where(idx < 0, idx + x.shape[axis], idx)
        out = torch.index_select(x, axis, idx.reshape(-1))
        return out.reshape(tuple(x.shape[:axis]) + tuple(idx.shape) + tuple(x.shape[axis + 1:]))

    def _axes(self, a, at) -> Optional[List[int]]:
        if self.opset >= 13:
            return _ints(a[1]) if len(a) > 1 and a[1] is not None else None
        return list(at["axes"]) if "axes" in at else None

    def _op_Unsqueeze(self, a, at, rule):
        x = a[0]
        axes = self._axes(a, at)
        rank = x.dim() + len(axes)
        for ax in sorted(ax % rank for ax in axes):
            x = x.unsqueeze(ax)
        return x

    def _op_Squeeze(self, a, at, rule):
        x = a[0]
        axes = self._axes(a, at)
        if axes is None:
            axes = [i for i, s in enumerate(x.shape) if s == 1]
        keep = [s for i, s in enumerate(x.shape) if i not in {ax % x.dim() for ax in axes}]
        return x.reshape(keep)

    def _op_Cast(self, a, at, rule):
        to = int(at["to"])
        if to in _ONNX_FLOAT_TYPES:
            return a[0].to(self.dtype)  # keep the evaluator's precision
        return a[0].to(_ONNX_INT_TYPES[to])

    def _op_Slice(self, a, at, rule):
        x = a[0]
        if self.opset < 10:
            starts, ends = list(at["starts"]), list(at["ends"])
            axes = list(at.get("axes", range(len(starts))))
            steps = [1] * len(starts)
        else:
            starts, ends = _ints(a[1]), _ints(a[2])
            axes = _ints(a[3]) if len(a) > 3 and a[3] is not None else list(range(len(starts)))
            steps = _ints(a[4]) if len(a) > 4 and a[4] is not None else [1] * len(starts)
        for st, en, ax, sp in zip(starts, ends, axes, steps):
            ax %= x.dim()
            dim = x.shape[ax]
            # ONNX clamping: starts/ends negative += dim, then clamp to [0, dim] (step>0) or [-1, dim-1]
            st = st + dim if st < 0 else st
            en = en + dim if en < 0 else en
            if sp > 0:
                st, en = min(max(st, 0), dim), min(max(en, 0), dim)
            else:
                st, en = min(max(st, -1), dim - 1), min(max(en, -1), dim - 1)
            idx = torch.arange(st, en, sp, dtype=torch.int64)
            x = torch.index_select(x, ax, idx)
        return x


def _s(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)
