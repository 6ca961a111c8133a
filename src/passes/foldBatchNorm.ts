/**
 * Folds inference BatchNormalization into the Conv or Gemm that feeds it (when that producer has no
 * other consumer and constant weights):
 *   y = γ·(Wx + b − μ)/√(σ² + ε) + β  ⇒  W' = W·s, b' = (b − μ)·s + β  with s = γ/√(σ² + ε)
 * per output channel (Conv: axis 0 of W; Gemm: output column, which is axis 0 of B when transB = 1).
 */
import type { Graph, Node } from '../ir/graph.js';
import { attr, consumers, getFloat, getInt, producers } from '../ir/graph.js';
import { type Tensor, floatTensor, numel } from '../ir/tensor.js';

function bnScaleShift(graph: Graph, bn: Node): { scale: Float64Array; shift: Float64Array } | undefined {
  const [gamma, beta, mean, variance] = bn.inputs.slice(1).map((n) => graph.initializers.get(n));
  if (!gamma || !beta || !mean || !variance) return undefined;
  const eps = getFloat(bn, 'epsilon', 1e-5);
  const c = gamma.data.length;
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    scale[i] = gamma.data[i] / Math.sqrt(variance.data[i] + eps);
    shift[i] = beta.data[i] - mean.data[i] * scale[i];
  }
  return { scale, shift };
}

/** W'[o, …] = W[o, …]·s[o] for weights whose output channel is axis 0 (Conv W, Gemm B with transB). */
function scaleRows(w: Tensor, scale: Float64Array): Tensor {
  const per = numel(w.dims) / w.dims[0];
  const out = new Float32Array(w.data.length);
  for (let i = 0; i < out.length; i++) out[i] = w.data[i] * scale[Math.floor(i / per)];
  return floatTensor(w.dims, out);
}

/** W'[k, o] = W[k, o]·s[o] for Gemm B without transB (output channel on axis 1). */
function scaleColumns(w: Tensor, scale: Float64Array): Tensor {
  const cols = w.dims[1];
  const out = new Float32Array(w.data.length);
  for (let i = 0; i < out.length; i++) out[i] = w.data[i] * scale[i % cols];
  return floatTensor(w.dims, out);
}

function freshName(graph: Graph, base: string): string {
  let name = base;
  for (let i = 1; graph.values.has(name) || graph.initializers.has(name); i++) name = `${base}_${i}`;
  return name;
}

export function foldBatchNorm(graph: Graph): Graph {
  const readers = consumers(graph);
  const writers = producers(graph);
  const removed = new Set<Node>();
  const replaced = new Map<Node, Node>();
  for (const bn of graph.nodes) {
    if (bn.op !== 'BatchNormalization' || bn.outputs.filter(Boolean).length !== 1) continue;
    const producer = writers.get(bn.inputs[0]);
    if (!producer || (producer.op !== 'Conv' && producer.op !== 'Gemm')) continue;
    if ((readers.get(producer.outputs[0]) ?? []).length !== 1 || graph.outputs.includes(producer.outputs[0])) continue;
    const w = graph.initializers.get(producer.inputs[1]);
    const bias = producer.inputs[2] ? graph.initializers.get(producer.inputs[2]) : undefined;
    if (!w || (producer.inputs[2] && !bias)) continue;
    if (producer.op === 'Gemm' && (getInt(producer, 'transA', 0) !== 0 || getFloat(producer, 'beta', 1) !== 1)) continue;
    if (producer.op === 'Gemm' && getFloat(producer, 'alpha', 1) !== 1) continue;
    const ss = bnScaleShift(graph, bn);
    if (!ss) continue;
    const outChannels = producer.op === 'Conv' || getInt(producer, 'transB', 0) === 1 ? w.dims[0] : w.dims[1];
    if (ss.scale.length !== outChannels) continue;
    if (bias && bias.data.length !== outChannels) continue;
    const newW = producer.op === 'Conv' || getInt(producer, 'transB', 0) === 1 ? scaleRows(w, ss.scale) : scaleColumns(w, ss.scale);
    const newB = new Float32Array(outChannels);
    for (let o = 0; o < outChannels; o++) newB[o] = ((bias?.data[o] ?? 0) * ss.scale[o]) + ss.shift[o];
    // Fresh names: a weight shared by several Convs gets one folded copy per Conv (each its own BN).
    const wName = freshName(graph, `${producer.inputs[1]}_bnfolded`);
    const bName = freshName(graph, `${producer.name}_bias_bnfolded`);
    graph.initializers.set(wName, newW);
    graph.values.set(wName, { dtype: 'float32', shape: newW.dims });
    graph.initializers.set(bName, floatTensor([outChannels], newB));
    graph.values.set(bName, { dtype: 'float32', shape: [outChannels] });
    replaced.set(producer, { ...producer, inputs: [producer.inputs[0], wName, bName], outputs: [bn.outputs[0]], attrs: producer.op === 'Gemm' ? { ...producer.attrs, beta: attr.float(1) } : producer.attrs });
    removed.add(bn);
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
  return graph;
}
