import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createHashingQueue } from './hashing-queue.ts';
import { createPasswordHasher } from './password-hasher.ts';
import { hashPassword, needsRehash, verifyPassword } from './password.ts';

/** A hash as older accounts have it (with cheaper parameters than theirs: the format is the same). */
function legacyScryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 32, { N: 2 ** 12, r: 8, p: 1 });
  return ['scrypt', 2 ** 12, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

describe('password hashing', () => {
  it('stores Argon2id with its parameters and salt, and checks a password against it', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^argon2id\$19456\$2\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(stored).not.toContain('correct horse battery');
    expect(await hashPassword('correct horse battery')).not.toBe(stored);
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', stored)).resolves.toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it('still checks the scrypt hashes of older accounts, and marks them for replacing', async () => {
    const stored = legacyScryptHash('correct horse battery');
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('wrong horse battery', stored)).resolves.toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it('matches nothing against a hash it cannot read', async () => {
    for (const stored of ['', 'scrypt$unusable', 'bcrypt$10$a$b$c$d', 'argon2id$19456$2$1$c2FsdA==']) {
      await expect(verifyPassword('anything at all', stored)).resolves.toBe(false);
    }
  });
});

describe('createPasswordHasher', () => {
  const hasher = () => createPasswordHasher(createHashingQueue({ concurrency: 1, maxWaitMs: 60_000 }));

  it("hands back today's hash when a password matches an older one", async () => {
    const passwords = hasher();
    const verification = await passwords.verify(
      'correct horse battery',
      legacyScryptHash('correct horse battery'),
    );
    expect(verification.matches).toBe(true);
    expect(verification.rehashed).toMatch(/^argon2id\$/);
    await expect(verifyPassword('correct horse battery', verification.rehashed!)).resolves.toBe(true);
  });

  it('rehashes nothing when the password is wrong or the hash is current', async () => {
    const passwords = hasher();
    await expect(
      passwords.verify('wrong horse battery', legacyScryptHash('correct horse battery')),
    ).resolves.toEqual({ matches: false });
    const current = await passwords.hash('correct horse battery');
    await expect(passwords.verify('correct horse battery', current)).resolves.toEqual({ matches: true });
  });

  it('makes the decoy once, and it matches no password', async () => {
    const passwords = hasher();
    const decoy = await passwords.decoy();
    await expect(passwords.decoy()).resolves.toBe(decoy);
    await expect(passwords.verify('decoy password', decoy)).resolves.toEqual({ matches: false });
  });
});
