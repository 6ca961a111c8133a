/**
 * GraphBuilder appends nodes to a graph and checks every node's shapes as it is added, so a wrong
 * backward rule fails at compile time with the op, the node and the shapes, not inside a runtime.
 */
import { type Attrs, type Graph, type Node, type ValueInfo } from './graph.js';
import { inferNode } from './infer.js';
import { type DType, type Tensor, makeTensor } from './tensor.js';

export class GraphBuilder {
  private counter = 0;
  private readonly taken: Set<string>;

  constructor(readonly graph: Graph, private readonly prefix = '') {
    this.taken = new Set([...graph.values.keys(), ...graph.nodes.map((n) => n.name)]);
  }

  info(name: string): ValueInfo {
    const v = this.graph.values.get(name);
    if (!v) throw new Error(`value '${name}' is not defined`);
    return v;
  }

  shape(name: string): readonly number[] {
    return this.info(name).shape;
  }

  rank(name: string): number {
    return this.shape(name).length;
  }

  dtype(name: string): DType {
    return this.info(name).dtype;
  }

  /** The compile-time value of `name` when it is an initializer. */
  constantValue(name: string): Tensor | undefined {
    return this.graph.initializers.get(name);
  }

  /** A name not used by any value or node yet. */
  fresh(hint: string): string {
    const base = `${this.prefix}${hint}`;
    let name = base;
    while (this.taken.has(name)) name = `${base}_${++this.counter}`;
    this.taken.add(name);
    return name;
  }

  constant(tensor: Tensor, hint = 'const'): string {
    const name = this.fresh(hint);
    this.graph.initializers.set(name, tensor);
    this.graph.values.set(name, { dtype: tensor.dtype, shape: tensor.dims });
    return name;
  }

  int64(values: readonly number[], hint = 'ints'): string {
    return this.constant(makeTensor('int64', [values.length], values), hint);
  }

  scalar(value: number, dtype: DType = 'float32', hint = 'scalar'): string {
    return this.constant(makeTensor(dtype, [], [value]), hint);
  }

  /** Adds a node with `outputs` outputs and returns their names. */
  nodeOutputs(op: string, inputs: readonly string[], attrs: Attrs = {}, outputs = 1, hint?: string): string[] {
    const label = hint ?? op.toLowerCase();
    const node: Node = {
      op,
      name: this.fresh(`${label}_node`),
      inputs: [...inputs],
      outputs: Array.from({ length: outputs }, () => this.fresh(label)),
      attrs,
    };
    this.append(node);
    return [...node.outputs];
  }

  /** Adds a single-output node and returns the output's name. */
  op(op: string, inputs: readonly string[], attrs: Attrs = {}, hint?: string): string {
    return this.nodeOutputs(op, inputs, attrs, 1, hint)[0];
  }

  /** Appends an already-named node, inferring and recording its outputs' shapes. */
  append(node: Node): void {
    const infos = inferNode(this.graph, node);
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const info = infos[i];
      if (!info) throw new Error(`${node.op} node '${node.name}' has no shape for output ${i}`);
      this.graph.values.set(name, info);
      this.taken.add(name);
    });
    this.taken.add(node.name);
    this.graph.nodes.push(node);
  }
}
