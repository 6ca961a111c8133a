/**
 * Moving between Keras's channels-last layout and the IR's NCHW (see types.ts for the rule).
 * NHWC and NCHW buffers of [N,H,W,C] hold the same element order when C = 1 or H·W = 1, so those cases
 * need a Reshape, not a Transpose.
 */
import type { GraphBuilder } from '../../ir/builder.js';
import { attr } from '../../ir/graph.js';
import { type Tensor, makeTensor, numel, stridesOf } from '../../ir/tensor.js';
import type { KerasTensor, LayerContext } from './types.js';

export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];

/** A Keras axis (negative counts from the end) → the IR axis: rank 4 maps N,H,W,C → 0,2,3,1. */
export function irAxis(ctx: LayerContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx.fail(`axis ${axis} is out of range for a rank-${rank} input`);
  return rank === 4 ? [0, 2, 3, 1][a] : a;
}

/** An IR NCHW value as the Keras [N,H,W,C] tensor it holds. */
export function spatial(b: GraphBuilder, value: string): KerasTensor {
  const [n, c, h, w] = b.shape(value);
  return { value, shape: [n, h, w, c] };
}

/** An IR value held in Keras layout (any rank but 4). */
export function plain(b: GraphBuilder, value: string): KerasTensor {
  return { value, shape: [...b.shape(value)] };
}

/** The IR [N,C,H,W] of a rank-4 Keras tensor; fails unless the input is a feature map. */
export function mapShape(ctx: LayerContext, t: KerasTensor): [number, number, number, number] {
  if (t.shape.length !== 4) ctx.fail(`expects a 4-D input [batch, height, width, channels], got [${t.shape}]`);
  const [n, h, w, c] = t.shape;
  return [n, c, h, w];
}

const trivial = (c: number, h: number, w: number): boolean => c === 1 || h * w === 1;

/** A value whose row-major buffer is in Keras element order (its IR shape may differ from Keras's). */
export function kerasOrdered(ctx: LayerContext, t: KerasTensor): string {
  if (t.shape.length === 4) {
    const [, h, w, c] = t.shape;
    return trivial(c, h, w) ? t.value : ctx.op('Transpose', [t.value], { perm: attr.ints(TO_NHWC) }, 'to_nhwc');
  }
  if (t.nchwFlat) {
    const { c, h, w } = t.nchwFlat;
    if (trivial(c, h, w)) return t.value;
    const n = t.shape[0];
    const map = ctx.op('Reshape', [t.value, ctx.b.int64([n, c, h, w], `${ctx.layer}/shape`)], {}, 'unflatten');
    const nhwc = ctx.op('Transpose', [map], { perm: attr.ints(TO_NHWC) }, 'to_nhwc');
    return ctx.op('Reshape', [nhwc, ctx.b.int64([n, h * w * c], `${ctx.layer}/shape`)], {}, 'flatten_nhwc');
  }
  return t.value;
}

/** A value with exactly the Keras shape and element order. */
export function kerasValue(ctx: LayerContext, t: KerasTensor): string {
  if (t.shape.length === 4) {
    const [n, h, w, c] = t.shape;
    return trivial(c, h, w)
      ? ctx.op('Reshape', [t.value, ctx.b.int64([n, h, w, c], `${ctx.layer}/shape`)], {}, 'to_nhwc')
      : ctx.op('Transpose', [t.value], { perm: attr.ints(TO_NHWC) }, 'to_nhwc');
  }
  return kerasOrdered(ctx, t);
}

/** A Keras tensor from a value whose buffer is in Keras order and whose Keras shape is `shape`. */
export function fromKerasOrder(ctx: LayerContext, value: string, shape: readonly number[]): KerasTensor {
  if (shape.length === 4) {
    const [n, h, w, c] = shape;
    if (trivial(c, h, w)) return spatial(ctx.b, ctx.op('Reshape', [value, ctx.b.int64([n, c, h, w], `${ctx.layer}/shape`)], {}, 'to_nchw'));
    const nhwc = ctx.b.shape(value).join() === shape.join() ? value : ctx.op('Reshape', [value, ctx.b.int64([...shape], `${ctx.layer}/shape`)], {}, 'reshape');
    return spatial(ctx.b, ctx.op('Transpose', [nhwc], { perm: attr.ints(TO_NCHW) }, 'to_nchw'));
  }
  const same = ctx.b.shape(value).join() === shape.join();
  return plain(ctx.b, same ? value : ctx.op('Reshape', [value, ctx.b.int64([...shape], `${ctx.layer}/shape`)], {}, 'reshape'));
}

/** out[i_0, …] = t[i_perm…]: out.dims[k] = t.dims[perm[k]] (constant weights only). */
export function permute(t: Tensor, perm: readonly number[]): Tensor {
  const dims = perm.map((p) => t.dims[p]);
  const inStrides = stridesOf(t.dims);
  const stepOf = perm.map((p) => inStrides[p]);
  const out = makeTensor(t.dtype, dims);
  const index = new Array<number>(dims.length).fill(0);
  let src = 0;
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = t.data[src];
    for (let k = dims.length - 1; k >= 0; k--) {
      index[k]++;
      src += stepOf[k];
      if (index[k] < dims[k]) break;
      src -= stepOf[k] * dims[k];
      index[k] = 0;
    }
  }
  return out;
}

/** The Keras shape `target` (batch excluded, one entry may be −1) resolved against `count` elements. */
export function resolveTarget(ctx: LayerContext, target: readonly number[], count: number): number[] {
  const known = target.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
  const unknown = target.filter((d) => d === -1).length;
  const ok = unknown === 0 ? known === count : unknown === 1 && known > 0 && count % known === 0;
  if (!ok) ctx.fail(`cannot reshape ${count} elements per item to (${target.map((d) => (d === -1 ? 'None' : d)).join(', ')})`);
  return target.map((d) => (d === -1 ? count / known : d));
}

export const elements = (shape: readonly number[]): number => numel(shape.slice(1));
