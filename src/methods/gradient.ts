/** gradient: the signed gradient ∂y_c/∂x. */
import type { AttributionMethod } from './types.js';
import { exactRectifier } from './rectifiers.js';

export const gradient: AttributionMethod = {
  name: 'gradient',
  summary: 'signed gradient ∂y_c/∂x',
  rectifier: exactRectifier,
  head: (_b, _x, g) => g,
  signed: true,
};
