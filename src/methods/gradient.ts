/** gradient: the signed gradient ∂y_c/∂x. */
import { gradientMethod } from './gradientFamily.js';
import { exactRectifier } from './rectifiers.js';

export const gradient = gradientMethod({
  name: 'gradient',
  summary: 'signed gradient ∂y_c/∂x',
  rectifier: exactRectifier,
  head: (_b, _x, g) => g,
  signed: true,
});
