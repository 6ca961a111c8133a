/** Runs an IR graph in onnxruntime-node (float32) for comparisons with the reference interpreter. */
import * as ort from 'onnxruntime-node';
import type { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { encodeModel } from '../../src/onnx/write.js';

export async function runOnOrt(graph: Graph, feeds: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(encodeModel(graph), { logSeverityLevel: 3, intraOpNumThreads: 1 });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    ortFeeds[name] = t.dtype === 'int64'
      ? new ort.Tensor('int64', BigInt64Array.from(t.data, (v) => BigInt(v)), [...t.dims])
      : new ort.Tensor('float32', Float32Array.from(t.data), [...t.dims]);
  }
  const out = await session.run(ortFeeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float32Array.from(v.data as Float32Array)]));
}

/** max |a − b| / max |b|. */
export function relativeMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
