/**
 * Relu y = max(x, 0): exact derivative 1[x > 0] (0 at the kink, as PyTorch's threshold_backward),
 * taken from the output as Sign(y) = 1[y > 0] so the runtime can still fuse Conv+Relu forward.
 * What is applied is the method's rectifier rule (exact, guided, deconv).
 */
import type { BackwardRule } from '../types.js';

export const relu: BackwardRule = ({ b, node, dy, rectifier }) => {
  const grad = dy[0];
  if (!grad) return [];
  return [rectifier(b, grad, () => b.op('Sign', [node.outputs[0]], {}, 'relu_mask'))];
};
