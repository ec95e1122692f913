// Where the saga's CPU goes: every process's user + system time over a phase of the saga bench, from the
// first order placed until the saga settled, divided by the orders placed. The sum says how many orders
// per second the machine's cores could carry at all, whatever the tuning of the pipeline's waits.
// Sampling is process-cpu.ts's, shared with the gateway bench.
import { cpuUsed, type CpuSample } from './process-cpu.ts';
import { markdownTable } from './report.ts';

/**
 * CPU milliseconds per order between two samples, by process (a server's processes summed, one that
 * started in between counted from zero), the busiest first, with `total` last. Empty when no order was
 * placed.
 */
export function cpuPerOrder(before: CpuSample, after: CpuSample, orders: number): Record<string, number> {
  if (orders === 0) return {};
  const perOrder = Object.entries(cpuUsed(before, after))
    .map(([label, cpuMs]) => [label, cpuMs / orders] as const)
    .sort((a, b) => b[1] - a[1]);
  const total = perOrder.reduce((sum, [, cpuMs]) => sum + cpuMs, 0);
  return Object.fromEntries([...perOrder, ['total', total]]);
}

/**
 * The markdown table: one row per process, one column per phase's rate, then the orders per second
 * the machine's cores could confirm at each phase's cost, were CPU the only limit.
 */
export function cpuTable(
  phases: ReadonlyArray<{ rate: number; cpuMsPerOrder: Record<string, number> }>,
  cores: number,
): string {
  const labels = [...new Set(phases.flatMap((phase) => Object.keys(phase.cpuMsPerOrder)))];
  const rows = labels
    .filter((label) => label !== 'total')
    .sort((a, b) => (phases[0]?.cpuMsPerOrder[b] ?? 0) - (phases[0]?.cpuMsPerOrder[a] ?? 0));
  const cell = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(1));
  return markdownTable(
    ['CPU ms per order', ...phases.map((phase) => `at ${phase.rate} orders/s`)],
    [
      ...rows.map((label) => [label, ...phases.map((phase) => cell(phase.cpuMsPerOrder[label]))]),
      ['**total**', ...phases.map((phase) => `**${cell(phase.cpuMsPerOrder.total)}**`)],
      [
        `orders/s ${cores} cores could carry at this cost`,
        ...phases.map((phase) => {
          const total = phase.cpuMsPerOrder.total;
          return total ? ((cores * 1000) / total).toFixed(0) : 'n/a';
        }),
      ],
    ],
  );
}
