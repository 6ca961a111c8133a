/**
 * MatMul / _FusedMatMul on 2-D operands: y = op(a)·op(b) with op = transpose when transpose_a /
 * transpose_b, as ONNX Gemm(transA, transB); _FusedMatMul's BiasAdd becomes Gemm's C. Batched
 * (rank > 2) products are not supported.
 */
import { attr } from '../../../ir/graph.js';
import { getBool } from '../attrs.js';
import type { GraphImport } from '../context.js';
import type { TfNodeDef } from '../types.js';
import { applyFused, checkFused } from './fused.js';
import { type TfOp, floatType } from './op.js';

function convert(ctx: GraphImport, node: TfNodeDef, fused: boolean): void {
  const a = ctx.input(node, 0);
  const b = ctx.input(node, 1);
  const [da, db] = [ctx.tfShape(a), ctx.tfShape(b)];
  if (da.length !== 2 || db.length !== 2) throw ctx.fail(node, `operands [${da}] and [${db}] must be 2-D (batched MatMul is not supported)`);
  const transA = getBool(node, 'transpose_a', false);
  const transB = getBool(node, 'transpose_b', false);
  const y = ctx.op(node, 'Gemm', [ctx.plain(a), ctx.plain(b)], { transA: attr.int(transA ? 1 : 0), transB: attr.int(transB ? 1 : 0) }, fused ? 'matmul' : undefined);
  const out = { name: y, layout: 'plain' as const };
  ctx.set(node, fused ? applyFused(ctx, node, out) : out);
}

export const matMul: TfOp = { check: (node) => floatType(node), convert: (ctx, node) => convert(ctx, node, false) };
export const fusedMatMul: TfOp = { check: (node) => [...floatType(node), ...checkFused(node, false)], convert: (ctx, node) => convert(ctx, node, true) };
