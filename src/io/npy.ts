/**
 * NumPy .npy files, format versions 1.0, 2.0 and 3.0
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 *
 *   "\x93NUMPY" major minor  header_len (u16 LE for 1.x, u32 LE for 2.x/3.x)  header  data
 *
 * The header is a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`,
 * latin-1 in 1.x/2.x and UTF-8 in 3.x, padded with spaces and ended by '\n' so that the data starts on a
 * multiple of 64 bytes. Only little-endian, C-order arrays of the dtypes below are supported.
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { HeatlensError } from '../errors.js';
import { fileErrorReason } from './fileErrors.js';
import { writeFileAtomic } from './atomic.js';

export type NpyDtype = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8';
export type NpyData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGN = 64;

/** descr type code (after the byte-order char) → dtype. */
const FROM_CODE: Record<string, NpyDtype> = { f4: 'float32', f8: 'float64', i8: 'int64', i4: 'int32', u1: 'uint8' };
const TO_DESCR: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8', int64: '<i8', int32: '<i4', uint8: '|u1' };
const ITEM_SIZE: Record<NpyDtype, number> = { float32: 4, float64: 8, int64: 8, int32: 4, uint8: 1 };
const HOST_LE = endianness() === 'LE';

/**
 * `data` as float32, refused with one line naming `path` if any value is NaN or ±∞ there (float64
 * values beyond the float32 range become ±∞): a model fed one returns NaN scores and maps.
 */
export function finiteFloat32(data: ArrayLike<number>, path: string, what: string): Float32Array {
  const values = Float32Array.from(data);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new HeatlensError(`${path}: the ${what} holds ${values[bad]} at flat index ${bad}; every value must be finite (in float32)`, 'E_INPUT');
  return values;
}

export async function readNpy(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new HeatlensError(`cannot read ${path}: ${fileErrorReason(e)}`);
  }
  return decodeNpy(bytes, path);
}

/** Parses .npy bytes; `source` names the file in errors. */
export function decodeNpy(bytes: Uint8Array, source: string): NpyArray {
  const fail = (why: string): never => {
    throw new HeatlensError(`cannot read ${source}: ${why}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a NumPy .npy file (bad magic bytes)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) fail(`unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail('truncated .npy header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (bytes.length < dataStart) fail(`truncated .npy header (needs ${dataStart} bytes, file has ${bytes.length})`);
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));

  let header: Record<string, HeaderValue>;
  try {
    header = parseHeader(headerText);
  } catch (err) {
    return fail(`bad .npy header (${(err as Error).message}): ${headerText.trim()}`);
  }
  const { descr, fortran_order: fortran, shape } = header;
  if (typeof descr !== 'string') return fail(`.npy header has no string 'descr' (got ${JSON.stringify(descr)})`);
  if (typeof fortran !== 'boolean') return fail(".npy header has no boolean 'fortran_order'");
  if (!Array.isArray(shape)) return fail(".npy header has no 'shape' tuple");
  if (fortran) fail('Fortran-order (column-major) arrays are not supported; save it with np.ascontiguousarray');

  const order = descr[0];
  const dtype = FROM_CODE[descr.slice(1)];
  if (dtype === undefined || !'<>|='.includes(order ?? '?')) {
    fail(`unsupported dtype '${descr}' (expected one of <f4, <f8, <i8, <i4, |u1)`);
  }
  const dt = dtype as NpyDtype;
  if (order === '>' && ITEM_SIZE[dt] > 1) fail(`big-endian dtype '${descr}' is not supported; save it little-endian`);
  if (order === '=' && !HOST_LE && ITEM_SIZE[dt] > 1) fail(`native-order dtype '${descr}' is ambiguous`);

  const count = shape.reduce((a, b) => a * b, 1);
  const nbytes = count * ITEM_SIZE[dt];
  const have = bytes.length - dataStart;
  if (have < nbytes) fail(`truncated: shape (${shape.join(', ')}) of ${dt} needs ${nbytes} data bytes, file has ${have}`);
  if (have > nbytes) fail(`${have - nbytes} unexpected bytes after the data of shape (${shape.join(', ')}) ${dt}`);

  // Copy into a fresh buffer: the data offset need not be aligned for an 8-byte typed-array view.
  // (new Uint8Array(view) copies; Buffer#slice would not.)
  const raw = new Uint8Array(bytes.subarray(dataStart, dataStart + nbytes));
  if (!HOST_LE) swapBytes(raw, ITEM_SIZE[dt]);
  return { dtype: dt, shape, data: makeView(dt, raw.buffer, count) };
}

/** Encodes a C-order array as .npy bytes (format 1.0, or 2.0 when the header exceeds 65535 bytes). */
export function encodeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  const dtype = dtypeOf(data);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`encodeNpy: bad shape [${shape.join(', ')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeNpy: shape [${shape.join(', ')}] has ${count} elements, data has ${data.length}`);

  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${TO_DESCR[dtype]}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const major = dict.length + 1 + 10 > 0xffff ? 2 : 1;
  const prefix = major === 1 ? 10 : 12;
  const padded = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  const header = dict + ' '.repeat(padded - prefix - dict.length - 1) + '\n';

  const out = new Uint8Array(padded + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i); // ASCII only
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), padded);
  if (!HOST_LE) swapBytes(out.subarray(padded), ITEM_SIZE[dtype]);
  return out;
}

export async function writeNpy(path: string, data: NpyData, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  throw new Error('encodeNpy: unsupported array type');
}

function makeView(dtype: NpyDtype, buf: ArrayBuffer, count: number): NpyData {
  switch (dtype) {
    case 'float32': return new Float32Array(buf, 0, count);
    case 'float64': return new Float64Array(buf, 0, count);
    case 'int64': return new BigInt64Array(buf, 0, count);
    case 'int32': return new Int32Array(buf, 0, count);
    case 'uint8': return new Uint8Array(buf, 0, count);
  }
}

function swapBytes(b: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

type HeaderValue = string | boolean | number[];

/**
 * Parses the subset of Python literal syntax numpy writes: a dict of string keys whose values are
 * strings, True/False, or tuples of non-negative integers (Python 2 files may suffix them with 'L').
 */
function parseHeader(text: string): Record<string, HeaderValue> {
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const expect = (c: string) => {
    ws();
    if (text[i] !== c) throw new Error(`expected '${c}' at column ${i + 1}`);
    i++;
  };
  const str = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') throw new Error(`expected a string at column ${i + 1}`);
    const end = text.indexOf(q, i + 1);
    if (end < 0) throw new Error('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): HeaderValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') return str();
    if (text.startsWith('True', i)) { i += 4; return true; }
    if (text.startsWith('False', i)) { i += 5; return false; }
    if (c === '(') {
      i++;
      const dims: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') { i++; return dims; }
        const m = /^(\d+)L?/.exec(text.slice(i));
        if (!m) throw new Error(`expected a dimension at column ${i + 1}`);
        dims.push(Number(m[1]));
        i += m[0].length;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') throw new Error(`expected ',' or ')' at column ${i + 1}`);
      }
    }
    throw new Error(c === '[' ? 'structured dtypes are not supported' : `unexpected '${c ?? 'end of header'}' at column ${i + 1}`);
  };
  const out: Record<string, HeaderValue> = {};
  expect('{');
  for (;;) {
    ws();
    if (text[i] === '}') { i++; break; }
    const key = str();
    expect(':');
    out[key] = value();
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`expected ',' or '}' at column ${i + 1}`);
  }
  ws();
  if (i !== text.length) throw new Error(`unexpected text after the dict at column ${i + 1}`);
  return out;
}
