/** Loads a classifier for explanation: reads the file, fixes the batch, canonicalises the graph. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HeatlensError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { readModelFile } from '../onnx/read.js';
import { canonicalise } from '../passes/canonicalise.js';

export interface LoadedModel {
  path: string;
  graph: Graph;
}

export function loadModel(path: string, batch = 1): LoadedModel {
  const graph = canonicalise(readModelFile(path, { batch }));
  return { path, graph };
}

/** A loader of the canonical graph at any batch size, each size read once. */
export function batchedModels(path: string): (batch: number) => Graph {
  const cache = new Map<number, Graph>();
  return (batch) => {
    let graph = cache.get(batch);
    if (!graph) cache.set(batch, (graph = loadModel(path, batch).graph));
    return graph;
  };
}

/** Class labels: `--labels FILE`, else `labels.txt` beside the model, else none. One label per line. */
export function loadLabels(modelPath: string, labelsPath?: string): string[] | undefined {
  const path = labelsPath ?? join(dirname(modelPath), 'labels.txt');
  if (!existsSync(path)) {
    if (labelsPath) throw new HeatlensError(`labels file ${labelsPath} does not exist`, 'E_USAGE');
    return undefined;
  }
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/).map((l) => l.trim());
}
