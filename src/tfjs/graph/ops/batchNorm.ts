/**
 * FusedBatchNorm / FusedBatchNormV3 in inference form:
 *   y = scale·(x − mean)/√(variance + epsilon) + offset   (epsilon default 1e-4)
 * → BatchNormalization on the NCHW form (channel axis 1), which canonicalisation folds into a preceding
 * Conv. is_training = true (batch statistics) is rejected; tfjs also uses the stored statistics.
 */
import { attr } from '../../../ir/graph.js';
import { getBool, getFloat } from '../attrs.js';
import type { GraphImport, TfValue } from '../context.js';
import type { TfNodeDef } from '../types.js';
import { type TfOp, floatType, nhwc } from './op.js';

/** `params` = [scale, offset, mean, variance], each [C]. */
export function batchNorm(ctx: GraphImport, node: TfNodeDef, x: TfValue, params: readonly TfValue[], epsilon: number, suffix?: string): TfValue {
  const dims = ctx.tfShape(x);
  const channels = dims[dims.length - 1];
  for (const p of params) {
    const d = ctx.tfShape(p);
    if (d.length !== 1 || d[0] !== channels) throw ctx.fail(node, `batch-norm parameters must be [${channels}], got [${d}]`);
  }
  const input = dims.length === 4 ? ctx.nchw(x, node) : dims.length === 2 ? ctx.plain(x) : undefined;
  if (input === undefined) throw ctx.fail(node, `batch norm of a ${dims.length}-D tensor [${dims}] is not supported (2-D or 4-D)`);
  const name = ctx.op(node, 'BatchNormalization', [input, ...params.map((p) => ctx.plain(p))], { epsilon: attr.float(epsilon) }, suffix);
  return { name, layout: dims.length === 4 ? 'nchw' : 'plain' };
}

export const fusedBatchNorm: TfOp = {
  check: (node) => [
    ...floatType(node),
    ...nhwc(node),
    ...(getBool(node, 'is_training', false) ? ['is_training = true (batch statistics; heatlens imports inference graphs)'] : []),
  ],
  convert(ctx, node) {
    const params = [1, 2, 3, 4].map((i) => ctx.input(node, i));
    ctx.set(node, batchNorm(ctx, node, ctx.input(node, 0), params, getFloat(node, 'epsilon', 1e-4)));
  },
};
