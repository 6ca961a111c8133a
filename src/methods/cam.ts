/**
 * Shared pieces of the class-activation-map methods: the weighted channel sum, its ReLU, and the
 * bilinear upsampling to the input resolution (ONNX Resize, linear, half_pixel coordinates: the
 * convention of PyTorch's F.interpolate(align_corners=False) and OpenCV's resize).
 */
import { attr } from '../ir/graph.js';
import type { GraphBuilder } from '../ir/builder.js';
import { makeTensor } from '../ir/tensor.js';
import type { MethodContext } from './types.js';

/** ReLU(Σ_k w_k ⊙ A_k) over the channel axis: [B,K,h,w] × (broadcastable weights) → [B,1,h,w]. */
export function channelMap(b: GraphBuilder, activations: string, weights: string): string {
  const weighted = b.op('Mul', [activations, weights]);
  const summed = b.op('ReduceSum', [weighted, b.int64([1])], { keepdims: attr.int(1) }, 'cam_sum');
  return b.op('Relu', [summed], {}, 'cam');
}

/** [B,1,h,w] → [B,1,H,W] at the input's spatial size. */
export function upsampleToInput(ctx: MethodContext, map: string): string {
  const { b } = ctx;
  const [batch, , height, width] = b.shape(ctx.input);
  const sizes = b.constant(makeTensor('int64', [4], [batch, 1, height, width]), 'cam_size');
  return b.op('Resize', [map, '', '', sizes], {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string('half_pixel'),
  }, 'cam_upsampled');
}

/** A gradient broadcastable to `like` made full-size (for sums over positions). */
export function expandTo(b: GraphBuilder, x: string, like: string): string {
  const target = b.shape(like);
  if (b.shape(x).join() === target.join()) return x;
  return b.op('Expand', [x, b.int64([...target])]);
}
