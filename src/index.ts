/** heatlens as a library: the pieces the CLI is made of. */
export { HeatlensError } from './errors.js';
export { readModel, readModelFile, type ReadOptions } from './onnx/read.js';
export { encodeModel, writeModelFile } from './onnx/write.js';
export { canonicalise } from './passes/canonicalise.js';
export { alignLabels, importModelFile, loadModel, loadLabels } from './model/load.js';
export { importTfjsModel } from './tfjs/index.js';
export { inspectModel, type ModelReport } from './model/inspect.js';
export { compileExplained, EXPLAINED_OUTPUTS, TARGET_INPUT, type ExplainOptions, type ExplainedGraph } from './compile/explain.js';
export { methods, methodByName, methodNames, type MethodName } from './methods/index.js';
export type { AttributionMethod } from './methods/types.js';
export { backwardRules, type DifferentiableOp } from './grad/rules/index.js';
export { appendBackward } from './grad/backward.js';
export { runGraph } from './interp/run.js';
export { createSession, runExplained, sessionForGraph } from './runtime/session.js';
export { explain, type ExplainRequest, type ExplainOutcome } from './pipeline.js';
export type { Graph, Node, ValueInfo } from './ir/graph.js';
export type { Tensor } from './ir/tensor.js';
