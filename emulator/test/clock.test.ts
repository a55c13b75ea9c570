import { EmulatorClock } from '../clock.ts';
import { latest } from '../model.ts';
import { KeyVaultEmulator } from '../server.ts';
import { vaultSpec } from '../../test/support/world.ts';

const T0 = 1_700_000_000_000;

test('the clock reads the system time until advanced; it only moves forward', () => {
  let system = T0;
  const clock = new EmulatorClock(() => system);
  expect(clock.now()).toBe(T0);
  system += 250;
  expect(clock.now()).toBe(T0 + 250);
  clock.advance(1500);
  expect(clock.now()).toBe(T0 + 1750);
  expect(clock.nowSeconds()).toBe(Math.floor((T0 + 1750) / 1000));
  expect(clock.date().toISOString()).toBe(new Date(T0 + 1750).toISOString());
  expect(() => clock.advance(-1)).toThrow(RangeError);
  expect(clock.now()).toBe(T0 + 1750);
});

test('backdated writes are stamped before the system time, even after an advance; the clock is put back after', () => {
  const clock = new EmulatorClock(() => T0);
  clock.advance(3000);
  let inside = 0;
  clock.backdated(2000, () => {
    inside = clock.now();
  });
  expect(inside).toBe(T0 - 2000);
  expect(clock.now()).toBe(T0 + 3000);
  expect(() =>
    clock.backdated(1000, () => {
      throw new Error('seed failed');
    }),
  ).toThrow('seed failed');
  expect(clock.now()).toBe(T0 + 3000);
  expect(() => clock.backdated(1000, async () => {})).toThrow(TypeError);
  expect(clock.now()).toBe(T0 + 3000);
});

test('the emulator stamps items, deletions and tokens by its clock', async () => {
  const clock = new EmulatorClock(() => T0);
  const emulator = await KeyVaultEmulator.start({
    clock,
    vaults: [vaultSpec('clock-kv', 'westeurope', { enableSoftDelete: true, softDeleteRetentionInDays: 7 })],
  });
  try {
    const updated = () => latest(emulator.vault('clock-kv').secrets.live.get('s')!).attributes;
    clock.backdated(60_000, () => emulator.invoke('clock-kv', 'PUT', 'secrets/s', { value: 'v1' }));
    expect(updated()).toMatchObject({ created: T0 / 1000 - 60, updated: T0 / 1000 - 60 });
    emulator.invoke('clock-kv', 'PUT', 'secrets/s', { value: 'v2' });
    expect(updated().updated).toBe(T0 / 1000);
    clock.advance(5000);
    emulator.invoke('clock-kv', 'PATCH', 'secrets/s/', { attributes: { enabled: false } });
    expect(updated().updated).toBe(T0 / 1000 + 5);
    const deleted = emulator.invoke('clock-kv', 'DELETE', 'secrets/s') as {
      deletedDate: number;
      scheduledPurgeDate: number;
    };
    expect(deleted).toMatchObject({ deletedDate: T0 / 1000 + 5, scheduledPurgeDate: T0 / 1000 + 5 + 7 * 86400 });
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    const token = emulator.identity.accessToken(
      { clientId: 'c', objectId: 'o', tenantId: 't' },
      'https://vault.azure.net',
    );
    expect(claims(token)).toMatchObject({ iat: T0 / 1000 + 5, exp: T0 / 1000 + 5 + 3600 });
  } finally {
    await emulator.close();
  }
});
