/**
 * BiasAdd: y = x + bias, bias [C] on the last (NHWC channel) axis. Folded into the producing Conv or
 * Gemm when possible, else an Add with the bias as [C,1,1] against the NCHW form.
 */
import type { GraphImport, TfValue } from '../context.js';
import { channelValues, foldChannelAffine } from '../fold.js';
import type { TfNodeDef } from '../types.js';
import { broadcastBinary } from './arithmetic.js';
import { type TfOp, floatType, nhwc } from './op.js';

/** x + bias for TF `node`; `key` is x's TF tensor key when other nodes could read x. */
export function addBias(ctx: GraphImport, node: TfNodeDef, x: TfValue, bias: TfValue, key?: string, suffix?: string): TfValue {
  const dims = ctx.tfShape(x);
  const biasDims = ctx.tfShape(bias);
  if (biasDims.length !== 1 || biasDims[0] !== dims[dims.length - 1]) {
    throw ctx.fail(node, `bias [${biasDims}] must be 1-D with the ${dims[dims.length - 1]} channels of the input [${dims}]`);
  }
  const values = channelValues(ctx, x, bias);
  if (values && foldChannelAffine(ctx, x, 'Add', values, key)) return x;
  return broadcastBinary(ctx, node, 'Add', x, bias, suffix);
}

export const biasAdd: TfOp = {
  check: (node) => [...floatType(node), ...nhwc(node)],
  convert(ctx, node) {
    ctx.set(node, addBias(ctx, node, ctx.input(node, 0), ctx.input(node, 1), ctx.inputKey(node, 0)));
  },
};
