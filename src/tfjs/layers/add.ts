/**
 * Add: elementwise sum of ≥ 2 tensors of one shape, as a chain of ONNX Adds. Inputs in the same layout
 * (all maps, all plain, or all the same NCHW-flattened map) are summed as held; otherwise each is
 * brought to Keras order first.
 */
import { kerasOrdered, plain } from './layout.js';
import type { KerasTensor, LayerConverter } from './types.js';

const sameLayout = (a: KerasTensor, b: KerasTensor): boolean =>
  a.shape.join() === b.shape.join() && JSON.stringify(a.nchwFlat) === JSON.stringify(b.nchwFlat);

export const add: LayerConverter = {
  arity: [2, Infinity],
  convert(ctx, inputs) {
    const [first] = inputs;
    if (!inputs.every((t) => t.shape.join() === first.shape.join())) {
      ctx.fail(`adds tensors of different shapes ${inputs.map((t) => `[${t.shape}]`).join(', ')}; heatlens imports Add of equal shapes`);
    }
    const asHeld = inputs.every((t) => sameLayout(t, first));
    const values = inputs.map((t) => (asHeld ? t.value : kerasOrdered(ctx, t)));
    const sum = values.slice(1).reduce((acc, v) => ctx.op('Add', [acc, v], {}, 'add'), values[0]);
    return asHeld ? { ...first, value: sum } : plain(ctx.b, sum);
  },
};
