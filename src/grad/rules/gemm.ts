/**
 * Gemm Y = α·A'·B' + β·C (A' = Aᵀ if transA, B' = Bᵀ if transB):
 *   dA' = α·dY·B'ᵀ  ⇒  dA = α·dY·B'ᵀ (transA = 0) or α·B'·dYᵀ (transA = 1)
 *   dB' = α·A'ᵀ·dY  ⇒  dB = α·A'ᵀ·dY (transB = 0) or α·dYᵀ·A' (transB = 1)
 *   dC  = β·dY summed over C's broadcast axes.
 * Each is one Gemm node with the transposes expressed as flags, so no Transpose is materialised.
 */
import { attr, getFloat, getInt } from '../../ir/graph.js';
import type { BackwardRule } from '../types.js';
import { unbroadcast } from '../util.js';

export const gemm: BackwardRule = ({ b, node, dy, needs }) => {
  const grad = dy[0];
  if (!grad) return [];
  const [a, bMat, c] = node.inputs;
  const alpha = getFloat(node, 'alpha', 1);
  const beta = getFloat(node, 'beta', 1);
  const transA = getInt(node, 'transA', 0);
  const transB = getInt(node, 'transB', 0);
  const gemm = (p: string, q: string, tp: number, tq: number, scale: number) =>
    b.op('Gemm', [p, q], { alpha: attr.float(scale), transA: attr.int(tp), transB: attr.int(tq) }, 'gemm_grad');
  const da = needs(0) ? (transA ? gemm(bMat, grad, transB, 1, alpha) : gemm(grad, bMat, 0, 1 - transB, alpha)) : undefined;
  const db = needs(1) ? (transB ? gemm(grad, a, 1, transA, alpha) : gemm(a, grad, 1 - transA, 0, alpha)) : undefined;
  let dc: string | undefined;
  if (c && needs(2)) {
    const scaled = beta === 1 ? grad : b.op('Mul', [grad, b.scalar(beta)]);
    dc = unbroadcast(b, scaled, b.shape(c));
  }
  return [da, db, dc];
};
