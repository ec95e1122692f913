import { generateKeyPairSync } from 'node:crypto';

/** A fresh ES256 (EC P-256) private key in PKCS#8 PEM, as the users subgraph's JWT_PRIVATE_KEY takes it. */
export function generateSigningKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}
