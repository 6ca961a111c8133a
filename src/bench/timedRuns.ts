/**
 * The timing loop every benchmark shares: `warmup` untimed calls, then `runs` timed ones. Plain code
 * (performance.now only), so the browser demo page runs the same loop.
 */
export async function timedRuns(run: () => Promise<unknown>, warmup: number, runs: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times;
}
