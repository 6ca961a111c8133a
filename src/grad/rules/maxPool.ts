/**
 * MaxPool: the gradient of each output goes to the arg-max of its window; on ties to the FIRST maximum in
 * row-major window order (PyTorch's CPU convention and onnxruntime's Indices). Ties are common: a window
 * of ReLU zeros has four maxima.
 *
 * Non-overlapping windows (kernel = stride, no dilation), the common 2×2/2 case: the input is padded
 * with −∞ to exactly Y·s, regrouped as [N,C,Ho,Wo,s·s], and the first maximum is found without indices:
 *   eq = 1[x = y],  first = eq ⊙ 1[cumsum(eq) = 1],  dX = regroup⁻¹(first ⊙ dY), cropped back.
 * Overlapping windows (ResNet's 3×3/2 stem): MaxPool's Indices output (flat positions in X) and
 * ScatterElements with reduction 'add' into zeros, since overlapping windows may pick the same input
 * (MaxUnpool would overwrite instead of adding).
 */
import type { GraphBuilder } from '../../ir/builder.js';
import { attr, getInts } from '../../ir/graph.js';
import { windowGeometry } from '../../ir/ops/windowed.js';
import { makeTensor, numel } from '../../ir/tensor.js';
import type { BackwardRule } from '../types.js';

function firstMaxRouting(b: GraphBuilder, x: string, y: string, grad: string, kernel: number[], pads: number[]): string {
  const [nb, c, ...spatial] = b.shape(x);
  const out = b.shape(y).slice(2);
  const n = spatial.length;
  // Pad/crop X to exactly out·k per axis; pad with −∞ so padding is never a maximum.
  const endPads = spatial.map((size, i) => out[i] * kernel[i] - size - pads[i]);
  const fullPads = [0, 0, ...pads.slice(0, n), 0, 0, ...endPads];
  const needsPad = fullPads.some((p) => p !== 0);
  const xp = needsPad
    ? b.op('Pad', [x, b.int64(fullPads, 'pads'), b.scalar(-Infinity)], { mode: attr.string('constant') })
    : x;
  // [N,C,o0,k0,o1,k1,…] → [N,C,o0,o1,…,k0,k1,…] → [N,C,o0,o1,…,K]
  const split = [nb, c, ...out.flatMap((o, i) => [o, kernel[i]])];
  const perm = [0, 1, ...out.map((_, i) => 2 + 2 * i), ...out.map((_, i) => 3 + 2 * i)];
  const windowSize = numel(kernel);
  const regrouped = b.op('Reshape', [
    b.op('Transpose', [b.op('Reshape', [xp, b.int64(split)])], { perm: attr.ints(perm) }),
    b.int64([nb, c, ...out, windowSize]),
  ]);
  const yCol = b.op('Unsqueeze', [y, b.int64([-1])]);
  const eq = b.op('Cast', [b.op('Equal', [regrouped, yCol])], { to: attr.int(1) });
  const cumulative = b.op('CumSum', [eq, b.constant(makeTensor('int64', [], [-1]), 'axis')]);
  const first = b.op('Mul', [eq, b.op('Cast', [b.op('Equal', [cumulative, b.scalar(1)])], { to: attr.int(1) })], {}, 'maxpool_first');
  const routed = b.op('Mul', [first, b.op('Unsqueeze', [grad, b.int64([-1])])]);
  // Inverse regrouping: [N,C,o…,K] → [N,C,o…,k…] → [N,C,o0,k0,o1,k1,…] → [N,C,o0·k0,…].
  const inversePerm = new Array<number>(perm.length);
  perm.forEach((p, i) => (inversePerm[p] = i));
  const unsplit = b.op('Reshape', [routed, b.int64([nb, c, ...out, ...kernel])]);
  const back = b.op('Transpose', [unsplit], { perm: attr.ints(inversePerm) });
  const merged = b.op('Reshape', [back, b.int64([nb, c, ...out.map((o, i) => o * kernel[i])])]);
  return needsPad ? b.op('Pad', [merged, b.int64(fullPads.map((p) => -p), 'pads')], { mode: attr.string('constant') }) : merged;
}

function scatterByIndices(b: GraphBuilder, x: string, grad: string, attrs: Parameters<GraphBuilder['op']>[2]): string {
  const [, indices] = b.nodeOutputs('MaxPool', [x], attrs, 2, 'maxpool_indices');
  const xShape = b.shape(x);
  const zeros = b.op('ConstantOfShape', [b.int64([numel(xShape)])], { value: attr.tensor(makeTensor('float32', [1], [0])) });
  const flatIdx = b.op('Reshape', [indices, b.int64([-1])]);
  const flatGrad = b.op('Reshape', [grad, b.int64([-1])]);
  const scattered = b.op('ScatterElements', [zeros, flatIdx, flatGrad], { axis: attr.int(0), reduction: attr.string('add') }, 'maxpool_dx');
  return b.op('Reshape', [scattered, b.int64([...xShape])]);
}

export const maxPool: BackwardRule = ({ b, node, dy }) => {
  const grad = dy[0];
  if (!grad) return [];
  const x = node.inputs[0];
  const kernel = [...getInts(node, 'kernel_shape', [])];
  const geo = windowGeometry(node, b.shape(x).slice(2), kernel);
  const nonOverlapping = kernel.every((k, i) => geo.strides[i] === k && geo.dilations[i] === 1);
  if (nonOverlapping) {
    return [firstMaxRouting(b, x, node.outputs[0], grad, kernel, geo.pads)];
  }
  const attrs = { ...node.attrs };
  delete (attrs as Record<string, unknown>).auto_pad;
  return [scatterByIndices(b, x, grad, { ...attrs, pads: attr.ints(geo.pads) })];
};
