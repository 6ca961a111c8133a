/**
 * Per-model preprocessing preset. The input tensor value at channel c is
 *
 *   x_c = (p_c · scale − mean[c]) / std[c],   p_c ∈ 0..255 the 8-bit sRGB (or grey) pixel value,
 *
 * with c counted in the model's channel order (for 'bgr', mean[0] is the blue mean). mean and std hold
 * one entry per channel, or one entry used for every channel. Examples: torchvision ImageNet is
 * scale 1/255, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225], rgb, nchw; Caffe-style models
 * are scale 1, mean [103.939, 116.779, 123.68], std [1], bgr.
 *
 * 'stretch' resizes to width×height ignoring the aspect ratio; 'center-crop' scales the image so that
 * it covers width×height (its shorter side, relative to the target, matches) and keeps the centre.
 */
import { HeatlensError } from '../errors.js';

export interface Preset {
  width: number;
  height: number;
  resize: 'stretch' | 'center-crop';
  channels: 'rgb' | 'bgr' | 'gray';
  layout: 'nchw' | 'nhwc';
  scale: number;
  mean: number[];
  std: number[];
}

const RESIZE = ['stretch', 'center-crop'] as const;
const CHANNELS = ['rgb', 'bgr', 'gray'] as const;
const LAYOUT = ['nchw', 'nhwc'] as const;
const KEYS = ['width', 'height', 'resize', 'channels', 'layout', 'scale', 'mean', 'std'] as const;

export function channelCount(channels: Preset['channels']): number {
  return channels === 'gray' ? 1 : 3;
}

/** Validates a parsed JSON value as a Preset; `source` (a file path, or e.g. "--mean") names it in errors. */
export function parsePreset(json: unknown, source: string): Preset {
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new HeatlensError(`preset ${source}: '${field}' must be ${expected}, got ${describe(got)}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('(top level)', 'a JSON object', json);
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(k)) {
      throw new HeatlensError(`preset ${source}: unknown field '${k}' (expected ${KEYS.join(', ')})`);
    }
  }
  const dim = (k: 'width' | 'height'): number => {
    const v = o[k];
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : bad(k, 'a positive integer', v);
  };
  const oneOf = <T extends string>(k: string, options: readonly T[]): T => {
    const v = o[k];
    return typeof v === 'string' && (options as readonly string[]).includes(v) ? (v as T) : bad(k, options.map((s) => `'${s}'`).join(' or '), v);
  };
  const width = dim('width');
  const height = dim('height');
  const resize = oneOf('resize', RESIZE);
  const channels = oneOf('channels', CHANNELS);
  const layout = oneOf('layout', LAYOUT);
  const scale = o['scale'];
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) bad('scale', 'a positive number', scale);
  const c = channelCount(channels);
  const counts = c === 1 ? '1 number' : `1 or ${c} numbers (channels '${channels}')`;
  const vec = (k: 'mean' | 'std', ok: (x: number) => boolean, what: string): number[] => {
    const v = o[k];
    if (!Array.isArray(v) || (v.length !== 1 && v.length !== c)) return bad(k, `an array of ${counts}`, v);
    if (!v.every((x) => typeof x === 'number' && Number.isFinite(x) && ok(x))) return bad(k, `an array of ${what}`, v);
    return [...(v as number[])];
  };
  const mean = vec('mean', () => true, 'finite numbers');
  const std = vec('std', (x) => x > 0, 'positive numbers');
  return { width, height, resize, channels, layout, scale: scale as number, mean, std };
}

/**
 * Fallback preset from a model input shape [N,C,H,W] or [N,H,W,C] with C ∈ {1, 3}: pixels scaled to
 * [0,1] (scale 1/255, mean 0, std 1), stretch resize. When both dims 1 and 3 could be C, NCHW wins.
 * Dynamic dims (symbolic, given as ≤ 0 or non-integer) are accepted for N only.
 */
export function presetFromInputShape(dims: readonly number[]): Preset {
  const shape = `[${dims.join(', ')}]`;
  if (dims.length !== 4) throw new HeatlensError(`model input shape ${shape} is not 4-D [N,C,H,W] or [N,H,W,C]; give a preset`);
  const isC = (d: number | undefined) => d === 1 || d === 3;
  const layout = isC(dims[1]) ? 'nchw' : isC(dims[3]) ? 'nhwc' : undefined;
  if (layout === undefined) throw new HeatlensError(`model input shape ${shape} has no channel dim of 1 or 3 at axis 1 or 3; give a preset`);
  const [c, h, w] = layout === 'nchw' ? [dims[1]!, dims[2]!, dims[3]!] : [dims[3]!, dims[1]!, dims[2]!];
  if (!(Number.isInteger(h) && h > 0 && Number.isInteger(w) && w > 0)) {
    throw new HeatlensError(`model input shape ${shape} has a dynamic height or width; give a preset with width and height`);
  }
  return { width: w, height: h, resize: 'stretch', channels: c === 1 ? 'gray' : 'rgb', layout, scale: 1 / 255, mean: [0], std: [1] };
}

/** base with the defined fields of `overrides` replaced, validated as a whole. */
export function mergePreset(base: Preset, overrides: Partial<Preset>): Preset {
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  return parsePreset(merged, '(with overrides)');
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
