/**
 * The browser entry (src/browser.ts, `heatlens/browser`):
 * - what it imports reaches no Node built-in and no Node-only package, and esbuild bundles it for the
 *   browser platform (where an import of node:fs, sharp or onnxruntime-node fails the build);
 * - it compiles the same bytes `heatlens compile` writes, for every single-pass method;
 * - canvas pixels (RGBA) become the same input tensor as the CLI's image loading, bit for bit;
 * - end to end in onnxruntime-web: the prediction and the heat map of the CLI's pipeline
 *   (onnxruntime-node), within float32 rounding.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as ortWeb from 'onnxruntime-web';
import sharp from 'sharp';
import { TARGET_INPUT, compileExplainedModel, heatmapImages, singlePassMethodNames, tensorFromPixels } from '../src/browser.js';
import { DEFAULT_IMAGE, DEFAULT_MODEL } from '../src/cli/defaults.js';
import { standaloneGraph } from '../src/compile/standalone.js';
import { loadImageTensor } from '../src/image/load.js';
import { findPresetForModel } from '../src/image/presetFile.js';
import { encodeModel } from '../src/onnx/write.js';
import { explain } from '../src/pipeline.js';
import { relativeMaxError } from './util/ort.js';

ortWeb.env.wasm.numThreads = 1;

const entry = fileURLToPath(new URL('../src/browser.js', import.meta.url));
/** Packages the browser entry may import: protobufjs (ONNX decoding), which runs in browsers. */
const BROWSER_PACKAGES = new Set(['protobufjs']);

/** The bare specifiers (packages, node: built-ins) reached from `file` through its relative imports. */
function bareImports(file: string, seen = new Set<string>(), found = new Map<string, string>()): Map<string, string> {
  if (seen.has(file)) return found;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  // Static import/export … from '…', side-effect imports and dynamic import('…'), at statement starts.
  const specifiers = [
    ...source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...source.matchAll(/^import\s*['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  for (const spec of specifiers) {
    if (spec.startsWith('.')) bareImports(resolve(dirname(file), spec), seen, found);
    else if (!found.has(spec)) found.set(spec, file);
  }
  return found;
}

describe('browser entry: no Node-only code', () => {
  test('its imports reach only browser-safe packages', () => {
    const found = bareImports(entry);
    const offending = [...found].filter(([spec]) => !BROWSER_PACKAGES.has(spec)).map(([spec, from]) => `${spec} (from ${from})`);
    assert.deepEqual(offending, [], `Node-only imports: ${offending.join(', ')}`);
    assert.ok(found.has('protobufjs'), 'the walk reaches the ONNX decoder');
    // The same walk sees what the Node entry imports.
    const node = bareImports(fileURLToPath(new URL('../src/index.js', import.meta.url)));
    for (const spec of ['node:fs', 'sharp', 'onnxruntime-node']) assert.ok(node.has(spec), `the walk finds ${spec} from index.js`);
  });

  test('the code it reaches uses no Node global (Buffer, process, require, __dirname)', () => {
    const files = new Set<string>();
    bareImports(entry, files);
    const offending: string[] = [];
    for (const file of files) {
      // Comments may mention them; code may not. (Block comments, then line comments outside strings' '//'.)
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
      for (const m of code.matchAll(/\b(Buffer|process|require|global|__dirname|__filename)\s*[.(]/g)) offending.push(`${m[1]} in ${file}`);
    }
    assert.ok(files.size > 20, `the walk reached ${files.size} files`);
    assert.deepEqual(offending, []);
  });

  test('esbuild bundles it for the browser platform', async () => {
    const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    assert.equal(result.errors.length, 0);
    const bundle = result.outputFiles[0].text;
    assert.ok(bundle.includes('compileExplainedModel') && bundle.length > 100_000, `bundle of ${bundle.length} bytes`);
  });
});

describe('browser entry: the CLI\'s graphs and inputs', () => {
  const modelBytes = readFileSync(DEFAULT_MODEL);
  for (const method of singlePassMethodNames) {
    test(`${method}: the bytes heatlens compile writes`, () => {
      const compiled = compileExplainedModel(modelBytes, { method });
      const cli = encodeModel(standaloneGraph({ modelPath: DEFAULT_MODEL, method, batch: 1 }).graph);
      assert.ok(Buffer.from(compiled.onnx).equals(Buffer.from(cli)), `${method}: ${compiled.onnx.length} bytes against ${cli.length}`);
    });
  }

  test('batch, layer and the logit/probability target reach the compiler', () => {
    const cam = compileExplainedModel(modelBytes, { method: 'gradcam', batch: 2, layer: '/6/Relu_output_0' });
    const cli = standaloneGraph({ modelPath: DEFAULT_MODEL, method: 'gradcam', batch: 2, layer: '/6/Relu_output_0' });
    assert.ok(Buffer.from(cam.onnx).equals(Buffer.from(encodeModel(cli.graph))));
    assert.deepEqual(cam.inputShape, [2, 3, 32, 32]);
    assert.equal(cam.static, cli.static);
    const prob = compileExplainedModel(modelBytes, { method: 'saliency', target: 'probability' });
    assert.ok(Buffer.from(prob.onnx).equals(Buffer.from(encodeModel(standaloneGraph({ modelPath: DEFAULT_MODEL, method: 'saliency', batch: 1, target: 'probability' }).graph))));
  });

  test('multi-run methods and unknown methods are refused by name', () => {
    assert.throws(() => compileExplainedModel(modelBytes, { method: 'integrated-gradients' }), /unknown single-pass method 'integrated-gradients' \(choose from gradient, saliency/);
    assert.throws(() => compileExplainedModel(modelBytes.subarray(0, 1000), { method: 'saliency', source: 'cut.onnx' }), /cut\.onnx: not a valid ONNX model/);
  });

  test('canvas RGBA pixels give the CLI\'s input tensor, bit for bit', async () => {
    const preset = findPresetForModel(DEFAULT_MODEL)!;
    const compiled = compileExplainedModel(modelBytes, { method: 'saliency', preset });
    assert.deepEqual(compiled.preset, preset);
    const cli = await loadImageTensor(DEFAULT_IMAGE, preset);
    // What a page's canvas holds after drawing the photo at the preset's size: RGBA.
    const rgba = await sharp(Buffer.from(cli.display.data), { raw: { width: preset.width, height: preset.height, channels: 3 } }).ensureAlpha().raw().toBuffer();
    const fromCanvas = tensorFromPixels(rgba, preset, 4);
    assert.deepEqual(fromCanvas.dims, cli.dims);
    assert.ok(Buffer.from(fromCanvas.tensor.buffer).equals(Buffer.from(cli.tensor.buffer)), 'same float32 bits');
    assert.throws(() => tensorFromPixels(rgba.subarray(4), preset, 4), /pixels: 4092 bytes, but 32×32 pixels of 4 bytes need 4096/);
  });
});

describe('browser entry: end to end in onnxruntime-web', () => {
  for (const method of ['saliency', 'gradcam']) {
    test(`${method}: the CLI pipeline's prediction and heat map`, async (t) => {
      if (!existsSync(DEFAULT_IMAGE)) return t.skip('no sample image');
      const preset = findPresetForModel(DEFAULT_MODEL)!;
      const compiled = compileExplainedModel(readFileSync(DEFAULT_MODEL), { method, preset });
      const { tensor, dims, display } = await loadImageTensor(DEFAULT_IMAGE, preset);
      const session = await ortWeb.InferenceSession.create(compiled.onnx, { executionProviders: ['wasm'] });
      const out = await session.run({
        [compiled.input]: new ortWeb.Tensor('float32', tensor, dims),
        [TARGET_INPUT]: new ortWeb.Tensor('int64', BigInt64Array.of(-1n), [1]),
      });
      await session.release();
      const cli = await explain({ modelPath: DEFAULT_MODEL, inputs: [DEFAULT_IMAGE], method, threads: 1 });
      assert.equal(Number((out.target.data as BigInt64Array)[0]), cli.targets[0]);
      assert.ok(relativeMaxError(out.logits.data as Float32Array, cli.logits) <= 1e-5, 'logits');
      const attribution = out.attribution.data as Float32Array;
      assert.ok(relativeMaxError(attribution, cli.attribution) <= 1e-5, 'attribution');
      // The heat map as `explain --out` draws it; float32 rounding may move a colour by one level.
      const options = { layout: preset.layout, displays: [display], overlay: true, colormap: 'inferno' } as const;
      const [web] = heatmapImages(attribution, [...out.attribution.dims], options);
      const [node] = heatmapImages(cli.attribution, cli.attributionDims, options);
      assert.deepEqual([web.width, web.height], [node.width, node.height]);
      let worst = 0;
      for (let i = 0; i < web.data.length; i++) worst = Math.max(worst, Math.abs(web.data[i] - node.data[i]));
      assert.ok(worst <= 1, `pixels differ by up to ${worst} of 255`);
    });
  }
});
