/** Heat map → PNG file: the pixels of compose.ts, encoded by sharp. */
import sharp from 'sharp';
import { writeFileAtomic } from '../io/atomic.js';
import { type RenderOptions, type RgbImage, renderHeatmapRgb } from './compose.js';

export { bilinear, heatmapImages, type HeatmapImageOptions, type RenderOptions, type RgbImage, renderHeatmapRgb } from './compose.js';

export async function encodePng({ data, width, height }: RgbImage): Promise<Uint8Array> {
  const png = await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

export async function renderHeatmapPng(opts: RenderOptions): Promise<Uint8Array> {
  return encodePng(renderHeatmapRgb(opts));
}

export async function writeHeatmapPng(path: string, opts: RenderOptions): Promise<void> {
  await writeFileAtomic(path, await renderHeatmapPng(opts));
}
