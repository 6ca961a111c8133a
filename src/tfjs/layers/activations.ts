/**
 * Keras activation functions by their serialised name (the `activation` field of Conv2D, Dense, …
 * and of the Activation layer), as IR nodes. Softmax runs over the last Keras axis (the channel axis,
 * IR axis 1, for a feature map).
 */
import { attr } from '../../ir/graph.js';
import type { KerasTensor, LayerContext } from './types.js';

type ActivationBuilder = (ctx: LayerContext, t: KerasTensor) => KerasTensor;

const unary = (op: string): ActivationBuilder => (ctx, t) => ({ ...t, value: ctx.op(op, [t.value], {}, op.toLowerCase()) });

/** Softmax over the last Keras axis; [N, F] in NCHW flatten order is fine (the sum is over all F). */
const softmax: ActivationBuilder = (ctx, t) => {
  const axis = t.shape.length === 4 ? 1 : -1;
  return { ...t, value: ctx.op('Softmax', [t.value], { axis: attr.int(axis) }, 'softmax') };
};

export const activations: Readonly<Record<string, ActivationBuilder>> = {
  linear: (_ctx, t) => t,
  relu: unary('Relu'),
  // relu6(x) = min(max(x, 0), 6)
  relu6: (ctx, t) => ({ ...t, value: ctx.op('Clip', [t.value, ctx.scalar(0), ctx.scalar(6)], {}, 'relu6') }),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  softmax,
  // swish(x) = silu(x) = x·σ(x)
  swish: (ctx, t) => ({ ...t, value: ctx.op('Mul', [t.value, ctx.op('Sigmoid', [t.value], {}, 'sigmoid')], {}, 'swish') }),
  silu: (ctx, t) => activations.swish(ctx, t),
};

/** Applies the activation named by config `key` (default linear). */
export function activate(ctx: LayerContext, t: KerasTensor, key = 'activation'): KerasTensor {
  const name = ctx.config.has(key) ? ctx.config.string(key) : 'linear';
  if (!Object.hasOwn(activations, name)) {
    ctx.fail(`activation '${name}' is not supported (heatlens imports ${Object.keys(activations).join(', ')})`);
  }
  return activations[name](ctx, t);
}
