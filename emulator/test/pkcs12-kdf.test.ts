import forge from 'node-forge';
import { pkcs12Key } from '../keyvault/pkcs12-kdf.ts';

// Captured before anything installs the native derivation in forge's place.
const forgeKey = forge.pkcs12.generateKey;
const bytes = (b: forge.util.ByteBuffer) => forge.util.bytesToHex(b.bytes());

test.each([
  ['', 'sha1', 1, 2000, 24],
  [undefined, 'sha1', 2, 2000, 8],
  [null, 'sha1', 3, 1, 20],
  ['pässwörd-€-long enough to span more than one sixty-four byte block', 'sha1', 1, 3, 45],
  ['p', 'sha256', 3, 7, 32],
  ['p', 'sha512', 1, 5, 70],
] as const)(
  'derives what forge derives: password %j, %s, id %i, %i iterations, %i bytes',
  (password, hash, id, iter, n) => {
    for (const saltSize of [0, 8, 20, 65]) {
      const salt = forge.random.getBytesSync(saltSize);
      const md = forge.md[hash].create();
      const expected = forgeKey(password, forge.util.createBuffer(salt), id, iter, n, md);
      expect(bytes(pkcs12Key(password, forge.util.createBuffer(salt), id, iter, n, md))).toBe(bytes(expected));
    }
  },
);
