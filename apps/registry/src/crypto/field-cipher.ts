import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Personal data at rest (domain-rules §7, PIPL Art. 51): documents that carry identifiers
// are stored as AES-256-GCM envelopes
//
//   v1:<key id>:<iv, base64>:<ciphertext + 16-byte tag, base64>
//
// with a random 96-bit IV per value. The authenticated data is the envelope's header and the
// value's place (`<table>.<column>:<row key>`, see encrypted-columns.ts), so a ciphertext
// copied to another row or column fails to decrypt instead of showing another person's data.
// Any configured key decrypts; only the active key encrypts (rotation: README "Personal information").

export interface DataKeys {
  /** 32-byte keys by key id. */
  keys: Record<string, Buffer>;
  /** Encrypts new values. */
  activeKeyId: string;
}

export const ENVELOPE_VERSION = 'v1';
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Raised when a stored value cannot be decrypted; the message names the column, never the value. */
export class FieldCipherError extends Error {}

export class FieldCipher {
  constructor(private readonly dataKeys: DataKeys) {
    for (const [kid, key] of Object.entries(dataKeys.keys)) {
      if (!KEY_ID_PATTERN.test(kid) || key.length !== 32) throw new FieldCipherError(`data key "${kid}" must have a simple id and 32 bytes`);
    }
    if (!dataKeys.keys[dataKeys.activeKeyId]) throw new FieldCipherError(`active data key "${dataKeys.activeKeyId}" is not configured`);
  }

  get activeKeyId(): string {
    return this.dataKeys.activeKeyId;
  }

  /** True when the value is an envelope (of any key); plaintext JSON never starts with the prefix. */
  static isEnvelope(stored: string): boolean {
    return stored.startsWith(`${ENVELOPE_VERSION}:`);
  }

  /** The prefix every value encrypted under `keyId` starts with. */
  static prefixOf(keyId: string): string {
    return `${ENVELOPE_VERSION}:${keyId}:`;
  }

  encrypt(plaintext: string, context: string): string {
    const kid = this.dataKeys.activeKeyId;
    const header = `${ENVELOPE_VERSION}:${kid}`;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.dataKeys.keys[kid], iv);
    cipher.setAAD(authenticatedData(header, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${header}:${iv.toString('base64')}:${body.toString('base64')}`;
  }

  decrypt(stored: string, context: string): string {
    const parts = stored.split(':');
    const where = context.split(':')[0];
    if (parts.length !== 4 || parts[0] !== ENVELOPE_VERSION) throw new FieldCipherError(`${where}: not an encrypted value`);
    const [version, kid, ivText, bodyText] = parts;
    const key = this.dataKeys.keys[kid];
    if (!key) throw new FieldCipherError(`${where}: no data key "${kid}" is configured`);
    const iv = Buffer.from(ivText, 'base64');
    const body = Buffer.from(bodyText, 'base64');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new FieldCipherError(`${where}: malformed encrypted value`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(authenticatedData(`${version}:${kid}`, context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new FieldCipherError(`${where}: the encrypted value does not authenticate (wrong key, row or column, or altered)`);
    }
  }

  /** Under another key than the active one, or not encrypted at all: the re-encryption command rewrites it. */
  needsReencryption(stored: string): boolean {
    return !stored.startsWith(FieldCipher.prefixOf(this.dataKeys.activeKeyId));
  }
}

function authenticatedData(header: string, context: string): Buffer {
  return Buffer.from(`${header}|${context}`, 'utf8');
}
