/**
 * Sliding-window geometry of Keras's 2-D layers (Conv2D, DepthwiseConv2D, SeparableConv2D, pools) as
 * explicit ONNX pads [top, left, bottom, right].
 *   'valid': no padding, out = floor((in − ((k−1)·d + 1)) / s) + 1.
 *   'same' (TensorFlow): out = ceil(in / s),
 *       total = max((out − 1)·s + (k − 1)·d + 1 − in, 0), begin = floor(total / 2), end = total − begin,
 *     i.e. the odd pixel goes at the end (bottom/right). ONNX's auto_pad SAME_UPPER means the same, but
 *     explicit pads keep every later pass and runtime free of auto_pad.
 */
import type { LayerContext } from './types.js';

export type Padding = 'valid' | 'same';

/** Fails unless the layer is channels-last (the only layout TensorFlow.js runs on CPU). */
export function requireChannelsLast(ctx: LayerContext): void {
  ctx.config.oneOf('data_format', ['channels_last'], 'channels_last', 'heatlens imports');
}

export function readPadding(ctx: LayerContext): Padding {
  return ctx.config.oneOf('padding', ['valid', 'same'], 'valid', 'Keras 2-D layers take');
}

export function samePads(size: number, k: number, s: number, d: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/** ONNX pads [top, left, bottom, right] for input spatial size [H, W]. */
export function windowPads(
  ctx: LayerContext, padding: Padding, spatial: readonly number[],
  kernel: readonly number[], strides: readonly number[], dilations: readonly number[] = [1, 1],
): number[] {
  spatial.forEach((size, i) => {
    const span = (kernel[i] - 1) * dilations[i] + 1;
    if (padding === 'valid' && span > size) {
      ctx.fail(`window ${span} (kernel ${kernel[i]}, dilation ${dilations[i]}) is larger than the input's ${size} with padding 'valid'`);
    }
  });
  if (padding === 'valid') return [0, 0, 0, 0];
  const [[t, b], [l, r]] = spatial.map((size, i) => samePads(size, kernel[i], strides[i], dilations[i]));
  return [t, l, b, r];
}

/** Positive integers for kernel_size / strides / dilation_rate / pool_size. */
export function positiveInts(ctx: LayerContext, key: string, fallback?: readonly number[]): number[] {
  const v = ctx.config.ints(key, 2, fallback);
  if (!v.every((d) => d >= 1)) ctx.fail(`config '${key}' should be positive, got [${v}]`);
  return v;
}
