/**
 * The rectifiers — Relu, LeakyRelu, and Clip with a lower bound of 0 (ReLU6) — where attribution
 * methods differ (exact, guided, deconv rules). Each one's exact derivative is a function of its
 * output y alone (they are monotone, so y determines which side of each kink x is on):
 *   Relu           d = 1[y > 0]                        (0 at the kink, PyTorch's threshold_backward)
 *   LeakyRelu(α)   d = 1 if y > 0 else α               (α at the kink, PyTorch's leaky_relu_backward)
 *   Clip(lo, hi)   d = 1[lo < y < hi]                  (0 at both kinks, PyTorch's hardtanh_backward)
 * Taking masks from outputs lets the runtime keep Conv+activation fused in the forward pass. The masks
 * are step masks (../stepMasks.ts): exact, and laid out like the convolutions around them.
 */
import type { GraphBuilder } from '../../ir/builder.js';
import { getFloat, type Node } from '../../ir/graph.js';
import { stepMask } from '../stepMasks.js';
import { maskOf } from '../util.js';

type Derivative = (b: GraphBuilder, node: Node, y: string) => string;

const DERIVATIVES: Readonly<Record<string, Derivative>> = {
  Relu: (b, _node, y) => stepMask(b, y, { threshold: 0, side: 'above' }),
  LeakyRelu: (b, node, y) => stepMask(b, y, { threshold: 0, side: 'above', off: getFloat(node, 'alpha', 0.01) }),
  Clip: (b, node, y) => {
    const [, lo, hi] = node.inputs;
    const side = (bound: string, which: 'above' | 'below') => {
      const value = b.constantValue(bound);
      if (value?.data.length === 1) return stepMask(b, y, { threshold: value.data[0], side: which });
      // A bound computed at run time: compare with it.
      return maskOf(b, b.op(which === 'above' ? 'Greater' : 'Less', [y, bound]));
    };
    const above = lo ? side(lo, 'above') : undefined;
    const below = hi ? side(hi, 'below') : undefined;
    return above && below ? b.op('Mul', [above, below], {}, 'clip_mask') : (above ?? below)!;
  },
};

/** Whether `node` is a rectifier (the method's rule applies): Relu, LeakyRelu, Clip with lower bound 0. */
export function isRectifier(b: GraphBuilder, node: Node): boolean {
  if (node.op === 'Relu' || node.op === 'LeakyRelu') return true;
  if (node.op !== 'Clip' || !node.inputs[1]) return false;
  return b.constantValue(node.inputs[1])?.data[0] === 0;
}

/** The exact local derivative of an element-wise activation, evaluated on (a value like) its output y. */
export function derivativeFromOutput(b: GraphBuilder, node: Node, y: string): string {
  return DERIVATIVES[node.op](b, node, y);
}
