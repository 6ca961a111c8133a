/**
 * The kernel contract and the helpers kernels share.
 *
 * A kernel receives its inputs with every float tensor already widened to float64 (Float64Array) and
 * returns one tensor per requested output. Float results are dtype 'float64'; int64/int32 results are
 * held in a Float64Array and bool/uint8/int8 in their own arrays, per the storage rules of tensor.ts.
 * Kernels compute their output shapes themselves (with the same helpers as shape inference) and use
 * `outputs` only for how many outputs are requested: an omitted output's info may be missing.
 */
import { HeatlensError } from '../../errors.js';
import type { Node, ValueInfo } from '../../ir/graph.js';
import { type DType, type Tensor, allocate, isFloatType, numel, stridesOf } from '../../ir/tensor.js';

export type Kernel = (node: Node, inputs: readonly (Tensor | undefined)[], outputs: readonly ValueInfo[]) => Tensor[];

/** An interpreter error that names the op and the node. */
export function fail(node: Node, message: string): never {
  throw new HeatlensError(`${node.op} node '${node.name}': ${message}`, 'E_INTERP');
}

/** Input i, which the op requires. */
export function need(node: Node, inputs: readonly (Tensor | undefined)[], i: number): Tensor {
  const t = inputs[i];
  if (!t) fail(node, `input ${i} is required`);
  return t;
}

/** The dtype a kernel computes and returns for values of `dtype`: floats are float64. */
export const computeDtype = (dtype: DType): DType => (isFloatType(dtype) ? 'float64' : dtype);

/** A zero-filled result tensor. */
export function output(dtype: DType, dims: readonly number[]): Tensor {
  return { dtype: computeDtype(dtype), dims: [...dims], data: allocate(computeDtype(dtype), numel(dims)) };
}

/** The float64 data of a float input (kernels receive floats widened). */
export function f64(node: Node, t: Tensor, what = 'input'): Float64Array {
  if (!(t.data instanceof Float64Array) || !isFloatType(t.dtype)) {
    fail(node, `${what} must be a float tensor widened to float64, got ${t.dtype}`);
  }
  return t.data;
}

/** The integer values of an int tensor (shapes, axes, indices). */
export const intValues = (t: Tensor): number[] => Array.from(t.data, (v) => Math.trunc(v));

/** Normalises a possibly negative axis against `rank`. */
export function axisIn(node: Node, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) fail(node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Same dims? */
export const sameDims = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * For each flat index of `outDims`, the flat index of the element of `inDims` that numpy broadcasting
 * reads: in[j] with j_k = (in_k = 1 ? 0 : o_k), dims aligned at the right. Null when the shapes are equal.
 */
export function broadcastMap(inDims: readonly number[], outDims: readonly number[]): Int32Array | null {
  if (sameDims(inDims, outDims)) return null;
  const rank = outDims.length;
  const offset = rank - inDims.length;
  const inStrides = stridesOf(inDims);
  // Stride in the input of a step along output axis k (0 on broadcast axes).
  const step = outDims.map((_, k) => (k < offset || inDims[k - offset] === 1 ? 0 : inStrides[k - offset]));
  const total = numel(outDims);
  const map = new Int32Array(total);
  if (total === 0) return map;
  const idx = new Array<number>(rank).fill(0);
  let j = 0;
  for (let o = 0; o < total; o++) {
    map[o] = j;
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      j += step[k];
      if (idx[k] < outDims[k]) break;
      j -= step[k] * outDims[k];
      idx[k] = 0;
    }
  }
  return map;
}

/** Reads element `o` of the broadcast view given by `map` (identity when null). */
export const at = (data: ArrayLike<number>, map: Int32Array | null, o: number): number => data[map === null ? o : map[o]];

/**
 * Promotes N-d spatial geometry (1 ≤ d ≤ 3) to 3-d by prepending unit axes, so window kernels have one
 * loop nest: sizes 1, kernel 1, stride 1, dilation 1, pads 0 on the added axes.
 */
export function to3d(values: readonly number[], fill: number): [number, number, number] {
  const v = [...new Array<number>(3 - values.length).fill(fill), ...values];
  return [v[0], v[1], v[2]];
}

/** Pads [b_0…b_{d−1}, e_0…e_{d−1}] → 3-d begin and end triples. */
export function pads3d(pads: readonly number[], d: number): { begin: [number, number, number]; end: [number, number, number] } {
  return { begin: to3d(pads.slice(0, d), 0), end: to3d(pads.slice(d, 2 * d), 0) };
}

export function needSpatial(node: Node, x: Tensor): number {
  const d = x.dims.length - 2;
  if (d < 1 || d > 3) fail(node, `only 1 to 3 spatial axes are supported, input has shape [${x.dims}]`);
  return d;
}

/** Runs a shared shape helper (which throws ShapeError without context), labelling its errors. */
export function shaped<T>(node: Node, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof HeatlensError) throw e;
    fail(node, e instanceof Error ? e.message : String(e));
  }
}

/**
 * y[o_0, …, o_{r−1}] = x[map_0[o_0], …, map_{r−1}[o_{r−1}]] (x of the same rank as y), or `fill` when
 * any map entry is −1. The gather behind Slice, Pad, Tile, Expand and nearest Resize.
 */
export function gatherByAxes(x: Tensor, outDims: readonly number[], maps: readonly Int32Array[], fill = 0): Tensor {
  const rank = outDims.length;
  const y = output(x.dtype, outDims);
  const total = numel(outDims);
  if (total === 0) return y;
  const X = x.data;
  const Y = y.data;
  if (rank === 0) {
    Y[0] = X[0];
    return y;
  }
  const strides = stridesOf(x.dims);
  const last = maps[rank - 1];
  const lastStride = strides[rank - 1];
  const inner = outDims[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < total; ) {
    let base = 0;
    let valid = true;
    for (let k = 0; k < rank - 1; k++) {
      const i = maps[k][idx[k]];
      if (i < 0) valid = false;
      base += i * strides[k];
    }
    for (let j = 0; j < inner; j++, o++) {
      const i = last[j];
      Y[o] = valid && i >= 0 ? X[base + i * lastStride] : fill;
    }
    for (let k = rank - 2; k >= 0; k--) {
      if (++idx[k] < outDims[k]) break;
      idx[k] = 0;
    }
  }
  return y;
}

/** 0, 1, …, n−1 as an axis map. */
export const identityMap = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** A copy of x with new dims (Reshape, Flatten, Squeeze, Unsqueeze). */
export function withDims(x: Tensor, dims: readonly number[]): Tensor {
  const y = output(x.dtype, dims);
  y.data.set(x.data);
  return y;
}
