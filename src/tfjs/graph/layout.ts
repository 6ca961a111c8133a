/**
 * Layouts. TensorFlow graphs hold 4-D activations as NHWC; the IR (ONNX) convolves NCHW. The importer
 * keeps every 4-D activation that comes out of a spatial op in NCHW and remembers, per value, which of
 * the two layouts it is in:
 *   'nchw'   IR dims [N,C,H,W] for the TF tensor [N,H,W,C];
 *   'plain'  IR dims equal the TF dims (any rank).
 * A TF axis a of a 4-D tensor sits at IR axis NHWC_AXIS_IN_NCHW[a] of its NCHW form.
 */
export type Layout = 'nchw' | 'plain';

/** Transpose perms: y = Transpose(x, perm) turns NHWC into NCHW and back. */
export const NHWC_TO_NCHW = [0, 3, 1, 2] as const;
export const NCHW_TO_NHWC = [0, 2, 3, 1] as const;
export const NHWC_AXIS_IN_NCHW = [0, 2, 3, 1] as const;

/** The TF (NHWC) dims of a value whose IR dims are `irDims` in `layout`. */
export const tfDims = (irDims: readonly number[], layout: Layout): number[] =>
  layout === 'nchw' ? NCHW_TO_NHWC.map((a) => irDims[a]) : [...irDims];

/** Normalises TF axes (negative from the end) against `rank`; undefined when one is out of range. */
export function normaliseAxes(axes: readonly number[], rank: number): number[] | undefined {
  const out = axes.map((a) => (a < 0 ? a + rank : a));
  return out.every((a) => Number.isInteger(a) && a >= 0 && a < rank) ? out : undefined;
}

/**
 * Whether dropping the TF axes `dropped` from a 4-D NHWC tensor leaves the same element order when it
 * is done on the NCHW form: the kept axes appear in the same relative order in both layouts, i.e. not
 * both the channel axis and a spatial axis survive. Then the NCHW result *is* the TF result (plain).
 */
export function dropKeepsOrder(dropped: readonly number[]): boolean {
  const kept = [0, 1, 2, 3].filter((a) => !dropped.includes(a));
  const positions = kept.map((a) => NHWC_AXIS_IN_NCHW[a]);
  return positions.every((p, i) => i === 0 || p > positions[i - 1]);
}

/** Whether NHWC [N,H,W,C] and NCHW [N,C,H,W] hold their elements in the same order (C = 1 or H·W = 1). */
export const sameMemoryOrder = (nhwc: readonly number[]): boolean => nhwc[3] === 1 || nhwc[1] * nhwc[2] === 1;
