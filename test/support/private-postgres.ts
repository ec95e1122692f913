import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** A superuser URL (trust auth), on the `postgres` database. */
  adminUrl: string;
  /** Restarts the server as an operator would (`pg_ctl restart -m fast`): every session is cut. */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
}

/** The server's own programs (initdb, pg_ctl), which Debian keeps off PATH. */
async function binDir(): Promise<string> {
  const { stdout } = await run('pg_config', ['--bindir']);
  return stdout.trim();
}

/**
 * A Postgres cluster of the test's own, in a temporary folder on a free port, so a test can restart
 * Postgres without disturbing the other test files that share the machine's one. Postgres refuses to
 * run as root: as root, its programs run as the `postgres` user.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await binDir();
  const root = process.getuid?.() === 0;
  const owner = root ? Number((await run('id', ['-u', 'postgres'])).stdout.trim()) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'private-postgres-'));
  if (owner !== undefined) chownSync(dir, owner, owner);
  const data = join(dir, 'data');
  const port = await freePort();
  const asOwner = (program: string, args: string[]) =>
    root
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args])
      : run(join(bin, program), args);
  // The whole shop (six subgraphs and four workers, each with its pool) connects to it.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off`;

  await asOwner('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  await asOwner('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => {
      await asOwner('pg_ctl', [
        '-D',
        data,
        '-o',
        options,
        '-l',
        join(dir, 'log'),
        '-m',
        'fast',
        '-w',
        'restart',
      ]);
    },
    stop: async () => {
      await asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
