/**
 * TensorFlow.js Graph model (tfjs-converter's model.json: a TF GraphDef in JSON plus weight shards)
 * → IR graph, not yet canonicalised.
 *
 * 1. Only the nodes the outputs need are imported (the signature's outputs, else every node nobody
 *    reads, Consts aside), as tfjs executes them.
 * 2. Every unsupported op and attribute value among them is listed at once, before anything is read.
 * 3. The weights are read (a missing or wrong-size shard is one line naming the file).
 * 4. Nodes are converted in topological order through the op table (ops/index.ts). Activations stay
 *    NHWC at the graph input and output and NCHW in between (layout.ts): the input placeholder keeps
 *    its NHWC shape [batch, H, W, C] and is transposed once.
 */
import { INPUT_LAYOUT_KEY } from '../../compile/layout.js';
import { HeatlensError } from '../../errors.js';
import { GraphBuilder } from '../../ir/builder.js';
import { type Graph, emptyGraph } from '../../ir/graph.js';
import { readWeights } from '../weights.js';
import { TfAttrError } from './attrs.js';
import { GraphImport, dataInputs, isControlInput, tensorKey } from './context.js';
import { graphOps, isSupportedTfOp } from './ops/index.js';
import type { GraphModelJson, TfNodeDef } from './types.js';

export type { GraphModelJson } from './types.js';

export interface GraphImportOptions {
  /** Size given to an unknown first input dimension. Default 1. */
  batch?: number;
}

const nodeName = (input: string): string => tensorKey(input.replace(/^\^/, '')).replace(/:\d+$/, '');

function validNodes(source: string, json: GraphModelJson): TfNodeDef[] {
  const nodes = (json as Partial<GraphModelJson> | undefined)?.modelTopology?.node;
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new HeatlensError(`${source}: not a TensorFlow.js graph model (modelTopology.node is missing or empty)`, 'E_MODEL');
  }
  const seen = new Set<string>();
  nodes.forEach((n: TfNodeDef, i) => {
    if (typeof n?.name !== 'string' || typeof n.op !== 'string') {
      throw new HeatlensError(`${source}: modelTopology.node[${i}] has no name or op`, 'E_MODEL');
    }
    if (seen.has(n.name)) throw new HeatlensError(`${source}: two nodes are named '${n.name}'`, 'E_MODEL');
    seen.add(n.name);
  });
  return nodes;
}

/** The output tensor keys: the signature's outputs, else each unread non-Const node's output 0. */
function outputKeys(json: GraphModelJson, nodes: readonly TfNodeDef[]): string[] {
  const signed = Object.values(json.signature?.outputs ?? {}).map((o) => tensorKey(o.name));
  if (signed.length) return signed;
  const read = new Set(nodes.flatMap((n) => (n.input ?? []).map(nodeName)));
  return nodes.filter((n) => !read.has(n.name) && n.op !== 'Const').map((n) => `${n.name}:0`);
}

/** The nodes the outputs depend on (data and control inputs), in topological order (Kahn). */
function neededInOrder(source: string, byName: ReadonlyMap<string, TfNodeDef>, outputs: readonly string[]): TfNodeDef[] {
  const needed = new Set<string>();
  const stack = outputs.map((k) => k.replace(/:\d+$/, ''));
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    const node = byName.get(name);
    if (!node) throw new HeatlensError(`${source}: node '${name}' is read but not defined in modelTopology`, 'E_MODEL');
    needed.add(name);
    for (const input of node.input ?? []) stack.push(nodeName(input));
  }
  const nodes = [...byName.values()].filter((n) => needed.has(n.name));
  // Placeholders first, so the graph inputs keep their TF names.
  nodes.sort((a, b) => Number(b.op === 'Placeholder') - Number(a.op === 'Placeholder'));
  const done = new Set<string>();
  const order: TfNodeDef[] = [];
  let progress = true;
  while (order.length < nodes.length && progress) {
    progress = false;
    for (const n of nodes) {
      if (done.has(n.name) || !(n.input ?? []).every((i) => done.has(nodeName(i)))) continue;
      done.add(n.name);
      order.push(n);
      progress = true;
    }
  }
  if (order.length < nodes.length) {
    const stuck = nodes.find((n) => !done.has(n.name))!;
    throw new HeatlensError(`${source}: ${stuck.op} node '${stuck.name}' is part of a cycle (control flow is not supported)`, 'E_MODEL');
  }
  return order;
}

/** Every unsupported op (with its nodes) and unsupported attribute value, in one line. */
function checkSupported(source: string, nodes: readonly TfNodeDef[]): void {
  const ops = new Map<string, string[]>();
  const attrs: string[] = [];
  for (const node of nodes) {
    if (!isSupportedTfOp(node.op)) {
      ops.set(node.op, [...(ops.get(node.op) ?? []), node.name]);
      continue;
    }
    const check = (graphOps[node.op] as { check?: (n: TfNodeDef) => string[] }).check;
    let problems: string[];
    try {
      problems = check ? check(node) : [];
    } catch (e) {
      if (!(e instanceof TfAttrError)) throw e;
      problems = [e.message];
    }
    for (const p of problems) attrs.push(`${node.op} node '${node.name}': ${p}`);
  }
  if (ops.size === 0 && attrs.length === 0) return;
  const parts = [...ops].map(([op, names]) => `${op} (${names.slice(0, 5).join(', ')}${names.length > 5 ? `, … ${names.length} nodes` : ''})`);
  const message = [
    ...(parts.length ? [`unsupported ops: ${parts.join('; ')}`] : []),
    ...(attrs.length ? [`unsupported attributes: ${attrs.join('; ')}`] : []),
  ].join('; ');
  throw new HeatlensError(`${source}: ${message}`, 'E_UNSUPPORTED_OP');
}

export function importGraphModel(modelJsonPath: string, json: GraphModelJson, options: GraphImportOptions = {}): Graph {
  const source = modelJsonPath;
  const all = validNodes(source, json);
  const byName = new Map(all.map((n) => [n.name, n]));
  const outputs = outputKeys(json, all);
  if (outputs.length === 0) throw new HeatlensError(`${source}: the graph has no output (every node is read by another)`, 'E_MODEL');
  const nodes = neededInOrder(source, byName, outputs);
  checkSupported(source, nodes);
  const weights = readWeights(source, json.weightsManifest ?? []);

  // Readers per tensor, Identity chains followed, so a fold never changes a tensor someone else reads.
  const resolve = (key: string): string => {
    for (let k = key, hops = 0; hops <= byName.size; hops++) {
      const node = byName.get(k.replace(/:\d+$/, ''));
      if (node?.op !== 'Identity' || !k.endsWith(':0') || dataInputs(node).length === 0) return k;
      k = tensorKey(dataInputs(node)[0]);
    }
    return key;
  };
  const readers = new Map<string, number>();
  const count = (key: string) => readers.set(resolve(key), (readers.get(resolve(key)) ?? 0) + 1);
  for (const n of nodes) if (n.op !== 'Identity') for (const input of n.input ?? []) if (!isControlInput(input)) count(tensorKey(input));
  outputs.forEach(count);

  const graph = emptyGraph('tfjs-graph-model');
  graph.metadata.set('heatlens.source_format', 'tfjs-graph-model');
  graph.metadata.set(INPUT_LAYOUT_KEY, 'NHWC');
  const ctx = new GraphImport(new GraphBuilder(graph), source, readers, resolve, weights, options.batch ?? 1);
  for (const node of nodes) {
    try {
      graphOps[node.op as keyof typeof graphOps].convert(ctx, node);
    } catch (e) {
      if (e instanceof TfAttrError) throw ctx.fail(node, e.message);
      if (e instanceof HeatlensError && !e.message.startsWith(source)) {
        throw new HeatlensError(`${source}: while importing ${node.op} node '${node.name}': ${e.message}`, e.code);
      }
      throw e;
    }
  }

  const names: string[] = [];
  for (const key of outputs) {
    const v = ctx.lookup(key);
    if (!v) throw new HeatlensError(`${source}: output '${key}' is not produced by any imported node`, 'E_MODEL');
    let name = ctx.plain(v);
    if (graph.inputs.includes(name) || graph.initializers.has(name) || names.includes(name)) {
      name = ctx.b.op('Identity', [name], {}, key.replace(/:0$/, ''));
    }
    names.push(name);
  }
  graph.outputs = names;
  return graph;
}
