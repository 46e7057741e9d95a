import { safeStorage } from 'electron';
import type { SecretCipher } from '../core/providers/secret-store';

const PREFIX = 'safestorage:';

/**
 * Provider keys in the desktop app are sealed with the OS keychain through
 * Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet). Where the OS
 * offers no secure backend (Linux without a keyring reports 'basic_text'),
 * null is returned and core falls back to its 0600 key file.
 */
export function safeStorageCipher(): SecretCipher | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return {
    encrypt: async (plain) => PREFIX + safeStorage.encryptString(plain).toString('base64'),
    decrypt: async (sealed) => {
      if (!sealed.startsWith(PREFIX)) throw new Error('This key was sealed by another method; enter it again');
      return safeStorage.decryptString(Buffer.from(sealed.slice(PREFIX.length), 'base64'));
    },
  };
}
