// Before any load: every target must give the same answer to the same read, with no errors. A gateway
// that fails to pass the caller's identity or the signature would answer fast and wrong (or with
// errors), and its figures would mean nothing.
import { signInternalRequest } from '@supergraph/identity';
import type { Operation, Workload } from './scenarios.ts';
import { targetLabel, type Target } from './targets.ts';

export interface Verification {
  scenario: string;
  target: string;
  ok: boolean;
  problem?: string;
}

export async function postOperation(
  target: Target,
  operation: Operation,
): Promise<{ status: number; json: unknown }> {
  const body = JSON.stringify({ query: operation.query, variables: operation.variables });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (operation.token) headers.authorization = `Bearer ${operation.token}`;
  // Signed per call: a subgraph accepts each signature's nonce once.
  if (target.internalSecret)
    Object.assign(headers, signInternalRequest(target.internalSecret, { identity: null, body }));
  const response = await fetch(`${target.origin}/graphql`, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json() };
}

const isMutation = (operation: Operation) => /^\s*mutation\b/.test(operation.query);

/** Compares each target's answers to the reads of each scenario with the first good answer. */
export async function verifyTargets(
  targets: readonly Target[],
  workloads: readonly Workload[],
): Promise<Verification[]> {
  const verifications: Verification[] = [];
  for (const { scenario, operations } of workloads) {
    const reads = operations.filter((operation) => !isMutation(operation)).slice(0, 3);
    const eligible = targets.filter((target) => scenario.singleSubgraph || !target.internalSecret);
    const reference: Array<{ target: string; answer: string }> = [];
    for (const target of eligible) {
      let problem: string | undefined;
      for (const [index, operation] of reads.entries()) {
        const { status, json } = await postOperation(target, operation);
        const answer = JSON.stringify((json as { data?: unknown }).data ?? null);
        const errors = (json as { errors?: unknown }).errors;
        if (status !== 200 || errors) {
          problem = `status ${status}: ${JSON.stringify(errors ?? json).slice(0, 300)}`;
        } else if (answer === 'null') {
          problem = 'no data';
        } else if ((reference[index] ??= { target: targetLabel(target), answer }).answer !== answer) {
          problem = `answer differs from ${reference[index].target}'s: ${answer.slice(0, 300)}`;
        }
        if (problem) break;
      }
      verifications.push({
        scenario: scenario.name,
        target: targetLabel(target),
        ok: !problem,
        ...(problem ? { problem } : {}),
      });
    }
  }
  return verifications;
}
