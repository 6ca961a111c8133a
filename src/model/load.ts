/**
 * Loads a classifier for explanation: reads the file (ONNX, or a TensorFlow.js model.json), fixes the
 * batch, canonicalises the graph.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HeatlensError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { readModelFile } from '../onnx/readFile.js';
import { canonicalise } from '../passes/canonicalise.js';
import { importTfjsModel } from '../tfjs/index.js';
import { readModelJson } from '../tfjs/modelJson.js';

export interface LoadedModel {
  path: string;
  graph: Graph;
}

const MODEL_FILES = ['model.onnx', 'model.json'] as const;

/**
 * The model file a `--model` path names: the path itself, or for a folder (a TensorFlow.js converter's
 * output, say) the one model.onnx or model.json inside it. A missing path is returned as it is, for
 * the reader's own one-line error.
 */
export function resolveModelPath(path: string): string {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    return path;
  }
  if (!folder) return path;
  const found = MODEL_FILES.filter((name) => existsSync(join(path, name)));
  if (found.length === 1) return join(path, found[0]);
  throw new HeatlensError(found.length === 0
    ? `${path} is a folder with no ${MODEL_FILES.join(' or ')} in it: give the model file`
    : `${path} is a folder with both ${MODEL_FILES.join(' and ')} in it: give the one to use`, 'E_MODEL');
}

/** The bytes a model takes on disk: the ONNX file, or a model.json with all its weight shards. */
export function modelFileBytes(path: string): number {
  if (!path.toLowerCase().endsWith('.json')) return statSync(path).size;
  const shards = readModelJson(path).weightsManifest.flatMap((group) => group.paths);
  return shards.reduce((total, shard) => total + statSync(join(dirname(path), shard)).size, statSync(path).size);
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
