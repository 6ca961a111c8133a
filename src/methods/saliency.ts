/** saliency (Simonyan et al. 2014): |∂y_c/∂x|. */
import { gradientMethod } from './gradientFamily.js';
import { exactRectifier } from './rectifiers.js';

export const saliency = gradientMethod({
  name: 'saliency',
  summary: 'absolute gradient |∂y_c/∂x| (Simonyan et al. 2014)',
  rectifier: exactRectifier,
  head: (b, _x, g) => b.op('Abs', [g], {}, 'saliency'),
  signed: false,
});
