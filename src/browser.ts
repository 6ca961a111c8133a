/**
 * heatlens in a web page (`import … from 'heatlens/browser'`): compile an ONNX classifier's bytes into
 * the explained graph, prepare a canvas's pixels as its input, and turn the attribution into heat-map
 * pixels — the same code as the CLI, with no file system, no sharp and no onnxruntime-node. Run the
 * compiled bytes with onnxruntime-web. Single-pass methods only (Integrated Gradients and SmoothGrad
 * drive several runs from Node); ONNX models only (TensorFlow.js models: `heatlens convert` first).
 *
 *   const model = compileExplainedModel(new Uint8Array(await (await fetch('model.onnx')).arrayBuffer()), { method: 'gradcam' });
 *   const session = await ort.InferenceSession.create(model.onnx, { executionProviders: ['wasm'] });
 *   const { tensor, dims, display } = tensorFromPixels(ctx.getImageData(0, 0, w, h).data, model.preset, 4);
 *   const out = await session.run({ [model.input]: new ort.Tensor('float32', tensor, dims), [TARGET_INPUT]: … });
 *   const [image] = heatmapImages(out.attribution.data, out.attribution.dims, { layout: model.preset.layout, displays: [display], overlay: true, colormap: 'inferno' });
 */
import { compileExplained, imageInput, type TargetKind } from './compile/explain.js';
import { type Preset, mergePreset, presetFromInputShape } from './image/preset.js';
import { singlePassMethodByName } from './methods/singlePass.js';
import { readModel } from './onnx/read.js';
import { encodeModel } from './onnx/write.js';
import { canonicalise } from './passes/canonicalise.js';

export { EXPLAINED_OUTPUTS, TARGET_INPUT, type TargetKind } from './compile/explain.js';
export { HeatlensError } from './errors.js';
export { COLORMAPS, type ColormapName, applyColormap } from './heatmap/colormap.js';
export { type HeatmapImageOptions, type RgbImage, bilinear, heatmapImages, renderHeatmapRgb } from './heatmap/compose.js';
export { NORMALISATIONS, type Normalisation, normaliseMap } from './heatmap/normalise.js';
export { REDUCTIONS, type Reduction, reduceChannels } from './heatmap/reduce.js';
export { type Preset, mergePreset, parsePreset, presetFromInputShape } from './image/preset.js';
export { type DisplayImage, type ImageTensor, tensorFromPixels } from './image/tensorize.js';
export { singlePassMethodNames, type SinglePassMethodName } from './methods/singlePass.js';
export { type RankedClass, softmax, topK } from './model/topk.js';

export interface BrowserCompileRequest {
  /** A single-pass method: gradient, saliency, grad-x-input, guided-backprop, deconvnet, gradcam, … */
  method: string;
  /** Images per run (shapes are static); default 1. */
  batch?: number;
  /** CAM methods' target layer (value or node name); default the last with spatial size > 1. */
  layer?: string;
  /** Differentiate the logit (default) or the softmax probability. */
  target?: TargetKind;
  /** Preprocessing; fields not given come from the input shape (pixels/255, no mean/std). */
  preset?: Partial<Preset>;
  /** Name of the model in error messages. */
  source?: string;
}

export interface BrowserExplainedModel {
  /** The explained graph as ONNX bytes, as `heatlens compile` writes it. */
  onnx: Uint8Array;
  /** The image input's name; the other input is TARGET_INPUT (int64 [batch], −1 = top-1). */
  input: string;
  inputShape: number[];
  classes: number;
  preset: Preset;
  /** True when no backward pass runs (static Grad-CAM). */
  static: boolean;
}

/** The explained graph of an ONNX model's bytes (the steps of `heatlens compile`, without files). */
export function compileExplainedModel(modelBytes: Uint8Array, request: BrowserCompileRequest): BrowserExplainedModel {
  const method = singlePassMethodByName(request.method);
  const graph = canonicalise(readModel(modelBytes, { batch: request.batch ?? 1, source: request.source ?? 'model' }));
  const explained = compileExplained(graph, { method, target: request.target, methodOptions: { layer: request.layer } });
  const inputShape = [...graph.values.get(imageInput(graph))!.shape];
  return {
    onnx: encodeModel(explained.graph),
    input: explained.input,
    inputShape,
    classes: explained.classes,
    preset: mergePreset(presetFromInputShape(inputShape), request.preset ?? {}),
    static: explained.static,
  };
}
