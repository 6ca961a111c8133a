/** The method registry: every attribution method by its CLI name. */
import { HeatlensError } from '../errors.js';
import { integratedGradients } from './integratedGradients.js';
import { singlePassMethods } from './singlePass.js';
import { type AnyMethod, type AttributionMethod, isDriven } from './types.js';

export const methods = {
  ...singlePassMethods,
  'integrated-gradients': integratedGradients,
} as const satisfies Record<string, AnyMethod>;

export type MethodName = keyof typeof methods;

export const methodNames = Object.keys(methods) as MethodName[];

export function methodByName(name: string): AnyMethod {
  if (!Object.hasOwn(methods, name)) {
    throw new HeatlensError(`unknown method '${name}' (choose from ${methodNames.join(', ')})`, 'E_USAGE');
  }
  return methods[name as MethodName];
}

/** A single-pass method by name (for callers that compile one graph directly). */
export function graphMethodByName(name: string): AttributionMethod {
  const method = methodByName(name);
  if (isDriven(method)) throw new HeatlensError(`'${name}' runs several passes; use it through explain()`, 'E_USAGE');
  return method;
}
