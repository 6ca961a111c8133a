/**
 * The heatlens browser demo's page script (bundled by server.ts for the page index.html): it compiles
 * the served ONNX model in the page with `heatlens/browser`, runs the explained graph with
 * onnxruntime-web (WebAssembly) and draws the prediction and the heat map. Nothing runs on the server
 * but file serving.
 *
 * The same pipeline is on `window.heatlensDemo` for scripts: test/chromium.test.ts drives it in
 * headless Chromium and compares its numbers with the CLI's.
 *
 * Query parameters: `threads=N` (onnxruntime-web's WebAssembly threads; default: up to 4 when the
 * page is cross-origin isolated, which server.ts arranges, else 1), `method=NAME` (the method shown
 * first).
 */
import * as ort from 'onnxruntime-web';
import {
  type BrowserExplainedModel, type DisplayImage, type Preset, type RankedClass, TARGET_INPUT,
  compileExplainedModel, heatmapImages, singlePassMethodNames, tensorFromPixels, topK,
} from '../../src/browser.js';
import { timedRuns } from '../../src/bench/timedRuns.js';

/** What the server says about the model it serves (server.ts writes it as /model/info.json). */
interface ModelInfo {
  name: string;
  preset: Partial<Preset>;
  labels?: string[];
}

/** One explanation, as the page shows it and as scripts read it (plain arrays, so it crosses to a test). */
export interface DemoResult {
  method: string;
  static: boolean;
  target: number;
  top: RankedClass[];
  logits: number[];
  attribution: number[];
  attributionDims: number[];
  /** The model input the page fed (after its own resizing and the preset's normalisation). */
  input: number[];
  heatmap: { width: number; height: number; rgb: number[] };
  /** Compile and session creation are 0 when the method's session was cached. */
  ms: { compile: number; session: number; run: number };
}

export interface HeatlensDemo {
  /** Resolves once the model and its description are fetched. */
  ready: Promise<void>;
  /**
   * Run times in ms of any ONNX graph fetched from `url` in a session of its own (created and released
   * here, never timed), after `warmup` untimed runs: bench/web.ts times its graphs with it in Chromium.
   */
  timeGraph(url: string, feeds: PlainFeed[], warmup: number, runs: number): Promise<number[]>;
  methods: readonly string[];
  /** Explains RGBA pixels already at the model's width × height (a canvas's ImageData). */
  explainPixels(rgba: ArrayLike<number>, method: string): Promise<DemoResult>;
  /** Fetches an image, draws it at the model's size (stretched or centre-cropped as the preset says), explains it. */
  explainImage(url: string, method: string): Promise<DemoResult>;
  /** Median run time in ms over `runs` runs of the method's session on the last input. */
  timeRuns(method: string, runs: number): Promise<number>;
}

/** A graph input as plain data, to cross into the page from a script. */
export interface PlainFeed {
  name: string;
  type: 'float32' | 'int64';
  dims: number[];
  data: number[];
}

declare global {
  interface Window { heatlensDemo: HeatlensDemo }
}

const query = new URLSearchParams(location.search);
ort.env.wasm.wasmPaths = '/ort/';
const requestedThreads = Number(query.get('threads'));
ort.env.wasm.numThreads = Number.isInteger(requestedThreads) && requestedThreads > 0
  ? requestedThreads
  : crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;

let modelBytes: Uint8Array;
let info: ModelInfo;
const compiled = new Map<string, { model: BrowserExplainedModel; session: ort.InferenceSession }>();
let lastFeeds: Record<string, ort.Tensor> | undefined;

const ready = (async () => {
  const [bytes, description] = await Promise.all([fetchOk('/model/model.onnx'), fetchOk('/model/info.json')]);
  modelBytes = new Uint8Array(await bytes.arrayBuffer());
  info = await description.json() as ModelInfo;
})();

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

/** The method's compiled graph and session, built on first use. */
async function explainedSession(method: string) {
  const cached = compiled.get(method);
  if (cached) return { ...cached, compileMs: 0, sessionMs: 0 };
  await ready;
  const t0 = performance.now();
  const model = compileExplainedModel(modelBytes, { method, preset: info.preset, source: info.name });
  const t1 = performance.now();
  const session = await ort.InferenceSession.create(model.onnx, { executionProviders: ['wasm'] });
  const t2 = performance.now();
  compiled.set(method, { model, session });
  return { model, session, compileMs: t1 - t0, sessionMs: t2 - t1 };
}

/**
 * onnxruntime-web runs one session call at a time: a second run of a running session fails ("Session
 * already started"), a run of another session in the meantime too ("Session mismatch"). Every public
 * function below takes its turn here, so a script's call and the page's own (a method picked while an
 * image is being explained) queue instead.
 */
let turn: Promise<unknown> = Promise.resolve();
function exclusively<T>(work: () => Promise<T>): Promise<T> {
  const result = turn.then(work);
  turn = result.catch(() => undefined);
  return result;
}

function explainPixels(rgba: ArrayLike<number>, method: string): Promise<DemoResult> {
  return exclusively(async () => explainWith(await explainedSession(method), rgba, method));
}

async function explainWith(explained: Awaited<ReturnType<typeof explainedSession>>, rgba: ArrayLike<number>, method: string): Promise<DemoResult> {
  const { model, session, compileMs, sessionMs } = explained;
  const { tensor, dims, display } = tensorFromPixels(rgba, model.preset, 4);
  lastFeeds = {
    [model.input]: new ort.Tensor('float32', tensor, dims),
    [TARGET_INPUT]: new ort.Tensor('int64', BigInt64Array.of(-1n), [1]),   // −1: the top-1 class
  };
  const t0 = performance.now();
  const out = await session.run(lastFeeds);
  const runMs = performance.now() - t0;
  const logits = out.logits.data as Float32Array;
  const attribution = out.attribution.data as Float32Array;
  const [heat] = heatmapImages(attribution, out.attribution.dims, {
    layout: model.preset.layout, displays: [display], overlay: true, colormap: 'inferno',
  });
  const result: DemoResult = {
    method,
    static: model.static,
    target: Number((out.target.data as BigInt64Array)[0]),
    top: topK(logits, 5, info.labels),
    logits: Array.from(logits),
    attribution: Array.from(attribution),
    attributionDims: [...out.attribution.dims],
    input: Array.from(tensor),
    heatmap: { width: heat.width, height: heat.height, rgb: Array.from(heat.data) },
    ms: { compile: compileMs, session: sessionMs, run: runMs },
  };
  show(result, display);
  return result;
}

/** The image at the preset's size: stretched, or scaled to cover it and centre-cropped. */
function drawAtModelSize(image: ImageBitmap, preset: Preset): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(preset.width, preset.height);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  if (preset.resize === 'stretch') {
    ctx.drawImage(image, 0, 0, preset.width, preset.height);
  } else {
    const scale = Math.max(preset.width / image.width, preset.height / image.height);
    const w = preset.width / scale;
    const h = preset.height / scale;
    ctx.drawImage(image, (image.width - w) / 2, (image.height - h) / 2, w, h, 0, 0, preset.width, preset.height);
  }
  return ctx.getImageData(0, 0, preset.width, preset.height).data;
}

async function explainImage(url: string, method: string): Promise<DemoResult> {
  const image = await createImageBitmap(await (await fetchOk(url)).blob());
  return exclusively(async () => {
    const explained = await explainedSession(method);
    return explainWith(explained, drawAtModelSize(image, explained.model.preset), method);
  });
}

function timeRuns(method: string, runs: number): Promise<number> {
  return exclusively(() => timeSession(method, runs));
}

async function timeSession(method: string, runs: number): Promise<number> {
  const { session } = await explainedSession(method);
  const feeds = lastFeeds;
  if (!feeds) throw new Error('explain an image first');
  const times = (await timedRuns(() => session.run(feeds), 0, runs)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function timeGraph(url: string, feeds: PlainFeed[], warmup: number, runs: number): Promise<number[]> {
  return exclusively(async () => {
    const model = new Uint8Array(await (await fetchOk(url)).arrayBuffer());
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
    const input = Object.fromEntries(feeds.map((f) => [f.name, f.type === 'int64'
      ? new ort.Tensor('int64', BigInt64Array.from(f.data, BigInt), f.dims)
      : new ort.Tensor('float32', Float32Array.from(f.data), f.dims)]));
    try {
      return await timedRuns(() => session.run(input), warmup, runs);
    } finally {
      await session.release();
    }
  });
}

window.heatlensDemo = { ready, methods: singlePassMethodNames, explainPixels, explainImage, timeRuns, timeGraph };

// ---- The page (index.html's elements) ----

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function show(result: DemoResult, display: DisplayImage) {
  $<HTMLSelectElement>('method').value = result.method;
  paint($<HTMLCanvasElement>('photo'), display.width, display.height, display.data);
  paint($<HTMLCanvasElement>('heatmap'), result.heatmap.width, result.heatmap.height, result.heatmap.rgb);
  $('top').replaceChildren(...result.top.map((c) => {
    const row = document.createElement('li');
    row.textContent = `${c.label ?? `class ${c.index}`}  ${(100 * c.probability).toFixed(1)}%  (logit ${c.logit.toFixed(3)})`;
    if (c.index === result.target) row.className = 'explained';
    return row;
  }));
  const { compile, session, run } = result.ms;
  $('timing').textContent = `${result.method}${result.static ? ' (static: no backward pass)' : ''}: run ${run.toFixed(2)} ms`
    + (compile > 0 ? `, compile ${compile.toFixed(1)} ms, session ${session.toFixed(1)} ms` : '')
    + `, ${ort.env.wasm.numThreads} thread(s)`;
}

/** RGB bytes onto a canvas of that size. */
function paint(canvas: HTMLCanvasElement, width: number, height: number, rgb: ArrayLike<number>) {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(width, height);
  for (let i = 0, n = width * height; i < n; i++) {
    image.data[4 * i] = rgb[3 * i];
    image.data[4 * i + 1] = rgb[3 * i + 1];
    image.data[4 * i + 2] = rgb[3 * i + 2];
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

function reportError(e: unknown) {
  $('status').textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
}

async function startPage() {
  const methodSelect = $<HTMLSelectElement>('method');
  for (const name of singlePassMethodNames) methodSelect.add(new Option(name, name));
  methodSelect.value = query.get('method') ?? 'gradcam';
  let imageUrl = '/sample';
  const run = async () => {
    $('status').textContent = 'explaining…';
    await explainImage(imageUrl, methodSelect.value);
    $('status').textContent = '';
  };
  methodSelect.addEventListener('change', () => run().catch(reportError));
  $<HTMLInputElement>('file').addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    imageUrl = URL.createObjectURL(file);
    run().catch(reportError);
  });
  $('time').addEventListener('click', () => {
    $('status').textContent = 'timing 50 runs…';
    timeRuns(methodSelect.value, 50)
      .then((ms) => { $('status').textContent = `median of 50 runs: ${ms.toFixed(2)} ms`; })
      .catch(reportError);
  });
  await ready;
  $('model').textContent = info.name;
  await run();
}

startPage().catch(reportError);
