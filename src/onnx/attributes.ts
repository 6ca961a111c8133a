/** AttributeProto ⇄ IR Attr. Graph-valued attributes (If/Loop bodies) are not supported by the IR. */
import { HeatlensError } from '../errors.js';
import type { Attr } from '../ir/graph.js';
import { ATTRIBUTE_TYPE, type AttributeMsg, toNumber } from './schema.js';
import { type ExternalDataReader, tensorFromProto, tensorToProto } from './tensor.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function attrFromProto(a: AttributeMsg, where: string, externalData?: ExternalDataReader): Attr {
  const what = `${where}, attribute '${a.name}'`;
  const readers: Record<number, () => Attr> = {
    [ATTRIBUTE_TYPE.FLOAT]: () => ({ type: 'float', value: a.f ?? 0 }),
    [ATTRIBUTE_TYPE.INT]: () => ({ type: 'int', value: toNumber(a.i) }),
    [ATTRIBUTE_TYPE.STRING]: () => ({ type: 'string', value: decoder.decode(a.s ?? new Uint8Array()) }),
    [ATTRIBUTE_TYPE.TENSOR]: () => ({ type: 'tensor', value: tensorFromProto(a.t ?? {}, what, externalData) }),
    [ATTRIBUTE_TYPE.FLOATS]: () => ({ type: 'floats', value: [...(a.floats ?? [])] }),
    [ATTRIBUTE_TYPE.INTS]: () => ({ type: 'ints', value: (a.ints ?? []).map(toNumber) }),
    [ATTRIBUTE_TYPE.STRINGS]: () => ({ type: 'strings', value: (a.strings ?? []).map((s) => decoder.decode(s)) }),
  };
  const read = readers[a.type ?? 0];
  if (!read) throw new HeatlensError(`${what}: attribute type ${a.type} (subgraphs, sparse tensors) is not supported`);
  return read();
}

export function attrToProto(name: string, a: Attr): AttributeMsg {
  const writers: { [K in Attr['type']]: (v: Extract<Attr, { type: K }>['value']) => AttributeMsg } = {
    float: (v) => ({ name, type: ATTRIBUTE_TYPE.FLOAT, f: v }),
    int: (v) => ({ name, type: ATTRIBUTE_TYPE.INT, i: v }),
    string: (v) => ({ name, type: ATTRIBUTE_TYPE.STRING, s: encoder.encode(v) }),
    tensor: (v) => ({ name, type: ATTRIBUTE_TYPE.TENSOR, t: tensorToProto(v, '') }),
    floats: (v) => ({ name, type: ATTRIBUTE_TYPE.FLOATS, floats: [...v] }),
    ints: (v) => ({ name, type: ATTRIBUTE_TYPE.INTS, ints: [...v] }),
    strings: (v) => ({ name, type: ATTRIBUTE_TYPE.STRINGS, strings: v.map((s) => encoder.encode(s)) }),
  };
  return (writers[a.type] as (v: unknown) => AttributeMsg)(a.value);
}
