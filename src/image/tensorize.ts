/**
 * 8-bit pixels at the model's resolution → model input tensor, following a Preset (see preset.ts for
 * the formula). No decoding or resizing here (load.ts does both with sharp for files; a web page draws
 * the image onto a canvas of preset.width × preset.height), so this also runs in a browser.
 */
import { HeatlensError } from '../errors.js';
import { channelCount, type Preset } from './preset.js';

export interface DisplayImage {
  /** RGB, 3 bytes per pixel, row-major, at the model resolution (grey replicated for 'gray' presets). */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface ImageTensor {
  tensor: Float32Array;
  /** [1, C, H, W] for 'nchw', [1, H, W, C] for 'nhwc'. */
  dims: number[];
  display: DisplayImage;
}

/**
 * The input tensor of `pixels`: preset.width × preset.height sRGB pixels, row-major, `stride` bytes
 * each with R, G, B first (3 for RGB, 4 for a canvas's RGBA; alpha is ignored).
 */
export function tensorFromPixels(pixels: ArrayLike<number>, preset: Preset, stride: 3 | 4 = 3): ImageTensor {
  const { width, height } = preset;
  const n = width * height;
  if (pixels.length !== n * stride) {
    throw new HeatlensError(`pixels: ${pixels.length} bytes, but ${width}×${height} pixels of ${stride} bytes need ${n * stride}`, 'E_INPUT');
  }
  const c = channelCount(preset.channels);
  const mean = perChannel(preset.mean, c);
  const std = perChannel(preset.std, c);

  // Pixel values in the model's channel order, and the RGB view the model "sees".
  const pix = new Uint8Array(n * c);
  const display = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = pixels[stride * i]!, g = pixels[stride * i + 1]!, b = pixels[stride * i + 2]!;
    if (preset.channels === 'gray') {
      // ITU-R BT.601 luma Y = 0.299R + 0.587G + 0.114B in the 16-bit fixed point PIL's convert('L')
      // uses (torchvision's Grayscale on PIL images); exact for grey input (R = G = B ⇒ Y = R).
      const y = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
      pix[i] = y;
      display[3 * i] = display[3 * i + 1] = display[3 * i + 2] = y;
    } else {
      const bgr = preset.channels === 'bgr';
      pix[c * i] = bgr ? b : r;
      pix[c * i + 1] = g;
      pix[c * i + 2] = bgr ? r : b;
      display[3 * i] = r;
      display[3 * i + 1] = g;
      display[3 * i + 2] = b;
    }
  }

  // x = (p·scale − mean[ch]) / std[ch], computed in float64 and rounded once to float32.
  const tensor = new Float32Array(n * c);
  const nchw = preset.layout === 'nchw';
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      tensor[nchw ? ch * n + i : i * c + ch] = (pix[i * c + ch]! * preset.scale - mean[ch]!) / std[ch]!;
    }
  }
  const dims = nchw ? [1, c, height, width] : [1, height, width, c];
  return { tensor, dims, display: { data: display, width, height } };
}

function perChannel(v: readonly number[], c: number): number[] {
  return v.length === c ? [...v] : new Array<number>(c).fill(v[0]!);
}
