/**
 * HardSwish y = x·max(0, min(1, x/6 + 1/2)):
 *   dx = dy·d,  d = 0 for x < −3,  x/3 + 1/2 for −3 ≤ x ≤ 3,  1 for x > 3,
 * PyTorch's hardswish_backward convention at the kinks (d(−3) = −1/2, d(3) = 3/2: the middle piece's
 * slope, closed at both ends). y is not monotone, so d is taken from the input x. Not a rectifier:
 * guided backprop and DeconvNet keep this exact derivative (as Captum does).
 */
import type { BackwardRule } from '../types.js';

export const hardSwish: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const x = node.inputs[0];
  const middle = b.op('Add', [b.op('Div', [x, b.scalar(3)]), b.scalar(0.5)]);
  const upper = b.op('Where', [b.op('LessOrEqual', [x, b.scalar(3)]), middle, b.scalar(1)]);
  const slope = b.op('Where', [b.op('Less', [x, b.scalar(-3)]), b.scalar(0), upper], {}, 'hardswish_slope');
  return [b.op('Mul', [grad, slope])];
};
