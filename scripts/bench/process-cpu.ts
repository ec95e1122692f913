// Where the CPU goes: every process's user + system time, sampled before and after a stretch of work.
// The bench's own processes are named by the caller; the local servers every process talks to, Postgres
// and Redis, are found by command name and summed over all their processes (Postgres runs one per
// connection), whoever they serve: they are shared services, so their figure is an approximation.
import { cpuByCommand, sampleProcessTree } from './measure.ts';

/** Local servers: a label by process command name; each is summed over its processes. */
const SERVERS: Record<string, string> = { postgres: 'postgres', 'redis-server': 'redis' };

export const SERVER_LABELS: readonly string[] = Object.values(SERVERS);

/** CPU milliseconds used so far, by process: a named process by its name, a server's by `label#pid`. */
export type CpuSample = Map<string, number>;

/** Each process's CPU so far (its descendants included), and every process of the local servers. */
export function sampleCpu(processes: ReadonlyArray<{ name: string; pid: number }>): CpuSample {
  const sample: CpuSample = new Map();
  for (const { name, pid } of processes) sample.set(name, sampleProcessTree(pid).cpuMs);
  for (const [pid, { command, cpuMs }] of cpuByCommand(Object.keys(SERVERS))) {
    sample.set(`${SERVERS[command]}#${pid}`, cpuMs);
  }
  return sample;
}

/**
 * CPU milliseconds used between two samples, by label (a server's processes summed, one that started in
 * between counted from zero, one that exited in between left out: its time is gone with it), in the
 * order the later sample holds them.
 */
export function cpuUsed(before: CpuSample, after: CpuSample): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [key, cpuMs] of after) {
    const label = key.split('#')[0] as string;
    used[label] = (used[label] ?? 0) + Math.max(0, cpuMs - (before.get(key) ?? 0));
  }
  return used;
}
