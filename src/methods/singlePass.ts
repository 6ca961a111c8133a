/**
 * The single-pass methods: one compiled graph gives the logits and the attribution. Nothing here runs
 * a session, so this table also serves the browser entry (../browser.ts); index.ts adds the methods
 * that drive several runs (Integrated Gradients).
 */
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

export const singlePassMethods = {
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

export type SinglePassMethodName = keyof typeof singlePassMethods;

export const singlePassMethodNames = Object.keys(singlePassMethods) as SinglePassMethodName[];

/** `table[name]`, or a usage error naming the `kind` of method and listing the table's names. */
export function methodIn<T>(table: Readonly<Record<string, T>>, name: string, kind: string): T {
  if (!Object.hasOwn(table, name)) throw new HeatlensError(`unknown ${kind} '${name}' (choose from ${Object.keys(table).join(', ')})`, 'E_USAGE');
  return table[name];
}

export function singlePassMethodByName(name: string): AttributionMethod {
  return methodIn(singlePassMethods, name, 'single-pass method');
}
