/**
 * Reading NodeDef attributes from tfjs-converter's JSON: strings are base64 bytes, int64 values are
 * decimal strings, lists omit empty fields. A missing or mistyped attribute throws TfAttrError, which
 * the importer reports with the file, the node and the op.
 */
import type { TfAttrValue, TfNodeDef, TfShapeJson } from './types.js';

export class TfAttrError extends Error {}

const attrOf = (node: TfNodeDef, key: string): TfAttrValue | undefined => node.attr?.[key];

const toInt = (v: string | number, key: string): number => {
  const n = typeof v === 'number' ? v : Number.parseInt(v, 10);
  if (!Number.isSafeInteger(n)) throw new TfAttrError(`attribute '${key}' holds ${JSON.stringify(v)}, not an integer`);
  return n;
};

const toFloat = (v: string | number): number => (typeof v === 'number' ? v : Number(v));

export const decodeBase64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

export function getString(node: TfNodeDef, key: string, fallback?: string): string {
  const a = attrOf(node, key);
  if (a?.s !== undefined) return decodeBase64(a.s);
  if (fallback !== undefined) return fallback;
  throw new TfAttrError(`attribute '${key}' (a string) is missing`);
}

export function getStrings(node: TfNodeDef, key: string): string[] {
  return (attrOf(node, key)?.list?.s ?? []).map(decodeBase64);
}

export function getInt(node: TfNodeDef, key: string, fallback?: number): number {
  const a = attrOf(node, key);
  if (a?.i !== undefined) return toInt(a.i, key);
  if (fallback !== undefined) return fallback;
  throw new TfAttrError(`attribute '${key}' (an int) is missing`);
}

export function getInts(node: TfNodeDef, key: string, fallback?: readonly number[]): number[] {
  const a = attrOf(node, key);
  if (a?.list) return (a.list.i ?? []).map((v) => toInt(v, key));
  if (fallback !== undefined) return [...fallback];
  throw new TfAttrError(`attribute '${key}' (a list of ints) is missing`);
}

export function getFloat(node: TfNodeDef, key: string, fallback: number): number {
  const a = attrOf(node, key);
  return a?.f !== undefined ? toFloat(a.f) : fallback;
}

export function getBool(node: TfNodeDef, key: string, fallback: boolean): boolean {
  const a = attrOf(node, key);
  return a?.b ?? fallback;
}

export function getType(node: TfNodeDef, key: string): string | undefined {
  return attrOf(node, key)?.type;
}

/** Dimensions of a TensorShapeProto; −1 marks an unknown dimension, undefined an unknown rank. */
export function shapeDims(shape: TfShapeJson | undefined): number[] | undefined {
  if (!shape || shape.unknownRank) return undefined;
  return (shape.dim ?? []).map((d) => toInt(d.size ?? 0, 'shape'));
}

export function getShape(node: TfNodeDef, key: string): number[] | undefined {
  return shapeDims(attrOf(node, key)?.shape);
}
