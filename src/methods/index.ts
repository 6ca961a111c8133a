/** The method registry: every attribution method by its CLI name. */
import { HeatlensError } from '../errors.js';
import { integratedGradients } from './integratedGradients.js';
import { methodIn, singlePassMethods } from './singlePass.js';
import { type AnyMethod, type AttributionMethod, isDriven } from './types.js';

export const methods = {
  ...singlePassMethods,
  'integrated-gradients': integratedGradients,
} as const satisfies Record<string, AnyMethod>;

export type MethodName = keyof typeof methods;

export const methodNames = Object.keys(methods) as MethodName[];

export function methodByName(name: string): AnyMethod {
  return methodIn(methods, name, 'method');
}

/** A single-pass method by name (for callers that compile one graph directly). */
export function graphMethodByName(name: string): AttributionMethod {
  const method = methodByName(name);
  if (isDriven(method)) throw new HeatlensError(`'${name}' runs several passes; use it through explain()`, 'E_USAGE');
  return method;
}
