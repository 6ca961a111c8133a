/**
 * ONNX file → IR graph: decodes the protobuf, converts tensors and attributes, rewrites older opset
 * forms, fixes the dynamic batch dimension and infers every value's static shape, folding constant
 * subgraphs (PyTorch's Shape→Gather→Unsqueeze→Concat→Reshape chains) as it goes.
 */
import { HeatlensError } from '../errors.js';
import { type Graph, type Node, type ValueInfo, attr, emptyGraph, getInt } from '../ir/graph.js';
import { GraphBuilder } from '../ir/builder.js';
import { isKnownOp } from '../ir/ops/index.js';
import { foldNodeIfConstant } from '../passes/foldConstants.js';
import { attrFromProto } from './attributes.js';
import { type GraphMsg, type ModelMsg, ModelProto, type ValueInfoMsg, toNumber } from './schema.js';
import { type ExternalDataReader, dtypeOfElemType, tensorFromProto } from './tensor.js';
import { upgradeNode } from './upgrade.js';

export interface ReadOptions {
  /** Size given to a dynamic (symbolic or unknown) first input dimension. Default 1. */
  batch?: number;
  /** Full static shapes for inputs whose other dimensions are dynamic. */
  inputShapes?: Record<string, number[]>;
  /** Name used in error messages (the file path). */
  source?: string;
  /** Reads tensors stored in external-data files (readModelFile supplies one; without it they are refused). */
  externalData?: ExternalDataReader;
}

export function decodeModel(bytes: Uint8Array, source: string): ModelMsg {
  let model: ModelMsg;
  try {
    model = ModelProto.decode(bytes) as unknown as ModelMsg;
  } catch (e) {
    throw new HeatlensError(`${source}: not a valid ONNX model (protobuf decoding failed: ${(e as Error).message}; is the file truncated?)`, 'E_MODEL');
  }
  if (!model.graph || !model.graph.node?.length || !model.graph.output?.length) {
    throw new HeatlensError(`${source}: not a valid ONNX model (no graph, nodes or outputs found)`, 'E_MODEL');
  }
  return model;
}

/**
 * Ops whose definition at this opset already is the canonical one (later versions only added types): a
 * model of opset < 7 made only of them reads as is. Other ops changed at opset 6–7 (consumed_inputs,
 * the `broadcast` attribute of binary ops, BatchNormalization's spatial/is_test).
 */
const UNCHANGED_SINCE: Readonly<Record<string, number>> = {
  GlobalAveragePool: 1, GlobalMaxPool: 1, Not: 1, Identity: 1, Transpose: 1, HardSigmoid: 6, Abs: 6, Neg: 6,
  Relu: 6, LeakyRelu: 6, Sigmoid: 6, Tanh: 6, Exp: 6, Log: 6, Sqrt: 6, Reciprocal: 6,
};

function defaultOpset(model: ModelMsg, source: string): number {
  const entry = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry) throw new HeatlensError(`${source}: the model imports no default-domain opset`, 'E_MODEL');
  return toNumber(entry.version);
}

function valueInfoOf(msg: ValueInfoMsg, options: ReadOptions, source: string): ValueInfo {
  const tensorType = msg.type?.tensor_type;
  if (!tensorType) throw new HeatlensError(`${source}: graph input '${msg.name}' is not a tensor`, 'E_MODEL');
  const dtype = dtypeOfElemType(tensorType.elem_type ?? 0, `${source}: input '${msg.name}'`);
  const override = options.inputShapes?.[msg.name];
  if (override) return { dtype, shape: override };
  const dims = tensorType.shape?.dim ?? [];
  const shape = dims.map((d, axis) => {
    const value = toNumber(d.dim_value);
    // An explicit dim_value 0 is a static empty axis; an unset one (dim_param or nothing) is dynamic.
    if (value > 0 || (value === 0 && Object.hasOwn(d, 'dim_value') && !d.dim_param)) return value;
    if (axis === 0) return options.batch ?? 1;
    throw new HeatlensError(
      `${source}: input '${msg.name}' has a dynamic dimension '${d.dim_param ?? '?'}' at axis ${axis}; give a static input shape`,
      'E_MODEL',
    );
  });
  return { dtype, shape };
}

function unsupportedOps(graphMsg: GraphMsg, source: string): void {
  const byOp = new Map<string, string[]>();
  (graphMsg.node ?? []).forEach((n, i) => {
    const op = n.op_type ?? '';
    const domainOk = !n.domain || n.domain === 'ai.onnx';
    if (domainOk && isKnownOp(op)) return;
    const key = domainOk ? op : `${n.domain}.${op}`;
    byOp.set(key, [...(byOp.get(key) ?? []), n.name || `#${i}`]);
  });
  if (byOp.size === 0) return;
  const list = [...byOp].map(([op, nodes]) => `${op} (${nodes.slice(0, 5).join(', ')}${nodes.length > 5 ? `, … ${nodes.length} nodes` : ''})`);
  throw new HeatlensError(`${source}: unsupported ops: ${list.join('; ')}`, 'E_UNSUPPORTED_OP');
}

/** Opset < 13 Softmax coerced its input to 2-D at `axis` (default 1): Flatten → Softmax(−1) → Reshape. */
function legacySoftmax(b: GraphBuilder, node: Node): boolean {
  const rank = b.rank(node.inputs[0]);
  const raw = getInt(node, 'axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis === rank - 1) {
    b.append({ ...node, attrs: { ...node.attrs, axis: attr.int(-1) } });
    return true;
  }
  const flat = b.op('Flatten', [node.inputs[0]], { axis: attr.int(axis) });
  const soft = b.op(node.op, [flat], { axis: attr.int(-1) });
  b.append({ op: 'Reshape', name: node.name, inputs: [soft, b.int64([...b.shape(node.inputs[0])])], outputs: node.outputs, attrs: {} });
  return true;
}

export function readModel(bytes: Uint8Array, options: ReadOptions = {}): Graph {
  const source = options.source ?? 'model';
  const model = decodeModel(bytes, source);
  const graphMsg = model.graph!;
  const opset = defaultOpset(model, source);
  if (opset < 7) {
    const stable = (graphMsg.node ?? []).every((n) => (UNCHANGED_SINCE[n.op_type ?? ''] ?? Infinity) <= opset);
    if (!stable) throw new HeatlensError(`${source}: opset ${opset} is too old (heatlens reads opset 7 and later)`, 'E_MODEL');
  }
  unsupportedOps(graphMsg, source);

  const graph = emptyGraph(graphMsg.name || 'model');
  for (const init of graphMsg.initializer ?? []) {
    const name = init.name ?? '';
    const t = tensorFromProto(init, `${source}: initializer '${name}'`, options.externalData);
    graph.initializers.set(name, t);
    graph.values.set(name, { dtype: t.dtype, shape: t.dims });
  }
  for (const input of graphMsg.input ?? []) {
    if (graph.initializers.has(input.name)) continue;
    graph.inputs.push(input.name);
    graph.values.set(input.name, valueInfoOf(input, options, source));
  }
  for (const [k, v] of (model.metadata_props ?? []).map((p) => [p.key, p.value] as const)) graph.metadata.set(k, v);

  const b = new GraphBuilder(graph, 'hl_');
  const nodes = sortTopologically(graphMsg, graph, source);
  for (const [i, msg] of nodes.entries()) {
    const op = msg.op_type!;
    const name = msg.name || `${op}_${i}`;
    const where = `${source}: ${op} node '${name}'`;
    const attrs = Object.fromEntries((msg.attribute ?? []).map((a) => [a.name, attrFromProto(a, where, options.externalData)]));
    const form = upgradeNode(op, opset, { inputs: [...(msg.input ?? [])], attrs }, {
      constant: (t, hint) => b.constant(t, `${name}_${hint}`),
      constantValue: (value) => graph.initializers.get(value),
      shape: (value) => graph.values.get(value)?.shape,
      where,
    });
    const node: Node = { op, name, inputs: form.inputs, outputs: [...(msg.output ?? [])], attrs: form.attrs };
    if (op === 'Constant') {
      b.append(node);
      foldNodeIfConstant(graph, node);
      continue;
    }
    if ((op === 'Softmax' || op === 'LogSoftmax') && opset < 13 && legacySoftmax(b, node)) {
      foldNodeIfConstant(graph, graph.nodes[graph.nodes.length - 1]);
      continue;
    }
    b.append(node);
    foldNodeIfConstant(graph, node);
  }
  graph.outputs = (graphMsg.output ?? []).map((o) => o.name);
  for (const out of graph.outputs) {
    if (!graph.values.has(out)) throw new HeatlensError(`${source}: graph output '${out}' is not produced by any node`, 'E_MODEL');
  }
  return graph;
}

/** ONNX requires topological order; tolerate files that break it by sorting (Kahn's algorithm). */
function sortTopologically(graphMsg: GraphMsg, graph: Graph, source: string) {
  const nodes = graphMsg.node ?? [];
  const available = new Set([...graph.values.keys(), '']);
  const done = new Array<boolean>(nodes.length).fill(false);
  const order: typeof nodes = [];
  let progress = true;
  while (order.length < nodes.length && progress) {
    progress = false;
    nodes.forEach((n, i) => {
      if (done[i] || !(n.input ?? []).every((x) => available.has(x))) return;
      done[i] = true;
      progress = true;
      order.push(n);
      for (const o of n.output ?? []) available.add(o);
    });
  }
  if (order.length < nodes.length) {
    const stuck = nodes.find((_, i) => !done[i])!;
    const missing = (stuck.input ?? []).filter((x) => !available.has(x));
    throw new HeatlensError(`${source}: ${stuck.op_type} node '${stuck.name}' reads undefined value(s) ${missing.join(', ')}`, 'E_MODEL');
  }
  return order;
}
