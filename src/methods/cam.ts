/**
 * Shared pieces of the class-activation-map methods: the weighted channel sum, its ReLU, and the
 * bilinear upsampling to the input resolution (ONNX Resize, linear, half_pixel coordinates: the
 * convention of PyTorch's F.interpolate(align_corners=False) and OpenCV's resize).
 */
import { spatialSize } from '../compile/layout.js';
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

/**
 * [B,1,h,w] → the input's spatial size H×W, bilinear (half-pixel centres, as OpenCV/PyTorch
 * align_corners=False): [B,1,H,W] for an NCHW input, [B,H,W,1] for an NHWC one (so the map lines up
 * with the input, and products such as Guided Grad-CAM's broadcast over its channels).
 */
export function upsampleToInput(ctx: MethodContext, map: string): string {
  const { b } = ctx;
  const dims = b.shape(ctx.input);
  const [height, width] = spatialSize(dims, ctx.layout);
  const sizes = b.constant(makeTensor('int64', [4], [dims[0], 1, height, width]), 'cam_size');
  const upsampled = b.op('Resize', [map, '', '', sizes], {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string('half_pixel'),
  }, 'cam_upsampled');
  return ctx.layout === 'nchw' ? upsampled : b.op('Transpose', [upsampled], { perm: attr.ints([0, 2, 3, 1]) }, 'cam_nhwc');
}

/** A gradient broadcastable to `like` made full-size (for sums over positions). */
export function expandTo(b: GraphBuilder, x: string, like: string): string {
  const target = b.shape(like);
  if (b.shape(x).join() === target.join()) return x;
  return b.op('Expand', [x, b.int64([...target])]);
}
