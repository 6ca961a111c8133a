/**
 * Inference BatchNormalization (the fallback when it cannot be folded into a Conv/Gemm):
 * y = γ·(x − μ)/√(σ² + ε) + β, so dx = dy·γ/√(σ² + ε) per channel (axis 1).
 */
import { getFloat } from '../../ir/graph.js';
import { floatTensor } from '../../ir/tensor.js';
import type { BackwardRule } from '../types.js';

export const batchNorm: BackwardRule = ({ b, node, dy, needs }) => {
  const grad = dy[0];
  if (!grad || !needs(0)) return [];
  const [x, gamma, , , variance] = node.inputs;
  const eps = getFloat(node, 'epsilon', 1e-5);
  const channels = b.shape(x)[1];
  const perChannel = [channels, ...b.shape(x).slice(2).map(() => 1)];
  const g = b.constantValue(gamma);
  const v = b.constantValue(variance);
  let scale: string;
  if (g && v) {
    const s = new Float32Array(channels);
    for (let c = 0; c < channels; c++) s[c] = g.data[c] / Math.sqrt(v.data[c] + eps);
    scale = b.constant(floatTensor(perChannel, s), 'bn_scale');
  } else {
    const std = b.op('Sqrt', [b.op('Add', [variance, b.scalar(eps)])]);
    scale = b.op('Reshape', [b.op('Div', [gamma, std]), b.int64(perChannel)]);
  }
  return [b.op('Mul', [grad, scale])];
};
