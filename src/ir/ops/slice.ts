/**
 * Slice (opset ≥ 10): starts, ends, axes, steps as inputs. Per axis, with size n:
 * start clamps to [0, n] (step > 0) or [0, n−1] (step < 0) after adding n to negatives; likewise end
 * to [0, n] or [−1, n−1]; length = max(0, ceil((end − start) / step)).
 */
import { type OpSchema, axisOf, constInts, input, need } from './schema.js';

export interface SliceAxis {
  axis: number;
  start: number;
  step: number;
  length: number;
}

export function resolveSlice(shape: readonly number[], starts: number[], ends: number[], axes?: number[], steps?: number[]): SliceAxis[] {
  const rank = shape.length;
  const ax = axes ?? starts.map((_, i) => i);
  need(ends.length === starts.length && ax.length === starts.length, 'starts, ends and axes must have the same length');
  return starts.map((s, i) => {
    const axis = axisOf(ax[i], rank);
    const n = shape[axis];
    const step = steps?.[i] ?? 1;
    need(step !== 0, 'slice step cannot be 0');
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const norm = (v: number) => (v < 0 ? v + n : v);
    const start = step > 0 ? clamp(norm(s), 0, n) : clamp(norm(s), 0, n - 1);
    const end = step > 0 ? clamp(norm(ends[i]), 0, n) : clamp(norm(ends[i]), -1, n - 1);
    const length = Math.max(0, Math.ceil((end - start) / step));
    return { axis, start, step, length };
  });
}

export const Slice: OpSchema = {
  arity: [3, 5],
  infer(ctx) {
    const x = input(ctx, 0);
    const axes = ctx.inputs[3] ? constInts(ctx, 3, 'axes') : undefined;
    const steps = ctx.inputs[4] ? constInts(ctx, 4, 'steps') : undefined;
    const parts = resolveSlice(x.shape, constInts(ctx, 1, 'starts'), constInts(ctx, 2, 'ends'), axes, steps);
    const shape = [...x.shape];
    for (const p of parts) shape[p.axis] = p.length;
    return [{ dtype: x.dtype, shape }];
  },
};
