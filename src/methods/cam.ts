/**
 * Shared pieces of the class-activation-map methods: the weighted channel sum, its ReLU, and the
 * bilinear upsampling to the input resolution (half_pixel coordinates: the convention of ONNX Resize
 * 'linear', PyTorch's F.interpolate(align_corners=False) and OpenCV's resize).
 */
import { spatialSize } from '../compile/layout.js';
import { oneHotChannels } from '../compile/staticGradient.js';
import { attr } from '../ir/graph.js';
import type { GraphBuilder } from '../ir/builder.js';
import { makeTensor } from '../ir/tensor.js';
import type { MethodContext } from './types.js';

/**
 * ReLU(Σ_k w_k ⊙ A_k) over the channel axis: [B,K,h,w] × (broadcastable weights) → [B,1,h,w].
 * A one-hot static gradient (the pooled map is the logits) selects one channel per image. Other
 * weights constant over positions ([B,K,1,1]: Grad-CAM's α, static Grad-CAM) make the sum a 1×1 Conv
 * with the weights as its (run-time) kernel — for B images a grouped Conv over the images stacked on the
 * channel axis; weights varying over positions (HiResCAM) a Mul and a ReduceSum.
 */
export function channelMap(b: GraphBuilder, activations: string, weights: string): string {
  const [batch, channels, height, width] = b.shape(activations);
  const wShape = b.shape(weights);
  let summed: string;
  const selection = oneHotChannels(b.graph, weights);
  if (selection && wShape.join() === [batch, channels, 1, 1].join()) {
    // w = s·e_c: Σ_k w_k A_k = s·A_c, channel c of each image gathered (batch 1: one index on the
    // channel axis; B images: the images' channels stacked [B·K, h, w] and row b·K + c_b taken).
    let picked: string;
    if (batch === 1) {
      picked = b.op('Gather', [activations, selection.classes], { axis: attr.int(1) }, 'cam_channel');
    } else {
      const offsets = b.constant(makeTensor('int64', [batch], Array.from({ length: batch }, (_, i) => i * channels)), 'cam_image_offsets');
      const rows = b.op('Gather', [
        b.op('Reshape', [activations, b.int64([batch * channels, height, width])]),
        b.op('Add', [selection.classes, offsets]),
      ], { axis: attr.int(0) }, 'cam_channel');
      picked = b.op('Reshape', [rows, b.int64([batch, 1, height, width])]);
    }
    summed = b.op('Mul', [picked, b.scalar(selection.scale)], {}, 'cam_sum');
  } else if (wShape.length === 4 && wShape[2] === 1 && wShape[3] === 1 && wShape[0] === batch && wShape[1] === channels) {
    const stacked = batch === 1 ? activations : b.op('Reshape', [activations, b.int64([1, batch * channels, height, width])], {}, 'cam_stacked');
    const sums = b.op('Conv', [stacked, weights], { group: attr.int(batch), kernel_shape: attr.ints([1, 1]) }, 'cam_sum');
    summed = batch === 1 ? sums : b.op('Reshape', [sums, b.int64([batch, 1, height, width])], {}, 'cam_sum');
  } else {
    const weighted = b.op('Mul', [activations, weights]);
    summed = b.op('ReduceSum', [weighted, b.int64([1])], { keepdims: attr.int(1) }, 'cam_sum');
  }
  return b.op('Relu', [summed], {}, 'cam');
}

/**
 * The m×n matrix of 1-D linear interpolation from n samples to m (half_pixel): output x reads the
 * coordinate c = clamp((x + ½)·n/m − ½, 0, n − 1) and weighs samples ⌊c⌋ and min(⌊c⌋ + 1, n − 1) by
 * (1 − (c − ⌊c⌋), c − ⌊c⌋): the weights of ONNX Resize 'linear' on one axis.
 */
export function linearInterpolationMatrix(n: number, m: number): Float32Array {
  const matrix = new Float32Array(m * n);
  const scale = m / n;
  for (let x = 0; x < m; x++) {
    const c = Math.min(Math.max((x + 0.5) / scale - 0.5, 0), n - 1);
    const i0 = Math.floor(c);
    const i1 = Math.min(i0 + 1, n - 1);
    const f = c - i0;
    matrix[x * n + i0] += 1 - f;
    matrix[x * n + i1] += f;
  }
  return matrix;
}

/**
 * [B,1,h,w] → the input's spatial size H×W, bilinear, as two MatMuls with the separable interpolation
 * matrices: U_h [H,h] · map · U_wᵀ [w,W] (the same weights as Resize 'linear' half_pixel, in about half
 * its time on onnxruntime's CPU). [B,1,H,W] for an NCHW input, [B,H,W,1] for an NHWC one (a Reshape: the
 * channel axis has size 1), so the map lines up with the input and products such as Guided Grad-CAM's
 * broadcast over its channels.
 */
export function upsampleToInput(ctx: MethodContext, map: string): string {
  const { b } = ctx;
  const dims = b.shape(ctx.input);
  const [height, width] = spatialSize(dims, ctx.layout);
  const [batch, , h, w] = b.shape(map);
  const rows = b.constant(makeTensor('float32', [height, h], linearInterpolationMatrix(h, height)), 'cam_rows');
  const columnsT = transposed(linearInterpolationMatrix(w, width), width, w);
  const columns = b.constant(makeTensor('float32', [w, width], columnsT), 'cam_columns');
  const upsampled = b.op('MatMul', [b.op('MatMul', [rows, map], {}, 'cam_rows_interpolated'), columns], {}, 'cam_upsampled');
  return ctx.layout === 'nchw' ? upsampled : b.op('Reshape', [upsampled, b.int64([batch, height, width, 1])], {}, 'cam_nhwc');
}

/** The transpose of a rows×cols row-major matrix. */
function transposed(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = matrix[r * cols + c];
  return out;
}

/** A gradient broadcastable to `like` made full-size (for sums over positions). */
export function expandTo(b: GraphBuilder, x: string, like: string): string {
  const target = b.shape(like);
  if (b.shape(x).join() === target.join()) return x;
  return b.op('Expand', [x, b.int64([...target])]);
}
