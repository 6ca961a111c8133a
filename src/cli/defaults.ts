/** Where the built-in default model and sample image live (relative to the package root). */
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export const DEFAULT_MODEL = `${root}models/default/model.onnx`;
export const DEFAULT_IMAGE = `${root}models/default/sample.png`;
