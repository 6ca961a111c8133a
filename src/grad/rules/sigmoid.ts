/** Sigmoid y = 1/(1 + e^−x): dx = dy·y·(1 − y). */
import type { BackwardRule } from '../types.js';

export const sigmoid: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const y = node.outputs[0];
  const slope = b.op('Mul', [y, b.op('Sub', [b.scalar(1), y])]);
  return [b.op('Mul', [grad, slope])];
};
