import type { HashingQueue } from './hashing-queue.ts';
import { hashPassword, needsRehash, verifyPassword } from './password.ts';

export interface Verification {
  matches: boolean;
  /** Today's hash of the password, when it matched a hash of an older scheme or older parameters. */
  rehashed?: string;
}

export interface PasswordHasher {
  hash: (password: string) => Promise<string>;
  verify: (password: string, stored: string) => Promise<Verification>;
  /** A hash checked when no account matches, so a sign-in takes as long whether the email exists or not. */
  decoy: () => Promise<string>;
}

/** The users subgraph's password hashing, every hash taking its turn in the queue. */
export function createPasswordHasher(queue: HashingQueue): PasswordHasher {
  let decoy: Promise<string> | undefined;
  const hash = (password: string) => queue.run(() => hashPassword(password));
  return {
    hash,
    // An older hash (scrypt's) takes longer to check than the decoy, which would tell a stranger that
    // the account exists; the password is known only at a sign-in, so that is when it is replaced, in
    // the same turn, so a sign-in that got its turn is never refused half way.
    verify: (password, stored) =>
      queue.run(async () => {
        const matches = await verifyPassword(password, stored);
        return matches && needsRehash(stored)
          ? { matches, rehashed: await hashPassword(password) }
          : { matches };
      }),
    decoy: () => {
      // A refused turn is not remembered: the next sign-in tries again.
      decoy ??= hash('decoy password that never matches').catch((error: unknown) => {
        decoy = undefined;
        throw error;
      });
      return decoy;
    },
  };
}
