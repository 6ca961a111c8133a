/** grad × input (Shrikumar et al. 2016): x ⊙ ∂y_c/∂x. */
import type { AttributionMethod } from './types.js';
import { exactRectifier } from './rectifiers.js';

export const gradXInput: AttributionMethod = {
  name: 'grad-x-input',
  summary: 'input times gradient x ⊙ ∂y_c/∂x',
  rectifier: exactRectifier,
  head: (b, x, g) => b.op('Mul', [x, g], {}, 'grad_x_input'),
  signed: true,
};
