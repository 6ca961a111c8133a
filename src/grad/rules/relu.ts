/** Relu: a rectifier; its derivative 1[y > 0] comes from the output (see rectifiers.ts). */
import type { BackwardRule } from '../types.js';
import { derivativeFromOutput } from './rectifiers.js';

export const relu: BackwardRule = ({ b, node, dy, rectifier }) => {
  const grad = dy[0];
  if (!grad) return [];
  return [rectifier(b, grad, () => derivativeFromOutput(b, node, node.outputs[0]))];
};
