import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { networkInterfaces } from 'node:os';
import { isLoopbackHost, throttled } from '../../../electron/core/server/api-service';
import { hostsForBinding } from '../../../electron/core/server/security';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

test('api.changed for logged requests: the first at once, a burst folded into one at the end of the second, none after cancel', () => {
  const calls: number[] = [];
  const t = throttled(() => calls.push(Date.now()), 1000);
  const start = Date.now();
  t.call();
  expect(calls).toHaveLength(1);
  for (let i = 0; i < 50; i++) {
    vi.advanceTimersByTime(10);
    t.call();
  }
  expect(calls).toHaveLength(1);
  vi.advanceTimersByTime(1000);
  expect(calls).toHaveLength(2);
  expect((calls[1] as number) - start).toBe(1000);
  vi.advanceTimersByTime(5000);
  expect(calls).toHaveLength(2);
  t.call();
  expect(calls).toHaveLength(3);
  t.call();
  t.cancel();
  vi.advanceTimersByTime(5000);
  expect(calls).toHaveLength(3);
});

test('loopback hosts need no --allow-remote; others do', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST']) expect(isLoopbackHost(host)).toBe(true);
  for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '127.0.0.1.nip.io']) expect(isLoopbackHost(host)).toBe(false);
});

test('Host headers the API answers to: loopback names always, the machine\'s addresses only for a wildcard bind', () => {
  const loopback = hostsForBinding('127.0.0.1', 7411);
  expect([...loopback].sort()).toEqual(['127.0.0.1:7411', '[::1]:7411', 'localhost:7411']);
  const ipv4 = Object.values(networkInterfaces())
    .flat()
    .find((a) => a?.family === 'IPv4');
  const wildcard = hostsForBinding('0.0.0.0', 7411);
  expect(wildcard.has('127.0.0.1:7411')).toBe(true);
  expect(wildcard.has('0.0.0.0:7411')).toBe(false);
  if (ipv4) expect(wildcard.has(`${ipv4.address}:7411`)).toBe(true);
  expect(wildcard.has('evil.example:7411')).toBe(false);
});
