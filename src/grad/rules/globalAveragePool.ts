/** GlobalAveragePool y = (1/HW)·Σ x: dX = Expand(dY/(H·W), shape(X)). */
import { numel } from '../../ir/tensor.js';
import type { BackwardRule } from '../types.js';

export const globalAveragePool: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const xShape = b.shape(node.inputs[0]);
  const area = numel(xShape.slice(2));
  const scaled = b.op('Mul', [grad, b.scalar(1 / area)]);
  return [b.op('Expand', [scaled, b.int64([...xShape], 'shape')], {}, 'gap_grad')];
};
