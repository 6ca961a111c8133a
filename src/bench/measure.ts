/**
 * Measurements, each in the current process (callers run them in child processes, see run.ts).
 *
 * timeConfigs: every configuration of one model in interleaved rounds — per round and configuration a
 * session is created, warmed up, timed and released — so all configurations share this process's speed
 * and their ratios are measured under the same conditions. (On a virtual machine the speed of a whole
 * process can differ by up to 2× from the next one, with the host's load; ratios between processes are
 * then meaningless, ratios within one are stable.) Session creation is never timed.
 *
 * peakMemory: one configuration's session, warmed up and run, in a process of its own: the process's
 * peak resident memory is that configuration's.
 */
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { standaloneGraph } from '../compile/standalone.js';
import type { Graph } from '../ir/graph.js';
import type { SmoothKind } from '../methods/smoothgrad.js';
import { loadModel } from '../model/load.js';
import { encodeModel } from '../onnx/write.js';
import { createSession } from '../runtime/session.js';
import { timedRuns } from './timedRuns.js';

/** Integrated Gradients is timed with this many points (Gauss–Legendre), SmoothGrad with this many copies. */
export const BENCH_IG_STEPS = 16;
export const BENCH_NOISE_SAMPLES = 16;

export interface Timing {
  config: string;
  medianMs: number;
  iters: number;
  modelBytes: number;
}

export interface TimingRequest {
  modelPath: string;
  /** 'inference' or a method name ('method+smoothgrad' for SmoothGrad around it). */
  configs: string[];
  /** Timed runs per configuration, spread over the rounds. */
  iters: number;
  /** Untimed runs after each session creation. */
  warmup: number;
  threads: number;
  rounds: number;
}

/** The median of `values` (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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

export interface Prepared {
  config: string;
  bytes: Uint8Array;
  feeds: Record<string, ort.Tensor>;
}

/** The ONNX bytes a configuration runs and feeds for every input (synthetic floats; class −1 = top-1). */
export function prepareConfig(modelPath: string, config: string): Prepared {
  let bytes: Uint8Array;
  let graph: Graph;
  if (config === 'inference') {
    // The user's ONNX file as it is; a TensorFlow.js model as heatlens imports it (canonical graph).
    graph = loadModel(modelPath, 1).graph;
    bytes = modelPath.toLowerCase().endsWith('.json') ? encodeModel(graph) : readFileSync(modelPath);
  } else {
    const [method, smooth] = config.split('+');
    graph = standaloneGraph({
      modelPath, method, batch: 1,
      driven: { steps: BENCH_IG_STEPS, scheme: 'gausslegendre' },
      smooth: smooth ? { kind: smooth as SmoothKind, samples: BENCH_NOISE_SAMPLES } : undefined,
    }).graph;
    bytes = encodeModel(graph);
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of graph.inputs) {
    const { dtype, shape } = graph.values.get(name)!;
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[name] = dtype === 'int64'
      ? new ort.Tensor('int64', new BigInt64Array(n).fill(-1n), [...shape])
      : new ort.Tensor('float32', syntheticInput(n), [...shape]);
  }
  return { config, bytes, feeds };
}

export async function timeConfigs(req: TimingRequest): Promise<Timing[]> {
  const prepared = req.configs.map((c) => prepareConfig(req.modelPath, c));
  const times = prepared.map((): number[] => []);
  const perRound = Math.max(1, Math.ceil(req.iters / req.rounds));
  for (let round = 0; round < req.rounds; round++) {
    for (const [k, p] of prepared.entries()) {
      const session = await createSession(p.bytes, { threads: req.threads });
      times[k].push(...await timedRuns(() => session.run(p.feeds), req.warmup, perRound));
      await session.release();
    }
  }
  return prepared.map((p, k) => ({ config: p.config, medianMs: median(times[k]), iters: times[k].length, modelBytes: p.bytes.length }));
}

/** Peak resident memory (MB) of this process after creating and running one configuration's session. */
export async function peakMemory(modelPath: string, config: string, runs: number, threads: number): Promise<number> {
  const p = prepareConfig(modelPath, config);
  const session = await createSession(p.bytes, { threads });
  for (let i = 0; i < runs; i++) await session.run(p.feeds);
  await session.release();
  return process.resourceUsage().maxRSS / 1024;
}
