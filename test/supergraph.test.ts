import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  composeSupergraph,
  readSupergraphConfig,
  ROOT,
  SUPERGRAPH_FILE,
} from '../scripts/supergraph-config.ts';

const installed = JSON.parse(
  readFileSync(new URL('node_modules/@apollo/composition/package.json', ROOT), 'utf8'),
) as { version: string };

describe('supergraph.graphql', () => {
  it('composes from supergraph.yaml without errors', () => {
    const composition = composeSupergraph();
    expect(composition.ok ? [] : composition.errors).toEqual([]);
  });

  it('is committed fresh: it equals what `npm run compose` writes', () => {
    const composition = composeSupergraph();
    if (!composition.ok) throw new Error(composition.errors.join('\n'));
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composition.sdl);
  });

  it('lists every subgraph folder, on the port DESIGN gives it, at the composition version installed', () => {
    const config = readSupergraphConfig();
    expect(config.federationVersion).toBe(`=${installed.version}`);
    for (const subgraph of config.subgraphs) {
      expect(subgraph.schemaFile.pathname).toContain(`/subgraphs/${subgraph.name}/schema.graphql`);
    }
    const folders = readdirSync(new URL('subgraphs/', ROOT)).filter((name) =>
      existsSync(new URL(`subgraphs/${name}/schema.graphql`, ROOT)),
    );
    expect(config.subgraphs.map((s) => s.name).sort()).toEqual(folders.sort());
    const ports = Object.fromEntries(config.subgraphs.map((s) => [s.name, new URL(s.routingUrl).port]));
    expect(ports).toEqual({
      users: '4001',
      products: '4002',
      inventory: '4003',
      orders: '4004',
      payments: '4005',
      notifications: '4006',
    });
  });
});
