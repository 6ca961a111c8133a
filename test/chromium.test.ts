/**
 * The browser demo (examples/browser: `npm run demo`) in a real browser, headless Chromium driven by
 * playwright-core: the page compiles the built-in model with heatlens/browser, runs it with
 * onnxruntime-web's WebAssembly backend (one thread), and must give the CLI pipeline's numbers
 * (onnxruntime-node):
 * - fed the pixels the CLI's loader produces (sharp's resize to 32×32): the same input tensor bit for
 *   bit, the same target, logits and attribution within 1e-5 of the largest magnitude, heat-map
 *   pixels within one level of 255, for every single-pass method;
 * - through its own path (the photo fetched, decoded and resized by the browser's canvas, whose
 *   resampling filter is not sharp's): the same top-1 class, and an input tensor close to the CLI's;
 * - the page itself: top-5 list, the explained class marked, no error shown.
 * Chromium comes from Debian (`apt-get install chromium`; .ci/run installs it); set CHROMIUM to use
 * another binary. Without one, the browser tests skip with a notice. The server's bad-input handling
 * runs without a browser.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type DemoServer, startDemoServer } from '../examples/browser/server.js';
import type { DemoResult, HeatlensDemo } from '../examples/browser/app.js';
import { heatmapImages, singlePassMethodNames } from '../src/browser.js';
import { DEFAULT_IMAGE, DEFAULT_MODEL } from '../src/cli/defaults.js';
import { loadImageTensor } from '../src/image/load.js';
import { findPresetForModel } from '../src/image/presetFile.js';
import { explain } from '../src/pipeline.js';
import { relativeMaxError } from './util/ort.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SERVER = fileURLToPath(new URL('../examples/browser/server.js', import.meta.url));
const noBrowser = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`;

/** The page's window, as the evaluated functions see it. */
type DemoWindow = { heatlensDemo: HeatlensDemo };

describe('browser demo in headless Chromium', { skip: noBrowser }, () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    demo = await startDemoServer({ port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${demo.url}?threads=1&method=gradcam`);
    await page.evaluate(() => (window as unknown as DemoWindow).heatlensDemo.ready);
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  test('the page shows the top-5 classes, marks the explained one, and no error', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#top li').length === 5, null, { timeout: 60_000 });
    assert.equal(await page.textContent('#status'), '');
    assert.match(await page.textContent('#top li.explained') ?? '', /^cat /);
    assert.match(await page.textContent('#timing') ?? '', /^gradcam \(static: no backward pass\): run [\d.]+ ms, compile [\d.]+ ms, session [\d.]+ ms, 1 thread\(s\)$/);
    assert.deepEqual(pageErrors, []);
  });

  const preset = findPresetForModel(DEFAULT_MODEL)!;
  for (const method of singlePassMethodNames) {
    test(`${method}: the CLI pipeline's input, prediction and heat map from the CLI's pixels`, async () => {
      const { tensor, display } = await loadImageTensor(DEFAULT_IMAGE, preset);
      const rgba = Array.from({ length: display.width * display.height * 4 }, (_, i) => (i % 4 === 3 ? 255 : display.data[3 * (i >> 2) + (i % 4)]));
      const web: DemoResult = await page.evaluate(([pixels, name]) => (window as unknown as DemoWindow).heatlensDemo.explainPixels(pixels, name), [rgba, method] as const);
      const cli = await explain({ modelPath: DEFAULT_MODEL, inputs: [DEFAULT_IMAGE], method, threads: 1 });
      assert.deepEqual(Float32Array.from(web.input), tensor, 'input tensor');
      assert.equal(web.target, cli.targets[0]);
      assert.equal(web.static, cli.static, 'static (no backward pass) exactly when the CLI says so');
      assert.ok(relativeMaxError(web.logits, cli.logits) <= 1e-5, 'logits');
      const error = relativeMaxError(web.attribution, cli.attribution);
      assert.ok(error <= 1e-5, `attribution: ${error}`);
      const options = { layout: preset.layout, displays: [display], overlay: true, colormap: 'inferno' } as const;
      const [node] = heatmapImages(cli.attribution, cli.attributionDims, options);
      assert.deepEqual([web.heatmap.width, web.heatmap.height], [node.width, node.height]);
      let worst = 0;
      for (let i = 0; i < node.data.length; i++) worst = Math.max(worst, Math.abs(web.heatmap.rgb[i] - node.data[i]));
      assert.ok(worst <= 1, `heat-map pixels differ by up to ${worst} of 255`);
    });
  }

  test('the page\'s own decode and resize of the photo: the CLI\'s top-1 class and a close input', async () => {
    const web: DemoResult = await page.evaluate(() => (window as unknown as DemoWindow).heatlensDemo.explainImage('/sample', 'saliency'));
    const cli = await explain({ modelPath: DEFAULT_MODEL, inputs: [DEFAULT_IMAGE], method: 'saliency', threads: 1 });
    assert.equal(web.target, cli.targets[0]);
    assert.equal(web.top[0].label, 'cat');
    // Canvas resampling is not sharp's linear kernel: the tensors differ, but only by resampling.
    // In pixel levels (the preset's std is about 0.25, so 1/255 of a pixel is about 0.016 here):
    const { tensor } = await loadImageTensor(DEFAULT_IMAGE, preset);
    let sum = 0;
    for (let i = 0; i < tensor.length; i++) sum += Math.abs(web.input[i] - tensor[i]);
    const meanLevels = (sum / tensor.length) * 0.25 * 255;
    assert.ok(meanLevels <= 6, `mean input difference ${meanLevels.toFixed(1)} pixel levels`);   // 2.7 measured
    assert.ok(meanLevels > 0, 'the page resized the photo itself');
  });

  test('calls made while others run wait their turn (onnxruntime-web runs one session call at a time)', async () => {
    // Without the page's queue these fail in onnxruntime-web: "Session already started" for a second run
    // of a session that is running, "Session mismatch" for runs of two sessions at once.
    const results = await page.evaluate(() => {
      const demo = (window as unknown as DemoWindow).heatlensDemo;
      const grey = new Array(32 * 32 * 4).fill(128);
      return Promise.all([
        demo.explainPixels(grey, 'gradcam'), demo.explainPixels(grey, 'gradcam'), demo.timeRuns('gradcam', 3),
        demo.explainImage('/sample', 'guided-backprop'), demo.explainImage('/sample', 'hirescam'),
      ]);
    });
    const [first, second, ms, guided, hires] = results as [DemoResult, DemoResult, number, DemoResult, DemoResult];
    assert.deepEqual(first.logits, second.logits, 'the same input twice, the same logits');
    assert.ok(ms > 0);
    assert.deepEqual([guided.method, hires.method], ['guided-backprop', 'hirescam']);
    assert.equal(guided.target, hires.target);
  });

  test('timeRuns gives a median run time of the method\'s session', async () => {
    const ms = await page.evaluate(() => (window as unknown as DemoWindow).heatlensDemo.timeRuns('saliency', 5));
    assert.ok(Number.isFinite(ms) && ms > 0, String(ms));
  });

  test('timeGraph times any served graph in a session of its own, and names a graph it cannot fetch', async () => {
    const input = { name: 'input', type: 'float32' as const, dims: [1, 3, 32, 32], data: new Array(3 * 32 * 32).fill(0.5) };
    const times = await page.evaluate((feed) => (window as unknown as DemoWindow).heatlensDemo.timeGraph('/model/model.onnx', [feed], 2, 4), input);
    assert.equal(times.length, 4);
    assert.ok(times.every((ms) => Number.isFinite(ms) && ms > 0), String(times));
    await assert.rejects(page.evaluate(() => (window as unknown as DemoWindow).heatlensDemo.timeGraph('/no-such.onnx', [], 0, 1)), /\/no-such\.onnx: HTTP 404/);
  });
});

describe('browser demo server: bad input', () => {
  test('a truncated model is refused before the server listens, in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heatlens-demo-'));
    try {
      const truncated = join(dir, 'model.onnx');
      writeFileSync(truncated, readFileSync(DEFAULT_MODEL).subarray(0, 1000));
      await assert.rejects(startDemoServer({ model: truncated, port: 0 }), /model\.onnx/);
      const run = spawnSync(process.execPath, [SERVER, '--model', truncated, '--port', '0'], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^heatlens demo: error: .*model\.onnx.*\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad port and an image of an unknown type get one line each', async () => {
    const badPort = spawnSync(process.execPath, [SERVER, '--port', 'eighty'], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(badPort.status, 0);
    assert.equal(badPort.stderr, "heatlens demo: error: option '--port <n>' argument 'eighty' is invalid. --port must be an integer in 0…65535, got 'eighty'\n");
    await assert.rejects(startDemoServer({ image: DEFAULT_MODEL, port: 0 }), /image .*model\.onnx: not a photo type a browser decodes \('\.onnx'; use \.png, \.jpg, \.jpeg, \.webp\)/);
    await assert.rejects(startDemoServer({ image: join(tmpdir(), 'heatlens-no-such.png'), port: 0 }), /cannot read image .*heatlens-no-such\.png: no such file/);
  });

  test('a port in use is named', async () => {
    const first = await startDemoServer({ port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await assert.rejects(startDemoServer({ port }), new RegExp(`port ${port} is in use: pick another with --port`));
    } finally {
      await first.close();
    }
  });
});
