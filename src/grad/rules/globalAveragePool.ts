/**
 * GlobalAveragePool y = (1/HW)·Σ x:  dX = dY/(H·W) broadcast over the spatial axes.
 *
 * The broadcast is a nearest-neighbour Resize by the integer factors (H, W) and the 1/(H·W) a depthwise
 * 1×1 Conv, not Mul + Expand: onnxruntime runs both in its blocked NCHWc layout, so the gradient enters
 * the backward convolutions without a layout reorder (an Expand result is plain NCHW, and every later
 * gradient would inherit that layout through the residual sums). Same values in any runtime.
 */
import type { GraphBuilder } from '../../ir/builder.js';
import { attr } from '../../ir/graph.js';
import { makeTensor, numel } from '../../ir/tensor.js';
import type { BackwardRule } from '../types.js';
import { depthwiseAffine } from '../util.js';

/** An [N, C, 1, …] tensor repeated over the spatial extent `spatial` (nearest-neighbour Resize). */
export function broadcastSpatially(b: GraphBuilder, grad: string, spatial: readonly number[]): string {
  if (numel(spatial) === 1) return grad;
  const scales = b.constant(makeTensor('float32', [spatial.length + 2], [1, 1, ...spatial]), 'gap_scales');
  return b.op('Resize', [grad, '', scales], {
    mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor'),
  }, 'gap_grad');
}

export const globalAveragePool: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const spatial = b.shape(node.inputs[0]).slice(2);
  return [broadcastSpatially(b, depthwiseAffine(b, grad, 1 / numel(spatial), 0, 'gap_scaled'), spatial)];
};
