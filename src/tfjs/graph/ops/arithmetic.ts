/**
 * Broadcasting binary arithmetic: Add / AddV2 / Sub / Mul / RealDiv (numpy broadcasting, as ONNX).
 * With a 4-D NCHW operand the other is brought to NCHW broadcasting form: TF dims right-aligned to
 * rank 4, permuted NHWC → NCHW, leading 1s dropped ([C] → [C,1,1], a scalar stays a scalar). Per-channel
 * constant Add/Sub/Mul on a Conv (BN folded into Mul + Add, biases) are folded into the Conv.
 */
import { attr } from '../../../ir/graph.js';
import type { GraphImport, TfValue } from '../context.js';
import { channelValues, foldChannelAffine } from '../fold.js';
import { NHWC_TO_NCHW } from '../layout.js';
import type { TfNodeDef } from '../types.js';
import { type TfOp, floatType } from './op.js';

/** `v` (a plain TF tensor of rank ≤ 4) in the broadcasting form of an NCHW operand; undefined for rank > 4. */
export function alignToNchw(ctx: GraphImport, node: TfNodeDef, v: TfValue): string | undefined {
  if (v.layout === 'nchw') return v.name;
  const dims = ctx.tfShape(v);
  if (dims.length === 0 || dims.every((d) => d === 1)) return dims.length <= 1 ? v.name : ctx.op(node, 'Reshape', [v.name, ctx.b.int64([1])], {}, 'scalar');
  if (dims.length > 4) return undefined;
  const four = [...new Array(4 - dims.length).fill(1), ...dims];
  const reshaped = dims.length === 4 ? v.name : ctx.op(node, 'Reshape', [v.name, ctx.b.int64(four)], {}, 'rank4');
  const nchw = ctx.op(node, 'Transpose', [reshaped], { perm: attr.ints(NHWC_TO_NCHW) }, 'nchw');
  const target = NHWC_TO_NCHW.map((a) => four[a]);
  while (target.length > 1 && target[0] === 1) target.shift();
  return target.length === 4 ? nchw : ctx.op(node, 'Reshape', [nchw, ctx.b.int64(target)], {}, 'broadcast');
}

/** y = op(a, b) in the layout of its operands: NCHW when either is NCHW (and the other aligns), else plain. */
export function broadcastBinary(ctx: GraphImport, node: TfNodeDef, op: string, a: TfValue, b: TfValue, suffix?: string): TfValue {
  if (a.layout === 'nchw' || b.layout === 'nchw') {
    const x = alignToNchw(ctx, node, a);
    const y = alignToNchw(ctx, node, b);
    if (x !== undefined && y !== undefined) return { name: ctx.op(node, op, [x, y], {}, suffix), layout: 'nchw' };
  }
  return { name: ctx.op(node, op, [ctx.plain(a), ctx.plain(b)], {}, suffix), layout: 'plain' };
}

const ONNX_OP: Readonly<Record<string, string>> = { Add: 'Add', AddV2: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div' };

function tryFold(ctx: GraphImport, node: TfNodeDef): boolean {
  const op = ONNX_OP[node.op];
  if (op === 'Div') return false;
  for (const side of [0, 1]) {
    if (op === 'Sub' && side === 1) continue; // c − x is not an affine fold of x
    const x = ctx.input(node, side);
    const values = channelValues(ctx, x, ctx.input(node, 1 - side));
    if (!values) continue;
    const kind = op === 'Mul' ? 'Mul' : 'Add';
    const signed = op === 'Sub' ? values.map((v) => -v) : values;
    if (foldChannelAffine(ctx, x, kind, signed, ctx.inputKey(node, side))) {
      ctx.set(node, x);
      return true;
    }
  }
  return false;
}

export const arithmetic: TfOp = {
  check: (node) => floatType(node),
  convert(ctx, node) {
    if (tryFold(ctx, node)) return;
    ctx.set(node, broadcastBinary(ctx, node, ONNX_OP[node.op], ctx.input(node, 0), ctx.input(node, 1)));
  },
};
