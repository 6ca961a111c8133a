/** Tanh: dx = dy·(1 − y²). */
import type { BackwardRule } from '../types.js';

export const tanh: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const y = node.outputs[0];
  return [b.op('Mul', [grad, b.op('Sub', [b.scalar(1), b.op('Mul', [y, y])])])];
};
