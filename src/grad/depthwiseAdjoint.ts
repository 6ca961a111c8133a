/**
 * The input adjoint of a depthwise window op (one k-tap filter per channel and no mixing between
 * channels: a depthwise Conv, an AveragePool's all-ones window) without a grouped ConvTranspose, which
 * onnxruntime's CPU provider runs one channel at a time in plain NCHW, with layout reorders around it.
 *
 * With stride s, dilation d, padding pad_begin and filter W, the forward op reads
 *   Y[i] = Σ_u W[u]·X[s·i + d·u − pad_begin],
 * so dX[p] = Σ_{i,u: s·i + d·u − pad_begin = p} W[u]·dY[i]. Spreading dY onto the input grid,
 * Z[s·i] = dY[i] and zeros between (a 1×1 ConvTranspose with weight 1 and stride s; nothing to do for
 * s = 1), this is the stride-1 correlation of Z with the flipped filter W'[v] = W[k−1−v]:
 *   dX[p] = Σ_v W'[v]·Z[p − (d·(k−1) − pad_begin) + d·v],
 * a depthwise Conv (which stays in the blocked NCHWc layout) with padding d·(k−1) − pad_begin before
 * and whatever completes X after: |Z| = s·(Y−1) + 1 + o, o the spreading's output_padding (0 ≤ o < s),
 * and X = |Z| + before + after − d·(k−1).
 * Measured on onnxruntime 1.30 in test graphs: a stride-2 3×3 depthwise Conv's adjoint took 0.70–0.85 of
 * the ConvTranspose's time at MobileNet v1 0.25's sizes; a 3×3 stride-1 AveragePool's over 192×28×28
 * took 0.22 of it.
 */
import type { GraphBuilder } from '../ir/builder.js';
import { attr } from '../ir/graph.js';
import type { WindowGeometry } from '../ir/ops/windowed.js';
import { makeTensor } from '../ir/tensor.js';

/**
 * dX for the op of geometry `geo` over X's spatial size, given dY (`grad`, [N, C, Y…]) and a builder of
 * the flipped filter ([C, 1, k…], called only when the form applies); undefined when the Conv would
 * need a negative padding (a padding larger than the dilated kernel), which callers leave to a
 * ConvTranspose.
 */
export function depthwiseAdjoint(
  b: GraphBuilder,
  grad: string,
  flippedFilter: () => string,
  geo: WindowGeometry,
  xSpatial: readonly number[],
  hint: string,
): string | undefined {
  const { kernel, strides, dilations, pads } = geo;
  const n = kernel.length;
  const [, channels, ...ySpatial] = b.shape(grad);
  const before = kernel.map((k, i) => dilations[i] * (k - 1) - pads[i]);
  const spread = ySpatial.map((y, i) => strides[i] * (y - 1) + 1);
  const extra = spread.map((z, i) => Math.min(strides[i] - 1, Math.max(0, xSpatial[i] + pads[i] - z)));
  const after = kernel.map((k, i) => xSpatial[i] - (spread[i] + extra[i]) - before[i] + dilations[i] * (k - 1));
  if (before.some((p) => p < 0) || after.some((p) => p < 0)) return undefined;
  let zeroInserted = grad;
  if (strides.some((s) => s > 1)) {
    const ones = new Array(n).fill(1);
    const spreadWeight = b.constant(makeTensor('float32', [channels, 1, ...ones], new Array(channels).fill(1)), `${hint}_spread_weight`);
    zeroInserted = b.op('ConvTranspose', [grad, spreadWeight], {
      strides: attr.ints(strides),
      group: attr.int(channels),
      kernel_shape: attr.ints(ones),
      output_padding: attr.ints(extra),
    }, `${hint}_spread`);
  }
  return b.op('Conv', [zeroInserted, flippedFilter()], {
    pads: attr.ints([...before, ...after]),
    dilations: attr.ints(dilations),
    group: attr.int(channels),
    kernel_shape: attr.ints(kernel),
  }, hint);
}
