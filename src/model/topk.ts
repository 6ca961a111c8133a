/** Top-k classes from logits, with softmax probabilities p_k = e^{z_k − max z} / Σ_j e^{z_j − max z}. */
export interface RankedClass {
  index: number;
  label?: string;
  logit: number;
  probability: number;
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export function topK(logits: ArrayLike<number>, k: number, labels?: readonly string[]): RankedClass[] {
  const probabilities = softmax(logits);
  return [...Array(logits.length).keys()]
    .sort((a, b) => logits[b] - logits[a])
    .slice(0, k)
    .map((index) => ({ index, label: labels?.[index], logit: logits[index], probability: probabilities[index] }));
}
