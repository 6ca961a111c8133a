/** Softmax along `axis`: dx = y ⊙ (dy − Σ_axis(dy ⊙ y)). */
import { attr, getInt } from '../../ir/graph.js';
import type { BackwardRule } from '../types.js';

export const softmax: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const y = node.outputs[0];
  const axis = getInt(node, 'axis', -1);
  const dot = b.op('ReduceSum', [b.op('Mul', [grad, y]), b.int64([axis])], { keepdims: attr.int(1) });
  return [b.op('Mul', [y, b.op('Sub', [grad, dot])])];
};
