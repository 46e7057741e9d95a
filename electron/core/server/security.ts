import { timingSafeEqual, randomBytes } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';

/** A per-launch secret: 32 random bytes, URL-safe. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensEqual(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The Host names this server answers to. Checking Host blocks DNS-rebinding
 * (a foreign page whose name resolves to 127.0.0.1); checking Origin blocks
 * any other page in the browser from opening the WebSocket.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
  if (host === '0.0.0.0' || host === '::') names.delete(host);
  return new Set([...names].map((name) => `${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}:${port}`));
}

/**
 * The Host names a server bound to `host` answers to: `allowedHosts`, and for
 * a wildcard binding (0.0.0.0, ::) also this machine's addresses and name, so
 * other machines can reach it by address while a rebound DNS name still cannot.
 */
export function hostsForBinding(host: string, port: number): Set<string> {
  const hosts = allowedHosts(host, port);
  if (host !== '0.0.0.0' && host !== '::' && host !== '[::]') return hosts;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      const bare = address.address.split('%')[0] as string;
      hosts.add(address.family === 'IPv6' ? `[${bare.toLowerCase()}]:${port}` : `${bare}:${port}`);
    }
  }
  hosts.add(`${hostname().toLowerCase()}:${port}`);
  return hosts;
}


export function isAllowedHost(hostHeader: string | undefined, hosts: Set<string>): boolean {
  return typeof hostHeader === 'string' && hosts.has(hostHeader.toLowerCase());
}

/** Browsers always send Origin on a WebSocket; a missing one is a non-browser client (CLI, bench) that still needs the token. */
export function isAllowedOrigin(origin: string | undefined, hosts: Set<string>): boolean {
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && hosts.has(url.host.toLowerCase());
  } catch {
    return false;
  }
}
