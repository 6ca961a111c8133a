/**
 * TensorFlow.js `model.json`: the two formats tfjs writes and how to tell them apart.
 *   Layers model (tfjs-layers, `tensorflowjs_converter --output_format tfjs_layers_model`):
 *     modelTopology = { class_name, config, keras_version?, backend? }            (saved by tfjs-layers)
 *                   | { model_config: { class_name, config }, keras_version, … } (converted from Keras)
 *   Graph model (tfjs-converter from a SavedModel / frozen graph): modelTopology = { node: [...], … }.
 * Both carry `weightsManifest` (see weights.ts). Reading errors are one line naming the file.
 */
import { readFileSync } from 'node:fs';
import { HeatlensError } from '../errors.js';
import { fileErrorReason } from '../io/fileErrors.js';
import type { WeightGroup } from './weights.js';

export interface ModelJson {
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly modelTopology: Readonly<Record<string, unknown>>;
  readonly weightsManifest: readonly WeightGroup[];
}

/** A Keras layer or model as serialised by `get_config`: `{ class_name, config, name?, inbound_nodes? }`. */
export interface KerasObject {
  readonly class_name: string;
  readonly config: unknown;
  readonly name?: string;
  readonly inbound_nodes?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isKerasObject(v: unknown): v is KerasObject {
  return isRecord(v) && typeof v.class_name === 'string' && 'config' in v;
}

/** The Keras model config of a Layers model, or undefined for any other topology. */
export function kerasModelConfig(json: ModelJson): KerasObject | undefined {
  const top = json.modelTopology;
  if (isKerasObject(top.model_config)) return top.model_config;
  if (isKerasObject(top)) return top;
  return undefined;
}

export const isGraphModel = (json: ModelJson): boolean => Array.isArray(json.modelTopology.node);

function checkManifest(manifest: unknown, path: string): asserts manifest is WeightGroup[] {
  if (!Array.isArray(manifest)) throw new HeatlensError(`${path}: 'weightsManifest' is missing or not a list; is this a TensorFlow.js model.json?`, 'E_MODEL');
  manifest.forEach((group: unknown, g) => {
    const ok = isRecord(group) && Array.isArray(group.paths) && group.paths.every((p) => typeof p === 'string')
      && Array.isArray(group.weights) && group.weights.every((w: unknown) =>
        isRecord(w) && typeof w.name === 'string' && typeof w.dtype === 'string'
        && Array.isArray(w.shape) && w.shape.every((d) => Number.isInteger(d) && d >= 0));
    if (!ok) throw new HeatlensError(`${path}: weightsManifest group ${g} is malformed (needs paths: string[] and weights: {name, shape, dtype}[])`, 'E_MODEL');
  });
}

/** Reads and checks the outer structure of a model.json (not the layers: the importer does that). */
export function readModelJson(path: string): ModelJson {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new HeatlensError(`cannot read model ${path}: ${fileErrorReason(e)}`, 'E_MODEL');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HeatlensError(`${path}: not valid JSON (${(e as Error).message})`, 'E_MODEL');
  }
  if (!isRecord(json) || !isRecord(json.modelTopology)) {
    throw new HeatlensError(`${path}: no 'modelTopology' object; is this a TensorFlow.js model.json?`, 'E_MODEL');
  }
  checkManifest(json.weightsManifest, path);
  return json as unknown as ModelJson;
}
