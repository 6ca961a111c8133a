/**
 * Builds the explained graph: the model's forward pass, a target selection, the backward pass the
 * method needs, and the method's head, as one static graph with outputs
 *   logits [B, classes] (pre-softmax), attribution (shape of the input, or [B,1,H,W] for maps),
 *   target [B] (class explained), and layer_map [B,1,h,w] for CAM methods.
 * Input `target_class` (int64 [B]) picks the class per image; −1 means the top-1 class.
 */
import { HeatlensError } from '../errors.js';
import { appendBackward, dependents } from '../grad/backward.js';
import { oneHotRows } from '../grad/util.js';
import { GraphBuilder } from '../ir/builder.js';
import { type Graph, attr, cloneGraph, producers, renameValue } from '../ir/graph.js';
import { type Tensor, makeTensor, numel } from '../ir/tensor.js';
import type { AttributionMethod, MethodContext, MethodOptions } from '../methods/types.js';
import { inputLayout } from './layout.js';
import { resolveLayer } from './layers.js';
import { pooledHeadSeed, staticGradientFor } from './staticGradient.js';
import { removeDeadCode } from '../passes/deadCode.js';

export type TargetKind = 'logit' | 'probability';

export interface ExplainOptions {
  method: AttributionMethod;
  /** Differentiate the pre-softmax logit (default) or the softmax probability of the class. */
  target?: TargetKind;
  methodOptions?: MethodOptions;
  /** Use compile-time gradients where they exist (static Grad-CAM); default true. */
  staticGradients?: boolean;
  /**
   * Batch-building stage for methods that explain one image through many model evaluations
   * (Integrated Gradients' path points, SmoothGrad's noisy copies). The model must be loaded with the
   * batch size of the points.
   */
  prelude?: BatchPrelude;
}

export interface PreludeInput {
  name: string;
  shape: number[];
  dtype?: 'float32' | 'int64';
  /** A value baked into the graph as a constant instead of a runtime input. */
  value?: Tensor;
}

export interface BatchPrelude {
  /** Extra graph inputs (or baked constants) the prelude reads. */
  inputs: PreludeInput[];
  /** Builds the batch of points [m, …] from the user's input [1, …]. */
  build(b: GraphBuilder, input: string): string;
  /** Combines the per-point attributions [m, …] into the explanation [1, …]. */
  aggregate(b: GraphBuilder, perPoint: string, input: string): string;
}

export const EXPLAINED_OUTPUTS = { logits: 'logits', attribution: 'attribution', target: 'target', layerMap: 'layer_map' } as const;
export const TARGET_INPUT = 'target_class';

export interface ExplainedGraph {
  graph: Graph;
  /** The image input's name. */
  input: string;
  batch: number;
  classes: number;
  /** True when every gradient was derived at compile time (static Grad-CAM): no backward pass at all. */
  static: boolean;
  /** Number of backward passes in the graph. */
  backwardPasses: number;
}

/** The model's single image input. */
export function imageInput(model: Graph): string {
  if (model.inputs.length !== 1) {
    throw new HeatlensError(`the model has ${model.inputs.length} inputs (${model.inputs.join(', ')}); heatlens explains single-input classifiers`, 'E_MODEL');
  }
  return model.inputs[0];
}

/**
 * The class-score tensor: the model's first output, or the input of a final Softmax (so the target is
 * the pre-softmax logit), flattened to [B, classes].
 */
export function logitsOf(b: GraphBuilder, graph: Graph): { logits: string; softmaxOutput?: string } {
  const out = graph.outputs[0];
  const producer = producers(graph).get(out);
  const softmaxEnd = producer?.op === 'Softmax';
  const raw = softmaxEnd ? producer.inputs[0] : out;
  const shape = b.shape(raw);
  const batch = shape[0];
  const classes = numel(shape) / batch;
  if (shape.length !== 2 && numel(shape.slice(1)) !== Math.max(...shape.slice(1))) {
    throw new HeatlensError(`the model output '${out}' has shape [${shape}], not [batch, classes]`, 'E_MODEL');
  }
  const logits = shape.length === 2 ? raw : b.op('Reshape', [raw, b.int64([batch, classes])], {}, 'logits_2d');
  return { logits, softmaxOutput: softmaxEnd && shape.length === 2 ? out : undefined };
}

/**
 * Replaces the model's input by a batch built in-graph from a single user image: the model input
 * becomes an internal value `points` = prelude.build(input, extra inputs), computed before the model's
 * nodes. Returns the user-facing input name (the model's original input name).
 */
export function attachPrelude(graph: Graph, b: GraphBuilder, prelude: BatchPrelude): { userInput: string; points: string } {
  const modelInput = imageInput(graph);
  const info = graph.values.get(modelInput)!;
  const points = b.fresh('points');
  renameValue(graph, modelInput, points);
  graph.values.set(modelInput, { dtype: info.dtype, shape: [1, ...info.shape.slice(1)] });
  graph.inputs = [modelInput];
  for (const extra of prelude.inputs) {
    graph.values.set(extra.name, { dtype: extra.dtype ?? 'float32', shape: extra.shape });
    if (extra.value) graph.initializers.set(extra.name, extra.value);
    else graph.inputs.push(extra.name);
  }
  const modelNodes = graph.nodes;
  graph.nodes = [];
  const built = prelude.build(b, modelInput);
  graph.values.delete(points);
  renameValue(graph, built, points);
  graph.nodes = [...graph.nodes, ...modelNodes];
  return { userInput: modelInput, points };
}

export function compileExplained(model: Graph, options: ExplainOptions): ExplainedGraph {
  const graph = cloneGraph(model);
  const b = new GraphBuilder(graph, 'hl_');
  const staged = options.prelude ? attachPrelude(graph, b, options.prelude) : undefined;
  const input = staged?.points ?? imageInput(graph);
  const { logits, softmaxOutput } = logitsOf(b, graph);
  const [batch, classes] = b.shape(logits);

  // Target selection: c_b = target_class_b if ≥ 0 else argmax_k logits_bk. (A required input: runtimes
  // such as onnxruntime's JavaScript API do not let a feed override an initializer listed as an input.)
  // With a prelude, one class for the whole batch of points: target_class [1], broadcast.
  graph.values.set(TARGET_INPUT, { dtype: 'int64', shape: [staged ? 1 : batch] });
  graph.inputs.push(TARGET_INPUT);
  const requested = staged ? b.op('Expand', [TARGET_INPUT, b.int64([batch])]) : TARGET_INPUT;
  const top = b.op('ArgMax', [logits], { axis: attr.int(1), keepdims: attr.int(0) }, 'top1');
  const chosen = b.op('Where', [b.op('Less', [requested, b.constant(makeTensor('int64', [], [0]))]), top, requested], {}, 'chosen');
  // Seed: one-hot e_c, so the backward pass computes ∂(Σ_b y_{b,c_b})/∂x, i.e. each image's own gradient.
  const oneHot = oneHotRows(b, chosen, classes, 'seed');

  // The seed at the logits: e_c for the logit target; for the probability target ∂p_c/∂z = p_c(e_c − p),
  // with its c-th entry p_c(1 − p_c) computed as p_c·Σ_{j≠c} p_j, which keeps full float32 precision
  // when p_c ≈ 1 (1 − p_c would cancel to 0 or to a multiple of 2⁻²⁴).
  let seed = oneHot;
  if (options.target === 'probability') {
    const p = softmaxOutput ?? b.op('Softmax', [logits], { axis: attr.int(-1) }, 'probabilities');
    const others = b.op('Sub', [b.scalar(1), oneHot], {}, 'not_target');
    const sumAxis = () => b.int64([1]);
    const pc = b.op('ReduceSum', [b.op('Mul', [p, oneHot]), sumAxis()], { keepdims: attr.int(1) }, 'p_target');
    const rest = b.op('ReduceSum', [b.op('Mul', [p, others]), sumAxis()], { keepdims: attr.int(1) }, 'p_rest');
    const direction = b.op('Sub', [b.op('Mul', [oneHot, rest]), b.op('Mul', [others, p])]);
    seed = b.op('Mul', [pc, direction], {}, 'seed_probability');
  }
  const allowStatic = options.target !== 'probability' && options.staticGradients !== false;
  // A pooled classifier head (global pool → fully connected → logits) is differentiated at compile
  // time: a backward pass starts at the pool's output with the gathered class row (pooledHeadSeed).
  const head = allowStatic ? pooledHeadSeed(graph, logits) : undefined;
  const seedsFor = (wrt: string): ReadonlyMap<string, string> =>
    head && wrt !== head.value && dependents(graph, wrt).has(head.value)
      ? new Map([[head.value, head.build(b, chosen)]])
      : new Map([[logits, seed]]);
  let staticPasses = 0;
  let dynamicPasses = 0;
  const context: MethodContext = {
    b,
    input,
    layout: inputLayout(graph, input),
    options: options.methodOptions ?? {},
    gradient: (wrt, rectifier) => {
      const plan = allowStatic ? staticGradientFor(graph, wrt, logits) : undefined;
      if (plan) {
        staticPasses++;
        return plan.build(b, chosen, rectifier);
      }
      dynamicPasses++;
      return appendBackward(graph, { wrt, seeds: seedsFor(wrt), rectifier });
    },
    layer: () => resolveLayer(graph, input, logits, options.methodOptions?.layer),
  };
  const built = options.method.build(context);
  const attribution = staged ? options.prelude!.aggregate(b, built.attribution, staged.userInput) : built.attribution;
  const layerMap = staged ? undefined : built.layerMap;

  // Give the outputs their public names by renaming the values (no Identity nodes to dispatch); a model
  // value already holding one of the names is renamed away first.
  const named = (value: string, name: string) => {
    if (value === name) return name;
    if (graph.values.has(name)) renameValue(graph, name, b.fresh(`${name}_model`));
    if (graph.inputs.includes(value) || graph.outputs.includes(value)) {
      b.append({ op: 'Identity', name: `${name}_output`, inputs: [value], outputs: [name], attrs: {} });
    } else {
      renameValue(graph, value, name);
    }
    return name;
  };
  graph.outputs = [
    named(logits, EXPLAINED_OUTPUTS.logits),
    named(attribution, EXPLAINED_OUTPUTS.attribution),
    named(chosen, EXPLAINED_OUTPUTS.target),
    ...(layerMap ? [named(layerMap, EXPLAINED_OUTPUTS.layerMap)] : []),
  ];
  graph.metadata.set('heatlens.method', options.method.name);
  graph.metadata.set('heatlens.target', options.target ?? 'logit');
  const isStatic = staticPasses > 0 && dynamicPasses === 0;
  graph.metadata.set('heatlens.static', String(isStatic));
  removeDeadCode(graph);
  return { graph, input: staged?.userInput ?? input, batch, classes, static: isStatic, backwardPasses: dynamicPasses };
}

/**
 * A forward-only graph over a prelude's batch of points: outputs `logits` [m, classes]. Used for the
 * Integrated Gradients pilot and the path's end points.
 */
export function compileForwardPath(model: Graph, prelude: BatchPrelude): { graph: Graph; input: string } {
  const graph = cloneGraph(model);
  const b = new GraphBuilder(graph, 'hl_');
  const { userInput } = attachPrelude(graph, b, prelude);
  const { logits } = logitsOf(b, graph);
  if (graph.values.has(EXPLAINED_OUTPUTS.logits) && logits !== EXPLAINED_OUTPUTS.logits) renameValue(graph, EXPLAINED_OUTPUTS.logits, b.fresh('logits_model'));
  if (logits !== EXPLAINED_OUTPUTS.logits) {
    if (graph.outputs.includes(logits)) b.append({ op: 'Identity', name: 'logits_output', inputs: [logits], outputs: [EXPLAINED_OUTPUTS.logits], attrs: {} });
    else renameValue(graph, logits, EXPLAINED_OUTPUTS.logits);
  }
  graph.outputs = [EXPLAINED_OUTPUTS.logits];
  removeDeadCode(graph);
  return { graph, input: userInput };
}
