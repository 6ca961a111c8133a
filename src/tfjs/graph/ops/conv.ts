/**
 * Conv2D / _FusedConv2D and DepthwiseConv2dNative / FusedDepthwiseConv2dNative on NHWC, as ONNX Conv
 * on the NCHW form:
 *   Conv2D filter HWIO [kh,kw,I,M] → OIHW = Transpose(3,2,0,1); group = C/I (TF's grouped conv);
 *   depthwise filter [kh,kw,C,m] → [C·m,1,kh,kw] = Reshape(Transpose(2,3,0,1)); group = C
 *     (TF's output channel c·m + j is ONNX group c's output j);
 *   strides / dilations: the H and W entries of the NHWC 4-vectors; pads from TF padding (tfPads).
 */
import { attr } from '../../../ir/graph.js';
import type { GraphImport } from '../context.js';
import type { TfNodeDef } from '../types.js';
import { applyFused, checkFused } from './fused.js';
import { type TfOp, floatType, hw, nhwc, padding, spatialVector, tfPads } from './op.js';

function convert(ctx: GraphImport, node: TfNodeDef, depthwise: boolean, fused: boolean): void {
  const x = ctx.nchw(ctx.input(node, 0), node);
  const [, channels, height, width] = ctx.b.shape(x);
  const filterValue = ctx.input(node, 1);
  const f = ctx.tfShape(filterValue);
  if (f.length !== 4) throw ctx.fail(node, `filter [${f}] must be 4-D (${depthwise ? 'kh, kw, C, multiplier' : 'kh, kw, in, out'})`);
  const [kh, kw, fin, fout] = f;
  const filter = ctx.plain(filterValue);
  let weight: string;
  let group: number;
  if (depthwise) {
    if (fin !== channels) throw ctx.fail(node, `depthwise filter [${f}] is for ${fin} channels, the input has ${channels}`);
    const chw = ctx.op(node, 'Transpose', [filter], { perm: attr.ints([2, 3, 0, 1]) }, 'filter_cmhw');
    weight = ctx.op(node, 'Reshape', [chw, ctx.b.int64([fin * fout, 1, kh, kw])], {}, 'filter');
    group = channels;
  } else {
    if (channels % fin !== 0) throw ctx.fail(node, `filter [${f}] expects ${fin} input channels (or a divisor of the input's), the input has ${channels}`);
    weight = ctx.op(node, 'Transpose', [filter], { perm: attr.ints([3, 2, 0, 1]) }, 'filter');
    group = channels / fin;
  }
  const strides = hw(node, 'strides');
  const dilations = hw(node, 'dilations');
  const pads = tfPads(node, [height, width], [kh, kw], strides, dilations);
  const y = ctx.op(node, 'Conv', [x, weight], {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(strides),
    dilations: attr.ints(dilations),
    pads: attr.ints(pads),
    group: attr.int(group),
  }, fused ? 'conv' : undefined);
  const out = { name: y, layout: 'nchw' as const };
  ctx.set(node, fused ? applyFused(ctx, node, out) : out);
}

const check = (fused: boolean) => (node: TfNodeDef): string[] => [
  ...floatType(node),
  ...nhwc(node),
  ...spatialVector(node, 'strides'),
  ...spatialVector(node, 'dilations'),
  ...padding(node, ['SAME', 'VALID', 'EXPLICIT']),
  ...(fused ? checkFused(node, true) : []),
];

export const conv2d: TfOp = { check: check(false), convert: (ctx, node) => convert(ctx, node, false, false) };
export const fusedConv2d: TfOp = { check: check(true), convert: (ctx, node) => convert(ctx, node, false, true) };
export const depthwiseConv2d: TfOp = { check: check(false), convert: (ctx, node) => convert(ctx, node, true, false) };
export const fusedDepthwiseConv2d: TfOp = { check: check(true), convert: (ctx, node) => convert(ctx, node, true, true) };
