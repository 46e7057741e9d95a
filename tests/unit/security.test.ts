import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { allowedHosts, createToken, isAllowedHost, isAllowedOrigin, tokensEqual } from '../../electron/core/server/security';

describe('serve-mode token', () => {
  test('is long, URL-safe and different every launch', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => createToken()));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('only the exact token is accepted', () => {
    const token = createToken();
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual(token, `${token} `)).toBe(false);
    expect(tokensEqual(token, token.slice(0, -1))).toBe(false);
    expect(tokensEqual(token, token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase())).toBe(false);
    expect(tokensEqual(token, '')).toBe(false);
    expect(tokensEqual(token, null)).toBe(false);
    expect(tokensEqual(token, undefined)).toBe(false);
    fc.assert(fc.property(fc.string(), (guess) => tokensEqual(token, guess) === (guess === token)));
  });
});

describe('Host and Origin checks', () => {
  const hosts = allowedHosts('127.0.0.1', 4321);

  test('loopback names on the right port are this server', () => {
    for (const host of ['127.0.0.1:4321', 'localhost:4321', 'LOCALHOST:4321', '[::1]:4321']) {
      expect(isAllowedHost(host, hosts), host).toBe(true);
    }
  });

  test('other names (DNS rebinding), other ports and a missing Host are refused', () => {
    for (const host of ['evil.example:4321', 'evil.example', '127.0.0.1', '127.0.0.1:80', 'localhost:43210', '127.0.0.1.evil.example:4321', '']) {
      expect(isAllowedHost(host, hosts), host).toBe(false);
    }
    expect(isAllowedHost(undefined, hosts)).toBe(false);
  });

  test('a page from this server may connect; any other page may not', () => {
    expect(isAllowedOrigin('http://127.0.0.1:4321', hosts)).toBe(true);
    expect(isAllowedOrigin('http://localhost:4321', hosts)).toBe(true);
    for (const origin of ['http://evil.example', 'http://evil.example:4321', 'https://127.0.0.1:4321', 'http://127.0.0.1:9999', 'null', 'file://', '']) {
      expect(isAllowedOrigin(origin, hosts), origin).toBe(false);
    }
  });

  test('no Origin means a non-browser client (it still needs the token)', () => {
    expect(isAllowedOrigin(undefined, hosts)).toBe(true);
  });

  test('binding to every interface does not make 0.0.0.0 a valid Host', () => {
    const wide = allowedHosts('0.0.0.0', 80);
    expect(isAllowedHost('0.0.0.0:80', wide)).toBe(false);
    expect(isAllowedHost('127.0.0.1:80', wide)).toBe(true);
    const v6 = allowedHosts('::1', 80);
    expect(isAllowedHost('[::1]:80', v6)).toBe(true);
  });
});
