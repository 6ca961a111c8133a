/**
 * The `heatlens` command line, run as a user runs it: `node bin/heatlens.js …` in a child process, with
 * the shared resnet20 (CIFAR-10, 32×32) model, its preprocessing given as flags, and ../shared/images.
 * Every run writes into a fresh temporary folder (also its working directory).
 *
 * Happy paths check what each output holds; bad input checks the contract of the issue: a non-zero exit,
 * exactly one line on stderr starting 'heatlens: error: ' (flag errors from commander included), no stack
 * trace unless --verbose, nothing on stdout and no file (output or temporary) left in the output folder.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { GraphBuilder } from '../src/ir/builder.js';
import { attr, emptyGraph } from '../src/ir/graph.js';
import { floatTensor } from '../src/ir/tensor.js';
import { decodeNpy, encodeNpy } from '../src/io/npy.js';
import { type ModelMsg, ModelProto } from '../src/onnx/schema.js';
import { encodeModel } from '../src/onnx/write.js';
import { type Run, assertFailedCleanly, heatlens } from './util/cli.js';
import { relativeMaxError } from './util/ort.js';
import { Random } from './util/random.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = join(ROOT, '..', 'shared');
const MODEL = join(SHARED, 'models', 'resnet20-cifar10', 'model.onnx');
const IMAGE = join(SHARED, 'images', 'chelsea.png');
const PRESET = ['--size', '32', '--scale', '0.00392156862745098', '--mean', '0.485,0.456,0.406', '--std', '0.229,0.224,0.225'];
const CAT = 3;
const available = existsSync(MODEL) && existsSync(IMAGE);

let scratch = '';
let inputs = '';

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'heatlens-cli-'));
  inputs = join(scratch, 'inputs');
  mkdirSync(inputs);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh, empty output folder. */
function outDir(): string {
  return mkdtempSync(join(scratch, 'out-'));
}

function assertSucceeded(r: Run): void {
  assert.equal(r.status, 0, `exit ${r.status}; stderr: ${r.stderr}`);
  assert.equal(r.stderr, '');
}

const explainArgs = (...extra: string[]) => ['explain', '-m', MODEL, ...PRESET, ...extra];

interface ExplainJson {
  inputShape: number[];
  classes: number;
  images: { input: string; top5: { index: number; label?: string; logit: number; probability: number }[]; target: { index: number; label?: string } }[];
  outputs: string[];
}

// ---------------------------------------------------------------------------------------------------
// Happy paths.

test('explain: text output with the top-5, a heat-map PNG (≥ 256 px) and the raw attribution as .npy', async (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const r = heatlens(explainArgs('-i', IMAGE, '--out', 'heat.png', '--save-npy', 'attr.npy'), dir);
  assertSucceeded(r);
  for (let rank = 1; rank <= 5; rank++) assert.match(r.stdout, new RegExp(`^  ${rank}\\. .*%  logit -?\\d+\\.\\d+  \\[\\d\\]$`, 'm'));
  assert.match(r.stdout, /^  1\. cat /m, 'chelsea is a cat');
  assert.match(r.stdout, /^wrote {3}heat\.png$/m);
  assert.match(r.stdout, /^wrote {3}attr\.npy$/m);
  assert.deepEqual(readdirSync(dir).sort(), ['attr.npy', 'heat.png'], 'only the outputs, no temporary file');

  const npy = decodeNpy(readFileSync(join(dir, 'attr.npy')), 'attr.npy');
  assert.equal(npy.dtype, 'float32');
  assert.deepEqual(npy.shape, [1, 3, 32, 32]);
  const values = Array.from(npy.data as Float32Array);
  assert.ok(values.every(Number.isFinite) && values.some((v) => v > 0), 'a finite, non-zero saliency map');
  assert.ok(values.every((v) => v >= 0), 'saliency is |gradient|');

  const meta = await sharp(join(dir, 'heat.png')).metadata();
  assert.equal(meta.format, 'png');
  assert.ok(Math.min(meta.width!, meta.height!) >= 256, `PNG is ${meta.width}×${meta.height}`);
});

test('explain --json prints one JSON object with the top-5; --target 3 explains class 3', (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const r = heatlens(explainArgs('-i', IMAGE, '--json', '--target', '3'), dir);
  assertSucceeded(r);
  assert.equal(r.stdout.trimEnd().split('\n').length, 1, 'one line');
  const out = JSON.parse(r.stdout) as ExplainJson;
  assert.deepEqual(out.inputShape, [1, 3, 32, 32]);
  assert.equal(out.classes, 10);
  assert.equal(out.images.length, 1);
  const { top5, target } = out.images[0];
  assert.equal(top5.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(top5[i - 1].logit >= top5[i].logit, 'ranked by logit');
  assert.equal(top5[0].index, CAT);
  assert.equal(target.index, 3);
  assert.equal(target.label, 'cat');
  assert.deepEqual(out.outputs, []);
  assert.deepEqual(readdirSync(dir), []);
});

test('explain with two images and one target each writes heat-0.png and heat-1.png', (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const r = heatlens(explainArgs('-i', IMAGE, IMAGE, '--target', '3,5', '--out', 'heat.png', '--save-npy', 'attr.npy', '--json'), dir);
  assertSucceeded(r);
  const out = JSON.parse(r.stdout) as ExplainJson;
  assert.deepEqual(out.inputShape, [2, 3, 32, 32]);
  assert.deepEqual(out.images.map((i) => i.target.index), [3, 5]);
  assert.deepEqual(out.images[0].top5, out.images[1].top5, 'the same image gives the same prediction');
  assert.deepEqual(out.outputs, ['attr.npy', 'heat-0.png', 'heat-1.png']);
  assert.deepEqual(readdirSync(dir).sort(), ['attr.npy', 'heat-0.png', 'heat-1.png']);
  const npy = decodeNpy(readFileSync(join(dir, 'attr.npy')), 'attr.npy');
  assert.deepEqual(npy.shape, [2, 3, 32, 32]);
  const data = npy.data as Float32Array;
  const half = data.length / 2;
  assert.ok(relativeMaxError(data.subarray(0, half), data.subarray(half)) > 1e-3, 'class 3 and class 5 have different saliency maps');
});

test('compile --out writes a model onnxruntime loads, with outputs logits, attribution and target', async (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const r = heatlens(['compile', '-m', MODEL, '--out', 'x.onnx'], dir);
  assertSucceeded(r);
  assert.match(r.stdout, /^wrote {3}x\.onnx /m);
  assert.deepEqual(readdirSync(dir), ['x.onnx']);

  const session = await ort.InferenceSession.create(join(dir, 'x.onnx'), { logSeverityLevel: 3, intraOpNumThreads: 1 });
  const original = await ort.InferenceSession.create(MODEL, { logSeverityLevel: 3, intraOpNumThreads: 1 });
  try {
    assert.deepEqual([...session.outputNames].sort(), ['attribution', 'logits', 'target']);
    assert.ok(session.inputNames.includes('target_class'));
    const input = session.inputNames.find((n) => n !== 'target_class')!;
    const x = new ort.Tensor('float32', Float32Array.from(new Random(1).normals(3 * 32 * 32)), [1, 3, 32, 32]);
    const out = await session.run({ [input]: x, target_class: new ort.Tensor('int64', BigInt64Array.from([5n]), [1]) });
    assert.deepEqual(out.logits.dims, [1, 10]);
    assert.deepEqual(out.attribution.dims, [1, 3, 32, 32]);
    assert.deepEqual(Array.from(out.target.data as BigInt64Array, Number), [5]);
    const reference = await original.run({ [original.inputNames[0]]: x });
    const logits = reference[original.outputNames[0]].data as Float32Array;
    assert.ok(relativeMaxError(out.logits.data as Float32Array, logits) <= 1e-5, 'the compiled logits are the model\'s');
  } finally {
    await session.release();
    await original.release();
  }
});

// ---------------------------------------------------------------------------------------------------
// Bad input: one line, non-zero exit, no output.

test('bench --json: inference and each method timed in the same processes, with ratios, memory and graph sizes', () => {
  // The built-in model; 2 processes × 2 rounds, a few runs each (a behaviour check, not a timing test).
  const dir = outDir();
  const r = heatlens(['bench', '--methods', 'saliency,gradcam', '--iters', '4', '--warmup', '1', '--rounds', '2', '--processes', '2', '--json'], dir);
  assertSucceeded(r);
  const report = JSON.parse(r.stdout) as { rows: { config: string; medianMs: number; minMedianMs: number; maxMedianMs: number; ratio: number; peakRssMB: number; modelBytes: number; iters: number }[] };
  assert.deepEqual(report.rows.map((row) => row.config), ['inference', 'saliency', 'gradcam']);
  for (const row of report.rows) {
    assert.ok(row.medianMs > 0 && row.minMedianMs <= row.medianMs && row.medianMs <= row.maxMedianMs, JSON.stringify(row));
    assert.ok(row.peakRssMB > 10 && row.modelBytes > 1000, JSON.stringify(row));
    assert.equal(row.iters, 8, 'four runs in each of two processes');
  }
  assert.equal(report.rows[0].ratio, 1);
  assert.ok(report.rows[1].ratio > 1, 'saliency (forward + backward) takes longer than inference');
  assert.deepEqual(readdirSync(dir), [], 'bench writes no file');
});

test('a missing image', (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const r = heatlens(explainArgs('-i', join(inputs, 'missing.png'), '--out', 'heat.png', '--save-npy', 'attr.npy'), dir);
  assertFailedCleanly(r, dir, /cannot read image .*missing\.png: no such file/);
});

test('a truncated model', (t) => {
  if (!available) return t.skip('../shared absent');
  const model = join(inputs, 'truncated.onnx');
  const bytes = readFileSync(MODEL);
  writeFileSync(model, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const dir = outDir();
  const r = heatlens(['explain', '-m', model, ...PRESET, '-i', IMAGE, '--out', 'heat.png'], dir);
  assertFailedCleanly(r, dir, /truncated\.onnx: not a valid ONNX model/);
});

test('a model file that is not ONNX (a PNG)', (t) => {
  if (!available) return t.skip('../shared absent');
  const model = join(inputs, 'picture.onnx');
  copyFileSync(IMAGE, model);
  const dir = outDir();
  const r = heatlens(['explain', '-m', model, ...PRESET, '-i', IMAGE, '--out', 'heat.png'], dir);
  assertFailedCleanly(r, dir, /picture\.onnx: not a valid ONNX model/);
  const compiled = heatlens(['compile', '-m', model, '--out', 'x.onnx'], dir);
  assertFailedCleanly(compiled, dir, /picture\.onnx: not a valid ONNX model/);
});

test('a folder as the model is the model file inside it; a folder as the image or the --out path is refused', (t) => {
  if (!available) return t.skip('../shared absent');
  let dir = outDir();
  const viaFolder = heatlens(['explain', '-m', dirname(MODEL), ...PRESET, '-i', IMAGE, '--json'], dir);
  assertSucceeded(viaFolder);
  assert.equal((JSON.parse(viaFolder.stdout) as { model: string }).model, MODEL);
  assertFailedCleanly(heatlens(['explain', '-m', inputs, ...PRESET, '-i', IMAGE, '--out', 'heat.png'], dir), dir,
    /^heatlens: error: .*inputs is a folder with no model\.onnx or model\.json in it: give the model file$/);
  const both = join(inputs, 'both');
  mkdirSync(both, { recursive: true });
  writeFileSync(join(both, 'model.onnx'), '');
  writeFileSync(join(both, 'model.json'), '');
  dir = outDir();
  assertFailedCleanly(heatlens(['inspect', both], dir), dir, /both is a folder with both model\.onnx and model\.json in it: give the one to use$/);
  dir = outDir();
  assertFailedCleanly(heatlens(explainArgs('-i', inputs, '--out', 'heat.png'), dir), dir, /cannot read image .*: not a file$/);
  dir = outDir();
  mkdirSync(join(dir, 'heat.png'));
  const r = heatlens(explainArgs('-i', IMAGE, '--out', 'heat.png'), dir);
  rmSync(join(dir, 'heat.png'), { recursive: true });
  assertFailedCleanly(r, dir, /^heatlens: error: cannot write heat\.png: is a folder, not a file$/);
});

test('--target 10 on a 10-class model', (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const r = heatlens(explainArgs('-i', IMAGE, '--target', '10', '--out', 'heat.png', '--save-npy', 'attr.npy'), dir);
  assertFailedCleanly(r, dir, /class index 10 is out of range: the model has 10 classes \(0–9\)/);
});

test('a .npy of the wrong shape, of the wrong rank, one that is not npy, and one with a value float32 cannot hold', (t) => {
  if (!available) return t.skip('../shared absent');
  const wrong = join(inputs, 'wrong-shape.npy');
  writeFileSync(wrong, encodeNpy(new Float32Array(3 * 16 * 16), [1, 3, 16, 16]));
  let dir = outDir();
  assertFailedCleanly(heatlens(['explain', '-m', MODEL, '-i', wrong, '--out', 'heat.png', '--save-npy', 'attr.npy'], dir), dir,
    /wrong-shape\.npy has shape \[1×3×16×16\], the model expects \[1×3×32×32\]/);

  const rank3 = join(inputs, 'rank3.npy');
  writeFileSync(rank3, encodeNpy(new Float32Array(3 * 32 * 32), [3, 32, 32]));
  dir = outDir();
  assertFailedCleanly(heatlens(['explain', '-m', MODEL, '-i', rank3, '--save-npy', 'attr.npy'], dir), dir,
    /rank3\.npy has shape \[3×32×32\], the model expects \[batch×3×32×32\]/);

  const text = join(inputs, 'text.npy');
  writeFileSync(text, 'not a numpy file\n');
  dir = outDir();
  assertFailedCleanly(heatlens(['explain', '-m', MODEL, '-i', text, '--out', 'heat.png'], dir), dir, /text\.npy: not a NumPy \.npy file/);

  // float64 beyond the float32 range is ±∞ once converted: refused like a NaN.
  const huge = join(inputs, 'huge.npy');
  const values = new Float64Array(3 * 32 * 32);
  values[1091] = 1e300;
  writeFileSync(huge, encodeNpy(values, [1, 3, 32, 32]));
  dir = outDir();
  assertFailedCleanly(heatlens(['explain', '-m', MODEL, '-i', huge, '--out', 'heat.png'], dir), dir,
    /huge\.npy: the input tensor holds Infinity at flat index 1091; every value must be finite \(in float32\)$/);
});

test('an unknown method', (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const r = heatlens(explainArgs('-i', IMAGE, '--method', 'telepathy', '--out', 'heat.png'), dir);
  assertFailedCleanly(r, dir, /unknown method 'telepathy'/);
});

test('an unknown flag, --iters 0 for bench, compile without --out (no model needed)', () => {
  let dir = outDir();
  assertFailedCleanly(heatlens(['explain', '--no-such-flag'], dir), dir, /unknown option '--no-such-flag'/);
  dir = outDir();
  assertFailedCleanly(heatlens(['bench', '--iters', '0'], dir), dir, /--iters must be a positive integer, got '0'/);
  dir = outDir();
  assertFailedCleanly(heatlens(['compile', '-m', MODEL], dir), dir, /compile needs --out <file\.onnx>/);
});

test('--version prints the version of package.json and exits 0', () => {
  const dir = outDir();
  const r = heatlens(['--version'], dir);
  assertSucceeded(r);
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(r.stdout, `${version}\n`);
});

test('a flag the chosen method would ignore is refused, naming the flag and what it applies to (built-in model)', () => {
  const refused: [string[], RegExp][] = [
    [['explain', '--layer', 'x'], /^heatlens: error: --layer has no effect with --method saliency: it applies to the CAM methods \(gradcam, gradcam\+\+, hirescam, guided-gradcam\)$/],
    [['explain', '--method', 'gradcam', '--steps', '8'], /--steps has no effect with --method gradcam: it applies to --method integrated-gradients$/],
    [['explain', '--method', 'integrated-gradients', '--pilot-steps', '4'], /--pilot-steps has no effect with --method integrated-gradients: it applies to --scheme nonuniform$/],
    [['explain', '--method', 'integrated-gradients', '--max-steps', '64'], /--max-steps has no effect .*: it applies to --target-delta/],
    [['explain', '--method', 'integrated-gradients', '--seed', '3'], /--seed has no effect .*: it applies to --smooth and to --baseline noise$/],
    [['explain', '--noise-std', '0.2'], /--noise-std has no effect with --method saliency: it applies to --smooth$/],
    [['explain', '--smooth', 'vargrad', '--baseline', 'black'], /--baseline has no effect with --method saliency --smooth vargrad: /],
    [['compile', '--method', 'saliency', '--noise-samples', '4', '--out', 'x.onnx'], /--noise-samples has no effect with --method saliency: it applies to --smooth$/],
    [['explain', '--colormap', 'viridis'], /^heatlens: error: --colormap has no effect without --out: it styles the PNG heat map$/],
    [['explain', '--no-overlay', '--save-npy', 'a.npy'], /--no-overlay has no effect without --out: it styles the PNG heat map$/],
    [['explain', '--reduce', 'sum', '--json'], /--reduce has no effect without --out/],
  ];
  for (const [args, message] of refused) {
    const dir = outDir();
    assertFailedCleanly(heatlens(args, dir), dir, message);
  }
  // The same flags where they apply run.
  const dir = outDir();
  const styled = heatlens(['explain', '--colormap', 'viridis', '--no-overlay', '--reduce', 'sum', '--normalise', 'minmax', '--out', 'styled.png'], dir);
  assertSucceeded(styled);
  assert.match(styled.stdout, /^wrote {3}styled\.png$/m);
  rmSync(join(dir, 'styled.png'));
  const smooth = heatlens(['explain', '--smooth', 'vargrad', '--noise-samples', '2', '--noise-std', '0.1', '--seed', '2'], dir);
  assertSucceeded(smooth);
  assert.match(smooth.stdout, /vargrad: 2 noisy copies, σ = [\d.]+, seed 2/);
  const ig = heatlens(['explain', '--method', 'integrated-gradients', '--scheme', 'nonuniform', '--pilot-steps', '4', '--steps', '4',
    '--baseline', 'noise', '--seed', '1', '--target-delta', '0.5', '--max-steps', '8', '--max-batch', '4'], dir);
  assertSucceeded(ig);
  assert.match(ig.stdout, /IG nonuniform: \d+ steps, .*pilot 5 forward passes/);
});

test('a failing PNG write leaves no .npy written earlier in the same run', (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const r = heatlens(explainArgs('-i', IMAGE, '--save-npy', 'attr.npy', '--out', join('no-such-folder', 'heat.png')), dir);
  assertFailedCleanly(r, dir, /cannot write no-such-folder\/heat\.png: folder no-such-folder does not exist/);
});

/** x [1,3,8,8] → Conv → `middle` → GlobalAveragePool → Flatten → [1,4], as ONNX bytes. */
function smallModel(middle: (b: GraphBuilder, x: string) => string): Uint8Array {
  const graph = emptyGraph('small');
  graph.inputs = ['x'];
  graph.values.set('x', { dtype: 'float32', shape: [1, 3, 8, 8] });
  const b = new GraphBuilder(graph);
  const rnd = new Random(8);
  const conv = b.op('Conv', ['x', b.constant(floatTensor([4, 3, 3, 3], rnd.normals(108, 0.3)), 'w')], { pads: attr.ints([1, 1, 1, 1]) });
  graph.outputs = [b.op('Flatten', [b.op('GlobalAveragePool', [middle(b, conv)])])];
  return encodeModel(graph);
}

test('unsupported ops and ops with no backward rule: every one listed, with node names, in one line', (t) => {
  const npy = join(inputs, 'small.npy');
  writeFileSync(npy, encodeNpy(Float32Array.from(new Random(2).normals(192)), [1, 3, 8, 8]));

  // Ops the importer does not know: all listed at once.
  const msg = ModelProto.toObject(ModelProto.decode(smallModel((b, x) => b.op('Relu', [x])))) as ModelMsg;
  const last = msg.graph!.node![msg.graph!.node!.length - 1];
  msg.graph!.node!.push(
    { op_type: 'NonMaxSuppression', name: 'nms', input: [last.output![0], last.output![0]], output: ['nms_out'] },
    { op_type: 'Foo', domain: 'com.example', name: 'foo', input: [last.output![0]], output: ['foo_out'] },
  );
  const unsupported = join(inputs, 'unsupported.onnx');
  writeFileSync(unsupported, ModelProto.encode(ModelProto.fromObject(msg)).finish());
  let dir = outDir();
  assertFailedCleanly(heatlens(['explain', '-m', unsupported, '-i', npy, '--out', 'heat.png'], dir), dir,
    /unsupported\.onnx: unsupported ops: NonMaxSuppression \(nms\); com\.example\.Foo \(foo\)$/);

  // Ops the IR knows but the compiler cannot differentiate: all listed at once.
  const noRule = join(inputs, 'no-rule.onnx');
  writeFileSync(noRule, smallModel((b, x) => b.op('Sqrt', [b.op('Exp', [b.op('Exp', [x], {}, 'first_exp')], {}, 'second_exp')], {}, 'root')));
  dir = outDir();
  const r = heatlens(['explain', '-m', noRule, '-i', npy, '--out', 'heat.png'], dir);
  assertFailedCleanly(r, dir, /no backward rule for: /);
  assert.match(r.stderr, /Exp \(first_exp_node, second_exp_node\)/);
  assert.match(r.stderr, /Sqrt \(root_node\)/);
  dir = outDir();
  assertFailedCleanly(heatlens(['compile', '-m', noRule, '--out', 'x.onnx'], dir), dir, /no backward rule for: .*Exp.*Sqrt|no backward rule for: .*Sqrt.*Exp/);
  t.diagnostic(r.stderr.trim());
});

test('--verbose prints the stack trace after the one-line message', (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const r = heatlens(explainArgs('-i', join(inputs, 'missing.png'), '--out', 'heat.png', '--verbose'), dir);
  assert.notEqual(r.status, 0);
  const [first, ...rest] = r.stderr.trimEnd().split('\n');
  assert.match(first, /^heatlens: error: cannot read image .*missing\.png: no such file$/);
  assert.ok(rest.some((l) => /^\s+at /.test(l)), `a stack trace follows:\n${r.stderr}`);
  assert.deepEqual(readdirSync(dir), []);
});

// ---------------------------------------------------------------------------------------------------
// Grad-CAM, Integrated Gradients and SmoothGrad from the command line.

test('gradcam: static, says so, saves the layer-resolution map; IG prints its completeness error', (t) => {
  if (!available) return t.skip('../shared absent');
  const dir = outDir();
  const cam = heatlens(explainArgs('-i', IMAGE, '--method', 'gradcam', '--save-npy', 'cam.npy', '--out', 'cam.png', '--json'), dir);
  assertSucceeded(cam);
  const report = JSON.parse(cam.stdout) as { static: boolean; backwardPasses: number };
  assert.equal(report.static, true);
  assert.equal(report.backwardPasses, 0);
  const map = decodeNpy(readFileSync(join(dir, 'cam.npy')), 'cam.npy');
  assert.deepEqual(map.shape, [1, 1, 8, 8], 'the map at the last stage of resnet20 (8×8)');
  assert.ok(Math.max(...(map.data as Float32Array)) > 0);
  const ig = heatlens(explainArgs('-i', IMAGE, '--method', 'integrated-gradients', '--steps', '8', '--scheme', 'nonuniform', '--json'), dir);
  assertSucceeded(ig);
  const details = (JSON.parse(ig.stdout) as { images: { details: { steps: number; relativeDelta: number; scheme: string } }[] }).images[0].details;
  assert.equal(details.steps, 8);
  assert.equal(details.scheme, 'nonuniform');
  assert.ok(details.relativeDelta >= 0 && details.relativeDelta < 1);
  // --target-delta out of reach within --max-steps: said on the IG line (and as targetReached in --json).
  const capped = heatlens(explainArgs('-i', IMAGE, '--method', 'integrated-gradients', '--steps', '2', '--target-delta', '1e-9', '--max-steps', '3'), dir);
  assertSucceeded(capped);
  assert.match(capped.stdout, /IG gausslegendre: 3 steps, δ = .*; target ≤ 1\.00e-7% NOT reached within --max-steps 3\n/);
  assert.match(capped.stdout, /^method  integrated-gradients, target: pre-softmax logit, 1 backward pass per path point$/m);
  assert.match(capped.stdout, /^time    load [\d.]+ ms, run [\d.]+ ms \(compiling and sessions included\)$/m);
  const smooth = heatlens(explainArgs('-i', IMAGE, '--method', 'saliency', '--smooth', 'vargrad', '--noise-samples', '4', '--save-npy', 'sg.npy'), dir);
  assertSucceeded(smooth);
  assert.match(smooth.stdout, /vargrad: 4 noisy copies, σ = [\d.]+, seed 0/);
});

test('CAM, IG and SmoothGrad bad input: unknown or flat layer, steps < 1, a target δ of 0, a baseline of the wrong shape', (t) => {
  if (!available) return t.skip('../shared absent');
  let dir = outDir();
  assertFailedCleanly(heatlens(explainArgs('-i', IMAGE, '--method', 'gradcam', '--layer', 'no_such_layer', '--out', 'h.png'), dir), dir,
    /no layer named 'no_such_layer'; candidates: .+/);
  dir = outDir();
  // The logits have no spatial size: refused, with the candidates.
  assertFailedCleanly(heatlens(explainArgs('-i', IMAGE, '--method', 'hirescam', '--layer', 'output', '--out', 'h.png'), dir), dir,
    /(has shape|no layer named).*candidates: /);
  dir = outDir();
  assertFailedCleanly(heatlens(explainArgs('-i', IMAGE, '--method', 'integrated-gradients', '--steps', '0'), dir), dir, /--steps must be a positive integer, got '0'/);
  dir = outDir();
  assertFailedCleanly(heatlens(explainArgs('-i', IMAGE, '--method', 'integrated-gradients', '--target-delta', '0'), dir), dir,
    /--target-delta must be a number > 0, got '0'/);
  const baseline = join(inputs, 'baseline.npy');
  writeFileSync(baseline, encodeNpy(new Float32Array(3 * 16 * 16), [1, 3, 16, 16]));
  dir = outDir();
  assertFailedCleanly(heatlens(explainArgs('-i', IMAGE, '--method', 'integrated-gradients', '--baseline', baseline, '--out', 'h.png'), dir), dir,
    /baseline .*baseline\.npy has shape \[1×3×16×16\].*the input is \[1×3×32×32\]/);
  dir = outDir();
  assertFailedCleanly(heatlens(explainArgs('-i', IMAGE, '--method', 'gradcam', '--smooth', 'smoothgrad', '--out', 'h.png'), dir), dir,
    /cannot be smoothed|wraps a gradient method/);
});
