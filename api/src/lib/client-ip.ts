import { isIP } from 'node:net';

// The client's address: the socket peer, unless we sit behind trusted proxies. Each trusted proxy appends the
// address it saw to X-Forwarded-For, so with N trusted hops the client is the Nth entry from the right.
// Anything further left was written by the client and may be forged, so it is never read.
export function resolveClientIp(socketAddress: string | undefined, forwardedFor: string | undefined, hops: number) {
  const peer = normalize(socketAddress) ?? 'unknown';
  if (hops <= 0 || !forwardedFor) return peer;
  const entries = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return peer;
  const chosen = entries[Math.max(0, entries.length - hops)];
  return normalize(chosen) ?? peer;
}

function normalize(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIP(mapped) ? mapped : undefined;
}
