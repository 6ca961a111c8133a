/**
 * Slice (opset ≥ 10 form; older forms are upgraded on import): y[…, o, …] = x[…, start + o·step, …].
 * The adjoint puts each dY element back where it was read and zeros elsewhere:
 *   step 1:  dX = Pad(dY, begin = start, end = n − start − length)
 *   step s:  dY is first spread out by s (zeros between elements: Unsqueeze, Pad s − 1 zeros, Reshape),
 *            then padded from the lowest index read; a negative step reverses dY along the axis first
 *            (it read x from start downwards). End pads below 0 crop the spread's trailing zeros.
 * starts, ends, axes and steps must be compile-time constants (they are for static shapes).
 */
import { HeatlensError } from '../../errors.js';
import { attr } from '../../ir/graph.js';
import { resolveSlice } from '../../ir/ops/slice.js';
import { makeTensor } from '../../ir/tensor.js';
import type { BackwardRule } from '../types.js';

export const slice: BackwardRule = ({ b, node, dy, needs }) => {
  const grad = dy[0];
  if (!grad || !needs(0)) return [];
  const xShape = b.shape(node.inputs[0]);
  const ints = (i: number): number[] | undefined => {
    if (!node.inputs[i]) return undefined;
    const t = b.constantValue(node.inputs[i]);
    if (!t) throw new HeatlensError(`Slice node '${node.name}': input ${i} must be a compile-time constant to differentiate`, 'E_SHAPE');
    return Array.from(t.data);
  };
  const parts = resolveSlice(xShape, ints(1)!, ints(2)!, ints(3), ints(4));
  if (parts.some((p) => p.length === 0)) {
    return [b.op('ConstantOfShape', [b.int64([...xShape])], { value: attr.tensor(makeTensor('float32', [1], [0])) }, 'slice_dx')];
  }
  const rank = xShape.length;
  const pads = new Array<number>(2 * rank).fill(0);
  let g = grad;
  for (const { axis, start, step, length } of parts) {
    const s = Math.abs(step);
    if (step < 0) {
      const reversed = Array.from({ length }, (_, i) => length - 1 - i);
      g = b.op('Gather', [g, b.int64(reversed, 'reverse')], { axis: attr.int(axis) });
    }
    if (s > 1) {
      const shape = [...b.shape(g)];
      const spread = [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)];
      const padSpread = new Array<number>(2 * (rank + 1)).fill(0);
      padSpread[axis + 1 + rank + 1] = s - 1;
      const padded = b.op('Pad', [b.op('Reshape', [g, b.int64(spread, 'shape')]), b.int64(padSpread, 'pads')], { mode: attr.string('constant') });
      shape[axis] = length * s;
      g = b.op('Reshape', [padded, b.int64(shape, 'shape')]);
    }
    const lowest = step < 0 ? start + (length - 1) * step : start;
    pads[axis] = lowest;
    pads[axis + rank] = xShape[axis] - lowest - length * s;
  }
  return [b.op('Pad', [g, b.int64(pads, 'pads')], { mode: attr.string('constant') }, 'slice_dx')];
};
