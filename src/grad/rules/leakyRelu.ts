/** LeakyRelu(α): a rectifier; derivative 1 where y > 0, α elsewhere, from the output (see rectifiers.ts). */
import type { BackwardRule } from '../types.js';
import { derivativeFromOutput } from './rectifiers.js';

export const leakyRelu: BackwardRule = ({ b, node, dy, rectifier }) => {
  const grad = dy[0];
  if (!grad) return [];
  return [rectifier(b, grad, () => derivativeFromOutput(b, node, node.outputs[0]))];
};
