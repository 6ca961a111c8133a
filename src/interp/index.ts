/** The reference interpreter (float64, or float32-rounded) over the IR. */
export { type Precision, type RunOptions, evaluateNode, runGraph } from './run.js';
export { type Kernel, kernels } from './kernels/index.js';
