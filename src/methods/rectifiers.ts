/**
 * The three rectifier rules (Springenberg et al. 2015, "Striving for simplicity", Fig. 1), with R the
 * gradient arriving at the rectifier output and d its exact local derivative:
 *   exact (the true gradient): R·d
 *   guided backpropagation:    ReLU(R)·d
 *   DeconvNet:                 ReLU(R)   (ignores the forward pass: no mask is kept at all)
 */
import type { RectifierRule } from '../grad/types.js';

export const exactRectifier: RectifierRule = (b, dy, derivative) => b.op('Mul', [dy, derivative()], {}, 'rect_exact');

export const guidedRectifier: RectifierRule = (b, dy, derivative) =>
  b.op('Mul', [b.op('Relu', [dy]), derivative()], {}, 'rect_guided');

export const deconvRectifier: RectifierRule = (b, dy) => b.op('Relu', [dy], {}, 'rect_deconv');
