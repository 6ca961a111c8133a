/**
 * Clip y = min(max(x, lo), hi): derivative 1[lo < y < hi] from the output (see rectifiers.ts). Clip
 * with lo = 0 (ReLU6) is a rectifier and takes the method's rule; any other Clip is exact.
 */
import type { BackwardRule } from '../types.js';
import { derivativeFromOutput, isRectifier } from './rectifiers.js';

export const clip: BackwardRule = ({ b, node, dy, rectifier }) => {
  const grad = dy[0];
  if (!grad) return [];
  if (!node.inputs[1] && !node.inputs[2]) return [grad];
  const derivative = () => derivativeFromOutput(b, node, node.outputs[0]);
  return [isRectifier(b, node) ? rectifier(b, grad, derivative) : b.op('Mul', [grad, derivative()])];
};
