import { expect, test } from 'vitest';
import { createSecret, hashesEqual, hashSecret, secretPrefix } from '../../../electron/core/server/api-keys/key-secret';

test('a secret is tdm_ and 32 base62 characters, different every time', () => {
  const secrets = new Set(Array.from({ length: 200 }, () => createSecret()));
  expect(secrets.size).toBe(200);
  for (const secret of secrets) expect(secret).toMatch(/^tdm_[0-9A-Za-z]{32}$/);
});

test('the hash is SHA-256 hex; equal hashes compare equal, others and malformed ones do not', () => {
  const secret = createSecret();
  expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
  expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  expect(hashesEqual(hashSecret(secret), hashSecret(secret))).toBe(true);
  expect(hashesEqual(hashSecret(secret), hashSecret(`${secret}x`))).toBe(false);
  expect(hashesEqual(hashSecret(secret), '')).toBe(false);
  expect(hashesEqual('', '')).toBe(false);
  expect(secretPrefix('tdm_ab12cd34')).toBe('tdm_ab12');
});
