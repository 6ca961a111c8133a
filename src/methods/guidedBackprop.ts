/** guided backpropagation (Springenberg et al. 2015): only positive gradients through active rectifiers. */
import { gradientMethod } from './gradientFamily.js';
import { guidedRectifier } from './rectifiers.js';

export const guidedBackprop = gradientMethod({
  name: 'guided-backprop',
  summary: 'guided backpropagation: R·1[f>0]·1[R>0] at rectifiers (Springenberg et al. 2015)',
  rectifier: guidedRectifier,
  head: (_b, _x, g) => g,
  signed: true,
});
