/**
 * HardSigmoid y = max(0, min(1, α·x + β)) (ONNX defaults α = 0.2, β = 0.5; PyTorch's Hardsigmoid
 * exports α = 1/6, β = 1/2): dx = dy·α·1[0 < y < 1], from the output (monotone, so y says which piece x
 * is on). 0 at both kinks, like PyTorch's hardsigmoid_backward (grad/6 only for −3 < x < 3).
 * Not a rectifier: every method differentiates it exactly.
 */
import { getFloat } from '../../ir/graph.js';
import { stepMask } from '../stepMasks.js';
import type { BackwardRule } from '../types.js';

export const hardSigmoid: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const y = node.outputs[0];
  const alpha = getFloat(node, 'alpha', 0.2);
  // α·1[0 < y < 1] as the product of two step masks, the second carrying α as its 'on' value.
  const positive = stepMask(b, y, { threshold: 0, side: 'above' });
  const belowOne = stepMask(b, y, { threshold: 1, side: 'below', on: alpha });
  return [b.op('Mul', [grad, b.op('Mul', [positive, belowOne], {}, 'hardsigmoid_slope')])];
};
