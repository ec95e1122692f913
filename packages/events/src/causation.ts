import { AsyncLocalStorage } from 'node:async_hooks';

// Which event a consumer is handling, so that the events its handler records (deep inside a domain
// service, through recordEvent) remember their cause without every service passing it along, the way
// the active trace context reaches them. Re-driving an event re-drives what it caused (redrive.ts).
const handling = new AsyncLocalStorage<string>();

/** Runs a handler as the consequence of the event `eventId`. */
export function withCause<T>(eventId: string, work: () => Promise<T>): Promise<T> {
  return handling.run(eventId, work);
}

/** The id of the event being handled, if any. */
export function currentCause(): string | undefined {
  return handling.getStore();
}
