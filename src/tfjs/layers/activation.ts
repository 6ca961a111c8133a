/** Activation layer: the named activation function (activations.ts) applied elementwise. */
import { activate } from './activations.js';
import type { LayerConverter } from './types.js';

export const activation: LayerConverter = {
  arity: [1, 1],
  convert: (ctx, [x]) => activate(ctx, x),
};
