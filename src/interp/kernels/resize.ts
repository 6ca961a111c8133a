/**
 * Resize(X, roi?, scales?, sizes?), per axis with input length n, output length m and scale s
 * (the given scale, m = ⌊n·s⌋; or s = m/n when sizes are given). Output index x maps to
 *   half_pixel:           (x + ½)/s − ½            pytorch_half_pixel: m > 1 ? (x + ½)/s − ½ : 0
 *   align_corners:        m > 1 ? x·(n−1)/(m−1) : 0
 *   asymmetric:           x/s                      tf_half_pixel_for_nn: (x + ½)/s
 * nearest: round the coordinate by nearest_mode (round_prefer_floor: halves down, round_prefer_ceil:
 * halves up, floor, ceil), then clamp to [0, n−1].
 * linear: clamp the coordinate c to [0, n−1]; i₀ = ⌊c⌋, i₁ = min(i₀+1, n−1), weights (1−(c−i₀), c−i₀);
 * the n-linear result is the composition of these 1-D interpolations over the axes.
 * cubic, tf_crop_and_resize, antialias and keep_aspect_ratio_policy are not supported.
 */
import type { Node } from '../../ir/graph.js';
import { getInt, getString } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { numel } from '../../ir/tensor.js';
import { type Kernel, f64, fail, gatherByAxes, need, output, withDims } from './kernel.js';

function coordinate(node: Node, mode: string, x: number, s: number, n: number, m: number): number {
  switch (mode) {
    case 'half_pixel':
      return (x + 0.5) / s - 0.5;
    case 'pytorch_half_pixel':
      return m > 1 ? (x + 0.5) / s - 0.5 : 0;
    case 'align_corners':
      return m > 1 ? (x * (n - 1)) / (m - 1) : 0;
    case 'asymmetric':
      return x / s;
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / s;
    default:
      return fail(node, `coordinate_transformation_mode '${mode}' is not supported`);
  }
}

function roundNearest(node: Node, mode: string, c: number): number {
  switch (mode) {
    case 'round_prefer_floor':
      return c - Math.floor(c) === 0.5 ? Math.floor(c) : Math.round(c);
    case 'round_prefer_ceil':
      return Math.round(c);
    case 'floor':
      return Math.floor(c);
    case 'ceil':
      return Math.ceil(c);
    default:
      return fail(node, `nearest_mode '${mode}' is not supported`);
  }
}

/** 1-D linear interpolation of `x` along `axis` to length m: y[…, o, …] = w₀·x[…, i₀, …] + w₁·x[…, i₁, …]. */
function linearAlong(x: Tensor, X: Float64Array, axis: number, m: number, coords: readonly number[]): Tensor {
  const n = x.dims[axis];
  const dims = x.dims.map((d, k) => (k === axis ? m : d));
  const y = output(x.dtype, dims);
  const Y = y.data as Float64Array;
  const outer = numel(x.dims.slice(0, axis));
  const inner = numel(x.dims.slice(axis + 1));
  for (let o = 0; o < m; o++) {
    const c = Math.max(0, Math.min(coords[o], n - 1));
    const i0 = Math.min(Math.floor(c), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    const w1 = c - i0;
    const w0 = 1 - w1;
    for (let a = 0; a < outer; a++) {
      const src = a * n * inner;
      const dst = (a * m + o) * inner;
      for (let r = 0; r < inner; r++) Y[dst + r] = w0 * X[src + i0 * inner + r] + w1 * X[src + i1 * inner + r];
    }
  }
  return y;
}

export const Resize: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const rank = x.dims.length;
  const mode = getString(node, 'mode', 'nearest');
  const transform = getString(node, 'coordinate_transformation_mode', 'half_pixel');
  if (getInt(node, 'antialias', 0) !== 0) fail(node, 'antialias is not supported');
  const sizes = inputs[3] && inputs[3].data.length > 0 ? Array.from(inputs[3].data) : undefined;
  const given = inputs[2] && inputs[2].data.length > 0 ? Array.from(inputs[2].data) : undefined;
  if (!sizes && !given) fail(node, 'needs scales or sizes');
  const list = (sizes ?? given)!;
  if (list.length !== rank) fail(node, `${sizes ? 'sizes' : 'scales'} [${list}] must have ${rank} entries for [${x.dims}]`);
  const dims = sizes ?? x.dims.map((n, k) => Math.floor(n * given![k]));
  const scales = sizes ? sizes.map((m, k) => m / x.dims[k]) : given!;
  const coords = dims.map((m, k) => Array.from({ length: m }, (_, o) => coordinate(node, transform, o, scales[k], x.dims[k], m)));
  if (mode === 'nearest') {
    const nearest = getString(node, 'nearest_mode', 'round_prefer_floor');
    const maps = coords.map((cs, k) =>
      Int32Array.from(cs, (c) => Math.min(Math.max(roundNearest(node, nearest, c), 0), x.dims[k] - 1)),
    );
    return [gatherByAxes(x, dims, maps)];
  }
  if (mode !== 'linear') fail(node, `mode '${mode}' is not supported (nearest and linear are)`);
  f64(node, x, 'X');
  let y: Tensor = x;
  for (let k = 0; k < rank; k++) {
    const identity = dims[k] === x.dims[k] && coords[k].every((c, o) => c === o);
    if (!identity) y = linearAlong(y, y.data as Float64Array, k, dims[k], coords[k]);
  }
  return [y === x ? withDims(x, x.dims) : y];
};
