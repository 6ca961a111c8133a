/**
 * Measures one configuration in the current process: session creation excluded, `warmup` untimed runs,
 * then `iters` timed runs; reports median and spread, and the process's peak resident memory.
 */
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { compileExplained, TARGET_INPUT } from '../compile/explain.js';
import { methodByName } from '../methods/index.js';
import { loadModel } from '../model/load.js';
import { encodeModel } from '../onnx/write.js';
import { createSession } from '../runtime/session.js';

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
  const { graph } = loadModel(req.modelPath, 1);
  const inputName = graph.inputs[0];
  const shape = [...graph.values.get(inputName)!.shape];
  let bytes: Uint8Array;
  const feeds: Record<string, ort.Tensor> = {
    [inputName]: new ort.Tensor('float32', syntheticInput(shape.reduce((a, b) => a * b, 1)), shape),
  };
  if (req.config === 'inference') {
    bytes = readFileSync(req.modelPath);
  } else {
    bytes = encodeModel(compileExplained(graph, { method: methodByName(req.config) }).graph);
    feeds[TARGET_INPUT] = new ort.Tensor('int64', BigInt64Array.from([-1n]), [1]);
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
