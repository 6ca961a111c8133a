/**
 * The state of one Graph-model import: the IR graph under construction, the IR value (and its layout)
 * of every TF tensor, and the conversions between layouts, each made at most once per value. Every
 * node appended through the context is folded at once when its inputs are constants, so weight
 * re-layouts (HWIO → OIHW …) become plain initializers.
 */
import { HeatlensError } from '../../errors.js';
import type { GraphBuilder } from '../../ir/builder.js';
import { type Attrs, type Node, attr } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { foldNodeIfConstant } from '../../passes/foldConstants.js';
import { type Layout, NCHW_TO_NHWC, NHWC_TO_NCHW, tfDims } from './layout.js';
import type { TfNodeDef } from './types.js';

export interface TfValue {
  /** The IR value. */
  readonly name: string;
  readonly layout: Layout;
}

/** 'a' → 'a:0'; 'a:2' stays; a control input '^a' has no key. */
export function tensorKey(input: string): string {
  const m = /^(.*):(\d+)$/.exec(input);
  return m ? `${m[1]}:${m[2]}` : `${input}:0`;
}

export const isControlInput = (input: string): boolean => input.startsWith('^');

export const dataInputs = (node: TfNodeDef): string[] => (node.input ?? []).filter((i) => !isControlInput(i));

export class GraphImport {
  private readonly values = new Map<string, TfValue>();
  /** IR value → its copy in the other layout. */
  private readonly other = new Map<string, string>();

  constructor(
    readonly b: GraphBuilder,
    /** The model.json path, for messages. */
    readonly source: string,
    /** Number of data readers of each TF tensor key (graph outputs count as readers), Identity chains followed. */
    private readonly readers: ReadonlyMap<string, number>,
    /** A TF tensor key with Identity chains followed to the tensor they pass on. */
    private readonly resolve: (key: string) => string,
    /** Const nodes' values, by node name. */
    readonly weights: ReadonlyMap<string, Tensor>,
    /** Size given to an unknown first input dimension. */
    readonly batch: number,
  ) {}

  get graph() {
    return this.b.graph;
  }

  fail(node: TfNodeDef, message: string): HeatlensError {
    return new HeatlensError(`${this.source}: ${node.op} node '${node.name}': ${message}`, 'E_MODEL');
  }

  /** The TF tensor feeding data input `i` of `node`. */
  input(node: TfNodeDef, i: number): TfValue {
    const name = dataInputs(node)[i];
    if (name === undefined) throw this.fail(node, `needs input ${i}, has ${dataInputs(node).length}`);
    const v = this.values.get(tensorKey(name));
    if (!v) throw this.fail(node, `input '${name}' is not an output this importer produced`);
    return v;
  }

  inputCount(node: TfNodeDef): number {
    return dataInputs(node).length;
  }

  /** How many data inputs (and graph outputs) read TF tensor `key` (a key from inputKey). */
  readerCount(key: string): number {
    return this.readers.get(key) ?? 0;
  }

  /** The key of the tensor data input `i` reads, e.g. 'conv:0' (through any Identity nodes). */
  inputKey(node: TfNodeDef, i: number): string {
    return this.resolve(tensorKey(dataInputs(node)[i]));
  }

  set(node: TfNodeDef, value: TfValue, index = 0): void {
    this.values.set(`${node.name}:${index}`, value);
  }

  lookup(key: string): TfValue | undefined {
    return this.values.get(key);
  }

  /** TF dims of a value. */
  tfShape(v: TfValue): number[] {
    return tfDims(this.b.shape(v.name), v.layout);
  }

  /** Appends one IR node for TF `node` (output named after it, or `${node}/${suffix}`), folding it if constant. */
  op(node: TfNodeDef, op: string, inputs: readonly string[], attrs: Attrs = {}, suffix?: string): string {
    return this.emit(op, inputs, attrs, suffix ? `${node.name}/${suffix}` : node.name);
  }

  private emit(op: string, inputs: readonly string[], attrs: Attrs, hint: string): string {
    const out = this.b.op(op, inputs, attrs, hint);
    foldNodeIfConstant(this.graph, this.graph.nodes[this.graph.nodes.length - 1]);
    return out;
  }

  constant(t: Tensor, hint: string): string {
    return this.b.constant(t, hint);
  }

  /** The value in TF layout. */
  plain(v: TfValue): string {
    return v.layout === 'plain' ? v.name : this.convert(v.name, NCHW_TO_NHWC, 'nhwc');
  }

  /** The value of a 4-D TF tensor in NCHW. */
  nchw(v: TfValue, node: TfNodeDef): string {
    if (v.layout === 'nchw') return v.name;
    const rank = this.b.rank(v.name);
    if (rank !== 4) throw this.fail(node, `expects a 4-D NHWC input, got [${this.b.shape(v.name)}]`);
    return this.convert(v.name, NHWC_TO_NCHW, 'nchw');
  }

  private convert(name: string, perm: readonly number[], tag: string): string {
    const done = this.other.get(name);
    if (done) return done;
    const out = this.emit('Transpose', [name], { perm: attr.ints(perm) }, `${name}/${tag}`);
    this.other.set(name, out);
    this.other.set(out, name);
    return out;
  }

  /** The compile-time value of a TF tensor (in TF layout), when it is a constant. */
  constantOf(v: TfValue): Tensor | undefined {
    if (!this.graph.initializers.has(v.name)) return undefined;
    return this.graph.initializers.get(this.plain(v));
  }

  /** The integer values of constant data input `i` (axes, shapes, paddings). */
  ints(node: TfNodeDef, i: number, what: string): number[] {
    const t = this.constantOf(this.input(node, i));
    if (!t) throw this.fail(node, `${what} (input ${i}) must be a constant: heatlens compiles static shapes`);
    return Array.from(t.data, Number);
  }

  /** The IR node that writes `value`, if any. */
  producer(value: string): Node | undefined {
    const nodes = this.graph.nodes;
    for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i].outputs.includes(value)) return nodes[i];
    return undefined;
  }

  /** Replaces IR node `old` by `node` in place. */
  replace(old: Node, node: Node): void {
    const i = this.graph.nodes.indexOf(old);
    this.graph.nodes[i] = node;
  }

  /** Whether any IR node reads `value`. */
  isRead(value: string): boolean {
    return this.graph.nodes.some((n) => n.inputs.includes(value));
  }
}
