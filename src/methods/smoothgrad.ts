/**
 * The SmoothGrad family (Smilkov et al. 2017; Adebayo et al. 2018 for VarGrad) around any gradient
 * method a: N noisy copies x + ε_n, ε_n ~ N(0, σ²), σ = noise_std·(max x − min x), as one batch of one
 * compiled graph (the noise is an input, so runs are reproducible and comparable), then
 *   smoothgrad          (1/N) Σ_n a(x + ε_n)
 *   smoothgrad-squared  (1/N) Σ_n a(x + ε_n)²
 *   vargrad             (1/N) Σ_n a(x + ε_n)² − ((1/N) Σ_n a(x + ε_n))²
 * computed in-graph over the batch axis.
 */
import * as ort from 'onnxruntime-node';
import { HeatlensError } from '../errors.js';
import { type BatchPrelude, compileExplained, EXPLAINED_OUTPUTS, TARGET_INPUT } from '../compile/explain.js';
import type { GraphBuilder } from '../ir/builder.js';
import { attr } from '../ir/graph.js';
import { encodeModel } from '../onnx/write.js';
import { createSession } from '../runtime/session.js';
import { seededUniform } from './integration/baselines.js';
import type { AttributionMethod, DrivenMethod } from './types.js';

export type SmoothKind = 'smoothgrad' | 'smoothgrad-squared' | 'vargrad';
export const SMOOTH_KINDS: readonly SmoothKind[] = ['smoothgrad', 'smoothgrad-squared', 'vargrad'];

const NOISE = 'noise';

const meanOverBatch = (b: GraphBuilder, x: string) => b.op('ReduceMean', [x], { axes: attr.ints([0]), keepdims: attr.int(1) });

const AGGREGATES: Record<SmoothKind, (b: GraphBuilder, a: string) => string> = {
  smoothgrad: (b, a) => meanOverBatch(b, a),
  'smoothgrad-squared': (b, a) => meanOverBatch(b, b.op('Mul', [a, a])),
  vargrad: (b, a) => {
    const mean = meanOverBatch(b, a);
    return b.op('Sub', [meanOverBatch(b, b.op('Mul', [a, a])), b.op('Mul', [mean, mean])], {}, 'vargrad');
  },
};

export function smoothPrelude(samples: number, inputShape: readonly number[], kind: SmoothKind): BatchPrelude {
  return {
    inputs: [{ name: NOISE, shape: [samples, ...inputShape.slice(1)] }],
    build: (b, input) => b.op('Add', [input, NOISE], {}, 'noisy_copies'),
    aggregate: (b, perSample) => AGGREGATES[kind](b, perSample),
  };
}

/** N·size normal samples of standard deviation σ (Box–Muller on a seeded mulberry32). */
export function gaussianNoise(count: number, sigma: number, seed: number): Float32Array {
  const uniform = seededUniform(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    out[i] = sigma * r * Math.cos(theta);
    if (i + 1 < count) out[i + 1] = sigma * r * Math.sin(theta);
  }
  return out;
}

export interface SmoothOptions {
  kind: SmoothKind;
  samples: number;
  /** σ as a fraction of the input's value range. */
  noiseStd: number;
}

export function smoothed(base: AttributionMethod, smooth: SmoothOptions): DrivenMethod {
  if (base.family !== 'gradient') throw new HeatlensError(`${smooth.kind} wraps a gradient method, not ${base.name}`, 'E_USAGE');
  if (!Number.isInteger(smooth.samples) || smooth.samples < 1) throw new HeatlensError(`--noise-samples must be an integer ≥ 1, got ${smooth.samples}`, 'E_USAGE');
  if (!(smooth.noiseStd >= 0)) throw new HeatlensError(`--noise-std must be ≥ 0, got ${smooth.noiseStd}`, 'E_USAGE');
  return {
    name: `${base.name}+${smooth.kind}`,
    summary: `${smooth.kind} of ${base.name}`,
    signed: base.signed && smooth.kind === 'smoothgrad',
    async drive(ctx) {
      const n = smooth.samples;
      const model = ctx.model(n);
      const compiled = compileExplained(model, { method: base, prelude: smoothPrelude(n, ctx.dims, smooth.kind) });
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of ctx.input) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      const sigma = smooth.noiseStd * (hi - lo);
      const noise = gaussianNoise(n * ctx.input.length, sigma, ctx.options.seed ?? 0);
      const session = await createSession(encodeModel(compiled.graph), { threads: ctx.threads });
      try {
        // The class: the input's own top-1 unless one was asked for; the input's logits from one plain
        // forward run of the model.
        const plain = await createSession(encodeModel(ctx.model(1)), { threads: ctx.threads });
        const plainOut = await plain.run({ [ctx.model(1).inputs[0]]: new ort.Tensor('float32', ctx.input, [...ctx.dims]) });
        await plain.release();
        const inputLogits = Float32Array.from(plainOut[ctx.model(1).outputs[0]].data as Float32Array);
        const target = ctx.target >= 0 ? ctx.target : inputLogits.indexOf(Math.max(...inputLogits));
        const feeds = {
          [compiled.input]: new ort.Tensor('float32', ctx.input, [...ctx.dims]),
          [NOISE]: new ort.Tensor('float32', noise, [n, ...ctx.dims.slice(1)]),
          [TARGET_INPUT]: new ort.Tensor('int64', BigInt64Array.from([BigInt(target)]), [1]),
        };
        ctx.progress?.(`${smooth.kind}: ${n} noisy copies, σ = ${sigma.toPrecision(3)}`);
        const out = await session.run(feeds);
        const attribution = out[EXPLAINED_OUTPUTS.attribution];
        return {
          attribution: attribution.data as Float32Array,
          attributionDims: [...attribution.dims],
          logits: inputLogits,
          target,
          details: { smoothing: smooth.kind, samples: n, sigma, seed: ctx.options.seed ?? 0 },
        };
      } finally {
        await session.release();
      }
    },
    standalone(model) {
      const graph = model(smooth.samples);
      const shape = graph.values.get(graph.inputs[0])!.shape;
      const compiled = compileExplained(graph, { method: base, prelude: smoothPrelude(smooth.samples, shape, smooth.kind) });
      return { graph: compiled.graph, inputs: [`${compiled.input} [1,…]`, `${NOISE} [${smooth.samples},…] (the noise ε_n, e.g. N(0, σ²))`, `${TARGET_INPUT} int64 [1]`] };
    },
  };
}
