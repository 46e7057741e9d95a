import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CodedError } from '../../../shared/ipc/errors';

/**
 * Encrypts secrets at rest. The desktop app provides one backed by Electron's
 * safeStorage (OS keychain); serve and CLI mode use {@link FileKeyCipher}.
 */
export interface SecretCipher {
  encrypt(plain: string): Promise<string>;
  decrypt(sealed: string): Promise<string>;
}

const PREFIX = 'aes256gcm:';

/**
 * AES-256-GCM with a random 32-byte key kept in a file only the user can
 * read (0600) in the data dir. Sealed form: `aes256gcm:<iv>.<tag>.<ciphertext>` (base64url).
 */
export class FileKeyCipher implements SecretCipher {
  private key: Promise<Buffer> | null = null;

  constructor(private readonly keyFile: string) {}

  async encrypt(plain: string): Promise<string> {
    const key = await this.loadKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.')}`;
  }

  async decrypt(sealed: string): Promise<string> {
    const key = await this.loadKey();
    const [iv, tag, data] = sealed.startsWith(PREFIX) ? sealed.slice(PREFIX.length).split('.') : [];
    if (!iv || !tag || data === undefined) throw new CodedError('STORAGE_FAILED', 'A stored key is not in a form Tandem can read; set the key again');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new CodedError('STORAGE_FAILED', 'A stored key could not be decrypted (was the key file replaced?); set the key again');
    }
  }

  private loadKey(): Promise<Buffer> {
    this.key ??= this.readOrCreateKey();
    return this.key;
  }

  private async readOrCreateKey(): Promise<Buffer> {
    try {
      const key = Buffer.from((await readFile(this.keyFile, 'utf8')).trim(), 'base64');
      if (key.length === 32) return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const key = randomBytes(32);
    await mkdir(dirname(this.keyFile), { recursive: true, mode: 0o700 });
    // Written whole under a temp name, then linked into place: link fails if another
    // service or process made the key first, and then everyone uses that one key.
    const temp = `${this.keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600);
    try {
      await link(temp, this.keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = Buffer.from((await readFile(this.keyFile, 'utf8')).trim(), 'base64');
      if (existing.length !== 32) throw new Error(`${this.keyFile} is not a valid key file; move it aside to make a new one`);
      return existing;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    return key;
  }
}

/** The only form of a key that leaves core: `sk-…abcd`. */
export function maskKey(key: string): string {
  if (key.length < 12) return '…';
  const dash = key.indexOf('-');
  const head = dash > 0 && dash <= 8 ? key.slice(0, dash + 1) : key.slice(0, 2);
  return `${head}…${key.slice(-4)}`;
}

/** Replaces every secret (and anything that looks like a bearer token or an API key) with its masked form. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(maskKey(secret));
  return out
    .replace(/(Bearer\s+)[^\s"',]+/gi, '$1[redacted]')
    .replace(/\b(sk|pk|xai|gsk|or)-[A-Za-z0-9_-]{12,}/g, (match) => maskKey(match));
}

/**
 * Seals with `primary` and opens with whichever of the two sealed a value, so
 * keys saved by serve mode (key file) still open in the desktop app (keychain).
 */
export class FallbackCipher implements SecretCipher {
  constructor(
    private readonly primary: SecretCipher,
    private readonly fallback: SecretCipher,
  ) {}

  encrypt(plain: string): Promise<string> {
    return this.primary.encrypt(plain);
  }

  async decrypt(sealed: string): Promise<string> {
    try {
      return await this.primary.decrypt(sealed);
    } catch (error) {
      try {
        return await this.fallback.decrypt(sealed);
      } catch {
        throw error;
      }
    }
  }
}
