import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

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

// Who a per-client budget belongs to. An IPv4 address is one client. An IPv6 /128 is not: a single subscriber
// is routinely given a whole /64 (RFC 6177) and can pick a fresh address from it for every request, so every
// address of one /64 shares one budget. Written as the prefix, e.g. `2001:db8:1:2::/64`.
export function clientNetwork(ip: string): string {
  const address = normalize(ip);
  if (!address || isIP(address) === 4) return address ?? ip;
  const prefix = ipaddr.IPv6.parse(address).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}

// One spelling per address, so one client cannot pass for several: IPv6 compressed and lower-cased (RFC 5952),
// and an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, also written `::ffff:c000:201`) as the IPv4 address it is.
function normalize(address: string | undefined): string | undefined {
  if (!address || !isIP(address)) return undefined;
  const parsed = ipaddr.parse(address);
  if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  return parsed.toString();
}
