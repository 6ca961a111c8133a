/**
 * BatchNormalization (inference) → ONNX BatchNormalization over the Keras channel axis:
 *   y = γ·(x − μ)/√(σ² + ε) + β, γ = 1 when scale=false, β = 0 when center=false.
 * The axis must be the last one (channels-last maps: IR axis 1; [N, F]: axis 1). canonicalise folds
 * it into a preceding Conv or Gemm.
 */
import { attr } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import { kerasValue, plain, spatial } from './layout.js';
import type { LayerConverter } from './types.js';

export const batchNormalization: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    const rank = x.shape.length;
    const raw = ctx.config.raw.axis ?? -1;
    const list = Array.isArray(raw) ? raw : [raw];
    const axes = list.map((a) => (typeof a === 'number' && Number.isInteger(a) && a < 0 ? a + rank : a));
    if (axes.length !== 1 || axes[0] !== rank - 1 || (rank !== 4 && rank !== 2)) {
      ctx.fail(`normalises axis ${JSON.stringify(raw)} of a rank-${rank} input; heatlens imports the channel axis (−1) of 2-D or 4-D inputs`);
    }
    const channels = x.shape[rank - 1];
    const eps = ctx.config.number('epsilon', 1e-3);
    const filled = (value: number) => () => makeTensor('float32', [channels], new Float32Array(channels).fill(value));
    const gamma = ctx.config.bool('scale', true) ? ctx.weight('gamma', [channels]) : undefined;
    const beta = ctx.config.bool('center', true) ? ctx.weight('beta', [channels]) : undefined;
    const mean = ctx.weight('moving_mean', [channels]);
    const variance = ctx.weight('moving_variance', [channels]);
    const input = rank === 4 ? x.value : kerasValue(ctx, x);
    const y = ctx.op('BatchNormalization', [
      input,
      ctx.constant('gamma', gamma ? () => gamma : filled(1)),
      ctx.constant('beta', beta ? () => beta : filled(0)),
      ctx.constant('moving_mean', () => mean),
      ctx.constant('moving_variance', () => variance),
    ], { epsilon: attr.float(eps) }, 'batchnorm');
    return rank === 4 ? spatial(ctx.b, y) : plain(ctx.b, y);
  },
};
