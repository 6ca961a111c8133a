/**
 * Reductions over `axes` (ReduceSum: input 1; the others: the axes attribute), all axes when empty
 * (or the identity when noop_with_empty_axes = 1), keepdims default 1:
 *   Sum Σx, Mean Σx/count, Max, Min, L2 sqrt(Σx²).
 * ArgMax along `axis`: the first maximum's index (the last with select_last_index = 1), int64.
 */
import { getInt, getInts } from '../../ir/graph.js';
import { reducedShape } from '../../ir/ops/reduce.js';
import { numel } from '../../ir/tensor.js';
import { type Kernel, axisIn, broadcastMap, intValues, need, output, shaped } from './kernel.js';

interface Reducer {
  init: number;
  step: (acc: number, v: number) => number;
  finish: (acc: number, count: number) => number;
}

const reducers = {
  ReduceSum: { init: 0, step: (a, v) => a + v, finish: (a) => a },
  ReduceMean: { init: 0, step: (a, v) => a + v, finish: (a, n) => a / n },
  ReduceMax: { init: -Infinity, step: (a, v) => (v > a || v !== v ? v : a), finish: (a) => a },
  ReduceMin: { init: Infinity, step: (a, v) => (v < a || v !== v ? v : a), finish: (a) => a },
  ReduceL2: { init: 0, step: (a, v) => a + v * v, finish: (a) => Math.sqrt(a) },
} satisfies Record<string, Reducer>;

const reduce = (r: Reducer): Kernel => (node, inputs) => {
  const x = need(node, inputs, 0);
  const rank = x.dims.length;
  const raw = node.op === 'ReduceSum' ? (inputs[1] ? intValues(inputs[1]) : []) : [...getInts(node, 'axes', [])];
  const keep = getInt(node, 'keepdims', 1) === 1;
  if (raw.length === 0 && getInt(node, 'noop_with_empty_axes', 0) === 1) {
    const y = output(x.dtype, x.dims);
    y.data.set(x.data);
    return [y];
  }
  const axes = raw.length === 0 ? x.dims.map((_, i) => i) : raw.map((a) => axisIn(node, a, rank));
  const kept = shaped(node, () => reducedShape(x.dims, axes, true));
  const y = output(x.dtype, keep ? kept : shaped(node, () => reducedShape(x.dims, axes, false)));
  const Y = y.data;
  const acc = new Float64Array(numel(kept)).fill(r.init);
  const map = broadcastMap(kept, x.dims);
  const X = x.data;
  for (let i = 0; i < X.length; i++) {
    const o = map === null ? i : map[i];
    acc[o] = r.step(acc[o], X[i]);
  }
  const count = numel(x.dims) / Math.max(1, numel(kept));
  for (let o = 0; o < acc.length; o++) Y[o] = r.finish(acc[o], count);
  return [y];
};

export const reduceKernels = Object.fromEntries(
  Object.entries(reducers).map(([op, r]) => [op, reduce(r)]),
) as { [K in keyof typeof reducers]: Kernel };

export const ArgMax: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const axis = axisIn(node, getInt(node, 'axis', 0), x.dims.length);
  const last = getInt(node, 'select_last_index', 0) === 1;
  const keep = getInt(node, 'keepdims', 1) === 1;
  const y = output('int64', reducedShape(x.dims, [axis], keep));
  const outer = numel(x.dims.slice(0, axis));
  const n = x.dims[axis];
  const inner = numel(x.dims.slice(axis + 1));
  for (let a = 0; a < outer; a++) {
    for (let r = 0; r < inner; r++) {
      let best = -Infinity;
      let index = 0;
      for (let i = 0; i < n; i++) {
        const v = x.data[(a * n + i) * inner + r];
        if (i === 0 || v > best || (last && v === best)) {
          best = v;
          index = i;
        }
      }
      y.data[a * inner + r] = index;
    }
  }
  return [y];
};
