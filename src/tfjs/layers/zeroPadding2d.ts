/**
 * ZeroPadding2D: padding p | [ph, pw] | [[top, bottom], [left, right]] → ONNX Pad (constant 0) with
 * pads [0, 0, top, left, 0, 0, bottom, right] on the NCHW map.
 */
import { mapShape, spatial } from './layout.js';
import type { LayerConverter } from './types.js';
import { requireChannelsLast } from './window.js';

export const zeroPadding2d: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    requireChannelsLast(ctx);
    mapShape(ctx, x);
    const raw = ctx.config.raw.padding ?? 1;
    const pairs = typeof raw === 'number' ? [[raw, raw], [raw, raw]]
      : Array.isArray(raw) && raw.length === 2 && raw.every((p) => typeof p === 'number') ? [[raw[0], raw[0]], [raw[1], raw[1]]]
      : raw;
    const ok = Array.isArray(pairs) && pairs.length === 2 && pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((d) => Number.isInteger(d) && d >= 0));
    if (!ok) ctx.fail(`config 'padding' should be p, [ph, pw] or [[top, bottom], [left, right]] of non-negative integers, got ${JSON.stringify(raw)}`);
    const [[top, bottom], [left, right]] = pairs as number[][];
    const pads = ctx.b.int64([0, 0, top, left, 0, 0, bottom, right], `${ctx.layer}/pads`);
    return spatial(ctx.b, ctx.op('Pad', [x.value, pads], {}, 'pad'));
  },
};
