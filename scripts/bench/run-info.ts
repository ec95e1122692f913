// Where and when a bench ran, written beside every result: figures from different machines, commits
// or a busy machine must not be compared as if they were alike.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { ROOT } from '../supergraph-config.ts';

export interface RunInfo {
  id: string;
  date: string;
  commit: string;
  node: string;
  machine: { cpu: string; cores: number; memoryGb: number; kernel: string };
  /** 1, 5 and 15 minute load averages when the bench started; other work on the machine shows here. */
  loadAtStart: number[];
  loadAtEnd?: number[];
  /** Whether the gateway under test had a core of its own (taskset). */
  pinned: boolean;
  flags: Record<string, unknown>;
}

function git(...args: string[]): string {
  const result = spawnSync('git', args, { cwd: ROOT.pathname, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : '';
}

/** The commit, marked when the work tree has changes that are not in it. */
function commitDescription(): string {
  const commit = git('rev-parse', '--short=12', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--untracked-files=no') ? `${commit} + uncommitted changes` : commit;
}

const roundedLoad = () => loadavg().map((value) => Math.round(value * 100) / 100);

export function collectRunInfo(flags: Record<string, unknown>, pinned: boolean): RunInfo {
  const date = new Date();
  const processors = cpus();
  return {
    id: date.toISOString().replaceAll(/[:.]/g, '-'),
    date: date.toISOString(),
    commit: commitDescription(),
    node: process.version,
    machine: {
      cpu: processors[0]?.model.trim() ?? 'unknown',
      cores: processors.length,
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      kernel: release(),
    },
    loadAtStart: roundedLoad(),
    pinned,
    flags,
  };
}

export function finishRunInfo(info: RunInfo): RunInfo {
  return { ...info, loadAtEnd: roundedLoad() };
}
