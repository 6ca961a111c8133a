/**
 * Image file → model input tensor, following a Preset (see preset.ts for the formula).
 *
 * Decoding is sharp's (PNG, JPEG, WebP, GIF/TIFF first page, AVIF, ...): EXIF orientation is applied,
 * embedded colour profiles are converted to sRGB, 16-bit images are reduced to 8 bits, and
 * transparency is flattened onto white (documents and icons usually mean white by it; black would
 * invent dark edges). Resizing uses the 'linear' kernel by default, which libvips widens by the
 * shrink factor when downscaling, like torchvision's antialiased bilinear Resize.
 */
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { KernelEnum } from 'sharp';
import { HeatlensError } from '../errors.js';
import { fileErrorReason } from '../io/fileErrors.js';
import type { Preset } from './preset.js';
import { type ImageTensor, tensorFromPixels } from './tensorize.js';

export type { DisplayImage, ImageTensor } from './tensorize.js';

export interface LoadOptions {
  kernel?: keyof KernelEnum;
}

export async function loadImageTensor(path: string, preset: Preset, options: LoadOptions = {}): Promise<ImageTensor> {
  const rgb = await decodeResized(path, preset.width, preset.height, preset.resize, options.kernel ?? 'linear');
  return tensorFromPixels(rgb, preset);
}

/** Stacks tensors of dims [b_i, ...rest] (same rest) along axis 0 into [Σ b_i, ...rest]. */
export function batchTensors(list: readonly { tensor: Float32Array; dims: readonly number[] }[]): { tensor: Float32Array; dims: number[] } {
  if (list.length === 0) throw new HeatlensError('cannot batch an empty list of images');
  const rest = list[0]!.dims.slice(1);
  let batch = 0;
  let total = 0;
  list.forEach(({ tensor, dims }, i) => {
    const same = dims.length === rest.length + 1 && dims.slice(1).every((d, k) => d === rest[k]);
    if (!same) throw new HeatlensError(`cannot batch images: image ${i + 1} has dims [${dims.join(', ')}], image 1 has [${list[0]!.dims.join(', ')}]`);
    const count = dims.reduce((a, b) => a * b, 1);
    if (tensor.length !== count) throw new Error(`batchTensors: image ${i + 1} has ${tensor.length} values for dims [${dims.join(', ')}]`);
    batch += dims[0]!;
    total += count;
  });
  const tensor = new Float32Array(total);
  let offset = 0;
  for (const t of list) {
    tensor.set(t.tensor, offset);
    offset += t.tensor.length;
  }
  return { tensor, dims: [batch, ...rest] };
}

/** Decodes `path` to 8-bit sRGB at width×height (3 bytes per pixel, row-major). */
async function decodeResized(path: string, width: number, height: number, resize: Preset['resize'], kernel: keyof KernelEnum): Promise<Uint8Array> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new HeatlensError(`cannot read image ${path}: not a file`);
  } catch (err) {
    if (err instanceof HeatlensError) throw err;
    throw new HeatlensError(`cannot read image ${path}: ${fileErrorReason(err)}`);
  }
  try {
    const img = sharp(path);
    const meta = await img.metadata();
    img.autoOrient();
    if (meta.hasAlpha) img.flatten({ background: '#ffffff' });
    img
      .removeAlpha()
      .resize({ width, height, kernel, fit: resize === 'stretch' ? 'fill' : 'cover', position: 'centre' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' });
    const { data, info } = await img.toBuffer({ resolveWithObject: true });
    if (info.width !== width || info.height !== height || info.channels !== 3 || data.length !== width * height * 3) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (err) {
    // libvips reports over several lines ("Input file has corrupt header:\n  pngload: …"): join them.
    const msg = String((err as Error).message ?? err).split('\n').map((l) => l.trim()).filter(Boolean).join(' ').replace(/:$/, '');
    throw new HeatlensError(`cannot read image ${path}: ${msg || 'not a readable image'}`);
  }
}
