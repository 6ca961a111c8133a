/**
 * Pure data movement: the gradient is moved back the same way.
 *   Reshape, Flatten, Squeeze, Unsqueeze: dX = Reshape(dY, shape(X))
 *   Transpose(perm): dX = Transpose(dY, perm⁻¹)
 *   Identity, Dropout (inference): dX = dY
 */
import { attr, getInts } from '../../ir/graph.js';
import type { BackwardRule } from '../types.js';
import { reshapeTo } from '../util.js';

export const reshapeLike: BackwardRule = ({ b, node, dy, needs }) => {
  const grad = dy[0];
  if (!grad || !needs(0)) return [];
  return [reshapeTo(b, grad, b.shape(node.inputs[0]))];
};

export const transpose: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const rank = b.rank(grad);
  const perm = getInts(node, 'perm', [...Array(rank).keys()].reverse());
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [b.op('Transpose', [grad], { perm: attr.ints(inverse) })];
};

export const passThrough: BackwardRule = ({ dy }) => [dy[0]];
