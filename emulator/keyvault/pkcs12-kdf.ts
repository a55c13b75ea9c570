import { createHash } from 'node:crypto';
import forge from 'node-forge';

/** Hash block sizes (bytes) of the digests PKCS#12 files name, as RFC 7292 B.2 calls them `v`. */
const BLOCK_BYTES: Record<string, number> = { sha1: 64, sha224: 64, sha256: 64, sha384: 128, sha512: 128 };

/**
 * RFC 7292 B.2's key derivation, as forge's `pkcs12.generateKey` computes it, hashing with Node's crypto: forge's
 * JavaScript SHA-1 over 2,000 iterations, three times per PKCS#12 written or read, was most of the emulator's CPU.
 * Same arguments and bytes as forge's (a null or undefined password is empty, '' is the two-byte terminator).
 */
export function pkcs12Key(
  password: string | null | undefined,
  salt: forge.util.ByteBuffer,
  id: number,
  iter: number,
  n: number,
  md?: forge.md.MessageDigest,
): forge.util.ByteBuffer {
  if (!(iter >= 1)) throw new Error('PKCS#12 key derivation iteration count must be >= 1.');
  const algorithm = md?.algorithm ?? 'sha1';
  const v = BLOCK_BYTES[algorithm];
  if (!v) throw new Error(`PKCS#12 key derivation over ${algorithm} is not supported.`);
  const pass = Buffer.alloc(password === null || password === undefined ? 0 : 2 * (password.length + 1));
  for (let i = 0; i < (password?.length ?? 0); i++) pass.writeUInt16BE(password!.charCodeAt(i), 2 * i);
  const saltBytes = Buffer.from(salt.bytes(), 'binary');
  const I = Buffer.concat([
    repeatedTo(saltBytes, v * Math.ceil(saltBytes.length / v)),
    repeatedTo(pass, v * Math.ceil(pass.length / v)),
  ]);
  const D = Buffer.alloc(v, id);
  const out: Buffer[] = [];
  let produced = 0;
  while (produced < n) {
    let A = createHash(algorithm).update(D).update(I).digest();
    for (let round = 1; round < iter; round++) A = createHash(algorithm).update(A).digest();
    out.push(A);
    produced += A.length;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, B being A repeated to v bytes.
    const B = repeatedTo(A, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let l = v - 1; l >= 0; l--) {
        const x = I[j + l]! + B[l]! + carry;
        I[j + l] = x & 0xff;
        carry = x >> 8;
      }
    }
  }
  return forge.util.createBuffer(Buffer.concat(out).subarray(0, n).toString('binary'));
}

/** Copies of `b` one after another, the last one cut, to `length` bytes. */
function repeatedTo(b: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = b[i % b.length]!;
  return out;
}

/** Makes forge derive PKCS#12 keys with `pkcs12Key`, for what it writes and reads (its key bags and its MAC). */
export function useNativePkcs12Kdf(): void {
  const pbe = (forge as unknown as { pbe: { generatePkcs12Key: typeof pkcs12Key } }).pbe;
  pbe.generatePkcs12Key = pkcs12Key;
  forge.pkcs12.generateKey = pkcs12Key;
}
