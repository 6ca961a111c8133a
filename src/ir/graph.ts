/**
 * The typed IR: an ONNX-shaped dataflow graph in which every value has a static dtype and shape.
 * Nodes follow the ONNX operator semantics of opset `CANONICAL_OPSET` (the importer rewrites older
 * forms, e.g. Squeeze axes as an attribute, into that opset's form).
 */
import type { DType, Tensor } from './tensor.js';

export const CANONICAL_OPSET = 17;

export interface ValueInfo {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export type Attr =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensor'; readonly value: Tensor };

export type Attrs = Readonly<Record<string, Attr>>;

export interface Node {
  readonly op: string;
  readonly name: string;
  /** Value names; '' marks an omitted optional input, as in ONNX. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
}

export interface Graph {
  name: string;
  /** Graph input names, in order (never initializers). */
  inputs: string[];
  /** Graph output names, in order. */
  outputs: string[];
  /** dtype and static shape of every value: graph inputs, initializers and node outputs. */
  values: Map<string, ValueInfo>;
  initializers: Map<string, Tensor>;
  /** Topologically ordered. */
  nodes: Node[];
  opset: number;
  /** Free-form metadata carried into the ONNX metadata_props. */
  metadata: Map<string, string>;
}

export const attr = {
  int: (value: number): Attr => ({ type: 'int', value }),
  float: (value: number): Attr => ({ type: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ type: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ type: 'floats', value }),
  string: (value: string): Attr => ({ type: 'string', value }),
  tensor: (value: Tensor): Attr => ({ type: 'tensor', value }),
};

function attrOfType<T extends Attr['type']>(node: Pick<Node, 'attrs' | 'op' | 'name'>, key: string, type: T) {
  const a = node.attrs[key];
  if (a === undefined) return undefined;
  if (a.type !== type) {
    throw new Error(`${node.op} node '${node.name}': attribute '${key}' should be ${type}, got ${a.type}`);
  }
  return a as Extract<Attr, { type: T }>;
}

type AttrHolder = Pick<Node, 'attrs' | 'op' | 'name'>;

export const getInt = (n: AttrHolder, key: string, fallback: number): number =>
  attrOfType(n, key, 'int')?.value ?? fallback;
export const getFloat = (n: AttrHolder, key: string, fallback: number): number =>
  attrOfType(n, key, 'float')?.value ?? fallback;
export const getInts = (n: AttrHolder, key: string, fallback: readonly number[]): readonly number[] =>
  attrOfType(n, key, 'ints')?.value ?? fallback;
export const getFloats = (n: AttrHolder, key: string, fallback: readonly number[]): readonly number[] =>
  attrOfType(n, key, 'floats')?.value ?? fallback;
export const getString = (n: AttrHolder, key: string, fallback: string): string =>
  attrOfType(n, key, 'string')?.value ?? fallback;
export const getTensorAttr = (n: AttrHolder, key: string): Tensor | undefined => attrOfType(n, key, 'tensor')?.value;

export function emptyGraph(name = 'heatlens'): Graph {
  return {
    name,
    inputs: [],
    outputs: [],
    values: new Map(),
    initializers: new Map(),
    nodes: [],
    opset: CANONICAL_OPSET,
    metadata: new Map(),
  };
}

export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name,
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    values: new Map(g.values),
    initializers: new Map(g.initializers),
    nodes: [...g.nodes],
    opset: g.opset,
    metadata: new Map(g.metadata),
  };
}

export function valueInfo(g: Graph, name: string): ValueInfo {
  const v = g.values.get(name);
  if (!v) throw new Error(`value '${name}' is not defined in graph '${g.name}'`);
  return v;
}

/** Map from value name to the nodes that read it. */
export function consumers(g: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const node of g.nodes) {
    for (const input of node.inputs) {
      if (!input) continue;
      const list = map.get(input);
      if (list) list.push(node);
      else map.set(input, [node]);
    }
  }
  return map;
}

/** Map from value name to the node that writes it. */
export function producers(g: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const node of g.nodes) for (const output of node.outputs) if (output) map.set(output, node);
  return map;
}

/** Renames value `from` to `to` everywhere in the graph (nodes, inputs, outputs, initializers). */
export function renameValue(g: Graph, from: string, to: string): void {
  if (from === to) return;
  if (g.values.has(to)) throw new Error(`cannot rename '${from}' to '${to}': the name is taken`);
  const swap = (n: string) => (n === from ? to : n);
  g.nodes = g.nodes.map((n) =>
    n.inputs.includes(from) || n.outputs.includes(from) ? { ...n, inputs: n.inputs.map(swap), outputs: n.outputs.map(swap) } : n,
  );
  g.inputs = g.inputs.map(swap);
  g.outputs = g.outputs.map(swap);
  const info = g.values.get(from);
  if (info) {
    g.values.delete(from);
    g.values.set(to, info);
  }
  const init = g.initializers.get(from);
  if (init) {
    g.initializers.delete(from);
    g.initializers.set(to, init);
  }
}
