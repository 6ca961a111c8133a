/** Output sizes of sliding-window ops (Conv, MaxPool, AveragePool), ONNX semantics. */
import type { Node } from '../graph.js';
import { getInt, getInts, getString } from '../graph.js';
import { need } from './schema.js';

export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin_0, begin_1, …, end_0, end_1, …] as in ONNX, after resolving auto_pad. */
  pads: number[];
  ceilMode: boolean;
  outSpatial: number[];
}

/**
 * out = floor_or_ceil((in + pad_begin + pad_end − ((k−1)·d + 1)) / s) + 1.
 * With ceil mode ONNX (like PyTorch) drops a last window that would start inside the end padding.
 * auto_pad SAME_UPPER/SAME_LOWER: out = ceil(in / s), total pad = max(0, (out−1)·s + (k−1)·d + 1 − in),
 * the odd pixel at the end (UPPER) or the beginning (LOWER).
 */
export function windowGeometry(node: Node, inSpatial: readonly number[], kernel: readonly number[]): WindowGeometry {
  const n = inSpatial.length;
  const strides = [...getInts(node, 'strides', new Array(n).fill(1))];
  const dilations = [...getInts(node, 'dilations', new Array(n).fill(1))];
  const ceilMode = getInt(node, 'ceil_mode', 0) === 1;
  const autoPad = getString(node, 'auto_pad', 'NOTSET');
  need(kernel.length === n && strides.length === n && dilations.length === n,
    `kernel [${kernel}], strides [${strides}] and dilations [${dilations}] must each have ${n} entries`);
  let pads: number[];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array(2 * n).fill(0);
    for (let i = 0; i < n; i++) {
      const out = Math.ceil(inSpatial[i] / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inSpatial[i]);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + n] = total - pads[i];
    }
  } else if (autoPad === 'VALID') {
    pads = new Array(2 * n).fill(0);
  } else {
    need(autoPad === 'NOTSET', `unknown auto_pad '${autoPad}'`);
    pads = [...getInts(node, 'pads', new Array(2 * n).fill(0))];
    need(pads.length === 2 * n, `pads [${pads}] must have ${2 * n} entries`);
  }
  const outSpatial = inSpatial.map((size, i) => {
    const span = (kernel[i] - 1) * dilations[i] + 1;
    const room = size + pads[i] + pads[i + n] - span;
    need(room >= 0, `window ${span} (kernel ${kernel[i]}, dilation ${dilations[i]}) is larger than the padded input ${size + pads[i] + pads[i + n]}`);
    let out = (ceilMode ? Math.ceil(room / strides[i]) : Math.floor(room / strides[i])) + 1;
    if (ceilMode && (out - 1) * strides[i] >= size + pads[i]) out--;
    return out;
  });
  return { kernel: [...kernel], strides, dilations, pads, ceilMode, outSpatial };
}
