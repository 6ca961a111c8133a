/** ONNX file → IR graph: readModel (read.ts) over the file's bytes, with its external-data files beside it. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HeatlensError } from '../errors.js';
import { fileErrorReason } from '../io/fileErrors.js';
import type { Graph } from '../ir/graph.js';
import { type ReadOptions, readModel } from './read.js';

export function readModelFile(path: string, options: ReadOptions = {}): Graph {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new HeatlensError(`cannot read model ${path}: ${fileErrorReason(e)}`, 'E_MODEL');
  }
  const externalData = (location: string, what: string): Uint8Array => {
    const file = resolve(dirname(path), location);
    try {
      return readFileSync(file);
    } catch (e) {
      throw new HeatlensError(`${what}: cannot read external data file ${file}: ${fileErrorReason(e)}`, 'E_MODEL');
    }
  };
  return readModel(bytes, { externalData, ...options, source: options.source ?? path });
}
