import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { StartupError } from '@supergraph/config';

export const MANIFEST_HINT =
  'run `npm run persisted-queries` to write it from router/operations, or set PERSISTED_QUERY_MANIFEST';

/** The hash Apollo Server and Apollo Client give an operation: sha256 of its text, in hex. */
export function operationId(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

const operationSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hash in hex'),
  name: z.string().min(1),
  type: z.enum(['query', 'mutation', 'subscription']),
  body: z.string().min(1),
});

/**
 * Apollo's persisted query manifest format (the one @apollo/generate-persisted-query-manifest writes and
 * GraphOS persisted query lists take), so a client team's generated manifest can be committed as is.
 */
const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(operationSchema),
});

export type ManifestOperation = z.output<typeof operationSchema>;
export type PersistedQueryManifest = z.output<typeof manifestSchema>;

/** The manifest's text for these operations, as the generator commits it. */
export function formatManifest(operations: ManifestOperation[]): string {
  const manifest: PersistedQueryManifest = {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Reads and checks the committed manifest: its shape, and that every id is the hash of its body (an id
 * that is not would let the router run a body the client never registered under it).
 */
export function loadManifest(path: string): Map<string, ManifestOperation> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StartupError(`cannot read the persisted query manifest at ${path}`, MANIFEST_HINT, {
      cause: error,
    });
  }
  let parsed: PersistedQueryManifest;
  try {
    parsed = manifestSchema.parse(JSON.parse(text));
  } catch (error) {
    const reason =
      error instanceof z.ZodError ? z.prettifyError(error).replaceAll('\n', '; ') : String(error);
    throw new StartupError(`the persisted query manifest at ${path} is not valid: ${reason}`, MANIFEST_HINT, {
      cause: error,
    });
  }
  const operations = new Map<string, ManifestOperation>();
  for (const operation of parsed.operations) {
    if (operationId(operation.body) !== operation.id) {
      throw new StartupError(
        `the persisted query manifest at ${path} is not valid: operation ${operation.name}'s id is not the sha256 of its body`,
        MANIFEST_HINT,
      );
    }
    operations.set(operation.id, operation);
  }
  return operations;
}
