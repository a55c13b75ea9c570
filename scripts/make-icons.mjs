// The Azure DevOps extension's icons, drawn in code: two vaults and an arrow from one to the other, white on Azure
// blue. `node scripts/make-icons.mjs` writes ado-task/icon.png (128×128, the Marketplace's) and
// ado-task/KeyVaultReplicateV1/icon.png (32×32, the task's); a test keeps the committed files equal to what this draws.
// PNG by hand (node:zlib for the deflate and the CRC), so no image package is needed.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

const BLUE = [0, 120, 212];
const WHITE = [255, 255, 255];
/** Samples per pixel side: 4×4 per pixel smooths the edges. */
const SAMPLES = 4;

const inRoundedRect = (x, y, x0, y0, x1, y1, r) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const inKeyhole = (x, y, cx, cy) =>
  (x - cx) ** 2 + (y - cy) ** 2 <= 0.045 ** 2 || (Math.abs(x - cx) <= 0.02 && y >= cy && y <= cy + 0.09);

/** The colour at a point of the unit square, or undefined outside the icon (transparent). */
function colourAt(x, y) {
  if (!inRoundedRect(x, y, 0, 0, 1, 1, 0.18)) return undefined;
  for (const [x0, x1] of [
    [0.08, 0.37],
    [0.63, 0.92],
  ]) {
    if (inRoundedRect(x, y, x0, 0.3, x1, 0.7, 0.05)) return inKeyhole(x, y, (x0 + x1) / 2, 0.45) ? BLUE : WHITE;
  }
  const shaft = x >= 0.4 && x <= 0.5 && Math.abs(y - 0.5) <= 0.04;
  const head = x >= 0.5 && x <= 0.6 && Math.abs(y - 0.5) <= 0.11 * (1 - (x - 0.5) / 0.1);
  return shaft || head ? WHITE : BLUE;
}

/** One PNG chunk: length, type, data and the CRC of type and data. */
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** The icon as an RGBA PNG of size × size pixels. */
export function icon(size) {
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0: none
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++)
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = colourAt((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size);
          if (!c) continue;
          for (let i = 0; i < 3; i++) sum[i] += c[i];
          sum[3] += 1;
        }
      const alpha = sum[3] / SAMPLES ** 2;
      const pixel = sum[3]
        ? [...sum.slice(0, 3).map((v) => Math.round(v / sum[3])), Math.round(alpha * 255)]
        : [0, 0, 0, 0];
      Buffer.from(pixel).copy(row, 1 + px * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter method, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Where each icon goes, by size. */
export const ICONS = { 'ado-task/icon.png': 128, 'ado-task/KeyVaultReplicateV1/icon.png': 32 };

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, '..');
  for (const [path, size] of Object.entries(ICONS)) writeFileSync(resolve(root, path), icon(size));
}
