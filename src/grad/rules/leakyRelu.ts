/**
 * LeakyRelu y = x if x > 0 else α·x: derivative 1 for x > 0 and α otherwise (α at the kink, as PyTorch's
 * leaky_relu_backward). For α > 0, y > 0 ⇔ x > 0, so the mask comes from the output:
 *   d = α + (1 − α)·1[y > 0].
 * A rectifier: the method's rule applies.
 */
import { getFloat } from '../../ir/graph.js';
import type { BackwardRule } from '../types.js';
import { maskOf } from '../util.js';

export const leakyRelu: BackwardRule = ({ b, node, dy, rectifier }) => {
  const grad = dy[0];
  if (!grad) return [];
  const alpha = getFloat(node, 'alpha', 0.01);
  const derivative = () => {
    const positive = maskOf(b, b.op('Greater', [node.outputs[0], b.scalar(0)]));
    return b.op('Add', [b.op('Mul', [positive, b.scalar(1 - alpha)]), b.scalar(alpha)], {}, 'leaky_mask');
  };
  return [rectifier(b, grad, derivative)];
};
