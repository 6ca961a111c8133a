/**
 * The reference interpreter: evaluates an IR graph node by node with the kernels of ./kernels, in
 * float64. With precision 'float32' every float result is rounded to float32 after each node (values
 * stay float32-representable, as in a float32 runtime; the arithmetic inside a node stays float64).
 */
import { HeatlensError } from '../errors.js';
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import { isKnownOp } from '../ir/ops/index.js';
import { type DType, type Tensor, formatShape, isFloatType, numel } from '../ir/tensor.js';
import { kernels } from './kernels/index.js';
import { sameDims } from './kernels/kernel.js';

export type Precision = 'float64' | 'float32';

export interface RunOptions {
  /** 'float64' (default) or 'float32' (round every float result to float32). */
  precision?: Precision;
  /** Values to return (any value of the graph); the graph outputs by default. */
  outputs?: string[];
}

const nodeLabel = (node: Node): string => `${node.op} node '${node.name}'`;

/** A float tensor as float64 (copying only when it is not already Float64Array); others unchanged. */
function widen(t: Tensor): Tensor {
  if (!isFloatType(t.dtype) || (t.dtype === 'float64' && t.data instanceof Float64Array)) return t;
  return { dtype: 'float64', dims: t.dims, data: Float64Array.from(t.data) };
}

/** Rounds float64 data to float32 values in place. */
function roundToFloat32(t: Tensor): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.fround(d[i]);
}

/** A float tensor converted to `dtype` (float32 or float64); others unchanged. */
function asFloat(t: Tensor, dtype: DType): Tensor {
  if (!isFloatType(t.dtype) || !isFloatType(dtype)) return t;
  if (dtype === 'float32') return { dtype, dims: t.dims, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) };
  return widen(t);
}

/** Runs one kernel, labelling unexpected errors with the node. */
function runKernel(node: Node, inputs: readonly (Tensor | undefined)[], infos: readonly ValueInfo[]): Tensor[] {
  if (!isKnownOp(node.op)) throw new HeatlensError(`${nodeLabel(node)}: op '${node.op}' has no reference kernel`, 'E_UNSUPPORTED_OP');
  let results: Tensor[];
  try {
    results = kernels[node.op](node, inputs.map((t) => (t ? widen(t) : undefined)), infos);
  } catch (e) {
    if (e instanceof HeatlensError) throw e;
    const inputsText = inputs.map((t) => (t ? formatShape(t.dims) : '(omitted)')).join(', ');
    throw new HeatlensError(`${nodeLabel(node)} (inputs ${inputsText}): ${e instanceof Error ? e.message : String(e)}`, 'E_INTERP');
  }
  if (results.length < node.outputs.length) {
    throw new HeatlensError(`${nodeLabel(node)}: the kernel made ${results.length} outputs, the node has ${node.outputs.length}`, 'E_INTERP');
  }
  return results;
}

/**
 * Evaluates one node on constant inputs (for constant folding). Float results come back in the dtype
 * of `outputInfos` (float32 rounded and stored as Float32Array); an omitted output's info may be undefined.
 */
export function evaluateNode(node: Node, inputs: readonly (Tensor | undefined)[], outputInfos: readonly (ValueInfo | undefined)[]): Tensor[] {
  const infos = outputInfos.map((info) => info ?? { dtype: 'float64' as const, shape: [] });
  const results = runKernel(node, inputs, infos);
  return results.map((t, i) => {
    const info = outputInfos[i];
    if (!info) return t;
    if (!sameDims(t.dims, info.shape)) {
      throw new HeatlensError(`${nodeLabel(node)}: output ${i} has shape ${formatShape(t.dims)}, shape inference says ${formatShape(info.shape)}`, 'E_INTERP');
    }
    return asFloat(t, info.dtype);
  });
}

function checkFeed(graph: Graph, name: string, t: Tensor): void {
  const info = graph.values.get(name);
  if (!info) throw new HeatlensError(`feed '${name}' is not a value of graph '${graph.name}'`, 'E_FEED');
  if (!sameDims(t.dims, info.shape)) {
    throw new HeatlensError(`feed '${name}' has shape ${formatShape(t.dims)}, graph '${graph.name}' expects ${formatShape(info.shape)}`, 'E_FEED');
  }
  if (t.data.length !== numel(t.dims)) {
    throw new HeatlensError(`feed '${name}' holds ${t.data.length} values, shape ${formatShape(t.dims)} needs ${numel(t.dims)}`, 'E_FEED');
  }
  const kind = (d: DType) => (isFloatType(d) ? 'float' : d === 'int64' || d === 'int32' ? 'int' : d);
  if (kind(t.dtype) !== kind(info.dtype)) {
    throw new HeatlensError(`feed '${name}' is ${t.dtype}, graph '${graph.name}' expects ${info.dtype}`, 'E_FEED');
  }
}

/**
 * Evaluates `graph` on `feeds` (every graph input; an initializer may be overridden too). Only the
 * nodes the requested outputs depend on run, and each value is dropped after its last reader.
 * Returns the requested values: floats as float64, or float32 with precision 'float32'.
 */
export function runGraph(graph: Graph, feeds: Record<string, Tensor>, options: RunOptions = {}): Record<string, Tensor> {
  const precision = options.precision ?? 'float64';
  const wanted = options.outputs ?? graph.outputs;
  const missing = graph.inputs.filter((name) => !Object.hasOwn(feeds, name) && !graph.initializers.has(name));
  if (missing.length > 0) throw new HeatlensError(`graph '${graph.name}' needs feeds for ${missing.map((m) => `'${m}'`).join(', ')}`, 'E_FEED');
  for (const [name, t] of Object.entries(feeds)) {
    if (!graph.inputs.includes(name) && !graph.initializers.has(name)) {
      throw new HeatlensError(`feed '${name}' is neither an input nor an initializer of graph '${graph.name}'`, 'E_FEED');
    }
    checkFeed(graph, name, t);
  }

  // Nodes needed for the wanted values, and the index of each value's last reader among them.
  const producerIndex = new Map<string, number>();
  graph.nodes.forEach((node, i) => node.outputs.forEach((o) => o && producerIndex.set(o, i)));
  const needed = new Array<boolean>(graph.nodes.length).fill(false);
  const stack = [...wanted];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name) || Object.hasOwn(feeds, name)) continue;
    seen.add(name);
    const i = producerIndex.get(name);
    if (i === undefined) {
      if (!graph.initializers.has(name)) throw new HeatlensError(`value '${name}' is not produced by any node of graph '${graph.name}'`, 'E_INTERP');
      continue;
    }
    if (needed[i]) continue;
    needed[i] = true;
    for (const input of graph.nodes[i].inputs) if (input) stack.push(input);
  }
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    if (needed[i]) for (const input of node.inputs) if (input) lastUse.set(input, i);
  });
  const keep = new Set(wanted);

  const env = new Map<string, Tensor>();
  const prepare = (t: Tensor): Tensor => {
    const w = widen(t);
    if (precision === 'float32' && isFloatType(w.dtype)) {
      const copy = w === t ? { ...w, data: Float64Array.from(w.data) } : w;
      roundToFloat32(copy);
      return copy;
    }
    return w;
  };
  for (const [name, t] of Object.entries(feeds)) env.set(name, prepare(t));
  const lookup = (name: string, node?: Node): Tensor => {
    const t = env.get(name) ?? graph.initializers.get(name);
    if (!t) throw new HeatlensError(`${node ? `${nodeLabel(node)}: ` : ''}value '${name}' has not been computed`, 'E_INTERP');
    return t;
  };

  graph.nodes.forEach((node, i) => {
    if (!needed[i]) return;
    const inputs = node.inputs.map((name) => (name ? lookup(name, node) : undefined));
    if (precision === 'float32') {
      // Initializers are read as stored; round float64 ones like every other value.
      inputs.forEach((t, k) => {
        if (t && t.dtype === 'float64' && !env.has(node.inputs[k])) inputs[k] = prepare(t);
      });
    }
    const infos = node.outputs.map((name) => (name && graph.values.get(name)) || { dtype: 'float64' as const, shape: [] });
    const results = runKernel(node, inputs, infos);
    node.outputs.forEach((name, k) => {
      if (!name) return;
      const t = results[k];
      const info = graph.values.get(name);
      if (info && !sameDims(t.dims, info.shape)) {
        throw new HeatlensError(`${nodeLabel(node)}: output '${name}' has shape ${formatShape(t.dims)}, shape inference says ${formatShape(info.shape)}`, 'E_INTERP');
      }
      if (precision === 'float32' && isFloatType(t.dtype)) roundToFloat32(t);
      if (lastUse.has(name) || keep.has(name)) env.set(name, t);
    });
    for (const name of node.inputs) if (name && lastUse.get(name) === i && !keep.has(name)) env.delete(name);
  });

  const result: Record<string, Tensor> = {};
  for (const name of wanted) {
    const t = env.get(name) ?? prepare(lookup(name));
    result[name] = asFloat(t, precision);
  }
  return result;
}
