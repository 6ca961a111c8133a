/**
 * TensorFlow.js weight manifests: `model.json`'s `weightsManifest` lists groups of shard files; the
 * shards of a group are concatenated and the group's weights laid out one after another in that
 * buffer, each `numel(shape) × bytes(dtype)` long (tfjs-core io/weights_loader.ts). Quantised weights
 * are dequantised on load:
 *   uint8 / uint16:  w = q·scale + min                 (affine, tfjs-converter --quantize_uint8/16)
 *   float16:         w = half(q)                        (IEEE 754 binary16, --quantize_float16)
 * Every weight comes back as an IR tensor in TensorFlow's layout (e.g. HWIO kernels); converting the
 * layout is the importer's job.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HeatlensError } from '../errors.js';
import { fileErrorReason } from '../io/fileErrors.js';
import { type Tensor, makeTensor, numel } from '../ir/tensor.js';
import { halfToFloat } from '../onnx/tensor.js';

export interface WeightQuantization {
  readonly dtype: 'uint8' | 'uint16' | 'float16';
  readonly scale?: number;
  readonly min?: number;
  readonly original_dtype?: string;
}

export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: WeightQuantization;
}

export interface WeightGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightEntry[];
}

/** Bytes per stored element, by storage dtype (the quantised dtype when there is one). */
const STORED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Decoders from the stored bytes to numbers, by storage dtype. */
const DECODE: Readonly<Record<string, (view: DataView, i: number) => number>> = {
  float32: (v, i) => v.getFloat32(4 * i, true),
  int32: (v, i) => v.getInt32(4 * i, true),
  bool: (v, i) => v.getUint8(i),
  uint8: (v, i) => v.getUint8(i),
  uint16: (v, i) => v.getUint16(2 * i, true),
  float16: (v, i) => halfToFloat(v.getUint16(2 * i, true)),
};

/** The IR dtype a weight of (original) tfjs dtype becomes. */
const IR_DTYPE: Readonly<Record<string, Tensor['dtype']>> = { float32: 'float32', int32: 'int32', bool: 'bool' };

function readShard(modelJson: string, path: string): Uint8Array {
  const full = join(dirname(modelJson), path);
  try {
    return readFileSync(full);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${fileErrorReason(e)})`;
    throw new HeatlensError(`${modelJson}: weight shard ${full} ${reason}`, 'E_MODEL');
  }
}

/**
 * Reads every weight of `manifest` (shard paths relative to `modelJson`'s folder). Throws one line
 * naming the file when a shard is missing, when a group's shards are shorter or longer than its
 * weights need, or when a dtype is not one tfjs writes for numeric weights.
 */
export function readWeights(modelJson: string, manifest: readonly WeightGroup[]): Map<string, Tensor> {
  const weights = new Map<string, Tensor>();
  for (const group of manifest) {
    const shards = group.paths.map((p) => readShard(modelJson, p));
    const total = shards.reduce((n, s) => n + s.byteLength, 0);
    const buffer = new Uint8Array(total);
    let at = 0;
    for (const s of shards) {
      buffer.set(s, at);
      at += s.byteLength;
    }
    let offset = 0;
    for (const w of group.weights) {
      const stored = w.quantization?.dtype ?? w.dtype;
      const bytes = STORED_BYTES[stored];
      const dtype = IR_DTYPE[w.quantization?.original_dtype ?? w.dtype];
      if (bytes === undefined || dtype === undefined) {
        throw new HeatlensError(`${modelJson}: weight '${w.name}' has dtype ${stored}, which heatlens cannot read (float32, float16, int32, bool, uint8/uint16-quantised can be)`, 'E_MODEL');
      }
      const count = numel(w.shape);
      const length = count * bytes;
      if (offset + length > total) {
        throw new HeatlensError(
          `${modelJson}: weight shards ${group.paths.join(', ')} hold ${total} bytes, too few for weight '${w.name}' (needs bytes ${offset}–${offset + length}); a shard is truncated or from another model`,
          'E_MODEL',
        );
      }
      const view = new DataView(buffer.buffer, buffer.byteOffset + offset, length);
      const decode = DECODE[stored];
      const scale = w.quantization?.scale ?? 1;
      const min = w.quantization?.min ?? 0;
      const affine = stored === 'uint8' || stored === 'uint16';
      const values = new Float64Array(count);
      for (let i = 0; i < count; i++) values[i] = affine ? decode(view, i) * scale + min : decode(view, i);
      weights.set(w.name, makeTensor(dtype, w.shape, values));
      offset += length;
    }
    if (offset !== total) {
      throw new HeatlensError(
        `${modelJson}: weight shards ${group.paths.join(', ')} hold ${total} bytes but the manifest's weights take ${offset}; a shard has the wrong size`,
        'E_MODEL',
      );
    }
  }
  return weights;
}

