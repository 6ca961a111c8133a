/** onnxruntime-node sessions for explained graphs. */
import * as ort from 'onnxruntime-node';
import { HeatlensError } from '../errors.js';
import { EXPLAINED_OUTPUTS, TARGET_INPUT } from '../compile/explain.js';
import type { Graph } from '../ir/graph.js';
import { encodeModel } from '../onnx/write.js';

export interface SessionOptions {
  /** Intra-op threads; default: onnxruntime's choice (all cores). */
  threads?: number;
  /**
   * Whether idle intra-op threads spin-wait for the next parallel section (onnxruntime's default, true).
   * Spinning lowers one session's latency, but a session's threads keep spinning for a while after its
   * run, so when two live sessions take turns (IG's forward pilot and gradient batches) each one's
   * spinning threads take cores from the other. Callers that alternate sessions pass false.
   */
  spinning?: boolean;
}

export async function createSession(modelBytes: Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelBytes, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      // Warnings (e.g. about the overridable target_class initializer) are not the user's concern.
      logSeverityLevel: 3,
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
      ...(options.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    });
  } catch (e) {
    throw new HeatlensError(`onnxruntime rejected the compiled graph: ${(e as Error).message.split('\n')[0]}`, 'E_RUNTIME');
  }
}

export async function sessionForGraph(graph: Graph, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  return createSession(encodeModel(graph), options);
}

export interface ExplainResult {
  logits: Float32Array;
  attribution: Float32Array;
  attributionDims: number[];
  target: number[];
  layerMap?: { data: Float32Array; dims: number[] };
}

/** Runs an explained graph on one input batch; `targets[b]` = −1 picks image b's top-1 class. */
export async function runExplained(
  session: ort.InferenceSession,
  inputName: string,
  input: Float32Array,
  dims: readonly number[],
  targets: readonly number[],
): Promise<ExplainResult> {
  const feeds: Record<string, ort.Tensor> = {
    [inputName]: new ort.Tensor('float32', input, [...dims]),
    [TARGET_INPUT]: new ort.Tensor('int64', BigInt64Array.from(targets.map((t) => BigInt(t))), [targets.length]),
  };
  const out = await session.run(feeds);
  const attribution = out[EXPLAINED_OUTPUTS.attribution];
  const layerMap = out[EXPLAINED_OUTPUTS.layerMap];
  return {
    layerMap: layerMap ? { data: layerMap.data as Float32Array, dims: [...layerMap.dims] } : undefined,
    logits: out[EXPLAINED_OUTPUTS.logits].data as Float32Array,
    attribution: attribution.data as Float32Array,
    attributionDims: [...attribution.dims],
    target: Array.from(out[EXPLAINED_OUTPUTS.target].data as BigInt64Array, Number),
  };
}
