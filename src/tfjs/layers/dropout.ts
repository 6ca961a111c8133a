/** Dropout: the identity at inference. */
import type { LayerConverter } from './types.js';

export const dropout: LayerConverter = {
  arity: [1, 1],
  convert: (_ctx, [x]) => x,
};
