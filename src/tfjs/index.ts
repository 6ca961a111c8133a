/** TensorFlow.js models (model.json + weight shards) → IR graph, by the format of model.json. */
import { HeatlensError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { type GraphModelJson, importGraphModel } from './graph/import.js';
import { importLayersModel } from './layers/import.js';
import { isGraphModel, kerasModelConfig, readModelJson } from './modelJson.js';

export interface TfjsImportOptions {
  /** Batch size fixed in the graph. Default 1. */
  batch?: number;
}

/**
 * Reads `modelJsonPath` and its weight shards. Layers models keep their NHWC input [batch, H, W, C] and
 * are NCHW inside (see layers/types.ts); graph models are imported by graph/import.ts.
 */
export function importTfjsModel(modelJsonPath: string, options: TfjsImportOptions = {}): Graph {
  const json = readModelJson(modelJsonPath);
  if (kerasModelConfig(json)) return importLayersModel(modelJsonPath, json, options);
  if (isGraphModel(json)) return importGraphModel(modelJsonPath, json as unknown as GraphModelJson, options);
  throw new HeatlensError(`${modelJsonPath}: modelTopology is neither a Keras (Layers) model nor a TensorFlow graph`, 'E_MODEL');
}
