import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import { StartupError } from '@supergraph/config';
import type { Logger } from '@supergraph/logging';

export const COMPOSE_HINT = 'run `npm run compose` to write it from supergraph.yaml, or set SUPERGRAPH_PATH';

function readSupergraph(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'there is no supergraph'
        : 'cannot read the supergraph';
    throw new StartupError(`${reason} at ${path}`, COMPOSE_HINT, { cause: error });
  }
}

/**
 * The gateway's `supergraphSdl` hook for a composed supergraph on disk (DESIGN 6): serves the file's
 * graph and hands each new version to the gateway when the file changes, so `npm run compose` (or a
 * new ConfigMap) takes effect without a restart. A version the gateway refuses is logged and the
 * previous graph stays in service.
 *
 * The file is polled (fs.watchFile) rather than watched with inotify: `compose` and Kubernetes replace
 * the file by renaming over it, which an inotify watch on the old inode never sees, and bind mounts
 * from another OS deliver no events at all.
 */
export function supergraphFromFile(options: {
  path: string;
  logger: Logger;
  intervalMs?: number;
}): SupergraphSdlHook {
  const { path, logger } = options;
  return async ({ update }) => {
    let current = readSupergraph(path);
    const onChange = (now: Stats) => {
      // A removed file is usually mid-replacement; the next poll sees the new one.
      if (now.nlink === 0) return;
      let next: string;
      try {
        next = readFileSync(path, 'utf8');
      } catch (error) {
        logger.warn(
          { err: error, path },
          'cannot read the changed supergraph; still serving the previous one',
        );
        return;
      }
      if (next === current) return;
      try {
        update(next);
        current = next;
        logger.info({ path }, 'supergraph reloaded');
      } catch (error) {
        // A half-written file lands here too; the write that completes it triggers another poll.
        logger.error({ err: error, path }, 'supergraph update rejected; still serving the previous one');
      }
    };
    watchFile(path, { interval: options.intervalMs ?? 1_000, persistent: false }, onChange);
    return {
      supergraphSdl: current,
      cleanup: async () => unwatchFile(path, onChange),
    };
  };
}
