/**
 * The committed record of which node tests pass (test/fixtures/conformance.json) and the comparison of a
 * run against it. Each test maps to "pass" (every stage passes) or to its failing stages with their
 * one-line reasons; a failing import lists only `import` (the later stages could not run).
 *
 * A regression is a stage the record says passes that now fails or cannot run (or a test the record has
 * that is no longer selected); it fails the conformance test. Stages that newly pass and tests the
 * record lacks are reported, with a hint to regenerate the record (`npm run conformance`).
 */
import { type NodeTestResult, STAGES, type Stage } from './nodeTests.js';

export type Expectation = 'pass' | Partial<Record<Stage, string>>;
export type ExpectationFile = Record<string, Expectation>;

export function expectationOf(r: NodeTestResult): Expectation {
  const failing = STAGES.filter((s) => r.stages[s] !== true);
  if (failing.length === 0) return 'pass';
  return Object.fromEntries(failing.map((s) => [s, r.stages[s] ?? 'not run'])) as Partial<Record<Stage, string>>;
}

export function expectationsOf(results: readonly NodeTestResult[]): ExpectationFile {
  return Object.fromEntries([...results].sort((a, b) => (a.name < b.name ? -1 : 1)).map((r) => [r.name, expectationOf(r)]));
}

/** Whether the record says `stage` of a test passes. */
export function expectedToPass(e: Expectation | undefined, stage: Stage): boolean {
  if (e === undefined) return false;
  if (e === 'pass') return true;
  return !('import' in e) && !(stage in e);
}

export interface Comparison {
  /** "test stage: reason" for each stage that passed in the record and does not now. */
  regressions: string[];
  /** "test stage" for each stage that newly passes. */
  improvements: string[];
  /** Selected tests the record lacks. */
  added: string[];
  /** "test stage: old reason → new reason" where a failing stage fails differently. */
  changed: string[];
}

export function compareWithExpectations(record: ExpectationFile, results: readonly NodeTestResult[]): Comparison {
  const cmp: Comparison = { regressions: [], improvements: [], added: [], changed: [] };
  const seen = new Set<string>();
  for (const r of results) {
    seen.add(r.name);
    const e = record[r.name];
    if (e === undefined) {
      cmp.added.push(r.name);
      continue;
    }
    for (const stage of STAGES) {
      const now = r.stages[stage];
      const was = expectedToPass(e, stage);
      if (was && now !== true) {
        const why = now ?? `not run (import failed: ${r.stages.import})`;
        cmp.regressions.push(`${r.name} ${stage}: ${why}`);
      } else if (!was && now === true) {
        cmp.improvements.push(`${r.name} ${stage}`);
      } else if (!was && typeof now === 'string' && typeof e === 'object' && e[stage] !== undefined && e[stage] !== now) {
        cmp.changed.push(`${r.name} ${stage}: ${e[stage]} → ${now}`);
      }
    }
  }
  for (const [name, e] of Object.entries(record)) {
    if (!seen.has(name) && STAGES.some((s) => expectedToPass(e, s))) cmp.regressions.push(`${name}: no longer selected (an op left the IR's op table?)`);
  }
  return cmp;
}
