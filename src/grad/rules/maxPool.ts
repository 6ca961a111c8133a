/**
 * MaxPool: the gradient of each output goes to the arg-max of its window; on ties to the FIRST maximum in
 * row-major window order (PyTorch's CPU convention and onnxruntime's Indices). Ties are common: a window
 * of ReLU zeros has four maxima.
 *
 * Three forms, the first that applies:
 * - Phase form, for 2-D windows that tile the input (kernel = stride, no dilation, padding or ceil
 *   mode, each spatial size a multiple of the kernel): built from operations onnxruntime's CPU provider
 *   runs in its blocked NCHWc layout (nearest Resize, 1×1 Conv with a fused sum and ReLU, MaxPool, Add,
 *   Mul), so the gradient stays in the layout of the convolutions around it. With U the nearest
 *   upsampling by the kernel, K = kh·kw places per window, u = 2^⌈log₂ K⌉ and P the phase pattern
 *   P = (K − j)/u of each position's place j = 0…K−1 in its window (row-major; earlier places weigh
 *   more; exact binary fractions in (0, 1]):
 *     d     = x − U(y)                       ≤ 0, and 0 exactly at the window's maxima (a correctly
 *                                            rounded difference is 0 only for equal operands)
 *     key   = ReLU(2^126·d + P)              P at the maxima, 0 elsewhere (2^126·|d| ≥ 1 for every
 *                                            non-zero normal float32 d; −∞ on overflow is fine)
 *     first = MaxPool(key)                   the weight of the window's first maximum
 *     keep  = ReLU(2u·key + 1 − 2u·U(first)) 1 at the first maximum, 0 elsewhere (distinct weights
 *                                            differ by ≥ 1/u; 2u·key and 2u·first are exact integers)
 *     dX    = keep ⊙ U(dY).
 *   The one inexact case is a window whose maximum is below about 2^-102 in magnitude, where a
 *   difference can be subnormal (as for the step masks, ../stepMasks.ts). P is one window's weights
 *   tiled by Tile (so the file holds K numbers), plus a zero computed at run time (once per graph:
 *   min(|y[0,0,0,0]|, 0) of the first pool routed), then spread to the C channels by a 1×1 Conv.
 *   Without that zero a runtime that folds constants makes P a constant operand, which onnxruntime's
 *   NCHWc layout does not take (the sum would fall back to plain NCHW with two layout reorders).
 *   d is computed as 1·x (a depthwise 1×1 Conv) + U(−y), which the runtime fuses into one convolution
 *   with a sum; a plain Add of x, an activation the forward pass also reads, stays a separate
 *   element-wise pass (0.16 ms against 0.07 ms on darknet-tiny's first pool, same values).
 *   Against the indices form below, in one-process A/B runs (medians of per-round ratios), the saliency
 *   graph took 0.90–0.95 of the time on the built-in model and 0.92–0.95 on darknet-tiny, with
 *   identical outputs.
 * - Non-overlapping windows otherwise: MaxPool is recomputed with its Indices output (flat positions in
 *   x of each window's first maximum) and MaxUnpool places dY there.
 * - Overlapping windows (ResNet's 3×3/2 stem): ScatterElements 'add' of dY at the Indices into zeros,
 *   since two windows may pick the same input and MaxUnpool would overwrite instead of adding.
 */
import type { GraphBuilder } from '../../ir/builder.js';
import { attr, getInts, type Node } from '../../ir/graph.js';
import { windowGeometry } from '../../ir/ops/windowed.js';
import { makeTensor, numel } from '../../ir/tensor.js';
import type { BackwardRule } from '../types.js';
import { depthwiseAffine } from '../util.js';
import { broadcastSpatially } from './globalAveragePool.js';

/** Overlapping windows: ScatterElements 'add' of dY at MaxPool's Indices into zeros. */
function scatterByIndices(b: GraphBuilder, x: string, grad: string, indices: string): string {
  const xShape = b.shape(x);
  const zeros = b.op('ConstantOfShape', [b.int64([numel(xShape)])], { value: attr.tensor(makeTensor('float32', [1], [0])) });
  const flatIdx = b.op('Reshape', [indices, b.int64([-1])]);
  const flatGrad = b.op('Reshape', [grad, b.int64([-1])]);
  const scattered = b.op('ScatterElements', [zeros, flatIdx, flatGrad], { axis: attr.int(0), reduction: attr.string('add') }, 'maxpool_dx');
  return b.op('Reshape', [scattered, b.int64([...xShape])]);
}

/** Whether each input position belongs to at most one window (kernel = stride, no dilation). */
export function nonOverlapping(b: GraphBuilder, node: Node): boolean {
  const kernel = [...getInts(node, 'kernel_shape', [])];
  const geo = windowGeometry(node, b.shape(node.inputs[0]).slice(2), kernel);
  return kernel.every((k, i) => geo.strides[i] >= k && geo.dilations[i] === 1);
}

/** The run-time zero min(|v[0,…,0]|, 0) of each graph, built once from the first pool output asking. */
const runtimeZeros = new WeakMap<object, string>();
function runtimeZero(b: GraphBuilder, v: string): string {
  let zero = runtimeZeros.get(b.graph);
  if (zero === undefined || !b.graph.values.has(zero)) {
    const rank = b.rank(v);
    const corner = b.op('Slice', [v, b.int64(new Array(rank).fill(0)), b.int64(new Array(rank).fill(1))]);
    zero = b.op('Min', [b.op('Abs', [corner]), b.scalar(0)], {}, 'pool_zero');
    runtimeZeros.set(b.graph, zero);
  }
  return zero;
}

/** The phase form (see above): dY routed to each window's first maximum; `kernel` tiles x exactly. */
function phaseRoute(b: GraphBuilder, node: Node, grad: string, kernel: readonly number[]): string {
  const x = node.inputs[0];
  const y = node.outputs[0];
  const [batch, channels, height, width] = b.shape(x);
  const [kh, kw] = kernel;
  const places = kh * kw;
  // One window's weights [1, 1, kh, kw], tiled over the windows: position (i, j) holds place
  // (i mod kh, j mod kw).
  const unit = 2 ** Math.ceil(Math.log2(places));
  const window = Array.from({ length: places }, (_, j) => (places - j) / unit);
  const tiled = b.op('Tile', [b.constant(makeTensor('float32', [1, 1, kh, kw], window), 'pool_places'), b.int64([1, 1, height / kh, width / kw])]);
  let phase = b.op('Add', [tiled, runtimeZero(b, y)], {}, 'pool_phase');
  if (batch > 1) phase = b.op('Expand', [phase, b.int64([batch, 1, height, width])]);
  const phaseChannels = b.op('Conv', [phase, b.constant(makeTensor('float32', [channels, 1, 1, 1], new Array(channels).fill(1)), 'pool_phase_weight')], {
    kernel_shape: attr.ints([1, 1]),
  }, 'pool_phase_channels');
  const gap = b.op('Add', [depthwiseAffine(b, x, 1, 0, 'pool_x'), broadcastSpatially(b, depthwiseAffine(b, y, -1, 0, 'pool_negated'), kernel)], {}, 'pool_gap');
  const key = b.op('Relu', [b.op('Add', [depthwiseAffine(b, gap, 2 ** 126, 0, 'pool_gap_scaled'), phaseChannels])], {}, 'pool_key');
  const first = b.op('MaxPool', [key], { kernel_shape: attr.ints(kernel), strides: attr.ints(kernel) }, 'pool_first');
  const keep = b.op('Relu', [b.op('Add', [
    depthwiseAffine(b, key, 2 * unit, 1, 'pool_key_scaled'),
    broadcastSpatially(b, depthwiseAffine(b, first, -2 * unit, 0, 'pool_first_scaled'), kernel),
  ])], {}, 'pool_keep');
  return b.op('Mul', [keep, broadcastSpatially(b, grad, kernel)], {}, 'maxpool_dx');
}

/** dX for MaxPool `node` (reading x) given dY, in the first of the three forms above that applies. */
export function routeToMaxima(b: GraphBuilder, node: Node, grad: string): string {
  const x = node.inputs[0];
  const kernel = [...getInts(node, 'kernel_shape', [])];
  const spatial = b.shape(x).slice(2);
  const geo = windowGeometry(node, spatial, kernel);
  const plain = kernel.every((k, i) => geo.strides[i] === k && geo.dilations[i] === 1) && geo.pads.every((p) => p === 0) && !geo.ceilMode;
  if (plain && spatial.length === 2 && spatial.every((size, i) => size % kernel[i] === 0)) return phaseRoute(b, node, grad, kernel);
  const attrs = { ...node.attrs, pads: attr.ints(geo.pads) };
  delete (attrs as Record<string, unknown>).auto_pad;
  // The routing below reads row-major Indices (storage_order 0) whatever the forward node's order.
  delete (attrs as Record<string, unknown>).storage_order;
  const [, indices] = b.nodeOutputs('MaxPool', [x], attrs, 2, 'maxpool_indices');
  if (plain) {
    return b.op('MaxUnpool', [grad, indices, b.int64([...b.shape(x)], 'unpool_shape')], {
      kernel_shape: attr.ints(kernel), strides: attr.ints(geo.strides),
    }, 'maxpool_dx');
  }
  return scatterByIndices(b, x, grad, indices);
}

export const maxPool: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  return [routeToMaxima(b, node, grad)];
};
