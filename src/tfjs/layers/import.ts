/**
 * TensorFlow.js Layers model (Keras config + weights) → IR graph.
 *
 * The Keras topology is read in the forms Keras 2.1–2.x, tf.keras, tfjs-layers and Keras 3 write:
 *   Sequential: config = [layer, …] (Keras ≤ 2.1) or { name, layers }, the input shape on an InputLayer
 *     or on the first layer's batch_input_shape;
 *   Model / Functional: { name, layers, input_layers, output_layers }, each layer's inbound_nodes either
 *     [[[name, node_index, tensor_index, kwargs?], …], …] (Keras 2, tfjs) or
 *     [{ args: [… { class_name: '__keras_tensor__', config: { keras_history: [name, n, t] } } …] }] (Keras 3).
 * The graph keeps the Keras NHWC input [batch, H, W, C] and transposes it to NCHW at once; inside,
 * every map is NCHW (types.ts). Values and nodes are named after the Keras layers: a layer's output is
 * the value `<layer>`, its internal values `<layer>/<step>` (a shared layer's k-th call: `<layer>@k`).
 */
import { INPUT_LAYOUT_KEY } from '../../compile/layout.js';
import { HeatlensError } from '../../errors.js';
import { GraphBuilder } from '../../ir/builder.js';
import { type Graph, type Node, attr, consumers, emptyGraph, getInt, producers, renameValue } from '../../ir/graph.js';
import { type Tensor, formatShape, makeTensor } from '../../ir/tensor.js';
import { type KerasObject, type ModelJson, isKerasObject, kerasModelConfig } from '../modelJson.js';
import { readWeights } from '../weights.js';
import { LayerConfig } from './config.js';
import { isKnownLayer, layerConverters } from './index.js';
import { TO_NCHW, kerasValue } from './layout.js';
import type { KerasTensor, LayerContext } from './types.js';

export interface LayersImportOptions {
  /** The batch size fixed in the graph (Keras leaves it open). Default 1. */
  batch?: number;
}

interface TensorRef {
  readonly layer: string;
  readonly node: number;
  readonly tensor: number;
}

interface LayerSpec {
  readonly name: string;
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** One entry per call of the layer: the tensors it reads. */
  readonly calls: readonly (readonly TensorRef[])[];
}

interface Topology {
  readonly name: string;
  /** InputLayers with their Keras shapes (batch entry −1 when open). */
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: string }[];
  readonly layers: readonly LayerSpec[];
  readonly outputs: readonly TensorRef[];
}

const MODEL_CLASSES = ['Sequential', 'Model', 'Functional'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const refKey = (r: TensorRef): string => `${r.layer}:${r.node}:${r.tensor}`;

/** The computation dtype of a layer: a string or a DTypePolicy {class_name, config: {name}}. */
function computeDtype(config: Readonly<Record<string, unknown>>): string {
  const d = config.dtype;
  if (d === undefined || d === null) return 'float32';
  if (typeof d === 'string') return d;
  if (isRecord(d) && isRecord(d.config) && typeof d.config.name === 'string') return d.config.name;
  return JSON.stringify(d);
}

class TopologyReader {
  constructor(private readonly file: string) {}

  fail(message: string): never {
    throw new HeatlensError(`${this.file}: ${message}`, 'E_MODEL');
  }

  layerName(layer: KerasObject, where: string): string {
    const name = layer.name ?? (isRecord(layer.config) ? layer.config.name : undefined);
    if (typeof name !== 'string' || !name) this.fail(`${where} (${layer.class_name}) has no name`);
    return name;
  }

  config(layer: KerasObject, name: string): Record<string, unknown> {
    if (!isRecord(layer.config)) this.fail(`layer '${name}' (${layer.class_name}) has no config object`);
    return layer.config;
  }

  /** [name, node, tensor, kwargs?] → TensorRef. */
  ref(raw: unknown, where: string): TensorRef {
    if (!Array.isArray(raw) || raw.length < 3 || typeof raw[0] !== 'string' || !Number.isInteger(raw[1]) || !Number.isInteger(raw[2])) {
      this.fail(`${where}: expected [layer_name, node_index, tensor_index], got ${JSON.stringify(raw)}`);
    }
    return { layer: raw[0], node: raw[1] as number, tensor: raw[2] as number };
  }

  /** input_layers / output_layers: [[name, n, t], …], or one [name, n, t] (Keras 3 with one input). */
  refList(raw: unknown, where: string): TensorRef[] {
    if (!Array.isArray(raw) || raw.length === 0) this.fail(`${where} is missing or empty`);
    return typeof raw[0] === 'string' ? [this.ref(raw, where)] : raw.map((r) => this.ref(r, where));
  }

  /** Every `__keras_tensor__` in a Keras 3 call's args, in order. */
  kerasTensors(raw: unknown, where: string, into: TensorRef[] = []): TensorRef[] {
    if (Array.isArray(raw)) raw.forEach((r) => this.kerasTensors(r, where, into));
    else if (isRecord(raw) && raw.class_name === '__keras_tensor__' && isRecord(raw.config)) into.push(this.ref(raw.config.keras_history, where));
    return into;
  }

  inbound(raw: unknown, name: string): TensorRef[][] {
    if (!Array.isArray(raw)) this.fail(`layer '${name}' has no inbound_nodes list`);
    return raw.map((node, i) => {
      const where = `layer '${name}' inbound node ${i}`;
      if (Array.isArray(node)) return node.map((r) => this.ref(r, where));
      if (isRecord(node) && 'args' in node) return this.kerasTensors(node.args, where);
      return this.fail(`${where}: unrecognised format ${JSON.stringify(node).slice(0, 80)}`);
    });
  }

  inputShape(config: Record<string, unknown>, name: string): number[] {
    const raw = config.batch_input_shape ?? config.batch_shape ?? (Array.isArray(config.input_shape) ? [null, ...config.input_shape] : undefined);
    if (!Array.isArray(raw) || !raw.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
      this.fail(`input '${name}' has no usable batch_input_shape (got ${JSON.stringify(raw)})`);
    }
    return raw.map((d) => (d === null ? -1 : (d as number)));
  }

  /** Fails on input kinds heatlens cannot feed (sparse or ragged tensors). */
  plainInput(config: Record<string, unknown>, name: string): void {
    for (const key of ['sparse', 'ragged']) if (config[key] === true) this.fail(`input '${name}' is ${key}; heatlens imports dense image inputs`);
  }


  read(model: KerasObject): Topology {
    if (!MODEL_CLASSES.includes(model.class_name)) {
      this.fail(`the Keras model class '${model.class_name}' is not one heatlens imports (${MODEL_CLASSES.join(', ')})`);
    }
    return model.class_name === 'Sequential' ? this.sequential(model) : this.functional(model);
  }

  sequential(model: KerasObject): Topology {
    const config = model.config;
    const list = Array.isArray(config) ? config : isRecord(config) ? config.layers : undefined;
    const modelName = isRecord(config) && typeof config.name === 'string' ? config.name : 'sequential';
    if (!Array.isArray(list) || list.length === 0) this.fail('the Sequential model has no layers');
    const objects = list.map((l, i) => (isKerasObject(l) ? l : this.fail(`Sequential layer ${i} is not a {class_name, config} object`)));
    const named = objects.map((l, i) => ({ object: l, name: this.layerName(l, `Sequential layer ${i}`) }));
    const [first] = named;
    const firstConfig = this.config(first.object, first.name);
    const explicitInput = first.object.class_name === 'InputLayer';
    if (explicitInput) this.plainInput(firstConfig, first.name);
    const input = {
      name: explicitInput ? first.name : `${first.name}_input`,
      shape: this.inputShape(firstConfig, first.name),
      dtype: computeDtype(firstConfig),
    };
    const body = explicitInput ? named.slice(1) : named;
    let previous: TensorRef = { layer: input.name, node: 0, tensor: 0 };
    const layers = body.map(({ object, name }) => {
      const spec: LayerSpec = { name, className: object.class_name, config: this.config(object, name), calls: [[previous]] };
      previous = { layer: name, node: 0, tensor: 0 };
      return spec;
    });
    return { name: modelName, inputs: [input], layers, outputs: [previous] };
  }

  functional(model: KerasObject): Topology {
    const config = isRecord(model.config) ? model.config : this.fail(`the ${model.class_name} model has no config object`);
    const list = Array.isArray(config.layers) ? config.layers : this.fail(`the ${model.class_name} model has no layers list`);
    const inputs: { name: string; shape: number[]; dtype: string }[] = [];
    const layers: LayerSpec[] = [];
    list.forEach((l, i) => {
      if (!isKerasObject(l)) this.fail(`layer ${i} is not a {class_name, config} object`);
      const name = this.layerName(l, `layer ${i}`);
      const layerConfig = this.config(l, name);
      if (l.class_name === 'InputLayer') {
        this.plainInput(layerConfig, name);
        inputs.push({ name, shape: this.inputShape(layerConfig, name), dtype: computeDtype(layerConfig) });
        return;
      }
      layers.push({ name, className: l.class_name, config: layerConfig, calls: this.inbound(l.inbound_nodes, name) });
    });
    const inputRefs = this.refList(config.input_layers, 'input_layers');
    const ordered = inputRefs.map((r) => inputs.find((i) => i.name === r.layer) ?? this.fail(`input_layers names '${r.layer}', which is not an InputLayer`));
    return {
      name: typeof config.name === 'string' ? config.name : 'model',
      inputs: ordered,
      layers,
      outputs: this.refList(config.output_layers, 'output_layers'),
    };
  }
}

/** Fails listing every layer whose class has no converter (class and layer names), at once. */
function checkSupported(file: string, topology: Topology): void {
  const byClass = new Map<string, string[]>();
  for (const layer of topology.layers) {
    if (isKnownLayer(layer.className)) continue;
    byClass.set(layer.className, [...(byClass.get(layer.className) ?? []), layer.name]);
  }
  if (byClass.size === 0) return;
  const list = [...byClass].map(([cls, names]) => `${cls} (${names.slice(0, 5).map((n) => `'${n}'`).join(', ')}${names.length > 5 ? `, … ${names.length} layers` : ''})`);
  throw new HeatlensError(
    `${file}: unsupported Keras layer classes: ${list.join('; ')}; heatlens imports ${Object.keys(layerConverters).join(', ')}`,
    'E_UNSUPPORTED_LAYER',
  );
}

/** The weight `<layer>/<key>`, also when tfjs prefixed it with a scope (`model/<layer>/<key>`) or suffixed ':0'. */
function findWeight(weights: Map<string, Tensor>, layer: string, key: string): [string, Tensor] | undefined {
  const wanted = `${layer}/${key}`;
  const exact = weights.get(wanted);
  if (exact) return [wanted, exact];
  for (const [name, t] of weights) {
    const bare = name.replace(/:0$/, '');
    if (bare === wanted || bare.endsWith(`/${wanted}`)) return [name, t];
  }
  return undefined;
}

/**
 * Reshape/Flatten(Softmax(x, axis)) at an output → Softmax(Reshape/Flatten(x), −1) when the output is
 * [N, K] and `axis` is x's only non-unit axis besides the batch (MobileNet's softmax on [N,1,1,K]
 * before Reshape((K,))): the same numbers, but the output is now written by a Softmax, whose input
 * the compiler explains as the pre-softmax logits.
 */
function softmaxLast(graph: Graph, b: GraphBuilder): void {
  const writers = producers(graph);
  const readers = consumers(graph);
  for (const out of graph.outputs) {
    const shaper = writers.get(out);
    if (!shaper || (shaper.op !== 'Reshape' && shaper.op !== 'Flatten')) continue;
    const soft = writers.get(shaper.inputs[0]);
    if (!soft || soft.op !== 'Softmax' || readers.get(soft.outputs[0])?.length !== 1 || graph.outputs.includes(soft.outputs[0])) continue;
    const inShape = b.shape(soft.inputs[0]);
    const outShape = b.shape(out);
    const raw = getInt(soft, 'axis', -1);
    const axis = raw < 0 ? raw + inShape.length : raw;
    const alone = inShape.every((d, i) => i === 0 || i === axis || d === 1);
    if (outShape.length !== 2 || axis === 0 || outShape[1] !== inShape[axis] || !alone) continue;
    const logits = b.fresh(`${out}/logits`);
    const reshaped: Node = { ...shaper, inputs: [soft.inputs[0], ...shaper.inputs.slice(1)], outputs: [logits] };
    const softmax: Node = { ...soft, inputs: [logits], outputs: [out], attrs: { ...soft.attrs, axis: attr.int(-1) } };
    graph.nodes = graph.nodes.map((n) => (n === soft ? reshaped : n === shaper ? softmax : n));
    graph.values.delete(soft.outputs[0]);
    graph.values.set(logits, { dtype: b.dtype(out), shape: outShape });
  }
}

/** The IR shape a Keras tensor must have (types.ts). */
const irShape = (t: KerasTensor): readonly number[] => (t.shape.length === 4 ? TO_NCHW.map((i) => t.shape[i]) : t.shape);

export function importLayersModel(file: string, json: ModelJson, options: LayersImportOptions = {}): Graph {
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new HeatlensError(`batch must be a positive integer, got ${batch}`, 'E_USAGE');
  const model = kerasModelConfig(json);
  if (!model) throw new HeatlensError(`${file}: modelTopology holds no Keras model config`, 'E_MODEL');
  const topology = new TopologyReader(file).read(model);
  checkSupported(file, topology);
  const weights = readWeights(file, json.weightsManifest);

  const graph = emptyGraph(topology.name);
  const b = new GraphBuilder(graph);
  const tensors = new Map<string, KerasTensor>();
  for (const input of topology.inputs) {
    const where = `${file}: input '${input.name}'`;
    if (input.dtype !== 'float32') throw new HeatlensError(`${where} has dtype ${input.dtype}; heatlens imports float32 image inputs`, 'E_MODEL');
    if (input.shape.slice(1).some((d) => d < 1)) {
      const shown = JSON.stringify(input.shape.map((d) => (d < 0 ? null : d)));
      throw new HeatlensError(`${where} has shape ${shown}; heatlens needs static height, width and channels`, 'E_MODEL');
    }
    const shape = [batch, ...input.shape.slice(1)];
    graph.inputs.push(input.name);
    graph.values.set(input.name, { dtype: 'float32', shape });
    b.fresh(input.name);
    const value = shape.length === 4 ? b.op('Transpose', [input.name], { perm: attr.ints(TO_NCHW) }, `${input.name}/nchw`) : input.name;
    tensors.set(refKey({ layer: input.name, node: 0, tensor: 0 }), { value, shape });
  }

  const constants = new Map<string, string>();
  const scalars = new Map<number, string>();
  const contextFor = (layer: LayerSpec, callName: string): LayerContext => {
    const fail = (message: string): never => {
      throw new HeatlensError(`${file}: layer '${layer.name}' (${layer.className}): ${message}`, 'E_MODEL');
    };
    return {
      b,
      layer: layer.name,
      className: layer.className,
      config: new LayerConfig(layer.config, fail),
      fail,
      op: (op, inputs, attrs = {}, hint) => b.op(op, inputs, attrs, `${callName}/${hint ?? op.toLowerCase()}`),
      constant(hint, make) {
        const key = `${layer.name}/${hint}`;
        let name = constants.get(key);
        if (!name) constants.set(key, (name = b.constant(make(), key)));
        return name;
      },
      scalar(value) {
        let name = scalars.get(value);
        if (!name) scalars.set(value, (name = b.scalar(value, 'float32', `const_${value}`)));
        return name;
      },
      weight(key, expected) {
        const found = findWeight(weights, layer.name, key);
        if (!found) return fail(`weight '${layer.name}/${key}' is not in the weights manifest`);
        const [name, t] = found;
        const fits = expected === undefined
          || (expected.length === t.dims.length && expected.every((d, i) => d === undefined || d === t.dims[i]));
        if (!fits) fail(`weight '${name}' has shape ${formatShape(t.dims)}, the layer needs ${formatShape(expected!.map((d) => d ?? -1))}`);
        return t.dtype === 'float32' ? t : makeTensor('float32', t.dims, t.data);
      },
    };
  };

  const pending = topology.layers.flatMap((layer) => layer.calls.map((inputs, call) => ({ layer, call, inputs })));
  while (pending.length > 0) {
    const ready = pending.findIndex((p) => p.inputs.every((r) => tensors.has(refKey(r))));
    if (ready < 0) {
      const stuck = pending[0];
      const missing = stuck.inputs.filter((r) => !tensors.has(refKey(r))).map((r) => `${r.layer}[${r.node}][${r.tensor}]`);
      throw new HeatlensError(`${file}: layer '${stuck.layer.name}' reads ${missing.join(', ')}, which no layer produces`, 'E_MODEL');
    }
    const [{ layer, call, inputs: refs }] = pending.splice(ready, 1);
    const callName = call === 0 ? layer.name : `${layer.name}@${call}`;
    const ctx = contextFor(layer, callName);
    const dtype = computeDtype(layer.config);
    if (dtype !== 'float32') ctx.fail(`computes in dtype ${dtype}; heatlens imports float32 layers`);
    const converter = layerConverters[layer.className];
    const [min, max] = converter.arity;
    if (refs.length < min || refs.length > max) ctx.fail(`takes ${min === max ? min : `${min}–${max}`} inputs, the model gives it ${refs.length}`);
    const inputs = refs.map((r) => tensors.get(refKey(r))!);
    const outName = b.fresh(callName);
    let out: KerasTensor;
    try {
      out = converter.convert(ctx, inputs);
    } catch (e) {
      // Shape inference rejecting a node here means the model's own shapes are inconsistent.
      if (e instanceof HeatlensError) throw e;
      return ctx.fail(`cannot be imported for inputs ${inputs.map((t) => formatShape(t.shape)).join(', ')}: ${(e as Error).message.split('\n')[0]}`);
    }
    const held = b.shape(out.value);
    if (held.join() !== irShape(out).join()) {
      throw new Error(`${layer.className} converter for '${layer.name}' returned IR shape ${formatShape(held)} for Keras shape ${formatShape(out.shape)}`);
    }
    const fresh = !graph.inputs.includes(out.value) && !inputs.some((t) => t.value === out.value);
    if (fresh) renameValue(graph, out.value, outName);
    tensors.set(refKey({ layer: layer.name, node: call, tensor: 0 }), fresh ? { ...out, value: outName } : out);
  }

  graph.outputs = topology.outputs.map((r) => {
    const t = tensors.get(refKey(r));
    if (!t) throw new HeatlensError(`${file}: output_layers names '${r.layer}' node ${r.node}, which the model does not compute`, 'E_MODEL');
    if (r.tensor !== 0) throw new HeatlensError(`${file}: output '${r.layer}' tensor ${r.tensor}: heatlens imports single-output layers`, 'E_MODEL');
    const layer = topology.layers.find((l) => l.name === r.layer) ?? { name: r.layer, className: 'InputLayer', config: {}, calls: [] };
    // Outputs in Keras layout: maps back to NHWC, NCHW-flattened vectors back to Keras order.
    return kerasValue(contextFor(layer, `${r.layer}/output`), t);
  });
  softmaxLast(graph, b);
  graph.metadata.set('heatlens.source_format', 'tfjs-layers-model');
  graph.metadata.set(INPUT_LAYOUT_KEY, 'NHWC');
  return graph;
}
