/**
 * IG baselines x' in the model's input space [1, …]:
 *   zero   all zeros;
 *   black  the preprocessed image of black pixels, (0·scale − mean_c)/std_c (needs the image preset);
 *   noise  uniform random pixels in [0, 255], preprocessed (seeded; without a preset: uniform over the
 *          input's own value range);
 *   blur   the input blurred by a Gaussian of σ = 5% of its larger side (Sturmfels et al. 2020), per channel;
 *   a .npy file of the input's shape (or without the batch axis).
 */
import { HeatlensError } from '../../errors.js';
import type { Preset } from '../../image/preset.js';
import { finiteFloat32, readNpy } from '../../io/npy.js';
import { formatShape } from '../../ir/tensor.js';

export type BaselineKind = 'zero' | 'black' | 'noise' | 'blur';
export const BASELINE_KINDS: readonly BaselineKind[] = ['zero', 'black', 'noise', 'blur'];

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Layout {
  channels: number;
  height: number;
  width: number;
  /** Flat index of (c, y, x). */
  index(c: number, y: number, x: number): number;
}

function layoutOf(dims: readonly number[], nhwc: boolean): Layout {
  const [, a, bDim, cDim] = dims;
  if (nhwc) return { channels: cDim, height: a, width: bDim, index: (c, y, x) => (y * bDim + x) * cDim + c };
  return { channels: a, height: bDim, width: cDim, index: (c, y, x) => (c * bDim + y) * cDim + x };
}

/** Separable Gaussian blur with edge clamping, σ in pixels. */
function gaussianBlur(x: Float32Array, layout: Layout, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const norm = kernel.reduce((a, c) => a + c, 0);
  const k = kernel.map((v) => v / norm);
  const { channels, height, width, index } = layout;
  const tmp = new Float32Array(x.length);
  const out = new Float32Array(x.length);
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi - 1);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) for (let xx = 0; xx < width; xx++) {
      let s = 0;
      for (let i = -radius; i <= radius; i++) s += k[i + radius] * x[index(c, y, clamp(xx + i, width))];
      tmp[index(c, y, xx)] = s;
    }
    for (let y = 0; y < height; y++) for (let xx = 0; xx < width; xx++) {
      let s = 0;
      for (let i = -radius; i <= radius; i++) s += k[i + radius] * tmp[index(c, clamp(y + i, height), xx)];
      out[index(c, y, xx)] = s;
    }
  }
  return out;
}

export interface BaselineRequest {
  spec: BaselineKind | string;
  input: Float32Array;
  dims: readonly number[];
  preset?: Preset;
  seed?: number;
}

export async function makeBaseline(req: BaselineRequest): Promise<Float32Array> {
  const { input, dims, preset } = req;
  if (dims.length !== 4) throw new HeatlensError(`IG baselines need an image input [1,C,H,W]; got ${formatShape(dims)}`, 'E_INPUT');
  const nhwc = preset?.layout === 'nhwc';
  const layout = layoutOf(dims, nhwc);
  const perChannel = (values: readonly number[] | undefined, c: number) => (values ? (values.length === 1 ? values[0] : values[c]) : 0);
  const fromPixels = (pixel: (c: number) => number) => {
    const out = new Float32Array(input.length);
    for (let c = 0; c < layout.channels; c++) for (let y = 0; y < layout.height; y++) for (let x = 0; x < layout.width; x++) {
      out[layout.index(c, y, x)] = (pixel(c) * preset!.scale - perChannel(preset!.mean, c)) / perChannel(preset!.std, c);
    }
    return out;
  };
  switch (req.spec) {
    case 'zero':
      return new Float32Array(input.length);
    case 'black':
      if (!preset) throw new HeatlensError("the 'black' baseline needs an image input (a preset); use 'zero' or a .npy baseline", 'E_USAGE');
      return fromPixels(() => 0);
    case 'noise': {
      const uniform = seededUniform(req.seed ?? 0);
      if (preset) return fromPixels(() => 255 * uniform());
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of input) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      return Float32Array.from(input, () => lo + (hi - lo) * uniform());
    }
    case 'blur':
      return gaussianBlur(input, layout, 0.05 * Math.max(layout.height, layout.width));
    default: {
      if (!req.spec.endsWith('.npy')) {
        throw new HeatlensError(`unknown baseline '${req.spec}' (zero, black, noise, blur, or a .npy file)`, 'E_USAGE');
      }
      const npy = await readNpy(req.spec);
      const shape = npy.shape.length === dims.length - 1 ? [1, ...npy.shape] : npy.shape;
      if (shape.join() !== dims.join() || (npy.dtype !== 'float32' && npy.dtype !== 'float64')) {
        throw new HeatlensError(`baseline ${req.spec} has shape ${formatShape(npy.shape)} (${npy.dtype}); the input is ${formatShape(dims)} float32`, 'E_INPUT');
      }
      return finiteFloat32(npy.data as Float32Array | Float64Array, req.spec, 'baseline');
    }
  }
}
