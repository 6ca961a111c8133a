/**
 * The explain pipeline as a library call: model file + images (or a .npy tensor) + method → logits,
 * attribution and the class explained, for a whole batch in one compiled graph.
 */
import { extname } from 'node:path';
import { HeatlensError } from './errors.js';
import { compileExplained, type TargetKind } from './compile/explain.js';
import type { DisplayImage } from './image/load.js';
import { batchTensors, loadImageTensor } from './image/load.js';
import { type Preset, mergePreset, presetFromInputShape } from './image/preset.js';
import { findPresetForModel } from './image/presetFile.js';
import { finiteFloat32, readNpy } from './io/npy.js';
import { formatShape, numel } from './ir/tensor.js';
import { type SmoothOptions, smoothed } from './methods/smoothgrad.js';
import { type AnyMethod, type AttributionMethod, type DrivenOptions, isDriven } from './methods/types.js';
import { methodByName } from './methods/index.js';
import { batchedModels, loadModel } from './model/load.js';
import { runExplained, sessionForGraph } from './runtime/session.js';

export interface ExplainRequest {
  modelPath: string;
  /** Image files (one batch), or one .npy float tensor in the model's input layout. */
  inputs: readonly string[];
  method: string;
  /** Class per image; −1 (default) = top-1. One value applies to every image. */
  targets?: readonly number[];
  targetKind?: TargetKind;
  preset?: Partial<Preset>;
  threads?: number;
  /** Target layer for CAM methods (value or node name). */
  layer?: string;
  /** Options of Integrated Gradients and SmoothGrad (steps, scheme, baseline, …). */
  driven?: DrivenOptions;
  /** Wrap the (gradient-family) method in SmoothGrad. */
  smooth?: SmoothOptions;
  /** Progress lines for long runs. */
  progress?(message: string): void;
}

/** SmoothGrad wraps single-pass gradient methods only. */
function asGraphMethod(method: AnyMethod, kind: string): AttributionMethod {
  if (isDriven(method)) throw new HeatlensError(`${kind} wraps a gradient method, not ${method.name}`, 'E_USAGE');
  return method;
}

export interface ExplainOutcome {
  inputShape: number[];
  batch: number;
  classes: number;
  logits: Float32Array;
  attribution: Float32Array;
  attributionDims: number[];
  targets: number[];
  /** Per image, the RGB view the model saw (absent for .npy inputs). */
  displays?: DisplayImage[];
  preset?: Preset;
  /** The layer-resolution map of CAM methods ([B,1,h,w]). */
  layerMap?: { data: Float32Array; dims: number[] };
  /** Whether the explanation was computed without any backward pass (static Grad-CAM). */
  static: boolean;
  backwardPasses: number;
  /** Per image, what a multi-run method reports (IG: steps, δ; SmoothGrad: samples, σ). */
  details?: Record<string, unknown>[];
  /** For IG and SmoothGrad, which compile and open sessions as they go, compile and session are 0 and run includes them. */
  timingsMs: { load: number; compile: number; session: number; run: number };
}

const isNpy = (path: string) => extname(path).toLowerCase() === '.npy';

async function npyInput(path: string): Promise<{ tensor: Float32Array; dims: number[] }> {
  const npy = await readNpy(path);
  if (npy.dtype !== 'float32' && npy.dtype !== 'float64') {
    throw new HeatlensError(`${path}: input tensor must be float32 (got ${npy.dtype})`, 'E_INPUT');
  }
  return { tensor: finiteFloat32(npy.data as Float32Array | Float64Array, path, 'input tensor'), dims: npy.shape };
}

export async function explain(request: ExplainRequest): Promise<ExplainOutcome> {
  const method = methodByName(request.method);
  const clock = () => performance.now();
  let t0 = clock();
  if (request.inputs.length === 0) throw new HeatlensError('no input given', 'E_USAGE');
  const npy = request.inputs.some(isNpy);
  if (npy && request.inputs.length !== 1) throw new HeatlensError('give either one .npy tensor or image files, not both', 'E_USAGE');
  const raw = npy ? await npyInput(request.inputs[0]) : undefined;
  const batch = raw ? raw.dims[0] ?? 1 : request.inputs.length;
  if (raw && batch < 1) throw new HeatlensError(`${request.inputs[0]} has shape ${formatShape(raw.dims)}: an empty batch`, 'E_INPUT');
  const { graph } = loadModel(request.modelPath, batch);
  const inputName = graph.inputs[0];
  const inputShape = [...graph.values.get(inputName)!.shape];
  if (raw && raw.dims.length !== inputShape.length) {
    // The batch was taken from the .npy's first axis; with another rank that guess is meaningless.
    throw new HeatlensError(`${request.inputs[0]} has shape ${formatShape(raw.dims)}, the model expects [batch×${inputShape.slice(1).join('×')}]`, 'E_INPUT');
  }
  if (inputShape[0] !== batch) {
    throw new HeatlensError(`${request.modelPath} has a fixed batch of ${inputShape[0]}; got ${batch} input(s)`, 'E_INPUT');
  }

  let tensor: Float32Array;
  let displays: DisplayImage[] | undefined;
  let preset: Preset | undefined;
  if (raw) {
    if (raw.dims.join() !== inputShape.join()) {
      throw new HeatlensError(`${request.inputs[0]} has shape ${formatShape(raw.dims)}, the model expects ${formatShape(inputShape)}`, 'E_INPUT');
    }
    tensor = raw.tensor;
  } else {
    const base = findPresetForModel(request.modelPath) ?? presetFromInputShape(inputShape);
    preset = request.preset ? mergePreset(base, request.preset) : base;
    const images = await Promise.all(request.inputs.map((p) => loadImageTensor(p, preset!)));
    const batched = batchTensors(images);
    if (batched.dims.join() !== inputShape.join()) {
      throw new HeatlensError(`the preset makes images of shape ${formatShape(batched.dims)}, the model expects ${formatShape(inputShape)}; check the preset`, 'E_INPUT');
    }
    tensor = batched.tensor;
    displays = images.map((i) => i.display);
  }
  const tLoad = clock() - t0;

  const outputShape = graph.values.get(graph.outputs[0])!.shape;
  const classes = numel(outputShape) / batch;
  const targets = request.targets?.length === 1 ? new Array(batch).fill(request.targets[0]) : [...(request.targets ?? new Array(batch).fill(-1))];
  if (targets.length !== batch) throw new HeatlensError(`${targets.length} targets given for ${batch} image${batch === 1 ? '' : 's'}`, 'E_USAGE');
  for (const t of targets) {
    if (!Number.isInteger(t) || t < -1 || t >= classes) {
      throw new HeatlensError(`class index ${t} is out of range: the model has ${classes} classes (0–${classes - 1})`, 'E_USAGE');
    }
  }
  const common = { inputShape, batch, classes, displays, preset };

  const driven = request.smooth ? smoothed(asGraphMethod(method, request.smooth.kind), request.smooth) : isDriven(method) ? method : undefined;
  if (driven) {
    // One image at a time: each image's points (IG) or noisy copies (SmoothGrad) form the batch.
    const model = batchedModels(request.modelPath);
    const per = tensor.length / batch;
    const single = [1, ...inputShape.slice(1)];
    t0 = clock();
    const results = [];
    for (let i = 0; i < batch; i++) {
      results.push(await driven.drive({
        model, input: tensor.slice(i * per, (i + 1) * per), dims: single, target: targets[i], preset,
        options: request.driven ?? {}, threads: request.threads, progress: request.progress,
      }));
    }
    const tRun = clock() - t0;
    const attribution = new Float32Array(results.reduce((n, r) => n + r.attribution.length, 0));
    results.forEach((r, i) => attribution.set(r.attribution, i * r.attribution.length));
    const logits = new Float32Array(batch * classes);
    results.forEach((r, i) => logits.set(r.logits, i * classes));
    return {
      ...common,
      logits,
      attribution,
      attributionDims: [batch, ...results[0].attributionDims.slice(1)],
      targets: results.map((r) => r.target),
      static: false,
      backwardPasses: 1,
      details: results.map((r) => r.details),
      timingsMs: { load: tLoad, compile: 0, session: 0, run: tRun },
    };
  }

  t0 = clock();
  const explained = compileExplained(graph, { method: method as AttributionMethod, target: request.targetKind, methodOptions: { layer: request.layer } });
  const tCompile = clock() - t0;
  t0 = clock();
  const session = await sessionForGraph(explained.graph, { threads: request.threads });
  const tSession = clock() - t0;
  t0 = clock();
  const result = await runExplained(session, inputName, tensor, inputShape, targets);
  const tRun = clock() - t0;
  await session.release();
  return {
    ...common,
    logits: result.logits,
    attribution: result.attribution,
    attributionDims: result.attributionDims,
    targets: result.target,
    layerMap: result.layerMap,
    static: explained.static,
    backwardPasses: explained.backwardPasses,
    timingsMs: { load: tLoad, compile: tCompile, session: tSession, run: tRun },
  };
}
