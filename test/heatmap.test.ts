import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { HeatlensError } from '../src/errors.js';
import { applyColormap, colormapTable } from '../src/heatmap/colormap.js';
import { normaliseMap, percentileSorted } from '../src/heatmap/normalise.js';
import { reduceChannels } from '../src/heatmap/reduce.js';
import { bilinear, renderHeatmapPng, renderHeatmapRgb, writeHeatmapPng } from '../src/heatmap/render.js';

const f32 = (xs: number[]) => Float32Array.from(xs);
const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-6) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
};

// B=2, C=3, H=1, W=2 in NCHW; pixel values chosen so every reduction differs.
//   image 0: pixel 0 channels (1, −4, 2), pixel 1 (−3, 0, 0)
//   image 1: pixel 0 channels (0.5, 0.5, 0.5), pixel 1 (−1, −2, −2)
const NCHW = f32([1, -3, -4, 0, 2, 0, 0.5, -1, 0.5, -2, 0.5, -2]);
const DIMS = [2, 3, 1, 2];
const EXPECTED: Record<string, number[]> = {
  'abs-max': [4, 3, 0.5, 2],
  sum: [-1, -3, 1.5, -5],
  'abs-sum': [7, 3, 1.5, 5],
  l2: [Math.sqrt(21), 3, Math.sqrt(0.75), 3],
  max: [2, 0, 0.5, -1],
};

test('reductions over channels, NCHW, hand-computed', () => {
  for (const [reduction, expected] of Object.entries(EXPECTED)) {
    const { maps, dims } = reduceChannels(NCHW, DIMS, reduction as never);
    assert.deepEqual(dims, [2, 1, 2]);
    close(maps, expected);
  }
  close(reduceChannels(NCHW, DIMS).maps, EXPECTED['abs-max']!); // the default
});

test('reductions on the same data in NHWC give the same maps', () => {
  // Transpose [B,C,H,W] → [B,H,W,C].
  const [b, c, h, w] = DIMS as [number, number, number, number];
  const nhwc = new Float32Array(NCHW.length);
  for (let n = 0; n < b; n++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) nhwc[(n * h * w + p) * c + ch] = NCHW[(n * c + ch) * h * w + p]!;
  for (const [reduction, expected] of Object.entries(EXPECTED)) {
    const { maps, dims } = reduceChannels(nhwc, [b, h, w, c], reduction as never, 'nhwc');
    assert.deepEqual(dims, [2, 1, 2]);
    close(maps, expected);
  }
});

test("'none' passes a one-channel map through and rejects several channels", () => {
  const one = f32([0.1, -0.2, 0.3, 0.4]);
  assert.deepEqual(Array.from(reduceChannels(one, [1, 1, 2, 2], 'none').maps), Array.from(one));
  assert.deepEqual(reduceChannels(one, [1, 2, 2], 'none').dims, [1, 2, 2]);
  assert.deepEqual(Array.from(reduceChannels(one, [1, 2, 2, 1], 'none', 'nhwc').maps), Array.from(one));
  assert.throws(() => reduceChannels(NCHW, DIMS, 'none'), (e: unknown) => e instanceof HeatlensError && /'none' needs a one-channel attribution, got shape \[2, 3, 1, 2\]/.test(e.message));
  assert.throws(() => reduceChannels(NCHW, [2, 3, 2, 2]), /has 12 values, shape \[2, 3, 2, 2\] needs 24/);
  assert.throws(() => reduceChannels(NCHW, [12]), /is not \[B,C,H,W\]/);
});

test('minmax and abs-max normalisation', () => {
  close(normaliseMap(f32([-2, 0, 2, 6]), 'minmax'), [0, 0.25, 0.5, 1]);
  // 0.5 ± a / (2·max|a|), max|a| = 4.
  close(normaliseMap(f32([-4, -1, 0, 2]), 'abs-max'), [0, 0.375, 0.5, 0.75]);
  close(normaliseMap(f32([1, 3]), 'abs-max'), [2 / 3, 1]);
});

test('percentile clip: p-th percentile of |a| (numpy linear interpolation), clipped to 1', () => {
  // |a| = 0..100: the 99th percentile is 99; 100 clips to 1; sign is dropped.
  const a = Float32Array.from({ length: 101 }, (_, i) => (i % 2 ? -i : i));
  const out = normaliseMap(a);
  assert.equal(out[0], 0);
  assert.equal(out[99], Math.fround(99 / 99));
  assert.equal(out[100], 1);
  assert.equal(out[33], Math.fround(33 / 99));
  // A parameterised percentile: p = 50 of |a| over 0..100 is 50.
  const half = normaliseMap(a, 'percentile', { percentile: 50 });
  assert.equal(half[25], Math.fround(0.5));
  assert.equal(half[75], 1);
  // Interpolation between order statistics, as numpy.percentile: rank 0.99·3 = 2.97 over [1,2,3,10].
  assert.equal(percentileSorted(Float64Array.from([1, 2, 3, 10]), 99), 3 + 0.97 * 7);
  assert.throws(() => normaliseMap(a, 'percentile', { percentile: 0 }), /percentile must be in \(0, 100\]/);
});

test('percentile of a mostly-zero map falls back to max|a|', () => {
  const a = new Float32Array(1000);
  a[7] = -3;
  a[8] = 1.5;
  const out = normaliseMap(a);
  assert.equal(out[7], 1);
  assert.equal(out[8], 0.5);
  assert.equal(out[0], 0);
});

test('all-zero and constant maps give all zeros (never NaN); NaN input is rejected', () => {
  for (const method of ['minmax', 'abs-max', 'percentile'] as const) {
    for (const map of [new Float32Array(16), new Float32Array(16).fill(3.5), new Float32Array(16).fill(-2), new Float32Array(0), f32([5])]) {
      const out = normaliseMap(map, method);
      assert.equal(out.length, map.length);
      assert.ok(out.every((v) => v === 0), `${method} on ${map[0]}`);
    }
  }
  assert.throws(() => normaliseMap(f32([1, NaN, Infinity])), (e: unknown) => e instanceof HeatlensError && /2 NaN or infinite values of 3/.test(e.message));
});

test('colormap anchors match matplotlib', () => {
  const rgb = (name: 'viridis' | 'inferno' | 'gray', v: number) => Array.from(applyColormap(f32([v]), name));
  assert.deepEqual(rgb('viridis', 0), [68, 1, 84]);
  assert.deepEqual(rgb('viridis', 1), [253, 231, 37]);
  assert.deepEqual(rgb('inferno', 0), [0, 0, 4]);
  assert.deepEqual(rgb('inferno', 1), [252, 255, 164]);
  // Mid-points: matplotlib viridis(0.5) = (0.127568, 0.566949, 0.550556), inferno(0.5) = (0.735683, 0.215906, 0.330245).
  assert.deepEqual(rgb('viridis', 0.5), [33, 145, 140]);
  assert.deepEqual(rgb('inferno', 0.5), [188, 55, 84]);
  assert.deepEqual(rgb('gray', 0.5), [128, 128, 128]);
  assert.deepEqual(rgb('gray', 1), [255, 255, 255]);
  // Out-of-range values clamp; NaN takes the lowest colour.
  assert.deepEqual(rgb('viridis', 1.7), [253, 231, 37]);
  assert.deepEqual(rgb('viridis', -1), [68, 1, 84]);
  assert.deepEqual(rgb('viridis', NaN), [68, 1, 84]);
  // Tables are 256 entries; viridis' perceived lightness rises monotonically (green channel does too).
  const v = colormapTable('viridis');
  assert.equal(v.length, 768);
  for (let i = 1; i < 256; i++) assert.ok(v[3 * i + 1]! >= v[3 * (i - 1) + 1]!, `viridis G at ${i}`);
  assert.throws(() => colormapTable('jet' as never), /unknown colormap 'jet'/);
});

test('bilinear upsampling uses half-pixel centres and clamps at the edges', () => {
  // 2 → 4: sources at −0.25, 0.25, 0.75, 1.25 → clamp, 0.25, 0.75, clamp.
  close(bilinear(f32([0, 1]), 2, 1, 4, 1), [0, 0.25, 0.75, 1]);
  close(bilinear(f32([0, 1, 2, 3]), 2, 2, 2, 2), [0, 1, 2, 3]);
  const up = bilinear(f32([0, 4]), 1, 2, 1, 4);
  close(up, [0, 1, 3, 4]);
});

test('render: map alone, upscaled to minOutputSize; overlay blends with the photo', async () => {
  // 4×2 map, the right half hot.
  const map01 = f32([0, 0, 1, 1, 0, 0, 1, 1]);
  const alone = renderHeatmapRgb({ map01, mapWidth: 4, mapHeight: 2, overlay: false, colormap: 'inferno', minOutputSize: 8 });
  assert.deepEqual([alone.width, alone.height], [16, 8]); // k = ⌈8/2⌉ = 4
  assert.deepEqual(Array.from(alone.data.subarray(0, 3)), [0, 0, 4]);
  const last = 3 * (16 * 8 - 1);
  assert.deepEqual(Array.from(alone.data.subarray(last, last + 3)), [252, 255, 164]);

  // Display 2×2: red, green / blue, white. Map 1×1 constant 1 → inferno(1) everywhere.
  const display = { data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), width: 2, height: 2 };
  const over = renderHeatmapRgb({ map01: f32([1]), mapWidth: 1, mapHeight: 1, display, overlay: true, alpha: 0.25, colormap: 'inferno', minOutputSize: 4 });
  assert.deepEqual([over.width, over.height], [4, 4]);
  const at = (x: number, y: number) => Array.from(over.data.subarray(3 * (y * 4 + x), 3 * (y * 4 + x) + 3));
  const blend = (p: number[]) => p.map((c, i) => Math.round(0.75 * c + 0.25 * [252, 255, 164][i]!));
  assert.deepEqual(at(0, 0), blend([255, 0, 0]));
  assert.deepEqual(at(1, 1), blend([255, 0, 0])); // nearest-neighbour photo: 2×2 blocks
  assert.deepEqual(at(2, 0), blend([0, 255, 0]));
  assert.deepEqual(at(3, 3), blend([255, 255, 255]));
  assert.throws(() => renderHeatmapRgb({ map01, mapWidth: 4, mapHeight: 2, overlay: true, colormap: 'viridis' }), /overlay needs the display image/);
  assert.throws(() => renderHeatmapRgb({ map01, mapWidth: 3, mapHeight: 2, overlay: false, colormap: 'viridis' }), /has 8 values, expected 3×2 = 6/);
  assert.throws(() => renderHeatmapRgb({ map01, mapWidth: 4, mapHeight: 2, display, overlay: true, alpha: 2, colormap: 'viridis' }), /alpha must be in \[0, 1\]/);
});

test('render a 7×7 Grad-CAM-like map over a 32×32 image to PNG and decode it back', async () => {
  const map01 = new Float32Array(49);
  map01[24] = 1; // centre cell hot
  const photo = new Uint8Array(32 * 32 * 3).fill(100);
  const png = await renderHeatmapPng({ map01, mapWidth: 7, mapHeight: 7, display: { data: photo, width: 32, height: 32 }, overlay: true, colormap: 'viridis' });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.format, info.width, info.height, info.channels], ['raw', 256, 256, 3]); // k = 8
  const px = (x: number, y: number) => Array.from(data.subarray(3 * (y * 256 + x), 3 * (y * 256 + x) + 3));
  // Corner: map 0 → viridis(0) = (68,1,84) blended half and half with grey 100.
  assert.deepEqual(px(0, 0), [84, 51, 92]);
  // Centre pixel 128 lies at map coordinate (128.5·7/256 − 0.5) ≈ 3.01: nearly the hot cell, nearly yellow.
  const [r, g, b] = px(128, 128) as [number, number, number];
  assert.ok(r > 150 && g > 150 && b < 80, `centre ${[r, g, b]}`);
  // The map is smooth: neighbouring output pixels differ by little.
  for (let x = 1; x < 256; x++) assert.ok(Math.abs(px(x, 128)[1]! - px(x - 1, 128)[1]!) <= 6, `step at x=${x}`);
});

test('writeHeatmapPng writes a PNG atomically', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'heatlens-heat-'));
  try {
    const path = join(dir, 'heat.png');
    await writeHeatmapPng(path, { map01: f32([0, 0.5, 1, 0.25]), mapWidth: 2, mapHeight: 2, overlay: false, colormap: 'gray', minOutputSize: 1 });
    const meta = await sharp(path).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 2, 2]);
    const { data } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([data[0], data[3], data[6], data[9]], [0, 128, 255, 64]);
    assert.deepEqual(await readdir(dir), ['heat.png']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
