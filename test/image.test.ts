import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { HeatlensError } from '../src/errors.js';
import { batchTensors, loadImageTensor } from '../src/image/load.js';
import { mergePreset, parsePreset, presetFromInputShape, type Preset } from '../src/image/preset.js';
import { findPresetForModel, loadPresetFile } from '../src/image/presetFile.js';

const dir = await mkdtemp(join(tmpdir(), 'heatlens-image-'));
test.after(() => rm(dir, { recursive: true, force: true }));

/** 4×2 RGB image, pixel i = (30i+10, 30i+20, 30i+30) − small per-channel twists so channels differ. */
const W = 4, H = 2;
const RGB = Uint8Array.from([
  10, 200, 30, 40, 50, 255, 0, 80, 90, 100, 110, 1,
  130, 14, 150, 255, 255, 255, 190, 2, 210, 220, 230, 37,
]);
const png = join(dir, 'rgb.png');
await sharp(RGB, { raw: { width: W, height: H, channels: 3 } }).png().toFile(png);

const IMAGENET: Preset = {
  width: W, height: H, resize: 'stretch', channels: 'rgb', layout: 'nchw',
  scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
};
const px = (i: number, ch: number) => RGB[3 * i + ch]!;
const norm = (p: number, preset: Preset, c: number) => Math.fround((p * preset.scale - preset.mean[c]!) / preset.std[c]!);
const luma = (i: number) => (px(i, 0) * 19595 + px(i, 1) * 38470 + px(i, 2) * 7471 + 0x8000) >> 16;

test('RGB, NCHW: exact ImageNet normalisation, channel planes in order', async () => {
  const { tensor, dims, display } = await loadImageTensor(png, IMAGENET);
  assert.deepEqual(dims, [1, 3, H, W]);
  const expected: number[] = [];
  for (let c = 0; c < 3; c++) for (let i = 0; i < W * H; i++) expected.push(norm(px(i, c), IMAGENET, c));
  assert.deepEqual(Array.from(tensor), expected);
  assert.deepEqual([display.width, display.height, Array.from(display.data)], [W, H, Array.from(RGB)]);
});

test('BGR, NHWC: channels reversed and interleaved; mean/std follow the model order', async () => {
  const preset: Preset = { ...IMAGENET, channels: 'bgr', layout: 'nhwc', scale: 1, mean: [103.939, 116.779, 123.68], std: [1] };
  const { tensor, dims, display } = await loadImageTensor(png, preset);
  assert.deepEqual(dims, [1, H, W, 3]);
  const expected: number[] = [];
  for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) expected.push(Math.fround(px(i, 2 - c) - preset.mean[c]!));
  assert.deepEqual(Array.from(tensor), expected);
  assert.deepEqual(Array.from(display.data), Array.from(RGB)); // display stays RGB
});

test('gray: BT.601 luma as PIL convert("L"), display replicates it; NCHW and NHWC agree', async () => {
  const preset: Preset = { ...IMAGENET, channels: 'gray', mean: [0.5], std: [0.5] };
  const a = await loadImageTensor(png, preset);
  const b = await loadImageTensor(png, { ...preset, layout: 'nhwc' });
  assert.deepEqual(a.dims, [1, 1, H, W]);
  assert.deepEqual(b.dims, [1, H, W, 1]);
  const expected = Array.from({ length: W * H }, (_, i) => norm(luma(i), preset, 0));
  assert.deepEqual(Array.from(a.tensor), expected);
  assert.deepEqual(Array.from(b.tensor), expected);
  assert.equal(luma(5), 255); // white stays white
  assert.deepEqual(Array.from(a.display.data.subarray(0, 6)), [luma(0), luma(0), luma(0), luma(1), luma(1), luma(1)]);
});

test('greyscale PNG into an rgb preset: grey replicated to 3 equal channels', async () => {
  const grey = join(dir, 'grey.png');
  await sharp(Uint8Array.from([0, 64, 128, 255]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(grey);
  const { tensor } = await loadImageTensor(grey, { ...IMAGENET, width: 2, height: 2, layout: 'nhwc', scale: 1, mean: [0], std: [1] });
  assert.deepEqual(Array.from(tensor), [0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255]);
});

/** 6 wide × 4 high, column x filled with value 40x+10 in all channels. */
async function columns(path: string, width: number, height: number): Promise<void> {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(40 * x + 10, 3 * (y * width + x), 3 * (y * width + x) + 3);
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(path);
}
const RAW: Preset = { ...IMAGENET, scale: 1, mean: [0], std: [1], channels: 'gray' };

test('center-crop keeps the centre (no resize when the shorter side already matches)', async () => {
  const wide = join(dir, 'wide.png');
  await columns(wide, 6, 4);
  const { tensor, display } = await loadImageTensor(wide, { ...RAW, width: 4, height: 4, resize: 'center-crop' });
  const row = [50, 90, 130, 170]; // columns 1..4 of 0..5
  assert.deepEqual(Array.from(tensor), [...row, ...row, ...row, ...row]);
  assert.deepEqual([display.width, display.height], [4, 4]);

  // Tall image, landscape target: scale by 2 to cover 4 wide, then keep the middle rows.
  const tall = join(dir, 'tall.png');
  const data = new Uint8Array(2 * 6 * 3);
  for (let y = 0; y < 6; y++) data.fill(y * 40, y * 6, y * 6 + 6);
  await sharp(data, { raw: { width: 2, height: 6, channels: 3 } }).png().toFile(tall);
  const t = await loadImageTensor(tall, { ...RAW, width: 4, height: 2, resize: 'center-crop', layout: 'nhwc' });
  assert.deepEqual(t.dims, [1, 2, 4, 1]);
  // After 2× enlargement rows 0..11 hold y≈row/2; the kept rows 5..6 straddle source rows 2 and 3.
  for (const v of t.tensor.subarray(0, 4)) assert.ok(v >= 80 && v <= 120, `top row ${v}`);
  for (const v of t.tensor.subarray(4)) assert.ok(v >= 80 && v <= 120, `bottom row ${v}`);
});

test('stretch keeps the whole field of view; center-crop drops the sides', async () => {
  // 8×4: columns 0-1 red, 2-5 green, 6-7 blue.
  const data = new Uint8Array(8 * 4 * 3);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) data[3 * (y * 8 + x) + (x < 2 ? 0 : x < 6 ? 1 : 2)] = 255;
  const path = join(dir, 'rgb-bands.png');
  await sharp(data, { raw: { width: 8, height: 4, channels: 3 } }).png().toFile(path);
  const preset: Preset = { ...IMAGENET, width: 4, height: 4, scale: 1, mean: [0], std: [1], layout: 'nhwc' };
  const dominant = (t: Float32Array, i: number) => [0, 1, 2].reduce((best, c) => (t[3 * i + c]! > t[3 * i + best]! ? c : best), 0);
  const s = await loadImageTensor(path, { ...preset, resize: 'stretch' });
  for (let y = 0; y < 4; y++) assert.deepEqual([0, 1, 2, 3].map((x) => dominant(s.tensor, y * 4 + x)), [0, 1, 1, 2]);
  const c = await loadImageTensor(path, { ...preset, resize: 'center-crop' });
  assert.deepEqual(Array.from(c.tensor), Array.from({ length: 48 }, (_, i) => (i % 3 === 1 ? 255 : 0)));
});

test('transparency is flattened on white; EXIF orientation is applied', async () => {
  const rgba = join(dir, 'rgba.png');
  await sharp(Uint8Array.from([255, 0, 0, 0, 0, 0, 0, 255, 0, 255, 0, 128, 9, 9, 9, 255]), { raw: { width: 2, height: 2, channels: 4 } }).png().toFile(rgba);
  const a = await loadImageTensor(rgba, { ...RAW, channels: 'rgb', width: 2, height: 2, layout: 'nhwc' });
  assert.deepEqual(Array.from(a.tensor), [255, 255, 255, 0, 0, 0, 127, 255, 127, 9, 9, 9]);

  // Stored 4×2 with orientation 6 (rotate 90° clockwise to display): shown 2 wide × 4 high.
  const jpg = join(dir, 'rotated.jpg');
  const stored = new Uint8Array(4 * 2 * 3);
  for (let i = 0; i < 8; i++) stored.fill(i * 30, 3 * i, 3 * i + 3);
  await sharp(stored, { raw: { width: 4, height: 2, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toFile(jpg);
  const r = await loadImageTensor(jpg, { ...RAW, width: 2, height: 4 });
  // Displayed row y = [stored(1, y), stored(0, y)]: stored index 4+y then y.
  const expected = [120, 0, 150, 30, 180, 60, 210, 90];
  r.tensor.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= 3, `pixel ${i}: ${v} vs ${expected[i]}`));
});

test('missing, non-image and corrupt files give one-line HeatlensErrors naming the file', async () => {
  const check = (path: string, why: RegExp) => (e: unknown) =>
    e instanceof HeatlensError && e.message.startsWith(`cannot read image ${path}: `) && why.test(e.message) && !e.message.includes('\n');
  const missing = join(dir, 'missing.png');
  await assert.rejects(loadImageTensor(missing, IMAGENET), check(missing, /no such file/));
  const text = join(dir, 'notes.png');
  await writeFile(text, 'this is not an image\n');
  await assert.rejects(loadImageTensor(text, IMAGENET), check(text, /unsupported image format/));
  const full = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  const cut = join(dir, 'cut.jpg');
  await writeFile(cut, full.subarray(0, full.length >> 1));
  await assert.rejects(loadImageTensor(cut, IMAGENET), check(cut, /./));
  await assert.rejects(loadImageTensor(dir, IMAGENET), check(dir, /not a file/));
});

test('batchTensors stacks along the batch axis and checks shapes', async () => {
  const a = { tensor: Float32Array.from([1, 2, 3, 4]), dims: [1, 1, 2, 2] };
  const b = { tensor: Float32Array.from([5, 6, 7, 8, 9, 10, 11, 12]), dims: [2, 1, 2, 2] };
  const out = batchTensors([a, b, a]);
  assert.deepEqual(out.dims, [4, 1, 2, 2]);
  assert.deepEqual(Array.from(out.tensor), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4]);
  assert.throws(() => batchTensors([a, { tensor: new Float32Array(4), dims: [1, 2, 2, 1] }]), /image 2 has dims \[1, 2, 2, 1\], image 1 has \[1, 1, 2, 2\]/);
  assert.throws(() => batchTensors([]), HeatlensError);
  const img = await loadImageTensor(png, IMAGENET);
  const two = batchTensors([img, img]);
  assert.deepEqual(two.dims, [2, 3, H, W]);
  assert.deepEqual(Array.from(two.tensor.subarray(24)), Array.from(img.tensor));
});

test('parsePreset accepts a full preset and names the field and source of each error', () => {
  const good = { width: 224, height: 224, resize: 'center-crop', channels: 'rgb', layout: 'nchw', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  assert.deepEqual(parsePreset(good, 'm.preset.json'), good);
  assert.deepEqual(parsePreset({ ...good, channels: 'gray', mean: [0.1307], std: [0.3081] }, 's').mean, [0.1307]);
  const bad = (patch: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(() => parsePreset({ ...good, ...patch }, 'm.preset.json'), (e: unknown) => e instanceof HeatlensError && /^preset m\.preset\.json: /.test(e.message) && pattern.test(e.message));
  bad({ width: undefined }, /'width' must be a positive integer, got nothing \(missing\)/);
  bad({ height: 22.5 }, /'height' must be a positive integer, got 22.5/);
  bad({ resize: 'crop' }, /'resize' must be 'stretch' or 'center-crop', got "crop"/);
  bad({ channels: 'RGB' }, /'channels' must be 'rgb' or 'bgr' or 'gray'/);
  bad({ layout: 'chw' }, /'layout' must be 'nchw' or 'nhwc'/);
  bad({ scale: 0 }, /'scale' must be a positive number, got 0/);
  bad({ mean: [0.5, 0.5] }, /'mean' must be an array of 1 or 3 numbers \(channels 'rgb'\), got \[0.5,0.5\]/);
  bad({ mean: 0.5 }, /'mean' must be an array/);
  bad({ std: [0.2, 0, 0.2] }, /'std' must be an array of positive numbers/);
  bad({ channels: 'gray' }, /'mean' must be an array of 1 number, got \[0.485,0.456,0.406\]/);
  bad({ stdev: [1] }, /unknown field 'stdev'/);
  assert.throws(() => parsePreset([1, 2], 'x.json'), /preset x\.json: '\(top level\)' must be a JSON object/);
});

test('preset files: loading, JSON errors, discovery beside the model', async () => {
  const models = join(dir, 'models');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(models);
  const base = { width: 32, height: 32, resize: 'stretch', channels: 'rgb', layout: 'nchw', scale: 1 / 255, mean: [0.5], std: [0.5] };
  assert.equal(findPresetForModel(join(models, 'cifar.onnx')), undefined);
  await writeFile(join(models, 'preset.json'), JSON.stringify(base));
  assert.equal(findPresetForModel(join(models, 'cifar.onnx'))?.width, 32);
  await writeFile(join(models, 'cifar.preset.json'), JSON.stringify({ ...base, width: 40 }));
  assert.equal(findPresetForModel(join(models, 'cifar.onnx'))?.width, 40); // the model's own wins
  assert.equal(findPresetForModel(join(models, 'other.onnx'))?.width, 32);
  const broken = join(models, 'broken.preset.json');
  await writeFile(broken, '{"width": 32,');
  assert.throws(() => loadPresetFile(broken), (e: unknown) => e instanceof HeatlensError && e.message.startsWith(`preset ${broken}: invalid JSON`));
  assert.throws(() => findPresetForModel(join(models, 'broken.onnx')), /invalid JSON/);
  assert.throws(() => loadPresetFile(join(models, 'nope.json')), /cannot read preset .*nope\.json: no such file/);
});

test('presetFromInputShape and mergePreset', () => {
  assert.deepEqual(presetFromInputShape([1, 3, 224, 224]), { width: 224, height: 224, resize: 'stretch', channels: 'rgb', layout: 'nchw', scale: 1 / 255, mean: [0], std: [1] });
  const mnist = presetFromInputShape([-1, 28, 28, 1]);
  assert.deepEqual([mnist.layout, mnist.channels, mnist.width, mnist.height], ['nhwc', 'gray', 28, 28]);
  assert.deepEqual([presetFromInputShape([1, 1, 20, 30]).width, presetFromInputShape([1, 1, 20, 30]).height], [30, 20]);
  assert.throws(() => presetFromInputShape([1, 3, -1, -1]), /\[1, 3, -1, -1\] has a dynamic height or width/);
  assert.throws(() => presetFromInputShape([1, 224, 224]), /is not 4-D/);
  assert.throws(() => presetFromInputShape([1, 4, 224, 224]), /no channel dim of 1 or 3/);

  const base = presetFromInputShape([1, 3, 224, 224]);
  const merged = mergePreset(base, { mean: [0.485, 0.456, 0.406], resize: 'center-crop', std: undefined });
  assert.deepEqual([merged.mean, merged.std, merged.resize, merged.width], [[0.485, 0.456, 0.406], [1], 'center-crop', 224]);
  assert.equal(mergePreset(base, { channels: 'gray' }).channels, 'gray'); // one-entry mean/std still fit
  assert.throws(() => mergePreset(merged, { channels: 'gray' }), /'mean' must be an array of 1 number/);
  assert.throws(() => mergePreset(base, { width: 0 }), /'width' must be a positive integer/);
});

test('a real photo (shared/images/chelsea.png) through an ImageNet preset', async (t) => {
  const chelsea = new URL('../../../shared/images/chelsea.png', import.meta.url);
  if (!existsSync(chelsea)) {
    t.skip('../shared absent');
    return;
  }
  const preset: Preset = { ...IMAGENET, width: 224, height: 224, resize: 'center-crop' };
  const { tensor, dims, display } = await loadImageTensor(chelsea.pathname, preset);
  assert.deepEqual(dims, [1, 3, 224, 224]);
  assert.equal(display.data.length, 224 * 224 * 3);
  let min = Infinity, max = -Infinity;
  for (const v of tensor) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  // ImageNet normalisation maps 0..255 into about [−2.12, 2.64].
  assert.ok(min >= -2.12 && max <= 2.65 && max - min > 2, `range [${min}, ${max}]`);
  // The tensor is the display image, normalised: check one pixel in the red plane.
  const i = 100 * 224 + 120;
  assert.equal(tensor[i], norm(display.data[3 * i]!, preset, 0));
});
