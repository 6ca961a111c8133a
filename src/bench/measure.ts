/**
 * Measures one configuration in the current process: session creation excluded, `warmup` untimed runs,
 * then `iters` timed runs; reports median and spread, and the process's peak resident memory.
 */
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { standaloneGraph } from '../compile/standalone.js';
import type { Graph } from '../ir/graph.js';
import type { SmoothKind } from '../methods/smoothgrad.js';
import { loadModel } from '../model/load.js';
import { encodeModel } from '../onnx/write.js';
import { createSession } from '../runtime/session.js';

/** Integrated Gradients is timed with this many points (Gauss–Legendre), SmoothGrad with this many copies. */
export const BENCH_IG_STEPS = 16;
export const BENCH_NOISE_SAMPLES = 16;

export interface Measurement {
  config: string;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  iters: number;
  peakRssMB: number;
  modelBytes: number;
}

export interface MeasureRequest {
  modelPath: string;
  /** 'inference' or a method name. */
  config: string;
  iters: number;
  warmup: number;
  threads: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Deterministic pseudo-random input in [−1, 1) (a linear congruential sequence). */
function syntheticInput(n: number): Float32Array {
  const out = new Float32Array(n);
  let state = 12345;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

export async function measure(req: MeasureRequest): Promise<Measurement> {
  let bytes: Uint8Array;
  let graph: Graph;
  if (req.config === 'inference') {
    // The user's ONNX file as it is; a TensorFlow.js model as heatlens imports it (canonical graph).
    graph = loadModel(req.modelPath, 1).graph;
    bytes = req.modelPath.toLowerCase().endsWith('.json') ? encodeModel(graph) : readFileSync(req.modelPath);
  } else {
    // 'method', or 'method+smoothgrad' (SmoothGrad around it); IG and SmoothGrad at their bench sizes.
    const [method, smooth] = req.config.split('+');
    graph = standaloneGraph({
      modelPath: req.modelPath, method, batch: 1,
      driven: { steps: BENCH_IG_STEPS, scheme: 'gausslegendre' },
      smooth: smooth ? { kind: smooth as SmoothKind, samples: BENCH_NOISE_SAMPLES } : undefined,
    }).graph;
    bytes = encodeModel(graph);
  }
  // Every float input gets synthetic data (the image, IG's baseline, SmoothGrad's noise); the class is −1.
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of graph.inputs) {
    const { dtype, shape } = graph.values.get(name)!;
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[name] = dtype === 'int64'
      ? new ort.Tensor('int64', new BigInt64Array(n).fill(-1n), [...shape])
      : new ort.Tensor('float32', syntheticInput(n), [...shape]);
  }
  const session = await createSession(bytes, { threads: req.threads });
  for (let i = 0; i < req.warmup; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < req.iters; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t0);
  }
  await session.release();
  times.sort((a, b) => a - b);
  return {
    config: req.config,
    medianMs: quantile(times, 0.5),
    p10Ms: quantile(times, 0.1),
    p90Ms: quantile(times, 0.9),
    iters: req.iters,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    modelBytes: bytes.length,
  };
}
