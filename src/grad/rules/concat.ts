/** Concat along `axis`: dX_i = the slice of dY that X_i occupies (one Split node for all inputs). */
import { attr, getInt } from '../../ir/graph.js';
import type { BackwardRule } from '../types.js';

export const concat: BackwardRule = ({ b, node, dy, needs }) => {
  const grad = dy[0];
  if (!grad) return [];
  const rank = b.rank(grad);
  const raw = getInt(node, 'axis', 0);
  const axis = raw < 0 ? raw + rank : raw;
  const sizes = node.inputs.map((x) => b.shape(x)[axis]);
  const parts = b.nodeOutputs('Split', [grad, b.int64(sizes, 'split')], { axis: attr.int(axis) }, sizes.length, 'concat_grad');
  return parts.map((p, i) => (needs(i) ? p : undefined));
};
