/**
 * BatchNormalization (inference): Y = (X − mean)/√(var + ε)·scale + B, Y of X's dtype and shape.
 * training_mode = 1 (batch statistics and the running-mean/var outputs) is refused: heatlens compiles
 * inference graphs.
 */
import { getInt } from '../graph.js';
import { type OpSchema, input, need } from './schema.js';

export const BatchNormalization: OpSchema = {
  arity: [1, 5],
  infer(ctx) {
    need(getInt(ctx.node, 'training_mode', 0) === 0, 'attribute training_mode = 1 is not supported (heatlens compiles inference graphs)');
    need(ctx.node.outputs.filter((o) => o).length <= 1, 'the running mean/var outputs (training mode) are not supported');
    return [input(ctx, 0)];
  },
};
