/**
 * Step masks: the float tensor m = on where v is past a threshold t, off elsewhere, that backward rules
 * multiply gradients by (a ReLU's 1[y > 0], a LeakyReLU's 1-or-α, a Clip's 1[lo < y < hi]).
 *
 * The mask is built arithmetically, not with a comparison:
 *   side 'above':  m = Clip(s·(v − t), off, on)   (on where v > t)
 *   side 'below':  m = Clip(s·(t − v), off, on)   (on where v < t)
 * with s a power of two so large that s·|v − t| ≥ 1 for every float32 v ≠ t: s = 2/ulp(t) = 2^(24−e)
 * for 2^e ≤ |t| < 2^(e+1) (the gap between t and its float32 neighbours is ulp(t) above, at least ulp(t)/2
 * below), and s = 2^126 for t = 0. Then s·(v − t) ≥ 1 past the threshold and ≤ 0 before it, and with
 * 0 ≤ off ≤ on ≤ 1 the Clip yields exactly on or off. The products s·v and s·t are exact (s is a power of
 * two; s·|t| < 2^25), and a correctly rounded sum keeps the sign and the bound 1, with or without a fused
 * multiply-add. An overflow to ±∞ (|v| near the float32 maximum, or |v| ≥ 2 for t = 0) is clipped to the
 * right value too. The one inexact case: t = 0 and v subnormal (0 < |v| < 2^-126), where s·v < 1.
 *
 * Why not Greater + Cast: on a 4-D tensor s·(v − t) is a depthwise 1×1 Conv (weight ±s, bias ∓s·t) and
 * onnxruntime's CPU provider fuses Conv + Clip into one convolution in its blocked NCHWc layout, so the
 * mask and the Mul applying it stay in the layout of the surrounding convolutions. A comparison forces two
 * layout reorders per mask (measured on resnet20: saliency went from 3.1× to 2.7× inference with these
 * forms and the NCHWc-friendly pool gradient). Any ONNX runtime evaluates either form to the same values.
 */
import type { GraphBuilder } from '../ir/builder.js';
import { depthwiseAffine } from './util.js';

export interface StepSpec {
  threshold: number;
  /** 'above': `on` where v > threshold; 'below': `on` where v < threshold. */
  side: 'above' | 'below';
  /** Value past the threshold (default 1). */
  on?: number;
  /** Value elsewhere, at the threshold included (default 0). */
  off?: number;
}

/** The power of two s with s·|v − t| ≥ 1 for every float32 v ≠ t (see above), or undefined if none fits float32. */
export function stepScale(threshold: number): number | undefined {
  const t = Math.abs(Math.fround(threshold));
  if (t === 0) return 2 ** 126;
  let e = Math.floor(Math.log2(t));
  if (2 ** e > t) e -= 1;
  if (2 ** (e + 1) <= t) e += 1;
  const exponent = 24 - e;
  return exponent >= 0 && exponent <= 126 ? 2 ** exponent : undefined;
}

/** The step mask of `v` (any float tensor; 4-D tensors get the fused-convolution form). */
export function stepMask(b: GraphBuilder, v: string, spec: StepSpec): string {
  const on = spec.on ?? 1;
  const off = spec.off ?? 0;
  const scale = stepScale(spec.threshold);
  if (scale === undefined || !(off >= 0 && off <= on && on <= 1)) return comparisonMask(b, v, spec, on, off);
  const sign = spec.side === 'above' ? 1 : -1;
  const weight = sign * scale;
  const bias = -sign * scale * Math.fround(spec.threshold);
  let scaled: string;
  if (b.rank(v) === 4) {
    scaled = depthwiseAffine(b, v, weight, bias, 'step_scaled');
  } else {
    scaled = b.op('Mul', [v, b.scalar(weight)], {}, 'step_scaled');
    if (bias !== 0) scaled = b.op('Add', [scaled, b.scalar(bias)], {}, 'step_scaled');
  }
  return b.op('Clip', [scaled, b.scalar(off), b.scalar(on)], {}, 'step_mask');
}

/** The same mask from a comparison, for thresholds or values the arithmetic form cannot hold. */
function comparisonMask(b: GraphBuilder, v: string, spec: StepSpec, on: number, off: number): string {
  const past = b.op(spec.side === 'above' ? 'Greater' : 'Less', [v, b.scalar(spec.threshold)]);
  return b.op('Where', [past, b.scalar(on), b.scalar(off)], {}, 'step_mask');
}
