/**
 * `heatlens inspect`: what a model is and what heatlens can do with it, computed from the canonical
 * graph (BatchNorm folded, constants folded — the graph heatlens differentiates), batch 1.
 */
import { layerCandidates } from '../compile/layers.js';
import { imageInput, logitsOf } from '../compile/explain.js';
import { staticGradientFor } from '../compile/staticGradient.js';
import { activeNodes, dependents } from '../grad/backward.js';
import { hasBackwardRule } from '../grad/rules/index.js';
import { GraphBuilder } from '../ir/builder.js';
import { type Graph, type Node, cloneGraph, getInt, getInts } from '../ir/graph.js';
import { isFloatType, numel } from '../ir/tensor.js';
import { presetFromInputShape, type Preset } from '../image/preset.js';
import { findPresetForModel } from '../image/presetFile.js';
import { methods, type MethodName } from '../methods/index.js';
import { isDriven } from '../methods/types.js';
import { keptState, type KeptState } from './backwardMemory.js';

export interface LayerRow {
  name: string;
  op: string;
  /** Shape of the first output. */
  shape: number[];
  /** Weight elements the node reads from initializers (after BatchNorm folding). */
  params: number;
  /** Multiply-accumulates of one forward evaluation. */
  macs: number;
  /** Kernel (and stride) of convs and pools, e.g. "3×3/2". */
  kernel?: string;
  /** 'rule': a backward rule exists; 'missing': on the explained path but no rule; 'off-path': not differentiated. */
  backward: 'rule' | 'missing' | 'off-path';
}

export interface MethodSupport {
  method: MethodName;
  applies: boolean;
  /** Why not, or a note (the Grad-CAM layer, whether static). */
  note?: string;
}

export interface ModelReport {
  model: string;
  input: { name: string; shape: number[]; dtype: string };
  logits: { name: string; classes: number; softmaxEnd: boolean };
  preset: { preset?: Preset; source: string };
  layers: LayerRow[];
  totals: { nodes: number; params: number; macs: number };
  ops: { op: string; count: number; backward: boolean }[];
  missingRules: { op: string; nodes: string[] }[];
  methods: MethodSupport[];
  gradcam: { layers: number; defaultLayer?: string; static: boolean; staticLayers: string[] };
  backwardMemory: KeptState & { perImage: true };
}

type MacCount = (graph: Graph, node: Node) => number;

const shapeOf = (g: Graph, v: string): readonly number[] => g.values.get(v)?.shape ?? [];

/**
 * Forward MACs by op:
 *   Conv           |Y| · (C_in/group) · Πk          (each output sums C_in/group · Πk products)
 *   ConvTranspose  |X| · (C_out/group) · Πk         (each input scatters into C_out/group · Πk outputs)
 *   Gemm, MatMul   |Y| · K                            (K the contracted dimension)
 * Everything else is counted as 0 MACs (element-wise and pooling work is small next to these).
 */
const MACS: Readonly<Record<string, MacCount>> = {
  Conv: (g, n) => {
    const w = shapeOf(g, n.inputs[1]);
    return numel(shapeOf(g, n.outputs[0])) * numel(w.slice(1));
  },
  ConvTranspose: (g, n) => {
    const w = shapeOf(g, n.inputs[1]);
    return numel(shapeOf(g, n.inputs[0])) * numel(w.slice(1));
  },
  Gemm: (g, n) => {
    const a = shapeOf(g, n.inputs[0]);
    const k = getInt(n, 'transA', 0) ? a[0] : a[1];
    return numel(shapeOf(g, n.outputs[0])) * k;
  },
  MatMul: (g, n) => {
    const a = shapeOf(g, n.inputs[0]);
    return numel(shapeOf(g, n.outputs[0])) * a[a.length - 1];
  },
};

function paramsOf(graph: Graph, node: Node): number {
  let count = 0;
  for (const i of node.inputs) {
    const t = i ? graph.initializers.get(i) : undefined;
    if (t && isFloatType(t.dtype)) count += numel(t.dims);
  }
  return count;
}

function presetOf(path: string, inputShape: readonly number[]): ModelReport['preset'] {
  const found = findPresetForModel(path);
  if (found) return { preset: found, source: 'file beside the model' };
  try {
    return { preset: presetFromInputShape(inputShape), source: 'inferred from the input shape (pixels/255, no mean/std): put a preset.json beside the model, or give --scale/--mean/--std, if it was trained otherwise' };
  } catch (e) {
    return { source: (e as Error).message };
  }
}

export function inspectModel(path: string, canonical: Graph): ModelReport {
  const graph = cloneGraph(canonical);
  const input = imageInput(graph);
  const inputInfo = graph.values.get(input)!;
  const b = new GraphBuilder(graph, 'inspect_');
  const { logits, softmaxOutput } = logitsOf(b, graph);
  const active = activeNodes(graph, input, [logits]);
  const onPath = new Set(active.map((n) => n.name));
  const varies = dependents(graph, input);

  const layers: LayerRow[] = canonical.nodes.map((node) => ({
    name: node.name,
    op: node.op,
    shape: [...shapeOf(canonical, node.outputs[0])],
    kernel: kernelNote(node),
    params: paramsOf(canonical, node),
    macs: MACS[node.op]?.(canonical, node) ?? 0,
    backward: !onPath.has(node.name) ? 'off-path' : hasBackwardRule(node.op) ? 'rule' : 'missing',
  }));

  const opCounts = new Map<string, number>();
  for (const node of canonical.nodes) opCounts.set(node.op, (opCounts.get(node.op) ?? 0) + 1);
  const missing = new Map<string, string[]>();
  for (const row of layers) if (row.backward === 'missing') missing.set(row.op, [...(missing.get(row.op) ?? []), row.name]);
  const differentiable = missing.size === 0;

  const candidates = layerCandidates(graph, input, logits);
  const defaultLayer = candidates.at(-1);
  const staticLayers = candidates.filter((layer) => staticGradientFor(graph, layer, logits) !== undefined);
  const isStatic = defaultLayer !== undefined && staticLayers.includes(defaultLayer);
  const missingNote = `no backward rule for ${[...missing.keys()].join(', ')}`;

  const support = (Object.keys(methods) as MethodName[]).map((method): MethodSupport => {
    const described = methods[method];
    const isCam = !isDriven(described) && described.family === 'cam';
    if (isCam && !defaultLayer) return { method, applies: false, note: 'no layer with spatial size > 1 on the path to the logits' };
    // Static Grad-CAM needs no backward pass at all; every other method differentiates the path.
    if (method === 'gradcam' && isStatic) return { method, applies: true, note: `static at ${defaultLayer} (no backward pass)` };
    if (!differentiable) return { method, applies: false, note: missingNote };
    return { method, applies: true, note: isCam ? `layer ${defaultLayer}` : undefined };
  });

  const [batch] = inputInfo.shape;
  return {
    model: path,
    input: { name: input, shape: [...inputInfo.shape], dtype: inputInfo.dtype },
    logits: { name: logits, classes: numel(shapeOf(graph, logits)) / batch, softmaxEnd: softmaxOutput !== undefined },
    preset: presetOf(path, inputInfo.shape),
    layers,
    totals: {
      nodes: canonical.nodes.length,
      params: layers.reduce((s, l) => s + l.params, 0),
      macs: layers.reduce((s, l) => s + l.macs, 0),
    },
    ops: [...opCounts].map(([op, count]) => ({ op, count, backward: hasBackwardRule(op) })),
    missingRules: [...missing].map(([op, nodes]) => ({ op, nodes })),
    methods: support,
    gradcam: { layers: candidates.length, defaultLayer, static: isStatic, staticLayers },
    backwardMemory: { ...keptState(graph, active, (v) => varies.has(v)), perImage: true },
  };
}

/** Kernel of a conv or pooling node as "k×k/s". */
function kernelNote(node: Node): string | undefined {
  const k = getInts(node, 'kernel_shape', []);
  if (!k.length) return undefined;
  const s = getInts(node, 'strides', []);
  return `${k.join('×')}${s.some((x) => x !== 1) ? `/${s.join('×')}` : ''}`;
}
