/** Ops that make values: Shape, Constant, ConstantOfShape, Range, Cast. */
import { getFloat, getFloats, getInt, getInts, getTensorAttr } from '../../ir/graph.js';
import { dtypeOfCode } from '../../ir/ops/constants.js';
import type { DType } from '../../ir/tensor.js';
import { isFloatType, makeTensor } from '../../ir/tensor.js';
import { type Kernel, computeDtype, fail, intValues, need, output, shaped } from './kernel.js';

/** Shape(x) with start/end (negative from the back, clamped to [0, rank]). */
export const Shape: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const rank = x.dims.length;
  const norm = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  const dims = x.dims.slice(norm(getInt(node, 'start', 0)), norm(getInt(node, 'end', rank)));
  return [makeTensor('int64', [dims.length], dims)];
};

/** A float tensor as the compute dtype (float64), others as they are. */
function widened(dtype: DType, dims: readonly number[], values: ArrayLike<number>) {
  return makeTensor(computeDtype(dtype), dims, values);
}

export const Constant: Kernel = (node) => {
  const t = getTensorAttr(node, 'value');
  if (t) return [widened(t.dtype, t.dims, t.data)];
  if (node.attrs.value_float) return [widened('float32', [], [getFloat(node, 'value_float', 0)])];
  if (node.attrs.value_floats) {
    const v = getFloats(node, 'value_floats', []);
    return [widened('float32', [v.length], v)];
  }
  if (node.attrs.value_int) return [makeTensor('int64', [], [getInt(node, 'value_int', 0)])];
  if (node.attrs.value_ints) {
    const v = getInts(node, 'value_ints', []);
    return [makeTensor('int64', [v.length], v)];
  }
  return fail(node, 'needs value, value_float(s) or value_int(s)');
};

/** ConstantOfShape(shape): every element = value (a one-element tensor, default float32 0). */
export const ConstantOfShape: Kernel = (node, inputs) => {
  const dims = intValues(need(node, inputs, 0));
  const value = getTensorAttr(node, 'value');
  const y = output(value?.dtype ?? 'float32', dims);
  y.data.fill(value ? value.data[0] : 0);
  return [y];
};

/** Range(start, limit, delta): y_i = start + i·delta, i < max(⌈(limit − start)/delta⌉, 0). */
export const Range: Kernel = (node, inputs) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => need(node, inputs, i));
  const s = start.data[0];
  const d = delta.data[0];
  if (d === 0) fail(node, 'delta is 0');
  const count = Math.max(Math.ceil((limit.data[0] - s) / d), 0);
  const y = output(start.dtype, [count]);
  for (let i = 0; i < count; i++) y.data[i] = s + i * d;
  return [y];
};

/**
 * Cast(x, to): float → int truncates toward zero (C++ static_cast), → bool is x ≠ 0; int8/uint8 wrap
 * modulo 256; int32 wraps modulo 2³². Casting to float keeps float64 (the interpreter's float type).
 */
export const Cast: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const to = shaped(node, () => dtypeOfCode(getInt(node, 'to', 1)));
  const y = output(to, x.dims);
  const X = x.data;
  const Y = y.data;
  const convert: (v: number) => number = isFloatType(to)
    ? (v) => v
    : to === 'bool'
      ? (v) => (v !== 0 ? 1 : 0)
      : to === 'int32'
        ? (v) => Math.trunc(v) | 0
        : to === 'int64'
          ? Math.trunc
          : (v) => Math.trunc(v); // Int8Array / Uint8Array wrap modulo 256 on assignment.
  for (let i = 0; i < X.length; i++) Y[i] = convert(X[i]);
  return [y];
};
