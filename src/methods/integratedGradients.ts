/**
 * Integrated Gradients (Sundararajan et al. 2017):
 *   IG(x) = (x − x') ⊙ ∫₀¹ ∂y_c/∂x(x' + α(x − x')) dα ≈ (x − x') ⊙ Σ_k Δ_k·g_k.
 * The interpolation points run as one batch inside one compiled graph (inputs: the image, the baseline,
 * α [m] and Δ [m]; the points x' + α_k(x − x') and the weighted sum are built in-graph), in equal chunks
 * of at most --max-batch points so memory stays bounded; the last chunk is padded with Δ = 0 points so
 * one graph serves every chunk. Completeness gives the convergence error
 *   δ = |Σ IG − (y(x) − y(x'))|, reported absolute and relative to |y(x) − y(x')|.
 * Schemes: Captum's uniform ones (quadrature.ts) and the non-uniform one (nonUniform.ts), which spends
 * a forward-only pilot of N+1 points to place the steps where the score changes. --target-delta adds
 * rounds that reuse the points already evaluated where the scheme's rules nest (integration/refine.ts).
 */
import type * as ort from 'onnxruntime-node';
import { HeatlensError } from '../errors.js';
import { type BatchPrelude, compileExplained, compileForwardPath, TARGET_INPUT, EXPLAINED_OUTPUTS } from '../compile/explain.js';
import type { GraphBuilder } from '../ir/builder.js';
import { attr, type Graph } from '../ir/graph.js';
import { makeTensor } from '../ir/tensor.js';
import { encodeModel } from '../onnx/write.js';
import { createSession } from '../runtime/session.js';
import { gradient } from './gradient.js';
import { makeBaseline } from './integration/baselines.js';
import { nonUniformQuadrature } from './integration/nonUniform.js';
import { type Quadrature, type UniformScheme, UNIFORM_SCHEMES, uniformQuadrature } from './integration/quadrature.js';
import { REFINEMENTS, refinedRule } from './integration/refine.js';
import type { DrivenMethod, DrivenOptions, DriverContext } from './types.js';

export const IG_SCHEMES = [...UNIFORM_SCHEMES, 'nonuniform'] as const;
export type IgScheme = (typeof IG_SCHEMES)[number];

const BASELINE = 'baseline';
const ALPHAS = 'alphas';
const WEIGHTS = 'weights';

/** α reshaped to [m, 1, …] to broadcast over an input of `rank`. */
const column = (b: GraphBuilder, v: string, m: number, rank: number) => b.op('Reshape', [v, b.int64([m, ...new Array(rank - 1).fill(1)])]);

/** The IG prelude for m points; `baked` bakes α and Δ into the graph (for standalone files). */
export function integratedGradientsPrelude(m: number, inputShape: readonly number[], baked?: Quadrature): BatchPrelude {
  const rank = inputShape.length;
  const single = [1, ...inputShape.slice(1)];
  const constant = (values: Float64Array | undefined) => (values ? makeTensor('float32', [m], values) : undefined);
  return {
    inputs: [
      { name: BASELINE, shape: single },
      { name: ALPHAS, shape: [m], value: constant(baked?.alphas) },
      { name: WEIGHTS, shape: [m], value: constant(baked?.weights) },
    ],
    // points_k = x' + α_k (x − x')
    build: (b, input) => b.op('Add', [BASELINE, b.op('Mul', [column(b, ALPHAS, m, rank), b.op('Sub', [input, BASELINE])])], {}, 'ig_points'),
    // (x − x') ⊙ Σ_k Δ_k g_k
    aggregate: (b, g, input) => {
      const weighted = b.op('ReduceSum', [b.op('Mul', [g, column(b, WEIGHTS, m, rank)]), b.int64([0])], { keepdims: attr.int(1) }, 'ig_sum');
      return b.op('Mul', [b.op('Sub', [input, BASELINE]), weighted], {}, 'integrated_gradients');
    },
  };
}

/**
 * The chunk size for n points under maxBatch: the fewest chunks, ⌈n / maxBatch⌉, of equal size, so
 * fewer than one point per chunk is padding (96 points under --max-batch 64 run as 2 × 48, where
 * chunks of 64 would evaluate 32 padding points).
 */
export function chunkSize(n: number, maxBatch: number): number {
  return Math.ceil(n / Math.ceil(n / maxBatch));
}

/**
 * Sessions for the gradient batch (per chunk size) and the forward-only path batches, compiled once
 * each and reusable across images of the same model; counters and timers accumulate until reset()
 * (compileMs: compiling and opening sessions; pilotMs and gradientMs: running them).
 * The sessions take turns, so their threads do not spin-wait (SessionOptions.spinning): with spinning,
 * a 17-point pilot and a 12-point gradient batch of resnet20 alternating in one process took 15.1 and
 * 26.1 ms per run on this 2-core machine, without it 7.7 and 16.2 ms.
 */
export class IgEngine {
  private readonly sessions = new Map<string, Promise<{ session: ort.InferenceSession; input: string }>>();
  gradientEvaluations = 0;
  forwardEvaluations = 0;
  pilotMs = 0;
  gradientMs = 0;
  compileMs = 0;

  constructor(private readonly ctx: Pick<DriverContext, 'model' | 'dims' | 'threads'>) {}

  reset(): void {
    this.gradientEvaluations = 0;
    this.forwardEvaluations = 0;
    this.pilotMs = 0;
    this.gradientMs = 0;
    this.compileMs = 0;
  }

  /** Compiles and opens the sessions `steps`-point runs need, so later timings exclude start-up. */
  async prepare(steps: number, maxBatch: number, pilotPoints: number): Promise<void> {
    await this.session('gradient', chunkSize(steps, maxBatch));
    await this.session('forward', pilotPoints);
  }

  private session(kind: 'gradient' | 'forward', m: number) {
    const key = `${kind}:${m}`;
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = (async () => {
        const t0 = performance.now();
        const model = this.ctx.model(m);
        const prelude = integratedGradientsPrelude(m, this.ctx.dims);
        const compiled = kind === 'gradient' ? compileExplained(model, { method: gradient, prelude }) : compileForwardPath(model, prelude);
        const session = await createSession(encodeModel(compiled.graph), { threads: this.ctx.threads, spinning: false });
        this.compileMs += performance.now() - t0;
        return { session, input: compiled.input };
      })();
      this.sessions.set(key, entry);
    }
    return entry;
  }

  private feeds(input: string, x: Float32Array, baseline: Float32Array, alphas: ArrayLike<number>, weights: ArrayLike<number>, ortModule: typeof ort) {
    const dims = [...this.ctx.dims];
    return {
      [input]: new ortModule.Tensor('float32', x, dims),
      [BASELINE]: new ortModule.Tensor('float32', baseline, dims),
      [ALPHAS]: new ortModule.Tensor('float32', Float32Array.from(alphas), [alphas.length]),
      [WEIGHTS]: new ortModule.Tensor('float32', Float32Array.from(weights), [weights.length]),
    };
  }

  /** Logits at the given α (forward only, one batch): one row per point. */
  async pathLogits(x: Float32Array, baseline: Float32Array, alphas: ArrayLike<number>): Promise<Float32Array[]> {
    const ortModule = await import('onnxruntime-node');
    const { session, input } = await this.session('forward', alphas.length);
    const t0 = performance.now();
    const out = await session.run(this.feeds(input, x, baseline, alphas, new Float32Array(alphas.length), ortModule));
    this.forwardEvaluations += alphas.length;
    this.pilotMs += performance.now() - t0;
    const logits = out[EXPLAINED_OUTPUTS.logits].data as Float32Array;
    const classes = logits.length / alphas.length;
    return Array.from({ length: alphas.length }, (_, k) => logits.subarray(k * classes, (k + 1) * classes));
  }

  /** Σ_k Δ_k g_k ⊙ (x − x') over all points, in equal chunks of at most maxBatch (the last padded with Δ = 0). */
  async integrate(x: Float32Array, baseline: Float32Array, q: Quadrature, target: number, maxBatch: number): Promise<{ attribution: Float32Array; pathScores: Float64Array }> {
    const ortModule = await import('onnxruntime-node');
    const n = q.alphas.length;
    const chunk = chunkSize(n, maxBatch);
    const { session, input } = await this.session('gradient', chunk);
    const t0 = performance.now();
    const total = new Float32Array(x.length);
    const pathScores = new Float64Array(n);
    for (let start = 0; start < n; start += chunk) {
      const alphas = new Float32Array(chunk);
      const weights = new Float32Array(chunk);
      const used = Math.min(chunk, n - start);
      alphas.set(q.alphas.subarray(start, start + used));
      weights.set(q.weights.subarray(start, start + used));
      const feeds = {
        ...this.feeds(input, x, baseline, alphas, weights, ortModule),
        [TARGET_INPUT]: new ortModule.Tensor('int64', BigInt64Array.from([BigInt(target)]), [1]),
      };
      const out = await session.run(feeds);
      const part = out[EXPLAINED_OUTPUTS.attribution].data as Float32Array;
      for (let i = 0; i < total.length; i++) total[i] += part[i];
      const logits = out[EXPLAINED_OUTPUTS.logits].data as Float32Array;
      const classes = logits.length / chunk;
      for (let k = 0; k < used; k++) pathScores[start + k] = logits[k * classes + target];
      this.gradientEvaluations += chunk;
    }
    this.gradientMs += performance.now() - t0;
    return { attribution: total, pathScores };
  }

  async release(): Promise<void> {
    for (const entry of this.sessions.values()) await (await entry).session.release();
  }
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

export function schemeOf(name: string | undefined): IgScheme {
  const scheme = (name ?? 'gausslegendre') as IgScheme;
  if (!(IG_SCHEMES as readonly string[]).includes(scheme)) {
    throw new HeatlensError(`unknown IG scheme '${name}' (choose from ${IG_SCHEMES.join(', ')})`, 'E_USAGE');
  }
  return scheme;
}

function checkSteps(options: DrivenOptions): number {
  const steps = options.steps ?? 50;
  if (!Number.isInteger(steps) || steps < 1) throw new HeatlensError(`--steps must be an integer ≥ 1, got ${steps}`, 'E_USAGE');
  return steps;
}

/**
 * Runs IG for one image. With --target-delta, while the relative δ is above it, rounds add steps up to
 * --max-steps: by nested refinement where the scheme has one (refine.ts: left/right ×2, trapezoid
 * 2m − 1, middle and non-uniform ×3), which evaluates only the new points and rescales the sum so far;
 * otherwise (Gauss–Legendre, or the last round up to --max-steps) by a fresh run at ×1.5, rounded up.
 */
export async function runIntegratedGradients(ctx: DriverContext, shared?: IgEngine) {
  const options = ctx.options;
  const scheme = schemeOf(options.scheme);
  let steps = checkSteps(options);
  const maxSteps = options.maxSteps ?? 1024;
  const { targetDelta } = options;
  // A relative δ of exactly 0 is out of reach in floating point: the target must be positive.
  if (targetDelta !== undefined && !(targetDelta > 0 && Number.isFinite(targetDelta))) {
    throw new HeatlensError(`--target-delta must be a number > 0, got ${targetDelta}`, 'E_USAGE');
  }
  const maxBatch = options.maxBatch ?? 32;
  const pilotSteps = options.pilotSteps ?? 16;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new HeatlensError(`--max-batch must be an integer ≥ 1, got ${maxBatch}`, 'E_USAGE');
  const baseline = await makeBaseline({ spec: options.baseline ?? 'zero', input: ctx.input, dims: ctx.dims, preset: ctx.preset, seed: options.seed });
  const engine = shared ?? new IgEngine(ctx);
  engine.reset();
  try {
    // End points (and the pilot for the non-uniform scheme) in one forward batch: α = j/N, j = 0…N.
    const pilotAlphas = scheme === 'nonuniform' ? Float64Array.from({ length: pilotSteps + 1 }, (_, j) => j / pilotSteps) : Float64Array.from([0, 1]);
    const pilot = await engine.pathLogits(ctx.input, baseline, pilotAlphas);
    const inputLogits = pilot[pilot.length - 1];
    let target = ctx.target;
    if (target < 0) target = inputLogits.indexOf(Math.max(...inputLogits));
    const pilotScores = Float64Array.from(pilot, (row) => row[target]);
    const scoreBaseline = pilotScores[0];
    const scoreInput = pilotScores[pilotScores.length - 1];
    const change = scoreInput - scoreBaseline;
    const history: { steps: number; relativeDelta: number }[] = [];
    const rule = (m: number) => (scheme === 'nonuniform' ? nonUniformQuadrature(pilotScores, m) : uniformQuadrature(scheme as UniformScheme, m));
    let q = rule(steps);
    let { attribution } = await engine.integrate(ctx.input, baseline, q, target, maxBatch);
    for (;;) {
      const delta = Math.abs(sum(attribution) - change);
      const relativeDelta = delta / Math.max(Math.abs(change), 1e-12);
      history.push({ steps, relativeDelta });
      ctx.progress?.(`IG ${scheme}: ${steps} steps, relative δ ${(100 * relativeDelta).toFixed(2)}%`);
      const reached = targetDelta === undefined ? undefined : relativeDelta <= targetDelta;
      if (reached !== false || steps >= maxSteps) {
        return {
          attribution, target, inputLogits, steps, delta, relativeDelta, scoreInput, scoreBaseline, history,
          // With --target-delta: the target and whether this run (the last, at most --max-steps) met it.
          ...(targetDelta === undefined ? {} : { targetDelta, targetReached: reached, maxSteps }),
          gradientEvaluations: engine.gradientEvaluations, forwardEvaluations: engine.forwardEvaluations,
          pilotMs: engine.pilotMs, gradientMs: engine.gradientMs, compileMs: engine.compileMs,
        };
      }
      const refinement = REFINEMENTS[scheme]?.(q);
      if (refinement && refinement.steps <= maxSteps) {
        const { attribution: added } = await engine.integrate(ctx.input, baseline, refinement.added, target, maxBatch);
        for (let i = 0; i < attribution.length; i++) attribution[i] = refinement.keep * attribution[i] + added[i];
        q = refinedRule(q, refinement);
        steps = refinement.steps;
      } else {
        steps = refinement ? maxSteps : Math.min(maxSteps, Math.ceil(steps * 1.5));
        q = rule(steps);
        ({ attribution } = await engine.integrate(ctx.input, baseline, q, target, maxBatch));
      }
    }
  } finally {
    if (!shared) await engine.release();
  }
}

export const integratedGradients: DrivenMethod = {
  name: 'integrated-gradients',
  summary: 'Integrated Gradients (x − x′) ⊙ ∫∇y dα; --steps, --scheme, --baseline (Sundararajan et al. 2017)',
  signed: true,
  async drive(ctx) {
    const run = await runIntegratedGradients(ctx);
    const { attribution, target, inputLogits, ...details } = run;
    return { attribution, attributionDims: [...ctx.dims], logits: inputLogits, target, details: { scheme: schemeOf(ctx.options.scheme), ...details } };
  },
  standalone(model, options) {
    const scheme = schemeOf(options.scheme);
    if (scheme === 'nonuniform') throw new HeatlensError('a standalone IG graph bakes its points: use a uniform scheme (the non-uniform one depends on each input)', 'E_USAGE');
    const steps = checkSteps(options);
    const graph: Graph = model(steps);
    const shape = graph.values.get(graph.inputs[0])!.shape;
    const compiled = compileExplained(graph, { method: gradient, prelude: integratedGradientsPrelude(steps, shape, uniformQuadrature(scheme, steps)) });
    return { graph: compiled.graph, inputs: [`${compiled.input} [1,…]`, `${BASELINE} [1,…] (the baseline x′)`, `${TARGET_INPUT} int64 [1] (the class; give it: −1 takes each point's own top-1)`] };
  },
};
