/** IR graph → ONNX file, written atomically (a temporary file, then a rename). */
import type { Graph } from '../ir/graph.js';
import { writeFileAtomic } from '../io/atomic.js';
import { type WriteOptions, encodeModel } from './write.js';

export async function writeModelFile(path: string, graph: Graph, options: WriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, encodeModel(graph, options));
}
