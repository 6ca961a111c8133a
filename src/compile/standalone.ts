/**
 * The standalone explained graph of any method, as `heatlens compile` writes it and `heatlens bench`
 * times it: single-pass methods as compiled, Integrated Gradients with its points baked in, SmoothGrad
 * with the noise as an input.
 */
import type { Graph } from '../ir/graph.js';
import { methodByName } from '../methods/index.js';
import { type SmoothKind, smoothed } from '../methods/smoothgrad.js';
import { type DrivenOptions, isDriven } from '../methods/types.js';
import { batchedModels } from '../model/load.js';
import { HeatlensError } from '../errors.js';
import { compileExplained, TARGET_INPUT, type TargetKind } from './explain.js';

export interface StandaloneRequest {
  modelPath: string;
  method: string;
  batch: number;
  target?: TargetKind;
  layer?: string;
  driven?: DrivenOptions;
  smooth?: { kind: SmoothKind; samples: number };
}

export interface Standalone {
  graph: Graph;
  /** Human-readable description of each input. */
  inputs: string[];
  static: boolean;
}

export function standaloneGraph(req: StandaloneRequest): Standalone {
  const method = methodByName(req.method);
  const model = batchedModels(req.modelPath);
  if (isDriven(method) || req.smooth) {
    if (req.smooth && isDriven(method)) throw new HeatlensError(`${req.smooth.kind} wraps a gradient method, not ${method.name}`, 'E_USAGE');
    if (req.batch !== 1) throw new HeatlensError(`${req.method}${req.smooth ? ` with ${req.smooth.kind}` : ''} explains one image per graph: --batch must be 1`, 'E_USAGE');
    const driven = isDriven(method) ? method : smoothed(method, { ...req.smooth!, noiseStd: 0 });
    const { graph, inputs } = driven.standalone(model, req.driven ?? {});
    return { graph, inputs, static: false };
  }
  const g = model(req.batch);
  const explained = compileExplained(g, { method, target: req.target, methodOptions: { layer: req.layer } });
  const shape = g.values.get(g.inputs[0])!.shape;
  return {
    graph: explained.graph,
    inputs: [`${explained.input} [${shape.join('×')}]`, `${TARGET_INPUT} int64 [${req.batch}] (class per image; −1 = top-1)`],
    static: explained.static,
  };
}
