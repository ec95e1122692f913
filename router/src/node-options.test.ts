import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ROUTER_NODE_OPTIONS, routerNodeOptions } from './node-options.ts';

describe('the router heap bounds', () => {
  it('are the ones the container image starts the router with', () => {
    const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toContain(`ENV NODE_OPTIONS="${ROUTER_NODE_OPTIONS}"`);
  });

  it("come after the caller's own options, which they keep", () => {
    expect(routerNodeOptions('--enable-source-maps')).toBe(`--enable-source-maps ${ROUTER_NODE_OPTIONS}`);
    expect(routerNodeOptions(undefined)).toBe(ROUTER_NODE_OPTIONS);
  });
});
