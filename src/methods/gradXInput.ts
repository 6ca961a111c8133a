/** grad × input (Shrikumar et al. 2016): x ⊙ ∂y_c/∂x. */
import { gradientMethod } from './gradientFamily.js';
import { exactRectifier } from './rectifiers.js';

export const gradXInput = gradientMethod({
  name: 'grad-x-input',
  summary: 'input times gradient x ⊙ ∂y_c/∂x',
  rectifier: exactRectifier,
  head: (b, x, g) => b.op('Mul', [x, g], {}, 'grad_x_input'),
  signed: true,
});
