/** The canonicalisation pipeline run on every imported model before differentiation. */
import type { Graph } from '../ir/graph.js';
import { removeDeadCode } from './deadCode.js';
import { foldBatchNorm } from './foldBatchNorm.js';
import { foldConstants } from './foldConstants.js';
import { removeIdentities } from './removeIdentity.js';

export function canonicalise(graph: Graph): Graph {
  foldConstants(graph);
  removeIdentities(graph);
  foldBatchNorm(graph);
  return removeDeadCode(graph);
}
