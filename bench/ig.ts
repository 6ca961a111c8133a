/**
 * `npm run bench:ig`: how many Integrated Gradients steps (and how much wall time) each integration
 * scheme needs to reach a relative completeness error δ ≤ 5% and ≤ 1%, uniform (Captum's left, right,
 * middle, trapezoid, Gauss–Legendre) against the non-uniform scheme (forward-only pilot of N+1 points,
 * N = 16 and 8), over CIFAR-10 test images (resnet20) and the sample photos (darknet-tiny, mobilenet).
 * It also times the adaptive mode (--target-delta, from 4 steps) per scheme: final steps, rounds, gradient
 * evaluations and wall time. Writes docs/integrated-gradients.md (the hand-written "Notes" section of an
 * existing file is kept).
 *
 * How δ is found cheaply: Σ_i IG_i = Σ_k Δ_k f(α_k) with f(α) = ∇y_c(x' + α(x − x'))·(x − x'), so the
 * error of any quadrature follows from the scalar f at its points. A per-point graph (the same forward
 * and backward pass as IG's, aggregated to f_k instead of the weighted sum) evaluates f at every α the
 * schemes ask for, with a per-image cache (α as the float32 the IG graph is fed), so the nested grids of
 * the ladder cost their new points only. The wall time is measured separately with the real IG path
 * (runIntegratedGradients on a shared IgEngine, sessions prepared and warmed up beforehand) at each
 * scheme's threshold step count; its δ is compared with the per-point δ as a check.
 *
 * Flags: --images N (CIFAR images, default 200), --photos N (photos per 224 model, default all 5),
 * --quick (10 images, 1 photo, written to tmp/), --models resnet20,darknet,mobilenet, --variants N
 * (CIFAR images for the allocation variants, default 100; --variant-photos N for the 224 models,
 * default 5), --black N (CIFAR images with the black baseline, δ only, default 100), --adaptive N (CIFAR
 * images for the adaptive-mode runs, default 50; the 224 models use their photos), --cap M (ladder cap),
 * --out FILE.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { formatTable } from '../src/bench/run.js';
import { compileExplained, EXPLAINED_OUTPUTS, TARGET_INPUT, type BatchPrelude } from '../src/compile/explain.js';
import { loadImageTensor } from '../src/image/load.js';
import type { Preset } from '../src/image/preset.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { attr, type Graph } from '../src/ir/graph.js';
import { gradient } from '../src/methods/gradient.js';
import { chunkSize, IgEngine, integratedGradientsPrelude, runIntegratedGradients, type IgScheme } from '../src/methods/integratedGradients.js';
import { makeBaseline } from '../src/methods/integration/baselines.js';
import { largestRemainder, nonUniformQuadrature } from '../src/methods/integration/nonUniform.js';
import { gaussLegendre, type Quadrature, uniformQuadrature, type UniformScheme } from '../src/methods/integration/quadrature.js';
import { loadModel } from '../src/model/load.js';
import { encodeModel } from '../src/onnx/write.js';
import { createSession } from '../src/runtime/session.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = join(root, '../shared');
const THREADS = 2;
const FULL_LADDER = [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512];
const THRESHOLDS = [0.05, 0.01] as const;
/** Step counts at which every scheme's δ is evaluated even after it reached 1% (error at equal cost). */
const FIXED_M = [16, 64];
type Threshold = (typeof THRESHOLDS)[number];
const pct = (t: number) => `${+(100 * t).toFixed(2)}%`;

// ───────────────────────────── arguments ─────────────────────────────

function parseArgs(argv: string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, fallback: number) => {
    const v = get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
    return n;
  };
  const quick = argv.includes('--quick');
  const cap = num('--cap', 512);
  return {
    quick,
    images: num('--images', quick ? 10 : 200),
    photos: num('--photos', quick ? 1 : 5),
    variants: num('--variants', quick ? 10 : 100),
    variantPhotos: num('--variant-photos', quick ? 1 : 5),
    black: num('--black', quick ? 5 : 100),
    adaptive: num('--adaptive', quick ? 5 : 50),
    ladder: FULL_LADDER.filter((m) => m <= cap),
    models: (get('--models') ?? 'resnet20,darknet,mobilenet').split(','),
    out: get('--out') ?? join(root, quick ? 'tmp/integrated-gradients.quick.md' : 'docs/integrated-gradients.md'),
  };
}
type Args = ReturnType<typeof parseArgs>;

// ───────────────────────────── data ─────────────────────────────

interface Sample {
  id: string;
  tensor: Float32Array;
  /** Ground-truth class where known (CIFAR). */
  label?: number;
}

interface BenchModel {
  key: string;
  name: string;
  path: string;
  dims: number[];
  maxBatch: number;
  preset: Preset;
  samples(args: Args, count: number): Promise<Sample[]>;
  describe: string;
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/**
 * CIFAR-10 records: 1 label byte + 3072 bytes (R plane, G plane, B plane, each 32×32 row-major), which
 * is already the model's NCHW order. (Checked: the records are the decoded JPEGs of test-jpeg.tar.gz,
 * class-interleaved, record i = class i mod 10.)
 */
function cifarSamples(count: number): Sample[] {
  const buf = readFileSync(join(shared, 'data/cifar10/test-1000.bin'));
  if (buf.length % 3073 !== 0) throw new Error(`test-1000.bin: ${buf.length} bytes is not a whole number of 3073-byte records`);
  const n = Math.min(count, buf.length / 3073);
  return Array.from({ length: n }, (_, i) => {
    const rec = buf.subarray(i * 3073, (i + 1) * 3073);
    const tensor = new Float32Array(3072);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) tensor[c * 1024 + p] = (rec[1 + c * 1024 + p] / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
    return { id: `cifar#${i}`, tensor, label: rec[0] };
  });
}

const PHOTOS = ['chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.jpg', 'camera.png'];

async function photoSamples(preset: Preset, count: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const name of PHOTOS.slice(0, count)) out.push({ id: name, tensor: (await loadImageTensor(join(shared, 'images', name), preset)).tensor });
  return out;
}

const photoPreset = (scale: number, mean: number): Preset => ({ width: 224, height: 224, resize: 'center-crop', channels: 'rgb', layout: 'nchw', scale, mean: [mean], std: [1] });

const MODELS: BenchModel[] = [
  {
    key: 'resnet20', name: 'resnet20-cifar10', path: join(shared, 'models/resnet20-cifar10/model.onnx'), dims: [1, 3, 32, 32], maxBatch: 64,
    preset: { width: 32, height: 32, resize: 'stretch', channels: 'rgb', layout: 'nchw', scale: 1 / 255, mean: IMAGENET_MEAN, std: IMAGENET_STD },
    samples: async (_args, count) => cifarSamples(count),
    describe: 'CIFAR-10 test images (test-1000.bin, the first N records: class-balanced), x/255 then ImageNet mean/std',
  },
  {
    key: 'darknet', name: 'darknet-tiny-imagenet', path: join(shared, 'models/darknet-tiny-imagenet/model.onnx'), dims: [1, 3, 224, 224], maxBatch: 16,
    preset: photoPreset(1 / 255, 0), samples: (_args, count) => photoSamples(photoPreset(1 / 255, 0), count),
    describe: 'sample photos, centre-cropped to 224×224, x/255',
  },
  {
    key: 'mobilenet', name: 'mobilenet-v1-025-imagenet', path: join(shared, 'models/mobilenet-v1-025-imagenet/model.onnx'), dims: [1, 3, 224, 224], maxBatch: 16,
    preset: photoPreset(1 / 127.5, 1), samples: (_args, count) => photoSamples(photoPreset(1 / 127.5, 1), count),
    describe: 'sample photos, centre-cropped to 224×224, x/127.5 − 1',
  },
];

// ───────────────────────────── schemes ─────────────────────────────

/**
 * Pilot scores y(j/N), j = 0…N, keyed by N; key DENSE holds the oracle's f = dy/dα at the DENSE
 * midpoints (k + ½)/DENSE (a gradient pilot, for the oracle variants only).
 */
type Pilots = Map<number, Float64Array>;
const DENSE = 256;

interface Scheme {
  name: string;
  /** The IG scheme the timed run uses (undefined: a bench-only variant, not timed). */
  ig?: IgScheme;
  pilot?: number;
  /** Needs the dense gradient pilot (oracle variants). */
  dense?: boolean;
  quad(m: number, pilots: Pilots): Quadrature;
  note?: string;
}

const uniform = (s: UniformScheme): Scheme => ({ name: s, ig: s, quad: (m) => uniformQuadrature(s, m) });

const STANDARD: Scheme[] = [
  ...(['left', 'right', 'middle', 'trapezoid', 'gausslegendre'] as const).map(uniform),
  { name: 'nonuniform N=16', ig: 'nonuniform', pilot: 16, quad: (m, p) => nonUniformQuadrature(p.get(16)!, m) },
  { name: 'nonuniform N=8', ig: 'nonuniform', pilot: 8, quad: (m, p) => nonUniformQuadrature(p.get(8)!, m) },
];

/** Segment weights |Δy_j| + floor·mean|Δy|. */
function segmentWeights(scores: ArrayLike<number>, floor: number): number[] {
  const n = scores.length - 1;
  const changes = Array.from({ length: n }, (_, j) => Math.abs(scores[j + 1] - scores[j]));
  const mean = changes.reduce((a, c) => a + c, 0) / n;
  return changes.map((c) => c + floor * mean + Number.MIN_VALUE);
}

/** Steps per segment placed as midpoints ('mid') or as a Gauss–Legendre rule ('gl') inside each segment. */
function segmented(perSegment: readonly number[], place: 'mid' | 'gl'): Quadrature {
  const n = perSegment.length;
  const alphas: number[] = [];
  const weights: number[] = [];
  perSegment.forEach((count, j) => {
    if (count === 0) return;
    if (place === 'gl') {
      const { nodes, weights: w } = gaussLegendre(count);
      for (let i = 0; i < count; i++) {
        alphas.push((j + 0.5 * (1 + nodes[i])) / n);
        weights.push((0.5 * w[i]) / n);
      }
    } else {
      for (let i = 0; i < count; i++) {
        alphas.push((j + (i + 0.5) / count) / n);
        weights.push(1 / n / count);
      }
    }
  });
  return { alphas: Float64Array.from(alphas), weights: Float64Array.from(weights) };
}

/** Allocation of the default design (weights, largest remainder, ≥ 1 per segment when m ≥ N). */
function allocate(weights: readonly number[], m: number): number[] {
  const total = weights.reduce((a, c) => a + c, 0);
  return largestRemainder(weights.map((w) => w / total), m, m >= weights.length ? 1 : 0);
}

/** The pilot subsampled to N' = N/2^k segments, the largest with N' ≤ m (so every segment gets a step). */
function coarsened(scores: Float64Array, m: number): Float64Array {
  let n = scores.length - 1;
  while (n > m && n % 2 === 0) n /= 2;
  const stride = (scores.length - 1) / n;
  return Float64Array.from({ length: n + 1 }, (_, j) => scores[j * stride]);
}

/**
 * Equal-mass placement: the density on [0, 1] is piecewise constant, ∝ w_j on segment j; point k sits
 * at the middle of the k-th of m intervals of equal mass, weighted by that interval's width. Every part
 * of [0, 1] is covered whatever m is.
 */
function equalMass(weights: readonly number[], m: number): Quadrature {
  const n = weights.length;
  const cumulative = [0];
  for (const w of weights) cumulative.push(cumulative[cumulative.length - 1] + w);
  const total = cumulative[n];
  const inverse = (t: number) => {
    const target = t * total;
    let j = 0;
    while (j < n - 1 && cumulative[j + 1] <= target) j++;
    return Math.min(1, (j + Math.min(1, (target - cumulative[j]) / weights[j])) / n);
  };
  const edges = Array.from({ length: m + 1 }, (_, k) => (k === m ? 1 : inverse(k / m)));
  return {
    alphas: Float64Array.from({ length: m }, (_, k) => 0.5 * (edges[k] + edges[k + 1])),
    weights: Float64Array.from({ length: m }, (_, k) => edges[k + 1] - edges[k]),
  };
}

/** Weights from the change of slope around each segment (a proxy for where f = dy/dα varies). */
function slopeChangeWeights(scores: ArrayLike<number>, floor: number): number[] {
  const n = scores.length - 1;
  const slope = Array.from({ length: n }, (_, j) => scores[j + 1] - scores[j]);
  const raw = slope.map((s, j) => {
    const d = [j > 0 ? Math.abs(s - slope[j - 1]) : undefined, j < n - 1 ? Math.abs(slope[j + 1] - s) : undefined].filter((v): v is number => v !== undefined);
    return d.reduce((a, c) => a + c, 0) / d.length;
  });
  const mean = raw.reduce((a, c) => a + c, 0) / n;
  return raw.map((c) => c + floor * mean + Number.MIN_VALUE);
}

/** Bench-only alternatives to the default allocation (steps and δ only; not timed). */
const VARIANTS: Scheme[] = [
  { name: 'nu16 floor 0', pilot: 16, quad: (m, p) => nonUniformQuadrature(p.get(16)!, m, 0), note: 'no floor (default floor 0.1·mean)' },
  { name: 'nu16 floor 0.5', pilot: 16, quad: (m, p) => nonUniformQuadrature(p.get(16)!, m, 0.5), note: 'floor 0.5·mean' },
  { name: 'nu16 sqrt', pilot: 16, quad: (m, p) => segmented(allocate(segmentWeights(p.get(16)!, 0.1).map(Math.sqrt), m), 'mid'), note: 'weights √(|Δy| + 0.1·mean): a flatter allocation' },
  { name: 'nu32', pilot: 32, quad: (m, p) => nonUniformQuadrature(p.get(32)!, m), note: 'pilot N = 32' },
  { name: 'nu16 GL', pilot: 16, quad: (m, p) => segmented(allocate(segmentWeights(p.get(16)!, 0.1), m), 'gl'), note: 'Gauss–Legendre points inside each segment instead of midpoints' },
  {
    name: 'nu16 coarse', pilot: 16, note: 'pilot merged to N′ = 16/2^k ≤ m segments when m < N, so no segment is left without a step',
    quad: (m, p) => nonUniformQuadrature(coarsened(p.get(16)!, m), m),
  },
  { name: 'nu16 equal-mass', pilot: 16, quad: (m, p) => equalMass(segmentWeights(p.get(16)!, 0.1), m), note: 'equal-mass intervals of the density ∝ |Δy| + 0.1·mean, midpoints (covers [0, 1] at any m)' },
  { name: 'warp α = u²', quad: (m) => warped(m), note: 'no pilot: midpoints of a uniform grid in u with α = u² (denser near the baseline), weights = exact widths in α' },
  { name: 'oracle TV', pilot: 16, dense: true, quad: (m, p) => segmented(allocate(oracleWeights(p.get(DENSE)!, 1), m), 'mid'), note: `oracle (not a usable scheme): segment weights = total variation of dy/dα in the segment, from ${DENSE} gradient evaluations not counted in the steps` },
  { name: 'oracle √TV', pilot: 16, dense: true, quad: (m, p) => segmented(allocate(oracleWeights(p.get(DENSE)!, 0.5), m), 'mid'), note: 'oracle as above, weights √TV (the allocation minimising Σ TV_j/m_j)' },
  { name: 'nu16 slope-change', pilot: 16, quad: (m, p) => nonUniformQuadratureFromWeights(slopeChangeWeights(p.get(16)!, 0.1), m), note: 'weights ∝ change of the pilot slope next to each segment (where dy/dα varies), midpoints' },
];

/** Oracle: per-segment (N = 16) total variation of f from the dense gradient pilot, to the power p. */
function oracleWeights(dense: Float64Array, p: number): number[] {
  const per = dense.length / 16;
  const tv = Array.from({ length: 16 }, (_, j) => {
    let s = 0;
    for (let k = j * per; k < (j + 1) * per - 1; k++) s += Math.abs(dense[k + 1] - dense[k]);
    return s ** p;
  });
  const mean = tv.reduce((a, c) => a + c, 0) / 16;
  return tv.map((t) => t + 0.1 * mean + Number.MIN_VALUE);
}

/** No pilot: midpoints in u, α = u² (points denser near the baseline), weight dα = 2u·du. */
function warped(m: number): Quadrature {
  const alphas = new Float64Array(m);
  const weights = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const [u0, u1] = [k / m, (k + 1) / m];
    alphas[k] = ((u0 + u1) / 2) ** 2;
    weights[k] = u1 * u1 - u0 * u0;
  }
  return { alphas, weights };
}

function nonUniformQuadratureFromWeights(weights: readonly number[], m: number): Quadrature {
  return segmented(allocate(weights, m), 'mid');
}

// ───────────────────────────── per-point evaluation ─────────────────────────────

/** Like IG's prelude, but the head is f_k = Δ_k·Σ_i g_k,i (x_i − x'_i), one value per point. */
function perPointPrelude(m: number, dims: readonly number[]): BatchPrelude {
  const ig = integratedGradientsPrelude(m, dims);
  const [baseline, , weights] = ig.inputs.map((i) => i.name);
  const axes = Array.from({ length: dims.length - 1 }, (_, i) => i + 1);
  return {
    inputs: ig.inputs,
    build: ig.build,
    aggregate: (b, g, input) => {
      const dot = b.op('ReduceSum', [b.op('Mul', [g, b.op('Sub', [input, baseline])]), b.int64(axes)], { keepdims: attr.int(0) }, 'path_derivative');
      return b.op('Mul', [dot, weights]);
    },
  };
}

class PointEvaluator {
  private readonly sessions = new Map<number, Promise<{ session: ort.InferenceSession; input: string }>>();
  evaluations = 0;
  ms = 0;

  constructor(private readonly model: (batch: number) => Graph, private readonly dims: readonly number[], private readonly maxBatch: number) {}

  private session(m: number) {
    let entry = this.sessions.get(m);
    if (!entry) {
      entry = (async () => {
        const compiled = compileExplained(this.model(m), { method: gradient, prelude: perPointPrelude(m, this.dims) });
        // No spin-waiting: these sessions take turns with each other and with the timed IgEngine's.
        return { session: await createSession(encodeModel(compiled.graph), { threads: THREADS, spinning: false }), input: compiled.input };
      })();
      this.sessions.set(m, entry);
    }
    return entry;
  }

  /** f(α) and y(α) at the given α (float32 values), in power-of-two chunks of at most maxBatch. */
  async evaluate(x: Float32Array, baseline: Float32Array, target: number, alphas: readonly number[]): Promise<{ f: Float64Array; y: Float64Array }> {
    const t0 = performance.now();
    const f = new Float64Array(alphas.length);
    const y = new Float64Array(alphas.length);
    const dims = [...this.dims];
    for (let start = 0; start < alphas.length;) {
      const left = alphas.length - start;
      let size = 1;
      while (size < left && size < this.maxBatch) size *= 2;
      const used = Math.min(size, left);
      const { session, input } = await this.session(size);
      const a = new Float32Array(size);
      const w = new Float32Array(size);
      for (let k = 0; k < used; k++) {
        a[k] = alphas[start + k];
        w[k] = 1;
      }
      const out = await session.run({
        [input]: new ort.Tensor('float32', x, dims),
        baseline: new ort.Tensor('float32', baseline, dims),
        alphas: new ort.Tensor('float32', a, [size]),
        weights: new ort.Tensor('float32', w, [size]),
        [TARGET_INPUT]: new ort.Tensor('int64', BigInt64Array.from([BigInt(target)]), [1]),
      });
      const fk = out[EXPLAINED_OUTPUTS.attribution].data as Float32Array;
      const logits = out[EXPLAINED_OUTPUTS.logits].data as Float32Array;
      const classes = logits.length / size;
      for (let k = 0; k < used; k++) {
        f[start + k] = fk[k];
        y[start + k] = logits[k * classes + target];
      }
      this.evaluations += size;
      start += used;
    }
    this.ms += performance.now() - t0;
    return { f, y };
  }

  async release(): Promise<void> {
    for (const entry of this.sessions.values()) await (await entry).session.release();
  }
}

// ───────────────────────────── one image ─────────────────────────────

interface TimedRun {
  pilotMs: number;
  gradientMs: number;
  /** The relative δ runIntegratedGradients itself reported. */
  engineDelta: number;
}

interface SchemeOutcome {
  /** First ladder m with δ ≤ threshold (undefined: not within the cap). */
  first: Partial<Record<Threshold, number>>;
  /** δ at each ladder m evaluated (until δ ≤ 1%). */
  deltas: [number, number][];
  timed: Partial<Record<Threshold, TimedRun>>;
}

interface ImageOutcome {
  id: string;
  label?: number;
  target: number;
  change: number;
  schemes: Map<string, SchemeOutcome>;
}

async function runImage(
  sample: Sample, baseline: Float32Array, schemes: Scheme[], ladder: readonly number[], model: BenchModel,
  engine: IgEngine, points: PointEvaluator, modelAt: (b: number) => Graph, time: boolean, baselineSpec: string,
): Promise<ImageOutcome> {
  const x = sample.tensor;
  // Pilot scores at j/32 (N = 32 variant) or j/16; N = 8 (and the end points) are subsamples of them.
  const pilotMax = schemes.some((s) => s.pilot === 32) ? 32 : 16;
  const rows = await engine.pathLogits(x, baseline, Float64Array.from({ length: pilotMax + 1 }, (_, j) => j / pilotMax));
  const top = rows[pilotMax];
  const target = top.indexOf(Math.max(...top));
  const scores = Float64Array.from(rows, (r) => r[target]);
  const pilots: Pilots = new Map();
  for (const n of [32, 16, 8]) if (pilotMax % n === 0) pilots.set(n, Float64Array.from({ length: n + 1 }, (_, j) => scores[(j * pilotMax) / n]));
  const change = scores[pilotMax] - scores[0];
  const scale = Math.max(Math.abs(change), 1e-12);

  const cache = new Map<number, number>();
  if (schemes.some((s) => s.dense)) {
    const list = Array.from({ length: DENSE }, (_, k) => Math.fround((k + 0.5) / DENSE));
    const { f } = await points.evaluate(x, baseline, target, list);
    list.forEach((a, k) => cache.set(a, f[k]));
    pilots.set(DENSE, Float64Array.from(f));
  }
  const outcomes = new Map<string, SchemeOutcome>(schemes.map((s) => [s.name, { first: {}, deltas: [], timed: {} }]));
  let active = [...schemes];
  for (const m of ladder) {
    const fixed = FIXED_M.includes(m);
    if (active.length === 0 && !ladder.some((l) => l >= m && FIXED_M.includes(l))) break;
    const quads = (fixed ? schemes : active).map((s) => [s, s.quad(m, pilots)] as const);
    const need = new Set<number>();
    for (const [, q] of quads) for (const a of q.alphas) if (!cache.has(Math.fround(a))) need.add(Math.fround(a));
    if (need.size) {
      const list = [...need];
      const { f } = await points.evaluate(x, baseline, target, list);
      list.forEach((a, k) => cache.set(a, f[k]));
    }
    for (const [s, q] of quads) {
      let estimate = 0;
      for (let k = 0; k < q.alphas.length; k++) estimate += q.weights[k] * cache.get(Math.fround(q.alphas[k]))!;
      const delta = Math.abs(estimate - change) / scale;
      const o = outcomes.get(s.name)!;
      o.deltas.push([m, delta]);
      for (const t of THRESHOLDS) if (o.first[t] === undefined && delta <= t) o.first[t] = m;
    }
    active = active.filter((s) => outcomes.get(s.name)!.first[0.01] === undefined);
  }

  if (time) {
    for (const s of schemes) {
      if (!s.ig) continue;
      const o = outcomes.get(s.name)!;
      for (const t of THRESHOLDS) {
        const m = o.first[t];
        if (m === undefined) continue;
        const again = THRESHOLDS.find((u) => u !== t && o.first[u] === m && o.timed[u]);
        if (again !== undefined) {
          o.timed[t] = o.timed[again];
          continue;
        }
        const run = await runIntegratedGradients({
          model: modelAt, input: x, dims: model.dims, target, preset: model.preset, threads: THREADS,
          options: { steps: m, scheme: s.ig, maxBatch: model.maxBatch, pilotSteps: s.pilot ?? 16, baseline: baselineSpec },
        }, engine);
        o.timed[t] = { pilotMs: run.pilotMs, gradientMs: run.gradientMs, engineDelta: run.relativeDelta };
      }
    }
  }
  return { id: sample.id, label: sample.label, target, change, schemes: outcomes };
}

/** Opens and warms up every session the timed runs will use, so the timings are steady-state. */
async function warmUp(engine: IgEngine, model: BenchModel, modelAt: (b: number) => Graph, x: Float32Array, ladder: readonly number[]): Promise<void> {
  const sizes = [...new Set(ladder.map((m) => chunkSize(m, model.maxBatch)))];
  for (const pilot of [2, 9, 17, 33]) await engine.prepare(sizes[0], model.maxBatch, pilot);
  for (const m of sizes) {
    await engine.prepare(m, model.maxBatch, 17);
    for (const scheme of ['left', 'nonuniform'] as const) {
      for (let rep = 0; rep < 2; rep++) {
        await runIntegratedGradients({
          model: modelAt, input: x, dims: model.dims, target: -1, preset: model.preset, threads: THREADS,
          options: { steps: m, scheme, maxBatch: model.maxBatch, pilotSteps: scheme === 'left' ? 16 : rep ? 8 : 16, baseline: 'zero' },
        }, engine);
      }
    }
  }
}

// ───────────────────────────── adaptive mode ─────────────────────────────

/** Schemes timed in the adaptive mode: --steps ADAPTIVE_START --target-delta δ --max-steps (ladder cap). */
const ADAPTIVE: { name: string; ig: IgScheme; pilot?: number }[] = [
  { name: 'left', ig: 'left' }, { name: 'middle', ig: 'middle' }, { name: 'trapezoid', ig: 'trapezoid' },
  { name: 'gausslegendre', ig: 'gausslegendre' }, { name: 'nonuniform N=16', ig: 'nonuniform', pilot: 16 },
];
const ADAPTIVE_START = 4;

interface AdaptiveRun {
  reached: boolean;
  steps: number;
  rounds: number;
  gradientEvaluations: number;
  wallMs: number;
}

/**
 * One image's adaptive runs: each configuration runs twice through runIntegratedGradients and the
 * second run is kept, so its sessions (one per chunk size its rounds use) are open and warm; the wall
 * time is the engine's pilotMs + gradientMs (session creation is counted apart, in compileMs).
 */
async function adaptiveRuns(report: ModelReport, sample: Sample, engine: IgEngine, modelAt: (b: number) => Graph, ladder: readonly number[]): Promise<void> {
  const { model } = report;
  for (const s of ADAPTIVE) {
    for (const t of THRESHOLDS) {
      const options = { steps: ADAPTIVE_START, scheme: s.ig, maxBatch: model.maxBatch, pilotSteps: s.pilot ?? 16, baseline: 'zero', targetDelta: t, maxSteps: cap(ladder) };
      const context = { model: modelAt, input: sample.tensor, dims: model.dims, target: -1, preset: model.preset, threads: THREADS, options };
      await runIntegratedGradients(context, engine);
      const run = await runIntegratedGradients(context, engine);
      const perScheme = report.adaptive.get(s.name) ?? new Map<Threshold, AdaptiveRun[]>();
      report.adaptive.set(s.name, perScheme);
      const runs = perScheme.get(t) ?? [];
      perScheme.set(t, runs);
      runs.push({
        reached: run.targetReached === true, steps: run.steps, rounds: run.history.length,
        gradientEvaluations: run.gradientEvaluations, wallMs: run.pilotMs + run.gradientMs,
      });
    }
  }
}

function adaptiveSection(reports: ModelReport[], ladder: readonly number[]): string {
  const out: string[] = [];
  for (const r of reports.filter((x) => x.adaptive.size)) {
    const rows: (string | number)[][] = [];
    for (const t of THRESHOLDS) {
      for (const s of ADAPTIVE) {
        const runs = r.adaptive.get(s.name)?.get(t) ?? [];
        if (!runs.length) continue;
        // Unreached runs count as infinite in the medians of steps and wall time (as in the tables above).
        const steps = runs.map((x) => (x.reached ? x.steps : Infinity));
        const walls = runs.map((x) => (x.reached ? x.wallMs : Infinity));
        const perStep = runs.map((x) => x.gradientEvaluations / x.steps);
        rows.push([
          `≤ ${pct(t)}`, s.name, `${runs.filter((x) => x.reached).length}/${runs.length}`, showSteps(median(steps), ladder),
          median(runs.map((x) => x.rounds)), median(runs.map((x) => x.gradientEvaluations)),
          `${median(perStep).toFixed(2)} (${Math.min(...perStep).toFixed(2)}–${Math.max(...perStep).toFixed(2)})`,
          showMs(median(walls)), `${showMs(percentile(walls, 0.25))} / ${showMs(percentile(walls, 0.75))}`,
        ]);
      }
    }
    out.push(`### ${r.model.name}, ${r.adaptive.get(ADAPTIVE[0].name)!.get(THRESHOLDS[0])!.length} images\n\n${formatTable(
      ['target δ', 'scheme', 'reached', 'median final steps', 'median rounds', 'median gradient evaluations', 'evaluations ÷ final steps (min–max)', 'median wall ms', 'wall p25 / p75'], rows,
    )}\n`);
  }
  return out.join('\n');
}

// ───────────────────────────── statistics ─────────────────────────────

/** Nearest-rank percentile (the value at rank ⌈p·n⌉ of the sorted list); Infinity = not reached. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}
const median = (v: readonly number[]) => percentile(v, 0.5);
const cap = (ladder: readonly number[]) => ladder[ladder.length - 1];
const showSteps = (v: number, ladder: readonly number[]) => (Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'n/a' : `>${cap(ladder)}`);
const showMs = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : Number.isNaN(v) ? 'n/a' : '—');
/** a ÷ b as "2.50×"; "n/a" when either is missing or not reached (infinite). */
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const geoMean = (v: readonly number[]) => Math.exp(v.reduce((a, c) => a + Math.log(c), 0) / v.length);

const stepsOf = (images: ImageOutcome[], scheme: string, t: Threshold) => images.map((im) => im.schemes.get(scheme)?.first[t] ?? Infinity);
const wallOf = (images: ImageOutcome[], scheme: string, t: Threshold) =>
  images.map((im) => {
    const r = im.schemes.get(scheme)?.timed[t];
    return r ? r.pilotMs + r.gradientMs : Infinity;
  });

/** Per-image ratios a/b of steps where both reached the threshold: geometric mean and count. */
function pairedRatio(images: ImageOutcome[], a: string, b: string, t: Threshold): { geo: number; n: number } {
  const r: number[] = [];
  for (const im of images) {
    const sa = im.schemes.get(a)?.first[t];
    const sb = im.schemes.get(b)?.first[t];
    if (sa !== undefined && sb !== undefined) r.push(sa / sb);
  }
  return { geo: r.length ? geoMean(r) : NaN, n: r.length };
}

function histogram(images: ImageOutcome[], schemes: readonly string[], t: Threshold, ladder: readonly number[]): string {
  const columns = [...ladder, Infinity].filter((m) => schemes.some((s) => stepsOf(images, s, t).includes(m)));
  const rows = schemes.map((s) => {
    const steps = stepsOf(images, s, t);
    return [s, ...columns.map((m) => steps.filter((v) => v === m).length || '·')];
  });
  return formatTable(['scheme \\ m', ...columns.map((m) => showSteps(m, ladder))], rows);
}

/** Relative δ at the fixed step counts (evaluated for every scheme): the error at equal cost. */
function fixedTable(images: ImageOutcome[], schemes: readonly Scheme[]): string {
  const deltaAt = (name: string, m: number) => images.map((im) => im.schemes.get(name)?.deltas.find(([mm]) => mm === m)?.[1] ?? NaN).filter(Number.isFinite);
  const fmt = (v: number) => (Number.isFinite(v) ? pct(v) : 'n/a');
  const rows = schemes.map((s) => [s.name, ...FIXED_M.flatMap((m) => {
    const d = deltaAt(s.name, m);
    const l = median(deltaAt('left', m));
    return [fmt(median(d)), `${fmt(percentile(d, 0.25))} / ${fmt(percentile(d, 0.75))}`, d.length ? `${(l / median(d)).toFixed(2)}×` : 'n/a'];
  })]);
  return formatTable(['scheme', ...FIXED_M.flatMap((m) => [`median δ at m=${m}`, 'p25 / p75', 'left ÷ this'])], rows);
}

function schemeTable(images: ImageOutcome[], schemes: readonly Scheme[], t: Threshold, ladder: readonly number[], timed: boolean): string {
  const left = median(stepsOf(images, 'left', t));
  const rows = schemes.map((s) => {
    const steps = stepsOf(images, s.name, t);
    const reached = steps.filter(Number.isFinite).length;
    const row: (string | number)[] = [
      s.name, showSteps(median(steps), ladder), `${showSteps(percentile(steps, 0.25), ladder)} / ${showSteps(percentile(steps, 0.75), ladder)}`,
      `${reached}/${steps.length}`,
      Number.isFinite(left) && Number.isFinite(median(steps)) ? `${(left / median(steps)).toFixed(2)}×` : 'n/a',
    ];
    const paired = pairedRatio(images, 'left', s.name, t);
    row.push(Number.isFinite(paired.geo) ? `${paired.geo.toFixed(2)}× (${paired.n})` : 'n/a');
    if (timed) {
      const walls = wallOf(images, s.name, t);
      const forward = images.map((im) => im.schemes.get(s.name)?.timed[t]?.pilotMs ?? NaN).filter(Number.isFinite);
      const shares = images.map((im) => {
        const r = im.schemes.get(s.name)?.timed[t];
        return r ? r.pilotMs / (r.pilotMs + r.gradientMs) : NaN;
      }).filter(Number.isFinite);
      row.push(showMs(median(walls)), `${showMs(percentile(walls, 0.25))} / ${showMs(percentile(walls, 0.75))}`, forward.length ? showMs(median(forward)) : 'n/a',
        shares.length ? pct(median(shares)) : 'n/a');
    }
    return row;
  });
  const headers = ['scheme', 'median steps', 'p25 / p75', 'reached', 'left ÷ this (medians)', 'left ÷ this (geo-mean per image, n)'];
  if (timed) headers.push('median wall ms', 'wall p25 / p75', 'median fwd ms (pilot or end points)', 'fwd share of wall');
  return formatTable(headers, rows);
}

// ───────────────────────────── one model ─────────────────────────────

interface ModelReport {
  model: BenchModel;
  baselineSpec: string;
  images: ImageOutcome[];
  variantImages: ImageOutcome[];
  seconds: number;
  accuracy?: string;
  engineCheck: { maxDiff: number; runs: number };
  gradientMsByM: Map<number, number[]>;
  forwardMsByPoints: Map<number, number[]>;
  evaluations: number;
  /** Adaptive-mode runs (--target-delta) per scheme name and threshold. */
  adaptive: Map<string, Map<Threshold, AdaptiveRun[]>>;
}

async function benchModel(
  model: BenchModel, args: Args, count: number, variantCount: number, adaptiveCount: number, baselineSpec: string, progressLabel: string,
): Promise<ModelReport> {
  const t0 = performance.now();
  const graphs = new Map<number, Graph>();
  const modelAt = (b: number) => {
    if (!graphs.has(b)) graphs.set(b, loadModel(model.path, b).graph);
    return graphs.get(b)!;
  };
  const samples = await model.samples(args, count);
  const engine = new IgEngine({ model: modelAt, dims: model.dims, threads: THREADS });
  const points = new PointEvaluator(modelAt, model.dims, model.maxBatch);
  const report: ModelReport = {
    model, baselineSpec, images: [], variantImages: [], seconds: 0, engineCheck: { maxDiff: 0, runs: 0 },
    gradientMsByM: new Map(), forwardMsByPoints: new Map(), evaluations: 0, adaptive: new Map(),
  };
  try {
    const timed = baselineSpec === 'zero';
    if (timed) await warmUp(engine, model, modelAt, samples[0].tensor, args.ladder);
    let correct = 0;
    for (const [i, sample] of samples.entries()) {
      const baseline = await makeBaseline({ spec: baselineSpec, input: sample.tensor, dims: model.dims, preset: model.preset });
      const withVariants = i < variantCount;
      const schemes = withVariants ? [...STANDARD, ...VARIANTS] : STANDARD;
      const outcome = await runImage(sample, baseline, schemes, args.ladder, model, engine, points, modelAt, timed, baselineSpec);
      if (outcome.label !== undefined && outcome.label === outcome.target) correct++;
      report.images.push(outcome);
      if (withVariants) report.variantImages.push(outcome);
      if (timed && i < adaptiveCount) await adaptiveRuns(report, sample, engine, modelAt, args.ladder);
      for (const s of STANDARD) {
        const o = outcome.schemes.get(s.name)!;
        for (const t of THRESHOLDS) {
          const r = o.timed[t];
          const m = o.first[t];
          if (!r || m === undefined) continue;
          const own = o.deltas.find(([mm]) => mm === m)![1];
          report.engineCheck.maxDiff = Math.max(report.engineCheck.maxDiff, Math.abs(r.engineDelta - own));
          report.engineCheck.runs++;
          if (!report.gradientMsByM.has(m)) report.gradientMsByM.set(m, []);
          report.gradientMsByM.get(m)!.push(r.gradientMs);
          const pts = s.ig === 'nonuniform' ? s.pilot! + 1 : 2;
          if (!report.forwardMsByPoints.has(pts)) report.forwardMsByPoints.set(pts, []);
          report.forwardMsByPoints.get(pts)!.push(r.pilotMs);
        }
      }
      const elapsed = (performance.now() - t0) / 1000;
      process.stderr.write(`[${progressLabel}] ${i + 1}/${samples.length} images, elapsed ${elapsed.toFixed(0)} s (${points.evaluations} path points evaluated in ${(points.ms / 1000).toFixed(0)} s)\n`);
    }
    if (samples[0]?.label !== undefined) report.accuracy = `${correct}/${samples.length} images`;
  } finally {
    report.evaluations = points.evaluations;
    await engine.release();
    await points.release();
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

// ───────────────────────────── document ─────────────────────────────

const NOTES_BEGIN = '<!-- notes:begin (hand-written; kept by npm run bench:ig) -->';
const NOTES_END = '<!-- notes:end -->';

interface Headline {
  rows: (string | number)[][];
  met: boolean[];
}

function headline(reports: ModelReport[], ladder: readonly number[]): Headline {
  const rows: (string | number)[][] = [];
  const met: boolean[] = [];
  for (const r of reports.filter((x) => x.baselineSpec === 'zero')) {
    for (const t of THRESHOLDS) {
      const riemann = ['left', 'right', 'middle'];
      const medianOf = (s: string) => median(stepsOf(r.images, s, t));
      const wallMedian = (s: string) => median(wallOf(r.images, s, t));
      const best = [...riemann].sort((a, b) => medianOf(a) - medianOf(b) || wallMedian(a) - wallMedian(b))[0];
      for (const nu of ['nonuniform N=16', 'nonuniform N=8']) {
        const shares = r.images.map((im) => {
          const x = im.schemes.get(nu)!.timed[t];
          return x ? x.pilotMs / (x.pilotMs + x.gradientMs) : NaN;
        }).filter(Number.isFinite);
        const versusLeft = r.images.map((im) => {
          const x = im.schemes.get(nu)!.timed[t];
          const l = im.schemes.get('left')!.timed[t];
          return x && l ? x.pilotMs / (l.pilotMs + l.gradientMs) : NaN;
        }).filter(Number.isFinite);
        const stepGain = medianOf('left') / medianOf(nu);
        met.push(Number.isFinite(stepGain) && stepGain >= 2.6);
        rows.push([
          r.model.key, `≤ ${pct(t)}`, nu.replace('nonuniform ', ''), `${r.images.length}`,
          showSteps(medianOf('left'), ladder), `${best} ${showSteps(medianOf(best), ladder)}`, showSteps(medianOf(nu), ladder),
          ratio(medianOf('left'), medianOf(nu)), ratio(medianOf(best), medianOf(nu)),
          ratio(wallMedian('left'), wallMedian(nu)), ratio(wallMedian(best), wallMedian(nu)),
          shares.length ? pct(median(shares)) : 'n/a', versusLeft.length ? pct(median(versusLeft)) : 'n/a',
          `${Number.isFinite(stepGain) && stepGain >= 2.6 ? 'met' : 'not met'} / ${shares.length && median(shares) <= 0.05 ? 'met' : 'not met'}`,
        ]);
      }
    }
  }
  return { rows, met };
}

function modelSection(r: ModelReport, ladder: readonly number[]): string {
  const timed = r.baselineSpec === 'zero';
  const names = STANDARD.map((s) => s.name);
  const parts: string[] = [];
  const changes = r.images.map((im) => Math.abs(im.change));
  parts.push(`### ${r.model.name}, ${r.baselineSpec} baseline: ${r.images.length} images (${r.model.describe})\n`);
  parts.push(`Input ${r.model.dims.join('×')}, --max-batch ${r.model.maxBatch}. |y(x) − y(x′)| of the top-1 logit: median ${median(changes).toFixed(2)}, `
    + `min ${Math.min(...changes).toFixed(3)}, max ${Math.max(...changes).toFixed(2)}.${r.accuracy ? ` Top-1 agrees with the label on ${r.accuracy}.` : ''} `
    + `Run time ${(r.seconds / 60).toFixed(1)} min (${r.evaluations} path points evaluated for δ).`
    + (timed ? ` Check: the δ of each timed IG run differs from the per-point δ by at most ${r.engineCheck.maxDiff.toExponential(1)} (${r.engineCheck.runs} runs).` : '') + '\n');
  for (const t of THRESHOLDS) {
    parts.push(`#### δ ≤ ${pct(t)}\n\n${schemeTable(r.images, STANDARD, t, ladder, timed)}\n\nSteps histogram (images whose first ladder m with δ ≤ ${pct(t)} is m):\n\n${histogram(r.images, names, t, ladder)}\n`);
  }
  parts.push(`#### Relative δ at a fixed step count (all images)\n\n${fixedTable(r.images, STANDARD)}\n`);
  if (timed && r.gradientMsByM.size) {
    const ms = [...r.gradientMsByM.keys()].sort((a, b) => a - b);
    parts.push(`#### Steady-state IG time by step count (median over the timed runs of this model)\n\n${formatTable(['steps m', ...ms.map(String)], [
      ['gradient ms', ...ms.map((m) => showMs(median(r.gradientMsByM.get(m)!)))],
      ['runs', ...ms.map((m) => r.gradientMsByM.get(m)!.length)],
    ])}\n\nForward-only pass (end points for the uniform schemes, pilot for the non-uniform ones): `
      + [...r.forwardMsByPoints.entries()].sort((a, b) => a[0] - b[0]).map(([p, v]) => `${p} points ${showMs(median(v))} ms`).join(', ') + '.\n');
  }
  return parts.join('\n');
}

function variantSection(reports: ModelReport[], ladder: readonly number[]): string {
  const out: string[] = [];
  for (const r of reports.filter((x) => x.variantImages.length && x.baselineSpec === 'zero')) {
    const schemes = [STANDARD.find((s) => s.name === 'left')!, STANDARD.find((s) => s.name === 'middle')!, ...STANDARD.filter((s) => s.ig === 'nonuniform'), ...VARIANTS];
    out.push(`### ${r.model.name}, ${r.variantImages.length} images\n`);
    for (const t of THRESHOLDS) {
      out.push(`#### δ ≤ ${pct(t)}\n\n${schemeTable(r.variantImages, schemes, t, ladder, false)}\n`);
    }
    out.push(`#### Relative δ at a fixed step count\n\n${fixedTable(r.variantImages, schemes)}\n`);
  }
  const legend = VARIANTS.map((v) => `- **${v.name}**: ${v.note}`).join('\n');
  return out.length ? `${legend}\n\n${out.join('\n')}` : '';
}

async function versions(): Promise<string> {
  const ortVersion = JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version;
  return `Node ${process.version}, onnxruntime-node ${ortVersion}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const start = performance.now();
  const loadAtStart = loadavg()[0];
  const reports: ModelReport[] = [];
  for (const model of MODELS) {
    if (!args.models.includes(model.key)) continue;
    if (!existsSync(model.path)) throw new Error(`${model.path} absent`);
    const cifar = model.key === 'resnet20';
    const count = cifar ? args.images : args.photos;
    const variants = cifar ? args.variants : args.variantPhotos;
    process.stderr.write(`== ${model.name}: ${count} images, zero baseline, ladder up to ${cap(args.ladder)}\n`);
    reports.push(await benchModel(model, args, count, Math.min(variants, count), Math.min(cifar ? args.adaptive : args.photos, count), 'zero', model.key));
    if (cifar && args.black) {
      process.stderr.write(`== ${model.name}: ${args.black} images, black baseline (δ only, not timed)\n`);
      reports.push(await benchModel(model, args, args.black, 0, 0, 'black', `${model.key}/black`));
    }
  }
  const minutes = (performance.now() - start) / 60_000;
  const head = headline(reports, args.ladder);
  const headers = ['model', 'δ', 'pilot N', 'images', 'left median steps', 'best Riemann (median steps)', 'non-uniform median steps',
    'steps: left ÷ NU', 'steps: best ÷ NU', 'wall: left ÷ NU', 'wall: best ÷ NU', 'pilot share of NU wall', 'pilot ÷ left wall', 'target: steps ≥ 2.6× / pilot ≤ 5%'];
  const headTable = formatTable(headers, head.rows);
  console.log(headTable);

  let notes = `${NOTES_BEGIN}\n(none yet)\n${NOTES_END}`;
  if (existsSync(args.out)) {
    const old = readFileSync(args.out, 'utf8');
    const a = old.indexOf(NOTES_BEGIN);
    const b = old.indexOf(NOTES_END);
    if (a >= 0 && b > a) notes = old.slice(a, b + NOTES_END.length);
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const ladderText = args.ladder.join(', ');
  const doc = `# Integrated Gradients: steps to convergence, uniform vs non-uniform

Written by \`npm run bench:ig\`${args.quick ? ' (--quick smoke run)' : ''} on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; the run took ${minutes.toFixed(1)} min.
Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB. ${await versions()}. ${THREADS} onnxruntime threads.
Command line: \`${process.argv.slice(2).join(' ') || '(defaults)'}\`. 1-minute load average ${loadAtStart.toFixed(1)} at the start,
${loadavg()[0].toFixed(1)} at the end (this run itself keeps about 2 cores busy: a higher figure means other work shared the machine and the wall times are inflated).

## Headline

Non-uniform (NU) against uniform Riemann: "left" is Captum's riemann_left; "best Riemann" is whichever
of left/right/middle has the smallest median step count on that model and threshold. Steps are IG
gradient evaluations (the pilot is forward-only and not counted in them; its cost is in the wall time).
Ratios are of medians; "pilot share" is the median over images of pilot ms / (pilot + gradient ms) of
the NU run at its threshold step count; "pilot ÷ left wall" divides it by the uniform-left run's wall
time on the same image at the same δ.

${headTable}

The issue's target is ≥ 2.6× fewer steps than uniform left at the same δ (median) with the pilot
≤ 5% of the total; the last column says whether each half is met.

## Protocol

- **Target and error.** The score is the pre-softmax logit y of the top-1 class of the input x. The
  baseline x′ is **zero in the model's input space** (after preprocessing): for resnet20 that is the
  ImageNet mean colour, for darknet-tiny a black image, for mobilenet a mid-grey one. The error is
  δ = |Σ IG − (y(x) − y(x′))| / |y(x) − y(x′)|, with y(x) and y(x′) from the forward pass.
- **Step ladder** m ∈ {${ladderText}}. For each image and scheme, δ is computed at each m in turn
  until it is ≤ 1%. δ need not fall monotonically as m grows, so the reported step count is **the first
  ladder m at which δ ≤ the threshold** (a later m may be above it again). An image that does not get
  there by m = ${cap(args.ladder)} counts as ">${cap(args.ladder)}" (infinite) in medians and
  percentiles; percentiles are nearest-rank (the value at rank ⌈p·n⌉).
- **Schemes.** Uniform ones exactly as Captum places and weights them (left, right, middle, trapezoid
  with Captum's halved end weights, Gauss–Legendre); non-uniform as in src/methods/integration/nonUniform.ts:
  a forward-only pilot at N + 1 points j/N (N = 16 and N = 8), segment j gets a share of the m steps
  ∝ |y((j+1)/N) − y(j/N)| + 0.1·mean (largest-remainder rounding, at least one per segment once
  m ≥ N), midpoints inside each segment weighted by their own width; when m < N consecutive segments are merged
  into m groups of about equal weight, one midpoint each (the weights always sum to 1).
- **How δ is measured.** Σ IG = Σ_k Δ_k f(α_k) with f(α) = ∇y(x′ + α(x − x′))·(x − x′). A per-point
  graph (the same forward and backward pass as IG's graph, heads summed to f_k) evaluates f at every α
  the schemes ask for, cached per image (α rounded to float32 as the IG graph is fed), so the nested
  ladder grids only cost their new points. As a check, every timed run's own δ (from
  runIntegratedGradients) is compared with it (the maximum difference is given per model).
- **Wall time.** For each image, scheme and threshold, the IG run at the threshold step count is
  repeated through the real path (runIntegratedGradients on one IgEngine per model; every session size
  is prepared and warmed up before the first image, so no session creation is timed) and timed with the
  engine's counters: wall = pilotMs + gradientMs after engine.reset(). pilotMs is the forward-only
  batch: the two end points for the uniform schemes, the N + 1 pilot points for the non-uniform ones.
  gradientMs covers ⌈m / max-batch⌉ equal chunks of the gradient graph (the last padded). An image that does
  not reach the threshold has no wall time ("—", infinite in the medians). The engine's sessions take
  turns, so they run without spin-waiting threads (as IgEngine always does: a spinning session's idle
  threads take the cores from the next one; before this, the resnet20 wall times were 2–3× as long).
- **Images.** resnet20: the first ${args.images} records of CIFAR-10 test-1000.bin (records are
  label + R, G, B planes of 32×32; they are the decoded JPEGs of test-jpeg.tar.gz, ten classes
  interleaved, so the first 10·k records hold k images of each class). 224×224 models: ${PHOTOS.slice(0, args.photos).join(', ')}
  (camera.png is greyscale, replicated to RGB), centre-cropped. --max-batch 64 for CIFAR, 16 for the
  224 models. The allocation variants run on the first ${args.variants} CIFAR images${args.variantPhotos ? ` and ${args.variantPhotos} photo(s)` : ''} only.

## Results per model

${reports.map((r) => modelSection(r, args.ladder)).join('\n')}
## Adaptive mode (--target-delta)

\`--steps ${ADAPTIVE_START} --target-delta δ --max-steps ${cap(args.ladder)}\` through runIntegratedGradients, on the first
${args.adaptive} CIFAR images and the ${args.photos} photo(s): rounds add steps until the relative δ is ≤ the target.
Where a scheme's rules nest (left ×2, trapezoid 2m − 1, middle and non-uniform ×3;
src/methods/integration/refine.ts), a round evaluates only the points it adds and rescales the sum so
far, so the gradient evaluations equal the final step count (more only where a chunk is padded, or
where the next nested count would pass --max-steps and the last round is a fresh run at --max-steps);
Gauss–Legendre rules share no points, so each of its rounds is a fresh run at 1.5× the steps. The
final step count is where the sequence of rounds first met the target, so it is not the ladder count
of the tables above. Each configuration runs twice and the second run is timed (its sessions open and
warm); wall = pilot + gradient ms. An image whose run does not reach the target by --max-steps counts
as infinite in the medians of steps and wall time.

${adaptiveSection(reports, args.ladder)}
## Variants of the non-uniform allocation (δ and steps only)

Bench-only alternatives (bench/ig.ts), not the default in src; their wall time would follow the
"IG time by step count" tables above plus the pilot.

${variantSection(reports, args.ladder)}
## Notes

${notes}
`;
  await writeFileAtomic(args.out, doc);
  console.log(`wrote ${args.out.replace(root, '')} (${minutes.toFixed(1)} min)`);
}

await main();
