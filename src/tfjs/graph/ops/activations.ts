/**
 * Element-wise activations, in whatever layout their input is:
 *   Relu → Relu;  Relu6 → Clip(x, 0, 6);  LeakyRelu(alpha, TF default 0.2) → LeakyRelu;
 *   Sigmoid → Sigmoid;  Tanh → Tanh.
 */
import { attr } from '../../../ir/graph.js';
import { scalarFloat } from '../../../ir/tensor.js';
import { getFloat } from '../attrs.js';
import type { GraphImport, TfValue } from '../context.js';
import type { TfNodeDef } from '../types.js';
import { type TfOp, floatType } from './op.js';

export type ActivationKind = 'Relu' | 'Relu6' | 'LeakyRelu' | 'Sigmoid' | 'Tanh';

export const ACTIVATIONS: readonly ActivationKind[] = ['Relu', 'Relu6', 'LeakyRelu', 'Sigmoid', 'Tanh'];

export function activation(ctx: GraphImport, node: TfNodeDef, kind: ActivationKind, x: TfValue, alpha: number, suffix?: string): TfValue {
  let name: string;
  if (kind === 'Relu6') {
    const lo = ctx.constant(scalarFloat(0), `${node.name}/clip_min`);
    const hi = ctx.constant(scalarFloat(6), `${node.name}/clip_max`);
    name = ctx.op(node, 'Clip', [x.name, lo, hi], {}, suffix);
  } else if (kind === 'LeakyRelu') {
    name = ctx.op(node, 'LeakyRelu', [x.name], { alpha: attr.float(alpha) }, suffix);
  } else {
    name = ctx.op(node, kind, [x.name], {}, suffix);
  }
  return { name, layout: x.layout };
}

export const unaryActivation = (kind: ActivationKind): TfOp => ({
  check: (node) => floatType(node),
  convert(ctx, node) {
    ctx.set(node, activation(ctx, node, kind, ctx.input(node, 0), getFloat(node, 'alpha', 0.2)));
  },
});
