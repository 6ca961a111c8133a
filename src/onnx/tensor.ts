/** TensorProto ⇄ IR Tensor, including raw_data, typed fields, float16 widening and external data. */
import { HeatlensError } from '../errors.js';
import { type DType, type Tensor, allocate, numel } from '../ir/tensor.js';
import { DATA_TYPE, type TensorMsg, toNumber } from './schema.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const BYTES: Record<number, number> = {
  [DATA_TYPE.FLOAT]: 4, [DATA_TYPE.UINT8]: 1, [DATA_TYPE.INT8]: 1, [DATA_TYPE.INT32]: 4, [DATA_TYPE.INT64]: 8,
  [DATA_TYPE.BOOL]: 1, [DATA_TYPE.FLOAT16]: 2, [DATA_TYPE.DOUBLE]: 8,
};

const DTYPE_OF: Record<number, DType> = {
  [DATA_TYPE.FLOAT]: 'float32', [DATA_TYPE.UINT8]: 'uint8', [DATA_TYPE.INT8]: 'int8', [DATA_TYPE.INT32]: 'int32',
  [DATA_TYPE.INT64]: 'int64', [DATA_TYPE.BOOL]: 'bool', [DATA_TYPE.FLOAT16]: 'float32', [DATA_TYPE.DOUBLE]: 'float64',
};

export const CODE_OF: Record<DType, number> = {
  float32: DATA_TYPE.FLOAT, float64: DATA_TYPE.DOUBLE, int64: DATA_TYPE.INT64, int32: DATA_TYPE.INT32,
  int8: DATA_TYPE.INT8, uint8: DATA_TYPE.UINT8, bool: DATA_TYPE.BOOL,
};

export function dtypeOfElemType(code: number, what: string): DType {
  const dtype = DTYPE_OF[code];
  if (!dtype) throw new HeatlensError(`${what}: tensor element type ${code} is not supported (float, double, float16, int8/32/64, uint8, bool are)`);
  return dtype;
}

/** IEEE 754 binary16 → number: (−1)^s · 2^(e−15) · (1 + m/1024), subnormals 2^−14 · m/1024. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

/**
 * The bytes of an external-data file (its `location` as the model states it, relative to the model's
 * folder); `what` names the tensor for errors. Supplied by readModelFile (onnx/readFile.ts) — the
 * decoding here never touches files, so it also runs in a browser.
 */
export type ExternalDataReader = (location: string, what: string) => Uint8Array;

function readExternal(msg: TensorMsg, reader: ExternalDataReader | undefined, what: string): Uint8Array {
  const entries = Object.fromEntries((msg.external_data ?? []).map((e) => [e.key, e.value]));
  if (!entries.location) throw new HeatlensError(`${what}: external tensor data without a location`);
  if (!reader) throw new HeatlensError(`${what}: the tensor's data is in a separate file (${entries.location}); read the model with readModelFile, beside that file`);
  const bytes = reader(entries.location, what);
  const offset = Number(entries.offset ?? 0);
  const length = entries.length !== undefined ? Number(entries.length) : bytes.length - offset;
  if (offset + length > bytes.length) throw new HeatlensError(`${what}: external data file ${entries.location} is truncated`);
  return bytes.subarray(offset, offset + length);
}

export function tensorFromProto(msg: TensorMsg, what: string, externalData?: ExternalDataReader): Tensor {
  const code = msg.data_type ?? 0;
  const dtype = dtypeOfElemType(code, what);
  const dims = (msg.dims ?? []).map(toNumber);
  const count = numel(dims);
  const data = allocate(dtype, count);
  const raw = msg.data_location === 1 ? readExternal(msg, externalData, what) : msg.raw_data;
  if (raw && raw.length > 0) {
    const width = BYTES[code];
    if (raw.length !== count * width) {
      throw new HeatlensError(`${what}: raw data has ${raw.length} bytes, shape [${dims}] needs ${count * width}`);
    }
    if (code === DATA_TYPE.FLOAT && LITTLE_ENDIAN) {
      // Fast path: copy the bytes into an aligned buffer and view them as float32.
      return { dtype, dims, data: new Float32Array(Uint8Array.prototype.slice.call(raw).buffer) };
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const read: Record<number, (i: number) => number> = {
      [DATA_TYPE.FLOAT]: (i) => view.getFloat32(4 * i, true),
      [DATA_TYPE.DOUBLE]: (i) => view.getFloat64(8 * i, true),
      [DATA_TYPE.FLOAT16]: (i) => halfToFloat(view.getUint16(2 * i, true)),
      [DATA_TYPE.INT64]: (i) => Number(view.getBigInt64(8 * i, true)),
      [DATA_TYPE.INT32]: (i) => view.getInt32(4 * i, true),
      [DATA_TYPE.INT8]: (i) => view.getInt8(i),
      [DATA_TYPE.UINT8]: (i) => view.getUint8(i),
      [DATA_TYPE.BOOL]: (i) => view.getUint8(i),
    };
    const get = read[code];
    for (let i = 0; i < count; i++) data[i] = get(i);
    return { dtype, dims, data };
  }
  // Typed fields: float_data (float), int32_data (int32, int8, uint8, bool and float16's bits),
  // int64_data, double_data.
  const fieldValues: ArrayLike<number> | undefined =
    code === DATA_TYPE.FLOAT ? msg.float_data
    : code === DATA_TYPE.DOUBLE ? msg.double_data
    : code === DATA_TYPE.INT64 ? msg.int64_data?.map(toNumber)
    : code === DATA_TYPE.FLOAT16 ? msg.int32_data?.map(halfToFloat)
    : msg.int32_data;
  const values = fieldValues ?? [];
  if (values.length !== count) {
    throw new HeatlensError(`${what}: holds ${values.length} values, shape [${dims}] needs ${count}`);
  }
  data.set(values);
  return { dtype, dims, data };
}

/** IR Tensor → TensorProto fields, always as little-endian raw_data. */
export function tensorToProto(t: Tensor, name: string): TensorMsg {
  const count = t.data.length;
  const code = CODE_OF[t.dtype];
  if (t.data instanceof Float32Array && LITTLE_ENDIAN) {
    const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
    return { name, dims: [...t.dims], data_type: code, raw_data: raw };
  }
  const width = BYTES[code];
  const raw = new Uint8Array(count * width);
  const view = new DataView(raw.buffer);
  const INT64_MAX = 2n ** 63n - 1n;
  const INT64_MIN = -(2n ** 63n);
  const write: Record<DType, (i: number, v: number) => void> = {
    float32: (i, v) => view.setFloat32(4 * i, v, true),
    float64: (i, v) => view.setFloat64(8 * i, v, true),
    // Values beyond ±2^63 (INT64_MAX read back through a double) clamp to the int64 range.
    int64: (i, v) => {
      const big = BigInt(Math.trunc(v));
      view.setBigInt64(8 * i, big > INT64_MAX ? INT64_MAX : big < INT64_MIN ? INT64_MIN : big, true);
    },
    int32: (i, v) => view.setInt32(4 * i, v, true),
    int8: (i, v) => view.setInt8(i, v),
    uint8: (i, v) => view.setUint8(i, v),
    bool: (i, v) => view.setUint8(i, v ? 1 : 0),
  };
  const put = write[t.dtype];
  for (let i = 0; i < count; i++) put(i, t.data[i]);
  return { name, dims: [...t.dims], data_type: code, raw_data: raw };
}
