import { createHmac, hkdfSync } from 'node:crypto';

// A refresh token's successor is derived, not drawn at random: HMAC-SHA-256 of the presented token under a key only
// the server holds. Only SHA-256 digests are stored, so the successor cannot be read back from the database; deriving
// it lets every replay inside the grace window (a lost response, two tabs racing) be answered with the SAME successor,
// so a session never forks into several live chains and whichever answer a browser stores last, its cookie works.
// Without the key, a token says nothing about its successor; the key is the JWT signing key (whoever holds that can
// forge access tokens already), separated by HKDF so the two uses never share a key.

const keys = new WeakMap<Uint8Array, Buffer>();

function successorKey(secret: Uint8Array): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), 'aibc refresh-token successor v1', 32));
    keys.set(secret, key);
  }
  return key;
}

// 43 base64url characters (256 bits), the shape of a random refresh token.
export function successorRefreshToken(token: string, secret: Uint8Array): string {
  return createHmac('sha256', successorKey(secret)).update(token, 'utf8').digest('base64url');
}
