/** DeconvNet (Zeiler & Fergus 2014): ReLU(R) at rectifiers, no forward masks. */
import { gradientMethod } from './gradientFamily.js';
import { deconvRectifier } from './rectifiers.js';

export const deconvnet = gradientMethod({
  name: 'deconvnet',
  summary: 'DeconvNet: ReLU(R) at rectifiers, no forward mask (Zeiler & Fergus 2014)',
  rectifier: deconvRectifier,
  head: (_b, _x, g) => g,
  signed: true,
});
