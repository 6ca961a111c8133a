/**
 * AveragePool y_o = (1/n_o)·Σ_{i ∈ window(o)} x_i  ⇒  dX = ConvTranspose(dY ⊙ (1/n), 1_k) per channel
 * (group = C, an all-ones kernel; with one n everywhere, dY and a kernel of 1/n), with the forward
 * strides and pads. The divisor n_o follows onnxruntime: with count_include_pad the window is clipped
 * to the padded input
 * (n = Π(min(start + k, X + pad_end) − start)), without it to the real input
 * (n = Π(min(start + k, X) − max(start, 0))), start = o·s − pad_begin. In ceil mode the last window can
 * overhang; that part lies outside X and its gradient is cropped by a wider end pad.
 * Windows that tile the input take a nearest-neighbour Resize of dY/(k_h·k_w) instead; otherwise the
 * ConvTranspose is built as a spreading + depthwise Conv (../depthwiseAdjoint.ts), which onnxruntime
 * runs in its blocked layout, wherever the geometry gives that Conv non-negative paddings.
 */
import { attr, getInt, getInts } from '../../ir/graph.js';
import { type WindowGeometry, windowGeometry } from '../../ir/ops/windowed.js';
import { floatTensor, makeTensor, numel } from '../../ir/tensor.js';
import { depthwiseAdjoint } from '../depthwiseAdjoint.js';
import type { BackwardRule } from '../types.js';
import { depthwiseAffine } from '../util.js';
import { broadcastSpatially } from './globalAveragePool.js';

/** Per-output window sizes along one axis. */
function windowCounts(size: number, out: number, k: number, s: number, pb: number, pe: number, includePad: boolean): number[] {
  return Array.from({ length: out }, (_, o) => {
    const start = o * s - pb;
    return includePad ? Math.min(start + k, size + pe) - start : Math.min(start + k, size) - Math.max(start, 0);
  });
}

/** A 4-D pool whose windows tile the input exactly. */
function rank4Tiling(xShape: readonly number[], kernel: readonly number[], geo: WindowGeometry): boolean {
  return xShape.length === 4 && geo.pads.every((p) => p === 0) && geo.dilations.every((d) => d === 1)
    && kernel.every((k, i) => geo.strides[i] === k && xShape[i + 2] === k * geo.outSpatial[i]);
}

export const averagePool: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const xShape = b.shape(node.inputs[0]);
  const [, channels, ...spatial] = xShape;
  const n = spatial.length;
  const kernel = [...getInts(node, 'kernel_shape', [])];
  const geo = windowGeometry(node, spatial, kernel);
  if (rank4Tiling(xShape, kernel, geo)) {
    // Windows that tile X (k = s, no padding, no remainder: DenseNet's 2×2/2 transitions): each x is in
    // exactly one window of k_h·k_w, dX = dY/(k_h·k_w) repeated over the window, as for the global pool.
    return [broadcastSpatially(b, depthwiseAffine(b, grad, 1 / numel(kernel), 0, 'avgpool_scaled'), kernel)];
  }
  const includePad = getInt(node, 'count_include_pad', 0) === 1;
  const counts = spatial.map((size, i) =>
    windowCounts(size, geo.outSpatial[i], kernel[i], geo.strides[i], geo.pads[i], geo.pads[i + n], includePad));
  // 1/n over the output grid: the outer product of the per-axis counts.
  const total = numel(geo.outSpatial);
  const inverse = new Float32Array(total);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let count = 1;
    for (let axis = n - 1; axis >= 0; axis--) {
      count *= counts[axis][rest % geo.outSpatial[axis]];
      rest = Math.floor(rest / geo.outSpatial[axis]);
    }
    inverse[flat] = 1 / count;
  }
  // A uniform divisor goes into the window's weights (w = 1/n everywhere, its own flip); otherwise
  // dY is scaled by the per-output map 1/n_o and the window is all ones.
  const uniform = inverse.every((v) => v === inverse[0]);
  const scaled = uniform ? grad : b.op('Mul', [grad, b.constant(floatTensor([1, 1, ...geo.outSpatial], inverse), 'avgpool_inverse_count')]);
  const weight = uniform ? inverse[0] : 1;
  const window = () => b.constant(makeTensor('float32', [channels, 1, ...kernel], new Float32Array(channels * numel(kernel)).fill(weight)), 'avgpool_window');
  const depthwise = depthwiseAdjoint(b, scaled, window, geo, spatial, 'avgpool_dx');
  if (depthwise) return [depthwise];
  const padsEnd: number[] = [];
  const outputPadding: number[] = [];
  spatial.forEach((size, i) => {
    const covered = geo.strides[i] * (geo.outSpatial[i] - 1) + kernel[i] - geo.pads[i];
    if (covered - geo.pads[i + n] <= size) {
      padsEnd.push(geo.pads[i + n]);
      outputPadding.push(size - (covered - geo.pads[i + n]));
    } else {
      padsEnd.push(covered - size);
      outputPadding.push(0);
    }
  });
  const dx = b.op('ConvTranspose', [scaled, window()], {
    strides: attr.ints(geo.strides),
    pads: attr.ints([...geo.pads.slice(0, n), ...padsEnd]),
    group: attr.int(channels),
    kernel_shape: attr.ints(kernel),
    output_padding: attr.ints(outputPadding),
  }, 'avgpool_dx');
  return [dx];
};
