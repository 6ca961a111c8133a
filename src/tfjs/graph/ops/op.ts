/** The contract of one TF op's importer, and the attribute checks several ops share. */
import type { GraphImport } from '../context.js';
import { getInts, getString, getType } from '../attrs.js';
import type { TfNodeDef } from '../types.js';

export interface TfOp {
  /**
   * What makes this node unsupported, from its attributes alone (checked for every node before any is
   * imported, so all problems are reported at once). Empty when it is supported.
   */
  check?(node: TfNodeDef): string[];
  /** Appends the node's IR nodes and records its outputs. */
  convert(ctx: GraphImport, node: TfNodeDef): void;
}

/** Element types the importer computes with (activations are float32 in tfjs). */
export function floatType(node: TfNodeDef, key = 'T'): string[] {
  const t = getType(node, key);
  return t === undefined || t === 'DT_FLOAT' ? [] : [`${key} = ${t} (heatlens imports float32 graphs)`];
}

export function nhwc(node: TfNodeDef): string[] {
  const format = getString(node, 'data_format', 'NHWC');
  return format === 'NHWC' ? [] : [`data_format '${format}' (heatlens imports NHWC graphs)`];
}

/** strides / dilations / ksize: NHWC 4-vectors with 1 on the batch and channel axes. */
export function spatialVector(node: TfNodeDef, key: string): string[] {
  const v = getInts(node, key, [1, 1, 1, 1]);
  return v.length === 4 && v[0] === 1 && v[3] === 1 && v[1] >= 1 && v[2] >= 1 ? [] : [`${key} [${v}] (must be [1, h, w, 1])`];
}

export function padding(node: TfNodeDef, allowed: readonly string[]): string[] {
  const p = getString(node, 'padding');
  if (!allowed.includes(p)) return [`padding '${p}' (supported: ${allowed.join(', ')})`];
  if (p === 'EXPLICIT') {
    const e = getInts(node, 'explicit_paddings', []);
    if (e.length !== 8 || e[0] || e[1] || e[6] || e[7]) return [`explicit_paddings [${e}] (must pad only H and W)`];
  }
  return [];
}

/**
 * ONNX pads [top, left, bottom, right] for TF padding over input [h, w]:
 *   SAME:  out = ⌈in/s⌉, total = max((out−1)·s + (k−1)·d + 1 − in, 0), begin = ⌊total/2⌋, end = total − begin
 *          (the odd pixel at the end, TensorFlow's convention; ONNX SAME_UPPER);
 *   VALID: none;  EXPLICIT: explicit_paddings [[0,0],[t,b],[l,r],[0,0]].
 */
export function tfPads(node: TfNodeDef, input: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const p = getString(node, 'padding');
  if (p === 'VALID') return [0, 0, 0, 0];
  if (p === 'EXPLICIT') {
    const e = getInts(node, 'explicit_paddings');
    return [e[2], e[4], e[3], e[5]];
  }
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const out = Math.ceil(input[i] / strides[i]);
    const total = Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - input[i], 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

/** [h, w] of an NHWC 4-vector attribute. */
export const hw = (node: TfNodeDef, key: string): number[] => {
  const v = getInts(node, key, [1, 1, 1, 1]);
  return [v[1], v[2]];
};
