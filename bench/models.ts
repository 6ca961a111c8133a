/**
 * `npm run bench:models`: the model-zoo table. For each model row (a fixture folder written by
 * tools/make_fixtures.py: the model, its input batch and PyTorch's float64 attributions), imports the
 * model, compiles every core method, runs it in onnxruntime, reports its max relative error against
 * PyTorch and whether that is within the test tolerance, and times inference and saliency (batch 1, at
 * the fixture's input size; each in its own process, medians after warm-up, as `npm run bench`). Prints
 * the tables and writes docs/models.md with the machine, the versions, the date and the load average.
 *
 * Rows come from MODEL_ROWS below: the torchvision architectures, then TF.js models (TFJS_ROWS).
 *   npm run bench:models [-- name …]        (only the named rows; the file is still rewritten whole)
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureModel, formatTable } from '../src/bench/run.js';
import { compileExplained, TARGET_INPUT } from '../src/compile/explain.js';
import { runGraph } from '../src/interp/run.js';
import { readModelFile } from '../src/onnx/readFile.js';
import { removeDeadCode } from '../src/passes/deadCode.js';
import { removeIdentities } from '../src/passes/removeIdentity.js';
import type { Graph } from '../src/ir/graph.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { readNpy } from '../src/io/npy.js';
import { graphMethodByName } from '../src/methods/index.js';
import { importModelFile, loadModel } from '../src/model/load.js';
import { runExplained, sessionForGraph } from '../src/runtime/session.js';
import { decidingValues, decisionConsistentCheck, decisionsExplain } from '../test/util/kinkDecisions.js';
import { relativeMaxError } from '../test/util/ort.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const generated = join(root, 'test/fixtures/generated');
const THREADS = 2;
const ITERS = 20;
const WARMUP = 5;
/** The issue's tolerance; see test/fixtures.test.ts for the float32-sensitivity bound beside it. */
const TOLERANCE = 1e-4;

export interface ModelRow {
  /** Name in the table. */
  name: string;
  /** Where the model comes from (exporter, weights). */
  source: string;
  /** Fixture folder: manifest.json (`model`, `methods`, `shape`, `opset`, `checks.float32_deviation`), input.npy,
   * target.npy, logits.npy and one <method>.npy per method, as tools/make_fixtures.py writes them. */
  fixture: string;
  /** Imports the model at a batch size (default: heatlens' ONNX loader on the manifest's `model`). */
  load?: (modelPath: string, batch: number) => Graph;
  /**
   * A model with the fixture's weights in another format (a TensorFlow.js model.json of the network the
   * fixture's ONNX file converts) and its input layout: an 'nhwc' model is fed the fixture's NCHW input
   * transposed, and its attribution is transposed back before the comparison.
   */
  model?: { path: string; layout: 'nhwc' };
}

const TORCHVISION = ['resnet18', 'resnet50', 'vgg11_bn', 'squeezenet1_1', 'densenet121', 'mobilenet_v2', 'mobilenet_v3_small',
  'efficientnet_b0', 'googlenet', 'inception_v3', 'shufflenet_v2_x1_0'];

const TORCHVISION_ROWS: ModelRow[] = TORCHVISION.map((arch) => ({
  name: arch,
  source: 'torchvision 0.14, random weights; torch.onnx.export (PyTorch 1.13)',
  fixture: join(generated, arch),
}));

/**
 * TF.js Layers models of ../shared whose model.onnx (a conversion of the same weights) has a PyTorch
 * fixture: the imported model.json is held to the same references. (The shared tfjs-graph MobileNet is
 * another network, TF-Hub's; it is checked against tf.grad in test/tfjs-graph.test.ts.)
 */
const TFJS_ROWS: ModelRow[] = [
  ['darknet-tiny-imagenet', 'darknet-tiny'],
  ['mobilenet-v1-025-imagenet', 'mobilenet-v1-025'],
].map(([folder, fixture]) => ({
  name: `${fixture} (tfjs-layers)`,
  source: `../shared/models/${folder}/tfjs-layers/model.json, imported by heatlens (NHWC input)`,
  fixture: join(generated, fixture),
  model: { path: join(root, '..', 'shared', 'models', folder, 'tfjs-layers', 'model.json'), layout: 'nhwc' as const },
}));

/** Moves axis 1 of a rank-4 [N,A,B,C] buffer to the end: NCHW → NHWC. */
function toNhwc(x: ArrayLike<number>, [n, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[(b * h * w + i) * c + ch] = x[(b * c + ch) * h * w + i];
  return out;
}

/** The inverse: NHWC [N,H,W,C] → NCHW. */
function toNchw(x: ArrayLike<number>, [n, h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[(b * c + ch) * h * w + i] = x[(b * h * w + i) * c + ch];
  return out;
}

/** The fixture's NCHW input as the row's model takes it, and how to bring an attribution back to NCHW. */
function feedFor(row: ModelRow, x: Float32Array, shape: readonly number[]): { x: Float32Array; shape: number[]; back: (a: Float32Array, dims: readonly number[]) => Float32Array } {
  if (!row.model) return { x, shape: [...shape], back: (a) => a };
  const [n, c, h, w] = shape;
  return { x: toNhwc(x, shape), shape: [n, h, w, c], back: (a, dims) => toNchw(a, dims) };
}

export const MODEL_ROWS: ModelRow[] = [...TORCHVISION_ROWS, ...TFJS_ROWS];

interface Manifest {
  model: string;
  methods: string[];
  shape: number[];
  opset?: number;
  torch?: string;
  torchvision?: string;
  checks?: { float32_deviation?: Record<string, number> };
}

interface MethodResult {
  method: string;
  error: number;
  /** max(PyTorch float32 deviation, onnxruntime's move under a 1-ulp input nudge): see test/fixtures.test.ts. */
  sensitivity: number;
  tolerance: number;
  /**
   * For an error beyond `tolerance`: the decision check of test/util/kinkDecisions.ts, whether it
   * explains the error (the test's criterion) and its attribution error against float64 with
   * onnxruntime's decisions.
   */
  decisions?: { explained: boolean; attributionError: number };
}

interface RowResult {
  row: ModelRow;
  manifest?: Manifest;
  imported: string;
  methods: MethodResult[];
  /** The compiled gradient graph evaluated in float64 by the reference interpreter (image 0). */
  float64Error?: number;
  inferenceMs?: number;
  saliencyMs?: number;
  /** Saliency over inference, both timed in the same process (run.ts). */
  saliencyRatio?: number;
}

function ulp(value: number): number {
  const v = Math.abs(value) || 1.1754943508222875e-38;
  return 2 ** (Math.floor(Math.log2(v)) - 23);
}

async function checkMethods(row: ModelRow, graph: Graph, dir: string, manifest: Manifest): Promise<MethodResult[]> {
  const input = await readNpy(join(dir, 'input.npy'));
  const targets = Array.from((await readNpy(join(dir, 'target.npy'))).data as BigInt64Array, Number);
  const feed = feedFor(row, Float32Array.from(input.data as Float32Array), input.shape);
  const x = feed.x;
  const nudged = Float32Array.from(x, (value, i) => value + ((i * 2654435761) % 3 - 1) * ulp(value));
  const results: MethodResult[] = [];
  for (const file of manifest.methods) {
    const probability = file.endsWith('-prob');
    const explained = compileExplained(graph, { method: graphMethodByName(file.replace(/-prob$/, '')), target: probability ? 'probability' : 'logit' });
    const session = await sessionForGraph(explained.graph, { threads: THREADS });
    const out = await runExplained(session, explained.input, x, feed.shape, targets);
    const moved = await runExplained(session, explained.input, nudged, feed.shape, targets);
    const attribution = feed.back(out.attribution, out.attributionDims);
    await session.release();
    const reference = (await readNpy(join(dir, `${file}.npy`))).data as Float32Array;
    const sensitivity = Math.max(manifest.checks?.float32_deviation?.[file] ?? 0, relativeMaxError(feed.back(moved.attribution, moved.attributionDims), attribution));
    const result: MethodResult = { method: file, error: relativeMaxError(attribution, reference), sensitivity, tolerance: Math.max(TOLERANCE, 2 * sensitivity) };
    if (result.error > result.tolerance) {
      const check = await decisionConsistentCheck(explained.graph, explained.input, x, feed.shape, targets, decidingValues(graph));
      result.decisions = { explained: decisionsExplain(check, out.attribution, TOLERANCE).explained, attributionError: check.attributionError };
    }
    results.push(result);
  }
  return results;
}

async function runRow(row: ModelRow): Promise<RowResult> {
  const manifestPath = join(row.fixture, 'manifest.json');
  if (!existsSync(manifestPath)) return { row, imported: `fixture absent (${relative(root, row.fixture)}: run \`npm run fixtures\`)`, methods: [] };
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const modelPath = row.model?.path ?? resolve(root, manifest.model);
  if (!existsSync(modelPath)) return { row, imported: `model absent (${modelPath})`, methods: [] };
  const load = row.load ?? ((path: string, batch: number) => loadModel(path, batch).graph);
  let graph: Graph;
  try {
    graph = load(modelPath, manifest.shape[0]);
  } catch (e) {
    return { row, manifest, imported: `failed: ${(e as Error).message.split('\n')[0]}`, methods: [] };
  }
  const methods = await checkMethods(row, graph, row.fixture, manifest);
  const float64Error = await interpreted(row, modelPath);
  const [inference, saliency] = await measureModel(modelPath, ['inference', 'saliency'], { iters: ITERS, warmup: WARMUP, threads: THREADS, rounds: 5, processes: 1 });
  return { row, manifest, imported: `OK (${graph.nodes.length} nodes)`, methods, float64Error, inferenceMs: inference.medianMs, saliencyMs: saliency.medianMs, saliencyRatio: saliency.ratio };
}

/** The compiler's exactness without float32: gradient of image 0 through the float64 interpreter (BN kept as
 * nodes, as in test/fixtures.test.ts: folding rounds the folded weights to float32). */
async function interpreted(row: ModelRow, modelPath: string): Promise<number> {
  const input = await readNpy(join(row.fixture, 'input.npy'));
  const target = await readNpy(join(row.fixture, 'target.npy'));
  const reference = await readNpy(join(row.fixture, 'gradient.npy'));
  const per = input.data.length / input.shape[0];
  const graph = row.load ? row.load(modelPath, 1)
    : row.model ? removeDeadCode(removeIdentities(importModelFile(modelPath, 1)))
    : removeDeadCode(removeIdentities(readModelFile(modelPath, { batch: 1 })));
  const explained = compileExplained(graph, { method: graphMethodByName('gradient') });
  const feed = feedFor(row, (input.data as Float32Array).subarray(0, per), [1, ...input.shape.slice(1)]);
  const out = runGraph(explained.graph, {
    [explained.input]: { dtype: 'float64', dims: feed.shape, data: Float64Array.from(feed.x) },
    [TARGET_INPUT]: { dtype: 'int64', dims: [1], data: Float64Array.from([Number((target.data as BigInt64Array)[0])]) },
  }, { outputs: ['attribution'] });
  return relativeMaxError(feed.back(Float32Array.from(out.attribution.data), out.attribution.dims), (reference.data as Float32Array).subarray(0, per));
}

interface OpsetManifest {
  opsets: number[];
  shape: number[];
  models: Record<string, string>;
  checks: { float32_deviation: { gradient: number } };
}

/** resnet18 exported at opsets 11–17 (fixture resnet18-opsets): import, logits and gradient errors. */
async function opsetSweep(): Promise<{ rows: (string | number)[][]; shape: number[] } | undefined> {
  const dir = join(generated, 'resnet18-opsets');
  if (!existsSync(join(dir, 'manifest.json'))) return undefined;
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as OpsetManifest;
  const input = await readNpy(join(dir, 'input.npy'));
  const targets = Array.from((await readNpy(join(dir, 'target.npy'))).data as BigInt64Array, Number);
  const logits = (await readNpy(join(dir, 'logits.npy'))).data as Float32Array;
  const gradient = (await readNpy(join(dir, 'gradient.npy'))).data as Float32Array;
  const rows: (string | number)[][] = [];
  for (const opset of manifest.opsets) {
    try {
      const graph = loadModel(join(dir, manifest.models[String(opset)]), input.shape[0]).graph;
      const explained = compileExplained(graph, { method: graphMethodByName('gradient') });
      const session = await sessionForGraph(explained.graph, { threads: THREADS });
      const out = await runExplained(session, explained.input, Float32Array.from(input.data as Float32Array), input.shape, targets);
      await session.release();
      rows.push([opset, 'OK', relativeMaxError(out.logits, logits).toExponential(1), relativeMaxError(out.attribution, gradient).toExponential(1),
        Math.max(TOLERANCE, 2 * manifest.checks.float32_deviation.gradient).toExponential(1)]);
    } catch (e) {
      rows.push([opset, `failed: ${(e as Error).message.split('\n')[0]}`, '', '', '']);
    }
  }
  return { rows, shape: manifest.shape };
}

/**
 * An error cell: plain when ≤ 1e-4, † when within the float32-sensitivity bound, ‡ when beyond it but
 * within 1e-4 of float64 with onnxruntime's kink decisions (that error in brackets), ✗ otherwise.
 */
function errorCell(m: MethodResult | undefined): string {
  if (!m) return '–';
  const e = m.error.toExponential(1);
  if (m.error <= TOLERANCE) return e;
  if (m.error <= m.tolerance) return `${e} †`;
  const d = m.decisions;
  return d?.explained ? `${e} ‡ (${d.attributionError.toExponential(1)})` : `${e} ✗`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const loadAtStart = loadavg()[0];
  const methods = ['gradient', 'saliency', 'grad-x-input', 'guided-backprop', 'deconvnet', 'gradient-prob'];
  const results: RowResult[] = [];
  for (const row of MODEL_ROWS) {
    if (only.length && !only.includes(row.name)) continue;
    console.log(`== ${row.name}`);
    const r = await runRow(row);
    console.log(`   import ${r.imported}; ${r.methods.map((m) => `${m.method} ${m.error.toExponential(1)}`).join(', ')}` +
      (r.float64Error !== undefined ? `; float64 gradient ${r.float64Error.toExponential(1)}` : '') +
      (r.inferenceMs !== undefined ? `; inference ${r.inferenceMs.toFixed(2)} ms, saliency ${r.saliencyMs!.toFixed(2)} ms` : ''));
    results.push(r);
  }
  const mainRows = results.map((r) => {
    const shape = r.manifest?.shape;
    return [
      r.row.name, r.row.model ? 'tfjs' : r.manifest?.opset ?? '–', shape ? `${shape.slice(2).join('×')}` : '–', r.imported,
      ...methods.map((m) => errorCell(r.methods.find((x) => x.method === m))),
      r.float64Error !== undefined ? r.float64Error.toExponential(1) : '–',
      r.inferenceMs !== undefined ? r.inferenceMs.toFixed(1) : '–', r.saliencyMs !== undefined ? r.saliencyMs.toFixed(1) : '–',
      r.saliencyRatio !== undefined ? r.saliencyRatio.toFixed(2) : '–',
    ];
  });
  const table = formatTable(['model', 'opset', 'input', 'import', ...methods, 'gradient, float64', 'inference ms', 'saliency ms', 'saliency × inference'], mainRows);
  const sensitivityTable = formatTable(['model', ...methods],
    results.filter((r) => r.methods.length).map((r) => [r.row.name, ...methods.map((m) => {
      const x = r.methods.find((y) => y.method === m);
      return x ? x.sensitivity.toExponential(1) : '–';
    })]));
  const sweep = only.length ? undefined : await opsetSweep();
  const sweepTable = sweep ? formatTable(['opset', 'import', 'logits error', 'gradient error', 'tolerance'], sweep.rows) : undefined;
  console.log(table);
  if (sweepTable) console.log(sweepTable);
  const versions = results.find((r) => r.manifest?.torch)?.manifest;
  const ortVersion = JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const sources = [...new Set(results.map((r) => r.row.source))];
  const doc = `# Model zoo: import, exactness and speed

Written by \`npm run bench:models\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${cpu}, ${cpus().length} cores,
${(totalmem() / 2 ** 30).toFixed(0)} GiB. Node ${process.version}, onnxruntime-node ${ortVersion}${versions ? `; references from PyTorch ${versions.torch}, torchvision ${versions.torchvision}` : ''}.
${THREADS} onnxruntime threads. 1-minute load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end (above ~2,
other work shared the 2 cores and the times are inflated).

Each row is a fixture written by \`tools/make_fixtures.py\` (\`npm run fixtures\`): the model file, a batch of
two images (seeded noise; the two sample photos for mobilenet-v1-025), their targets and PyTorch's float64
attributions (the torchvision module itself, rectifier modules swapped for the guided / DeconvNet rules as
Captum does; see tools/README.md). Model sources: ${sources.join('; ')}.

The **(tfjs-layers)** rows import the TensorFlow.js Layers model of ../shared whose \`model.onnx\` is a
conversion of the same weights, and hold it to that ONNX file's PyTorch references: the fixture's NCHW
input is fed transposed to the model's NHWC input and the attribution transposed back. (TensorFlow.js
itself is the reference in test/tfjs-layers.test.ts and test/tfjs-graph.test.ts: logits and \`tf.grad\`
saliency, including the tfjs-graph MobileNet, which is TF-Hub's network and has no PyTorch twin.)

- **opset**, **input**: the export's opset and the input's height×width (a dynamic batch axis, fixed at import).
- **import**: heatlens reads and canonicalises the file (BatchNormalization folded where it follows a Conv).
- **gradient … gradient-prob**: each core method compiled into one graph, run by onnxruntime in float32 on the
  fixture's batch; max |ours − ref| / max |ref| against PyTorch autograd in float64 (\`gradient-prob\`:
  the softmax probability as the target instead of the logit). The test bound (test/fixtures.test.ts) is
  max(1e-4, 2·d), d the float32 sensitivity of that attribution: the larger of how far PyTorch's own float32
  autograd lands from its float64 reference and how far onnxruntime's result moves when the input moves by
  one float32 ulp. Random-weight nets are chaotic: float32 rounding flips ReLU kinks and max-pool near-ties
  (either side is a valid subgradient) and moves some pixels' gradients; no float32 engine can be held
  closer than d there. A plain number is ≤ 1e-4; † marks an error above 1e-4 but within max(1e-4, 2·d).
  d is an estimate: beyond it the test requires the decision check (test/util/kinkDecisions.ts), and ‡
  marks an error that passes it: onnxruntime's forward values at every ReLU, Clip and max-pool within
  1e-4 of float64's, and its attribution within 1e-4 of the same graph evaluated in float64 with
  onnxruntime's own kink decisions (that error in brackets) and of the run it replaces; ✗ marks one that
  fails it.
- **gradient, float64**: the compiler's exactness without float32 rounding: the compiled gradient graph
  evaluated in float64 by heatlens' reference interpreter (first image; BatchNormalization kept as nodes)
  against the same reference (stored as float32, so ~1e-7 is the floor); \`npm test\` requires ≤ 1e-5.
- **inference ms**, **saliency ms**: onnxruntime-node, batch 1 at the fixture's input size, median of ${ITERS} runs,
  both configurations timed in one process in 5 interleaved rounds (each round creates the session, runs ${WARMUP}
  warm-up runs, times, releases it; session creation excluded), so their ratio is measured under the same
  conditions. Saliency is the whole explained graph (prediction and explanation).

${table}

Float32 sensitivity d per attribution (the bound is max(1e-4, 2·d)):

${sensitivityTable}
${sweepTable ? `
## Opsets 11–17

resnet18 (same weights) exported by PyTorch at each opset, input ${sweep!.shape.slice(2).join('×')}, batch ${sweep!.shape[0]}: heatlens imports each file and its
compiled gradient graph gives PyTorch's logits and input gradient (max relative errors; tolerance as above).

${sweepTable}
` : ''}
`;
  await writeFileAtomic(join(root, 'docs/models.md'), doc);
  console.log('wrote docs/models.md');
}

await main();
