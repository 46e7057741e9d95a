import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** Every Tandem API secret starts with this, so a leaked one is recognisable (and scanners can find it). */
export const SECRET_PREFIX = 'tdm_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 32;
/** How much of the secret is kept in clear to tell keys apart: `tdm_` and 4 characters. */
const SHOWN_CHARS = SECRET_PREFIX.length + 4;

/** `tdm_` and 32 random base62 characters (~190 bits), drawn without modulo bias. */
export function createSecret(): string {
  let body = '';
  for (let i = 0; i < SECRET_LENGTH; i++) body += ALPHABET[randomInt(ALPHABET.length)];
  return SECRET_PREFIX + body;
}

/** What is stored instead of the secret: its SHA-256, hex. A fast hash is right here: the secret is random, not a password. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The first characters of a secret, shown in lists ("tdm_3f9a"). */
export function secretPrefix(secret: string): string {
  return secret.slice(0, SHOWN_CHARS);
}

/** Compares two hex SHA-256 hashes in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
