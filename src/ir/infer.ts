/** Runs an op's shape inference for one node, with errors that name the op, the node and the shapes. */
import { HeatlensError } from '../errors.js';
import type { Graph, Node, ValueInfo } from './graph.js';
import { isKnownOp, opSchemas } from './ops/index.js';
import { ShapeError } from './ops/schema.js';
import { formatShape } from './tensor.js';

export function describeInputs(graph: Graph, node: Node): string {
  return node.inputs
    .map((name) => {
      if (!name) return '(omitted)';
      const v = graph.values.get(name);
      return v ? `${name} ${formatShape(v.shape)}` : `${name} (undefined)`;
    })
    .join(', ');
}

export function nodeLabel(node: Node): string {
  return `${node.op} node '${node.name}'`;
}

/** Infers the output value infos of `node` from the values already in `graph`. */
export function inferNode(graph: Graph, node: Node): ValueInfo[] {
  if (!isKnownOp(node.op)) {
    throw new HeatlensError(`${nodeLabel(node)}: op '${node.op}' is not supported`, 'E_UNSUPPORTED_OP');
  }
  const schema = opSchemas[node.op];
  const [min, max] = schema.arity;
  const fail = (msg: string) =>
    new HeatlensError(`${nodeLabel(node)}: ${msg} (inputs: ${describeInputs(graph, node) || 'none'})`, 'E_SHAPE');
  if (node.inputs.length < min || node.inputs.length > max) {
    throw fail(`takes ${min === max ? min : `${min}–${max}`} inputs, got ${node.inputs.length}`);
  }
  const inputs = node.inputs.map((name) => {
    if (!name) return undefined;
    const v = graph.values.get(name);
    if (!v) throw fail(`input '${name}' is not defined before this node`);
    return v;
  });
  try {
    const outputs = schema.infer({
      node,
      inputs,
      constant: (i) => (node.inputs[i] ? graph.initializers.get(node.inputs[i]) : undefined),
    });
    return outputs;
  } catch (e) {
    if (e instanceof ShapeError) throw fail(e.message);
    throw e;
  }
}
