/**
 * Clip y = min(max(x, lo), hi): derivative 1[lo < x < hi], 0 at both kinks (PyTorch's hardtanh_backward,
 * which ReLU6 uses). Since y = clamp(x), lo < x < hi ⇔ lo < y < hi, so the mask comes from the output.
 * Clip with lo = 0 (ReLU6) is a rectifier and takes the method's rule; any other Clip is exact.
 */
import type { BackwardRule } from '../types.js';
import { maskOf } from '../util.js';

export const clip: BackwardRule = ({ b, node, dy, rectifier }) => {
  const grad = dy[0];
  if (!grad) return [];
  const [, lo, hi] = node.inputs;
  if (!lo && !hi) return [grad];
  const y = node.outputs[0];
  const derivative = () => {
    const above = lo ? b.op('Greater', [y, lo]) : undefined;
    const below = hi ? b.op('Less', [y, hi]) : undefined;
    const inside = above && below ? b.op('And', [above, below]) : (above ?? below)!;
    return maskOf(b, inside);
  };
  const loValue = lo ? b.constantValue(lo)?.data[0] : undefined;
  if (loValue === 0) return [rectifier(b, grad, derivative)];
  return [b.op('Mul', [grad, derivative()])];
};
