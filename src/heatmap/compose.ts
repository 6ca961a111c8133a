/**
 * Heat map → RGB pixels (no PNG encoding here, so this also runs in a browser): colour a [0,1] map,
 * upsample it bilinearly to the display size, optionally blend it over the display image:
 *   out = (1 − α)·photo + α·colour(map).
 *
 * Small inputs (32×32 CIFAR) are enlarged by the integer factor k = ⌈minOutputSize / min(W, H)⌉ so the
 * shorter side reaches minOutputSize: the photo by pixel replication (an integer factor keeps every
 * source pixel the same size), the map bilinearly, so the heat stays smooth.
 */
import { HeatlensError } from '../errors.js';
import type { DisplayImage } from '../image/tensorize.js';
import { applyColormap, type ColormapName } from './colormap.js';
import { type Normalisation, normaliseMap } from './normalise.js';
import { type Reduction, reduceChannels } from './reduce.js';

export interface RenderOptions {
  /** Values in [0, 1], row-major mapHeight × mapWidth. */
  map01: Float32Array;
  mapWidth: number;
  mapHeight: number;
  /** The photo the map explains; sets the output size. Without it the output is the map's size. */
  display?: DisplayImage;
  overlay: boolean;
  /** Weight of the colour in the blend, in [0, 1]. */
  alpha?: number;
  colormap: ColormapName;
  minOutputSize?: number;
}

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The rendered image as raw RGB (the PNG's pixels). */
export function renderHeatmapRgb(opts: RenderOptions): RgbImage {
  const { map01, mapWidth, mapHeight, display, overlay, colormap } = opts;
  const alpha = opts.alpha ?? 0.5;
  const minOutputSize = opts.minOutputSize ?? 256;
  if (!(Number.isInteger(mapWidth) && Number.isInteger(mapHeight) && mapWidth > 0 && mapHeight > 0)) {
    throw new HeatlensError(`heat map size must be positive integers, got ${mapWidth}×${mapHeight}`);
  }
  if (map01.length !== mapWidth * mapHeight) {
    throw new HeatlensError(`heat map has ${map01.length} values, expected ${mapWidth}×${mapHeight} = ${mapWidth * mapHeight}`);
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new HeatlensError(`overlay alpha must be in [0, 1], got ${alpha}`);
  if (overlay && display === undefined) throw new HeatlensError('an overlay needs the display image');
  if (display !== undefined && display.data.length !== display.width * display.height * 3) {
    throw new HeatlensError(`display image has ${display.data.length} bytes, expected ${display.width}×${display.height}×3`);
  }

  const baseW = display?.width ?? mapWidth;
  const baseH = display?.height ?? mapHeight;
  const shorter = Math.min(baseW, baseH);
  const k = shorter < minOutputSize ? Math.ceil(minOutputSize / shorter) : 1;
  const width = baseW * k;
  const height = baseH * k;

  const colour = applyColormap(bilinear(map01, mapWidth, mapHeight, width, height), colormap);
  if (!overlay || display === undefined) return { data: colour, width, height };

  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const srcRow = Math.floor(y / k) * baseW;
    for (let x = 0; x < width; x++) {
      const s = 3 * (srcRow + Math.floor(x / k));
      const o = 3 * (y * width + x);
      for (let ch = 0; ch < 3; ch++) {
        out[o + ch] = Math.round((1 - alpha) * display.data[s + ch]! + alpha * colour[o + ch]!);
      }
    }
  }
  return { data: out, width, height };
}

export interface HeatmapImageOptions {
  /** The attribution's layout (the model input's): channels at axis 1 ('nchw') or last ('nhwc'). */
  layout: 'nchw' | 'nhwc';
  /** Channel reduction; default 'abs-max'. */
  reduce?: Reduction;
  /** Default: 'minmax' for one-channel attributions (CAM maps), 'percentile' for gradients. */
  normalise?: Normalisation;
  /** Per image, the photo the map explains (needed for the overlay). */
  displays?: readonly (DisplayImage | undefined)[];
  overlay: boolean;
  colormap: ColormapName;
  alpha?: number;
  minOutputSize?: number;
}

/**
 * The heat map of each image of a batch attribution [B, C, H, W] (or [B, H, W, C]), as `heatlens explain
 * --out` draws it: channels reduced, normalised to [0, 1], coloured, over the photo when overlaid.
 */
export function heatmapImages(attribution: Float32Array, dims: readonly number[], options: HeatmapImageOptions): RgbImage[] {
  const { maps, dims: mapDims } = reduceChannels(attribution, dims, options.reduce ?? 'abs-max', options.layout);
  const [batch, h, w] = mapDims;
  const channels = options.layout === 'nchw' ? dims[1] : dims[dims.length - 1];
  const normalisation = options.normalise ?? (channels === 1 ? 'minmax' : 'percentile');
  return Array.from({ length: batch }, (_, i) => {
    const display = options.displays?.[i];
    return renderHeatmapRgb({
      map01: normaliseMap(maps.subarray(i * h * w, (i + 1) * h * w), normalisation),
      mapWidth: w, mapHeight: h, display, overlay: options.overlay && display !== undefined, colormap: options.colormap,
      alpha: options.alpha, minOutputSize: options.minOutputSize,
    });
  });
}

/**
 * Bilinear resampling with half-pixel centres (align_corners = false, as PyTorch's interpolate, PIL
 * and OpenCV): source coordinate s = (d + 0.5)·in/out − 0.5, clamped to the edge pixels.
 */
export function bilinear(src: Float32Array, inW: number, inH: number, outW: number, outH: number): Float32Array {
  const axis = (inN: number, outN: number) => {
    const i0 = new Int32Array(outN), i1 = new Int32Array(outN), f = new Float64Array(outN);
    for (let d = 0; d < outN; d++) {
      const s = Math.min(Math.max((d + 0.5) * (inN / outN) - 0.5, 0), inN - 1);
      i0[d] = Math.floor(s);
      i1[d] = Math.min(i0[d]! + 1, inN - 1);
      f[d] = s - i0[d]!;
    }
    return { i0, i1, f };
  };
  const xs = axis(inW, outW);
  const ys = axis(inH, outH);
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const r0 = ys.i0[y]! * inW, r1 = ys.i1[y]! * inW, fy = ys.f[y]!;
    for (let x = 0; x < outW; x++) {
      const x0 = xs.i0[x]!, x1 = xs.i1[x]!, fx = xs.f[x]!;
      const top = src[r0 + x0]! + fx * (src[r0 + x1]! - src[r0 + x0]!);
      const bottom = src[r1 + x0]! + fx * (src[r1 + x1]! - src[r1 + x0]!);
      out[y * outW + x] = top + fy * (bottom - top);
    }
  }
  return out;
}
