/**
 * MatMul Y = A·B (numpy semantics, batched over leading axes):
 *   dA = dY·Bᵀ, dB = Aᵀ·dY (transposes of the last two axes), each summed over its broadcast axes.
 * 1-D operands are promoted ([k] → [1,k] for A, [k,1] for B) and the gradient reshaped back.
 */
import type { GraphBuilder } from '../../ir/builder.js';
import { attr } from '../../ir/graph.js';
import type { BackwardRule } from '../types.js';
import { reshapeTo, unbroadcast } from '../util.js';

function transposeLast2(b: GraphBuilder, x: string): string {
  const rank = b.rank(x);
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return b.op('Transpose', [x], { perm: attr.ints(perm) });
}

export const matmul: BackwardRule = ({ b, node, dy, needs }) => {
  const grad = dy[0];
  if (!grad) return [];
  const [a, bm] = node.inputs;
  const aShape = b.shape(a);
  const bShape = b.shape(bm);
  const a2 = aShape.length === 1 ? reshapeTo(b, a, [1, aShape[0]]) : a;
  const b2 = bShape.length === 1 ? reshapeTo(b, bm, [bShape[0], 1]) : bm;
  // Restore the axes 1-D promotion removed from Y so dY has rank ≥ 2 with the promoted layout.
  const yFull = [...b.shape(grad)];
  if (aShape.length === 1) yFull.splice(yFull.length - (bShape.length === 1 ? 0 : 1), 0, 1);
  if (bShape.length === 1) yFull.push(1);
  const g2 = reshapeTo(b, grad, yFull);
  const da = needs(0) ? reshapeTo(b, unbroadcast(b, b.op('MatMul', [g2, transposeLast2(b, b2)]), b.shape(a2)), aShape) : undefined;
  const db = needs(1) ? reshapeTo(b, unbroadcast(b, b.op('MatMul', [transposeLast2(b, a2), g2]), b.shape(b2)), bShape) : undefined;
  return [da, db];
};
