import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What a backup blob carries: the item, and where it may be restored (Key Vault's security world). */
export interface BackupContent {
  payload: unknown;
  subscriptionId: string;
  geography: string;
}

const MAGIC = 'KVBK';

/** Seals backup blobs with a key only this emulator holds: opaque and tamper-evident, as the service's are. */
export class BackupSealer {
  readonly #key = randomBytes(32);

  seal(content: BackupContent): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(content)), cipher.final()]);
    return Buffer.concat([Buffer.from(MAGIC), iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The content of a blob this emulator sealed; undefined for anything else. */
  open(blob: string): BackupContent | undefined {
    try {
      const raw = Buffer.from(blob, 'base64url');
      if (raw.subarray(0, 4).toString() !== MAGIC) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(4, 16));
      decipher.setAuthTag(raw.subarray(16, 32));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(32)), decipher.final()]).toString());
    } catch {
      return undefined;
    }
  }
}
