/**
 * Conv backward for the input (never the weights):
 *   dX = ConvTranspose(dY, W) with the forward strides, pads, dilations and group, and
 *   output_padding_i = X_i − (s_i·(Y_i − 1) + (k_i − 1)·d_i + 1 − pad_begin_i − pad_end_i).
 * Fast form for stride 1 on every axis (several times faster on onnxruntime's CPU): a plain Conv of dY
 * with W rotated 180° and in/out channels swapped per group,
 *   W'[g·C/g + c, m, i, j] = W[g·M/g + m, c, k_h−1−i, k_w−1−j],
 * padding d·(k−1) − pad_begin before and d·(k−1) − pad_end after. W' is built inside the graph from the
 * original initializer (Reshape/Transpose/Slice), which the runtime folds once at load, so the file does
 * not carry the weights twice.
 *
 * Few input channels (the first layer of an RGB or grey model, C ≤ 4), 2-D, stride 1, group 1, no
 * dilation, even H and W: the flipped-weight Conv would write C output channels, which onnxruntime's
 * blocked layout pads to 16 (C = 3 wastes 13/16 of the work). Instead the 2×2 output phases become
 * channels (polyphase form): with q the fast form's padding, dX[c, 2i+a, 2j+e] =
 *   Σ_{m,u,v} W'[c,m,u,v]·dY[m, 2i+a+u−q_h, 2j+e+v−q_w]
 * is a stride-2 Conv of dY with the (k+1)×(k+1) kernels P[4c + 2a + e] = W' shifted by (a, e) (zero
 * padded: a rows above, 1−a below; e columns left, 1−e right), padding q before and after, whose 4C
 * output channels are interleaved back to [C, H, W] (interleavePhases). The conv runs at
 * a quarter of the positions; the window count is ⌊(H − 2)/2⌋ + 1 = H/2 exactly.
 *
 * Strided depthwise Conv (group = C = M, one filter per channel): the gradient is spread onto the input
 * grid and goes through a flipped depthwise Conv (../depthwiseAdjoint.ts) instead of a grouped
 * ConvTranspose.
 *
 * Other strided Convs keep the ConvTranspose, which onnxruntime's CPU provider runs only in plain NCHW.
 * Where C is a multiple of its channel block (16 with AVX-512, 8 with AVX2), the ConvTranspose is
 * followed by an identity depthwise 1×1 Conv (weight 1, exact): that brings the gradient back into the
 * blocked NCHWc layout. Without it the NCHW output carries on down the residual path of a ResNet (the
 * Add of the two branch gradients and every later rectifier Mul and gradient Add stay in NCHW, with a
 * layout reorder at each mask and each adjoint convolution, 24 reorders in ResNet-18's saliency graph);
 * with it the Adds fuse into the adjoint convolutions as their sum and the reorders drop to one pair
 * per ConvTranspose. Saliency graphs in one-process A/B runs (medians of paired runs): resnet20 0.94×
 * the time (0.975× with spinning threads), torchvision resnet50 0.97×, resnet18 0.99×, inception_v3
 * 1.00×; same values. onnxruntime-web's WebAssembly backend has no blocked layout, so there the Conv
 * is one more element-wise pass; its saliency graphs measured 0.97× (resnet20) and 1.00× (resnet18)
 * the time in the same kind of A/B runs, one thread: no cost seen.
 */
import type { GraphBuilder } from '../../ir/builder.js';
import { attr, getInt, getInts } from '../../ir/graph.js';
import { windowGeometry } from '../../ir/ops/windowed.js';
import { makeTensor } from '../../ir/tensor.js';
import { depthwiseAdjoint } from '../depthwiseAdjoint.js';
import type { BackwardRule } from '../types.js';
import { depthwiseAffine } from '../util.js';

/** W [M, C/g, k…] → W' [C, M/g, k…] flipped on every spatial axis. */
export function flippedTransposedWeight(b: GraphBuilder, w: string, group: number): string {
  const [m, cPerGroup, ...kernel] = b.shape(w);
  const n = kernel.length;
  const spatialAxes = kernel.map((_, i) => i + 2);
  let swapped: string;
  if (group === 1) {
    swapped = b.op('Transpose', [w], { perm: attr.ints([1, 0, ...spatialAxes]) }, 'w_swapped');
  } else {
    const grouped = b.op('Reshape', [w, b.int64([group, m / group, cPerGroup, ...kernel])]);
    const t = b.op('Transpose', [grouped], { perm: attr.ints([0, 2, 1, ...kernel.map((_, i) => i + 3)]) });
    swapped = b.op('Reshape', [t, b.int64([group * cPerGroup, m / group, ...kernel])], {}, 'w_swapped');
  }
  const minusOne = new Array(n).fill(-1);
  const end = new Array(n).fill(-Number.MAX_SAFE_INTEGER);
  return b.op('Slice', [swapped, b.int64(minusOne), b.int64(end), b.int64(spatialAxes), b.int64(minusOne)], {}, 'w_flipped');
}

/** A ConvTranspose adjoint with a multiple of this many channels is brought back into NCHWc (see above). */
const BLOCKED_LAYOUT_CHANNELS = 16;

/** Adjoints with at most this many output channels take the polyphase form (see above). */
const POLYPHASE_MAX_CHANNELS = 4;

/** The polyphase stride-1 adjoint (header): Conv stride 2 with 4C shifted kernels, then the interleave. */
function polyphaseAdjoint(b: GraphBuilder, grad: string, w: string, kernel: number[], pads: number[]): string {
  const flipped = flippedTransposedWeight(b, w, 1);
  const [, m] = b.shape(flipped);
  const channels = b.shape(w)[1];
  const phases = [[0, 0], [0, 1], [1, 0], [1, 1]].map(([a, e]) => b.op('Unsqueeze', [
    b.op('Pad', [flipped, b.int64([0, 0, a, e, 0, 0, 1 - a, 1 - e], 'pads')], { mode: attr.string('constant') }, 'w_phase'),
    b.int64([1]),
  ]));
  const stacked = b.op('Reshape', [
    b.op('Concat', phases, { axis: attr.int(1) }), b.int64([4 * channels, m, ...kernel.map((k) => k + 1)]),
  ], {}, 'w_phases');
  const phaseMaps = b.op('Conv', [grad, stacked], {
    pads: attr.ints(pads),
    strides: attr.ints([2, 2]),
    kernel_shape: attr.ints(kernel.map((k) => k + 1)),
  }, 'conv_dx_phases');
  return interleavePhases(b, phaseMaps, channels);
}

/**
 * [B, 4C, h, w] with channel 4c + 2a + e holding the (a, e) phase of channel c → [B, C, 2h, 2w]: a
 * ConvTranspose with 2×2 kernels, stride 2 and one group per channel, whose kernel puts phase (a, e) at
 * offset (a, e) (K[4c + p, 0, a, e] = 1[p = 2a + e]). The windows do not overlap, so each output is one
 * input times 1, exactly. onnxruntime runs it in about half the time of DepthToSpace (0.15 against
 * 0.35 ms for [1, 12, 112, 112]).
 */
function interleavePhases(b: GraphBuilder, phaseMaps: string, channels: number): string {
  const placement = Array.from({ length: 4 * channels * 4 }, (_, i) => (Math.floor(i / 4) % 4 === i % 4 ? 1 : 0));
  const kernel = b.constant(makeTensor('float32', [4 * channels, 1, 2, 2], placement), 'phase_placement');
  return b.op('ConvTranspose', [phaseMaps, kernel], {
    group: attr.int(channels), kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]),
  }, 'conv_dx');
}

export const conv: BackwardRule = ({ b, node, dy, needs }) => {
  const [x, w] = node.inputs;
  const grad = dy[0];
  if (!grad || !needs(0)) return [];
  if (needs(1)) throw new Error(`Conv node '${node.name}': gradients with respect to weights are never needed`);
  const xShape = b.shape(x);
  const yShape = b.shape(node.outputs[0]);
  const kernel = b.shape(w).slice(2);
  const n = kernel.length;
  const geo = windowGeometry(node, xShape.slice(2), [...getInts(node, 'kernel_shape', kernel)]);
  const group = getInt(node, 'group', 1);
  const fastPads = [
    ...kernel.map((k, i) => geo.dilations[i] * (k - 1) - geo.pads[i]),
    ...kernel.map((k, i) => geo.dilations[i] * (k - 1) - geo.pads[i + n]),
  ];
  if (geo.strides.every((s) => s === 1) && fastPads.every((p) => p >= 0)) {
    const polyphase = n === 2 && group === 1 && xShape[1] <= POLYPHASE_MAX_CHANNELS && geo.dilations.every((d) => d === 1)
      && xShape[2] % 2 === 0 && xShape[3] % 2 === 0;
    if (polyphase) return [polyphaseAdjoint(b, grad, w, kernel, fastPads)];
    const flipped = flippedTransposedWeight(b, w, group);
    const dx = b.op('Conv', [grad, flipped], {
      pads: attr.ints(fastPads),
      dilations: attr.ints(geo.dilations),
      group: attr.int(group),
      kernel_shape: attr.ints(kernel),
    }, 'conv_dx');
    return [dx];
  }
  const depthwise = group > 1 && group === xShape[1] && b.shape(w)[0] === group;
  const spread = depthwise ? depthwiseAdjoint(b, grad, () => flippedTransposedWeight(b, w, group), geo, xShape.slice(2), 'conv_dx') : undefined;
  if (spread) return [spread];
  const outputPadding = kernel.map(
    (k, i) => xShape[i + 2] - (geo.strides[i] * (yShape[i + 2] - 1) + (k - 1) * geo.dilations[i] + 1 - geo.pads[i] - geo.pads[i + n]),
  );
  const dx = b.op('ConvTranspose', [grad, w], {
    strides: attr.ints(geo.strides),
    pads: attr.ints(geo.pads),
    dilations: attr.ints(geo.dilations),
    group: attr.int(group),
    kernel_shape: attr.ints(kernel),
    output_padding: attr.ints(outputPadding),
  }, 'conv_dx');
  const blocked = n === 2 && xShape[1] % BLOCKED_LAYOUT_CHANNELS === 0;
  return [blocked ? depthwiseAffine(b, dx, 1, 0, 'conv_dx_blocked') : dx];
};
