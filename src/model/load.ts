/**
 * Loads a classifier for explanation: reads the file (ONNX, or a TensorFlow.js model.json), fixes the
 * batch, canonicalises the graph.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HeatlensError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { readModelFile } from '../onnx/read.js';
import { canonicalise } from '../passes/canonicalise.js';
import { importTfjsModel } from '../tfjs/index.js';

export interface LoadedModel {
  path: string;
  graph: Graph;
}

/** The imported graph before canonicalisation: TensorFlow.js for `.json` paths, ONNX otherwise. */
export function importModelFile(path: string, batch = 1): Graph {
  return path.toLowerCase().endsWith('.json') ? importTfjsModel(path, { batch }) : readModelFile(path, { batch });
}

export function loadModel(path: string, batch = 1): LoadedModel {
  const graph = canonicalise(importModelFile(path, batch));
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

/**
 * Class labels: `--labels FILE`, else `labels.txt` beside the model, else (for a TensorFlow.js
 * model.json, whose converter writes a folder of its own) `labels.txt` in the folder above; else none.
 * One label per line.
 */
export function loadLabels(modelPath: string, labelsPath?: string): string[] | undefined {
  if (labelsPath && !existsSync(labelsPath)) throw new HeatlensError(`labels file ${labelsPath} does not exist`, 'E_USAGE');
  const beside = join(dirname(modelPath), 'labels.txt');
  const above = join(dirname(modelPath), '..', 'labels.txt');
  const candidates = labelsPath ? [labelsPath] : modelPath.toLowerCase().endsWith('.json') ? [beside, above] : [beside];
  const path = candidates.find((c) => existsSync(c));
  if (!path) return undefined;
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/).map((l) => l.trim());
}

/**
 * Labels for `classes` outputs. TF-slim and TF-Hub ImageNet classifiers have 1001 outputs, class 0
 * being "background", while their label lists name the 1000 real classes: a list exactly one short is
 * taken to follow that convention.
 */
export function alignLabels(labels: readonly string[], classes: number): readonly string[] {
  return labels.length === classes - 1 ? ['background', ...labels] : labels;
}
