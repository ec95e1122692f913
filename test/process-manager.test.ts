import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { eventually } from '@supergraph/testing';
import type { BackoffPolicy } from '../scripts/supervisor/backoff.ts';
import { Supervisor, type ProcessSpec } from '../scripts/supervisor/supervisor.ts';
import { freePort } from './support/free-port.ts';
import { isRunning } from './support/process-alive.ts';

// The process manager behind `npm start` (scripts/supervisor/), run on small real processes
// (support/supervised-child.ts) with short delays; test/supervisor.test.ts runs it on the supergraph.

const ROOT = new URL('..', import.meta.url).pathname;
const CHILD = 'test/support/supervised-child.ts';

interface Run {
  supervisor: Supervisor;
  log: string[];
  output: Array<[string, string]>;
  /** Each process's pid, from the latest `<name> started (pid N)` line. */
  pids: () => Map<string, number>;
  waitForLog: (pattern: RegExp, from?: number) => Promise<RegExpMatchArray>;
}

const runs: Run[] = [];
const dirs: string[] = [];

afterEach(async () => {
  // What a failed test left running: killed, and no restart timer left behind.
  for (const run of runs.splice(0)) {
    run.supervisor.kill();
    await run.supervisor.stop();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function child(name: string, env: Record<string, string> = {}): Promise<ProcessSpec> {
  const port = await freePort();
  return {
    name,
    entry: CHILD,
    env: { FIXTURE_NAME: name, PORT: String(port), ...env },
    readyUrl: `http://127.0.0.1:${port}/ready`,
  };
}

/** A file whose existence makes a child fail to start (FIXTURE_FAIL_WHILE). */
function failFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'process-manager-'));
  dirs.push(dir);
  return join(dir, 'fail');
}

function supervisor(options: {
  backoff: BackoffPolicy;
  stopTimeoutMs?: number;
  readyTimeoutMs?: number;
}): Run {
  const log: string[] = [];
  const output: Array<[string, string]> = [];
  const run: Run = {
    supervisor: new Supervisor({
      cwd: ROOT,
      env: { PATH: process.env.PATH },
      log: (line) => log.push(line),
      output: (name, line) => output.push([name, line]),
      readyPollMs: 20,
      ...options,
    }),
    log,
    output,
    pids: () => {
      const found = new Map<string, number>();
      for (const line of log) {
        const match = /^(\S+) started \(pid (\d+)\)$/.exec(line);
        if (match) found.set(match[1]!, Number(match[2]));
      }
      return found;
    },
    waitForLog: (pattern, from = 0) =>
      eventually(async () => {
        for (const line of log.slice(from)) {
          const match = pattern.exec(line);
          if (match) return match;
        }
        return undefined;
      }, 20_000),
  };
  runs.push(run);
  return run;
}

const withoutStarts = (lines: string[]) => lines.filter((line) => !/ started \(pid \d+\)$/.test(line));

describe('the process manager, once everything is up', () => {
  it('restarts a process that exits, by a signal or with a code, with growing waits, and leaves the rest running', async () => {
    const run = supervisor({ backoff: { initialMs: 100, factor: 2, maxMs: 400, resetAfterMs: 60_000 } });
    const specs = { a: await child('a'), b: await child('b'), c: await child('c') };
    await run.supervisor.start([[specs.a, specs.b], [specs.c]]);
    const first = run.pids();
    expect([...first.keys()]).toEqual(['a', 'b', 'c']);
    expect(run.output).toContainEqual(['a', `listening on ${specs.a.env.PORT}`]);

    process.kill(first.get('a')!, 'SIGKILL');
    await run.waitForLog(/^a exited \(signal SIGKILL\); restart 1 in 0\.1 s$/);
    const [, second] = await run.waitForLog(/^a ready again \(pid (\d+)\)$/);
    expect(Number(second)).not.toBe(first.get('a'));

    const from = run.log.length;
    process.kill(Number(second), 'SIGUSR2');
    await run.waitForLog(/^a exited \(code 7\); restart 2 in 0\.2 s$/, from);
    const [, third] = await run.waitForLog(/^a ready again \(pid (\d+)\)$/, from);
    expect(Number(third)).not.toBe(Number(second));

    for (const name of ['b', 'c']) {
      expect([name, run.pids().get(name)]).toEqual([name, first.get(name)]);
      expect([name, isRunning(first.get(name)!)]).toEqual([name, true]);
    }
    expect(run.log.filter((line) => / exited /.test(line) && !line.startsWith('a '))).toEqual([]);
    await run.supervisor.stop();
  });

  it('backs off to its cap on a crash loop, says so once, and starts over once the process stays ready', async () => {
    const run = supervisor({ backoff: { initialMs: 50, factor: 2, maxMs: 200, resetAfterMs: 1_000 } });
    const file = failFile();
    const a = await child('a', { FIXTURE_FAIL_WHILE: file });
    await run.supervisor.start([[a]]);

    writeFileSync(file, '');
    process.kill(run.pids().get('a')!, 'SIGKILL');
    await run.waitForLog(/^a exited \(code 3\); restart 5 in 0\.2 s$/);
    expect(withoutStarts(run.log).slice(0, 6)).toEqual([
      'a exited (signal SIGKILL); restart 1 in 0.05 s',
      'a exited (code 3); restart 2 in 0.1 s',
      'a exited (code 3); restart 3 in 0.2 s',
      'a keeps exiting (3 times without staying ready 1 s); restarting it every 0.2 s until it does',
      'a exited (code 3); restart 4 in 0.2 s',
      'a exited (code 3); restart 5 in 0.2 s',
    ]);
    expect(run.output).toContainEqual(['a', `a: cannot start: ${file} exists`]);

    rmSync(file);
    const [, pid] = await run.waitForLog(/^a ready again \(pid (\d+)\)$/);
    const from = run.log.length;
    await run.waitForLog(/^a has stayed ready 1 s; its next restart waits 0\.05 s again$/, from);
    process.kill(Number(pid), 'SIGKILL');
    const [restart] = await run.waitForLog(/^a exited \(signal SIGKILL\); restart \d+ in .*$/, from);
    expect(restart).toMatch(/; restart \d+ in 0\.05 s$/);
    expect(run.log.filter((line) => line.includes('keeps exiting'))).toHaveLength(1);
    await run.supervisor.stop();
  });
});

describe('the process manager, stopping', () => {
  it('stops the last group first, kills a process that ignores SIGTERM, and restarts nothing', async () => {
    const run = supervisor({
      backoff: { initialMs: 60_000, factor: 2, maxMs: 60_000, resetAfterMs: 60_000 },
      stopTimeoutMs: 2_000,
    });
    const [a, stubborn, c] = [
      await child('a'),
      await child('stubborn', { FIXTURE_IGNORE_SIGTERM: '1' }),
      await child('c'),
    ];
    await run.supervisor.start([[a, stubborn], [c]]);
    const pids = run.pids();
    // A restart is due in a minute when the stop comes: it must not happen.
    process.kill(pids.get('a')!, 'SIGKILL');
    await run.waitForLog(/^a exited \(signal SIGKILL\); restart 1 in 60 s$/);

    const from = run.log.length;
    await run.supervisor.stop();
    expect(run.log.slice(from)).toEqual([
      'stopping c',
      'c stopped (code 0)',
      'stopping stubborn',
      'stubborn did not stop within 2 s of SIGTERM; killing it',
      'stubborn stopped (signal SIGKILL)',
    ]);
    expect(run.output).toContainEqual(['stubborn', 'ignoring SIGTERM']);
    for (const [name, pid] of pids) expect([name, isRunning(pid)]).toEqual([name, false]);
  });
});

describe('the process manager, before everything is up', () => {
  it('fails the start when a process exits before it was ready, starts nothing more, and restarts nothing', async () => {
    const run = supervisor({ backoff: { initialMs: 50, factor: 2, maxMs: 200, resetAfterMs: 1_000 } });
    const file = failFile();
    writeFileSync(file, '');
    const [a, bad, c] = [
      await child('a'),
      await child('bad', { FIXTURE_FAIL_WHILE: file }),
      await child('c'),
    ];

    await expect(run.supervisor.start([[a, bad], [c]])).rejects.toThrow(
      new Error('bad exited (code 3) before it was ready'),
    );
    expect(run.output).toContainEqual(['bad', `bad: cannot start: ${file} exists`]);
    await run.supervisor.stop();
    // Stopped by its SIGTERM handler, or by SIGTERM itself if it had not got as far as installing one.
    expect(withoutStarts(run.log)).toEqual([
      'stopping a',
      expect.stringMatching(/^a stopped \((code 0|signal SIGTERM)\)$/),
    ]);
    expect([...run.pids().keys()]).toEqual(['a', 'bad']);
  });

  it('fails the start when a process is not ready in time', async () => {
    const run = supervisor({
      backoff: { initialMs: 50, factor: 2, maxMs: 200, resetAfterMs: 1_000 },
      readyTimeoutMs: 500,
    });
    const slow = await child('slow', { FIXTURE_NEVER_READY: '1' });

    await expect(run.supervisor.start([[slow]])).rejects.toThrow(
      new Error(`slow was not ready at ${slow.readyUrl} within 0.5 s`),
    );
    await run.supervisor.stop();
    expect(withoutStarts(run.log)).toEqual([
      'stopping slow',
      expect.stringMatching(/^slow stopped \((code 0|signal SIGTERM)\)$/),
    ]);
  });
});
