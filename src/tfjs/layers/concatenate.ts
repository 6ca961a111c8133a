/** Concatenate along config `axis` (default −1: the channel axis of maps, IR axis 1) → ONNX Concat. */
import { attr } from '../../ir/graph.js';
import { irAxis, kerasOrdered, plain, spatial } from './layout.js';
import type { LayerConverter } from './types.js';

export const concatenate: LayerConverter = {
  arity: [2, Infinity],
  convert(ctx, inputs) {
    const rank = inputs[0].shape.length;
    if (!inputs.every((t) => t.shape.length === rank)) ctx.fail(`concatenates tensors of different ranks ${inputs.map((t) => `[${t.shape}]`).join(', ')}`);
    const kerasAxis = ctx.config.int('axis', -1);
    const axis = irAxis(ctx, kerasAxis, rank);
    const along = kerasAxis < 0 ? kerasAxis + rank : kerasAxis;
    const rest = (shape: readonly number[]) => shape.filter((_, i) => i !== along).join();
    if (!inputs.every((t) => rest(t.shape) === rest(inputs[0].shape))) {
      ctx.fail(`concatenates tensors ${inputs.map((t) => `[${t.shape}]`).join(', ')} that differ off axis ${kerasAxis}`);
    }
    // Maps are concatenated as NCHW; anything else in Keras order.
    const values = inputs.map((t) => (rank === 4 ? t.value : kerasOrdered(ctx, t)));
    const y = ctx.op('Concat', values, { axis: attr.int(axis) }, 'concat');
    return rank === 4 ? spatial(ctx.b, y) : plain(ctx.b, y);
  },
};
