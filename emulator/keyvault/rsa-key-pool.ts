import { generateKeyPairSync, type KeyObject } from 'node:crypto';

/** How many distinct RSA keys of one size a process makes before it hands them out again. */
const POOL_SIZE = 6;
const pools = new Map<number, { keys: { privateKey: KeyObject; publicKey: KeyObject }[]; next: number }>();

/**
 * An RSA key pair for a new certificate or key version. Generating one costs ~0.1 s of CPU, so a process makes
 * POOL_SIZE per size and then hands them out in turn: any POOL_SIZE keys made one after another are distinct (a
 * renewal or a new key version never gets the key it replaces), while keys further apart may share material, as
 * certificates with Key Vault's `reuse_key` policy do. Certificates still differ (each has its own serial number).
 */
export function rsaKeyPair(modulusLength: number): { privateKey: KeyObject; publicKey: KeyObject } {
  const pool = pools.get(modulusLength) ?? { keys: [], next: 0 };
  pools.set(modulusLength, pool);
  if (pool.keys.length < POOL_SIZE) {
    const pair = generateKeyPairSync('rsa', { modulusLength });
    pool.keys.push(pair);
    return pair;
  }
  const pair = pool.keys[pool.next]!;
  pool.next = (pool.next + 1) % POOL_SIZE;
  return pair;
}
