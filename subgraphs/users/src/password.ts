import { argon2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// Argon2id at OWASP's recommended minimum (m=19 MiB, t=2, p=1), OWASP's first choice for passwords.
// Accounts made before it have scrypt at OWASP's minimum (N=2^17, r=8, p=1): 128 MiB and 0.8 s of CPU
// per hash on a two-core machine, about 30 times Argon2id's cost, which let such a machine take only
// two or three sign-ups a second. Those hashes still verify and are replaced at the account's next
// sign-in. Each hash is stored with its parameters, so they can be raised later without invalidating
// existing hashes.
const ARGON2 = { memoryKiB: 19 * 1024, passes: 2, parallelism: 1 };
const KEY_LENGTH = 32;
const SCRYPT_MAX_MEMORY = 256 * 1024 * 1024;

function argon2id(password: string, salt: Buffer, params: typeof ARGON2): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      {
        message: password.normalize('NFKC'),
        nonce: salt,
        memory: params.memoryKiB,
        passes: params.passes,
        parallelism: params.parallelism,
        tagLength: KEY_LENGTH,
      },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

function legacyScrypt(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...params, maxmem: SCRYPT_MAX_MEMORY },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await argon2id(password, salt, ARGON2);
  const { memoryKiB, passes, parallelism } = ARGON2;
  return ['argon2id', memoryKiB, passes, parallelism, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, a, b, c, salt, key] = stored.split('$');
  if (!a || !b || !c || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const nonce = Buffer.from(salt, 'base64');
  let actual: Buffer;
  if (scheme === 'argon2id') {
    actual = await argon2id(password, nonce, {
      memoryKiB: Number(a),
      passes: Number(b),
      parallelism: Number(c),
    });
  } else if (scheme === 'scrypt') {
    actual = await legacyScrypt(password, nonce, { N: Number(a), r: Number(b), p: Number(c) });
  } else {
    return false;
  }
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Whether a stored hash was made by another scheme or with other parameters than hashPassword's. */
export function needsRehash(stored: string): boolean {
  const [scheme, memoryKiB, passes, parallelism] = stored.split('$');
  return (
    scheme !== 'argon2id' ||
    Number(memoryKiB) !== ARGON2.memoryKiB ||
    Number(passes) !== ARGON2.passes ||
    Number(parallelism) !== ARGON2.parallelism
  );
}
