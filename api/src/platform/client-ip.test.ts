import { describe, expect, it } from 'vitest';
import { clientNetwork, resolveClientIp } from './client-ip';

describe('resolveClientIp', () => {
  it('resolveClientIp returns the socket address when no proxy is trusted', () => {
    expect(resolveClientIp('127.0.0.1', undefined, 0)).toBe('127.0.0.1');
    expect(resolveClientIp('192.0.2.10', '203.0.113.7', 0)).toBe('192.0.2.10');
    expect(resolveClientIp('192.0.2.10', '203.0.113.7, 198.51.100.1', 0)).toBe('192.0.2.10');
  });

  it('resolveClientIp unwraps IPv4-mapped IPv6 socket addresses', () => {
    expect(resolveClientIp('::ffff:192.0.2.10', undefined, 0)).toBe('192.0.2.10');
    expect(resolveClientIp('::1', undefined, 0)).toBe('::1');
    expect(resolveClientIp('2001:db8::1', undefined, 0)).toBe('2001:db8::1');
  });

  it("resolveClientIp returns 'unknown' without a usable socket address", () => {
    expect(resolveClientIp(undefined, undefined, 0)).toBe('unknown');
    expect(resolveClientIp('not-an-ip', undefined, 0)).toBe('unknown');
    expect(resolveClientIp(undefined, '203.0.113.7', 0)).toBe('unknown');
  });

  it('resolveClientIp with one trusted hop reads the rightmost X-Forwarded-For entry', () => {
    expect(resolveClientIp('10.0.0.1', '203.0.113.7', 1)).toBe('203.0.113.7');
    expect(resolveClientIp('10.0.0.1', '1.2.3.4, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(resolveClientIp('10.0.0.1', '1.2.3.4,5.6.7.8 ,  203.0.113.7 ', 1)).toBe('203.0.113.7');
  });

  it('resolveClientIp with two trusted hops reads the second entry from the right', () => {
    expect(resolveClientIp('10.0.0.1', '1.2.3.4, 203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7');
    expect(resolveClientIp('10.0.0.1', '9.9.9.9, 1.2.3.4, 203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7');
  });

  it('resolveClientIp never reads a forged entry to the left of the trusted ones', () => {
    for (const forged of ['1.1.1.1', '2.2.2.2', '8.8.8.8']) {
      expect(resolveClientIp('10.0.0.1', `${forged}, 203.0.113.7`, 1)).toBe('203.0.113.7');
    }
  });

  it('resolveClientIp takes the leftmost entry when there are fewer entries than hops', () => {
    expect(resolveClientIp('10.0.0.1', '203.0.113.7', 3)).toBe('203.0.113.7');
  });

  it('resolveClientIp falls back to the socket address for an empty or invalid header', () => {
    expect(resolveClientIp('10.0.0.1', undefined, 1)).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', '', 1)).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', ' , ,', 1)).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', '1.2.3.4, not-an-ip', 1)).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', '1.2.3.4, 203.0.113.7:8080', 1)).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', `1.2.3.4, ${'9'.repeat(500)}`, 1)).toBe('10.0.0.1');
  });

  it('resolveClientIp accepts IPv6 and IPv4-mapped entries in X-Forwarded-For', () => {
    expect(resolveClientIp('10.0.0.1', '1.2.3.4, 2001:db8::7', 1)).toBe('2001:db8::7');
    expect(resolveClientIp('10.0.0.1', '::ffff:203.0.113.7', 1)).toBe('203.0.113.7');
  });

  it('resolveClientIp writes one address one way: IPv6 compressed and lower-cased, hex IPv4-mapped as IPv4', () => {
    expect(resolveClientIp('2001:DB8:0:0:0:0:0:7', undefined, 0)).toBe('2001:db8::7');
    expect(resolveClientIp('10.0.0.1', '::ffff:c000:20a', 1)).toBe('192.0.2.10');
    expect(resolveClientIp('10.0.0.1', '0:0:0:0:0:ffff:203.0.113.7', 1)).toBe('203.0.113.7');
  });
});

describe('clientNetwork', () => {
  it('clientNetwork keys an IPv6 address by its /64', () => {
    const network = '2001:db8:1:2::/64';
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:DB8:1:2:3:4:5:6']) {
      expect(clientNetwork(address)).toBe(network);
    }
    expect(clientNetwork('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientNetwork('::1')).toBe('::/64');
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80::/64');
  });

  it('clientNetwork keys an IPv4 address, however it is written, by the address itself', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('203.0.113.8')).toBe('203.0.113.8');
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it("clientNetwork passes 'unknown' through", () => {
    expect(clientNetwork('unknown')).toBe('unknown');
  });
});
