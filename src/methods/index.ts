/** The method registry: every attribution method by its CLI name. */
import { HeatlensError } from '../errors.js';
import { deconvnet } from './deconvnet.js';
import { gradcam } from './gradcam.js';
import { gradcamPlusPlus } from './gradcamPlusPlus.js';
import { gradient } from './gradient.js';
import { gradXInput } from './gradXInput.js';
import { guidedBackprop } from './guidedBackprop.js';
import { guidedGradcam } from './guidedGradcam.js';
import { hirescam } from './hirescam.js';
import { saliency } from './saliency.js';
import type { AttributionMethod } from './types.js';

export const methods = {
  gradient,
  saliency,
  'grad-x-input': gradXInput,
  'guided-backprop': guidedBackprop,
  deconvnet,
  gradcam,
  'gradcam++': gradcamPlusPlus,
  hirescam,
  'guided-gradcam': guidedGradcam,
} as const satisfies Record<string, AttributionMethod>;

export type MethodName = keyof typeof methods;

export const methodNames = Object.keys(methods) as MethodName[];

export function methodByName(name: string): AttributionMethod {
  if (!Object.hasOwn(methods, name)) {
    throw new HeatlensError(`unknown method '${name}' (choose from ${methodNames.join(', ')})`, 'E_USAGE');
  }
  return methods[name as MethodName];
}
