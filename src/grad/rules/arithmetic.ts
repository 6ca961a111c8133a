/**
 * Broadcasting arithmetic. With gradients summed back over broadcast axes (unbroadcast):
 *   Add: dA = dY, dB = dY          Sub: dA = dY, dB = −dY
 *   Mul: dA = dY·B, dB = dY·A      Div: dA = dY/B, dB = −dY·A/B² = −dY·Y/B
 * Constant operands (weights, scalars) need no gradient and get none.
 */
import type { BackwardRule } from '../types.js';
import { unbroadcast } from '../util.js';

type Side = (x: { grad: string; a: string; b2: string; y: string; op: (o: string, inputs: string[]) => string }) => string;

/** Builds each side's gradient only when that side needs one, so constant operands add no nodes. */
const sided = (left: Side, right: Side): BackwardRule => ({ b, node, dy, needs }) => {
  const grad = dy[0];
  if (!grad) return [];
  const [a, b2] = node.inputs;
  const ctx = { grad, a, b2, y: node.outputs[0], op: (o: string, inputs: string[]) => b.op(o, inputs) };
  return [
    needs(0) ? unbroadcast(b, left(ctx), b.shape(a)) : undefined,
    needs(1) ? unbroadcast(b, right(ctx), b.shape(b2)) : undefined,
  ];
};

export const add = sided(({ grad }) => grad, ({ grad }) => grad);
export const sub = sided(({ grad }) => grad, ({ grad, op }) => op('Neg', [grad]));
export const mul = sided(({ grad, b2, op }) => op('Mul', [grad, b2]), ({ grad, a, op }) => op('Mul', [grad, a]));
export const div = sided(
  ({ grad, b2, op }) => op('Div', [grad, b2]),
  ({ grad, b2, y, op }) => op('Neg', [op('Div', [op('Mul', [grad, y]), b2])]),
);

