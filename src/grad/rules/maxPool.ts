/**
 * MaxPool: the gradient of each output goes to the arg-max of its window; on ties to the FIRST maximum in
 * row-major window order (PyTorch's CPU convention and onnxruntime's Indices). Ties are common: a window
 * of ReLU zeros has four maxima.
 *
 * MaxPool's Indices output gives those positions (flat, in row-major order, first maximum on ties);
 * non-overlapping windows place dY with MaxUnpool, overlapping ones (ResNet's 3×3/2 stem) with
 * ScatterElements 'add' into zeros, since two windows may pick the same input and MaxUnpool would
 * overwrite instead of adding.
 */
import type { GraphBuilder } from '../../ir/builder.js';
import { attr, getInts, type Node } from '../../ir/graph.js';
import { windowGeometry } from '../../ir/ops/windowed.js';
import { makeTensor, numel } from '../../ir/tensor.js';
import type { BackwardRule } from '../types.js';

/** Overlapping windows: ScatterElements 'add' of dY at MaxPool's Indices into zeros. */
function scatterByIndices(b: GraphBuilder, x: string, grad: string, indices: string): string {
  const xShape = b.shape(x);
  const zeros = b.op('ConstantOfShape', [b.int64([numel(xShape)])], { value: attr.tensor(makeTensor('float32', [1], [0])) });
  const flatIdx = b.op('Reshape', [indices, b.int64([-1])]);
  const flatGrad = b.op('Reshape', [grad, b.int64([-1])]);
  const scattered = b.op('ScatterElements', [zeros, flatIdx, flatGrad], { axis: attr.int(0), reduction: attr.string('add') }, 'maxpool_dx');
  return b.op('Reshape', [scattered, b.int64([...xShape])]);
}

/**
 * dX for MaxPool `node` (reading x) given dY: MaxPool is recomputed with its Indices output (flat
 * positions in x of each window's first maximum), then dY is placed there: MaxUnpool when windows do
 * not overlap (kernel = stride, no dilation, padding or ceil mode: the fastest form measured on
 * onnxruntime's CPU), ScatterElements 'add' otherwise.
 */
/** Whether each input position belongs to at most one window (kernel = stride, no dilation). */
export function nonOverlapping(b: GraphBuilder, node: Node): boolean {
  const kernel = [...getInts(node, 'kernel_shape', [])];
  const geo = windowGeometry(node, b.shape(node.inputs[0]).slice(2), kernel);
  return kernel.every((k, i) => geo.strides[i] >= k && geo.dilations[i] === 1);
}

export function routeToMaxima(b: GraphBuilder, node: Node, grad: string): string {
  const x = node.inputs[0];
  const kernel = [...getInts(node, 'kernel_shape', [])];
  const geo = windowGeometry(node, b.shape(x).slice(2), kernel);
  const attrs = { ...node.attrs, pads: attr.ints(geo.pads) };
  delete (attrs as Record<string, unknown>).auto_pad;
  // The routing below reads row-major Indices (storage_order 0) whatever the forward node's order.
  delete (attrs as Record<string, unknown>).storage_order;
  const [, indices] = b.nodeOutputs('MaxPool', [x], attrs, 2, 'maxpool_indices');
  const plain = kernel.every((k, i) => geo.strides[i] === k && geo.dilations[i] === 1) && geo.pads.every((p) => p === 0) && !geo.ceilMode;
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
