import { keyVaultEventItems } from '../../src/hosts/shared/key-vault-events.ts';

const gridEvent = (eventType: string, vault: string, name: string) => ({
  eventType,
  data: { VaultName: vault, ObjectType: 'x', ObjectName: name },
});

test('Event Grid and CloudEvents deliveries name their items, grouped by vault, without repeats', () => {
  const cloudEvent = {
    specversion: '1.0',
    type: 'Microsoft.KeyVault.CertificateNewVersionCreated',
    source: '/subscriptions/s/vaults/kv-a',
    data: { vaultName: 'KV-A', objectName: 'www' },
  };
  expect(
    keyVaultEventItems({
      events: [
        gridEvent('Microsoft.KeyVault.SecretNewVersionCreated', 'kv-a', 'db'),
        gridEvent('Microsoft.KeyVault.SecretNearExpiry', 'kv-a', 'DB'),
        gridEvent('Microsoft.KeyVault.KeyExpired', 'kv-b', 'signing'),
        cloudEvent,
      ],
    }),
  ).toEqual({
    ignored: 0,
    vaults: [
      {
        vault: 'kv-a',
        items: [
          { type: 'secret', name: 'db' },
          { type: 'certificate', name: 'www' },
        ],
      },
      { vault: 'kv-b', items: [{ type: 'key', name: 'signing' }] },
    ],
  });
  expect(keyVaultEventItems([gridEvent('Microsoft.KeyVault.SecretExpired', 'kv-c', 'tls')])).toEqual({
    ignored: 0,
    vaults: [{ vault: 'kv-c', items: [{ type: 'secret', name: 'tls' }] }],
  });
});

test('a dispatch that carries no Key Vault item event gives nothing, so the full replication runs', () => {
  expect(keyVaultEventItems({ reason: 'nightly' })).toBeUndefined();
  expect(keyVaultEventItems(gridEvent('Microsoft.KeyVault.VaultAccessPolicyChanged', 'kv-a', 'kv-a'))).toBeUndefined();
  expect(keyVaultEventItems(undefined)).toBeUndefined();
});

const SECRET = 'Microsoft.KeyVault.SecretNewVersionCreated';

test.each([
  ['a line break and a runner command', 'kv-a', 'db\n::stop-commands::tok'],
  ['a backtick', 'kv-a', 'db`x'],
  ['a path', 'kv-a', '../x'],
  ['a slash', 'kv-a', 'db/versions'],
  ['a name over 127 characters', 'kv-a', 'a'.repeat(128)],
  ['an empty name', 'kv-a', ''],
  ['a vault name with a line break', 'kv-a\n##vso[task.complete]', 'db'],
  ['a vault name with a double dash', 'kv--a', 'db'],
  ['a vault name too short', 'kv', 'db'],
])('a Key Vault event with %s is counted as ignored, and none of its text is kept', (_what, vault, name) => {
  const delivery = keyVaultEventItems([gridEvent(SECRET, vault, name), gridEvent(SECRET, 'kv-b', 'fine')]);
  expect(delivery).toEqual({ ignored: 1, vaults: [{ vault: 'kv-b', items: [{ type: 'secret', name: 'fine' }] }] });
});

test('a delivery of invalid Key Vault events only is not a full replication: it names no item at all', () => {
  expect(
    keyVaultEventItems({
      events: [gridEvent(SECRET, 'kv-a', 'x`y'), { type: SECRET, data: { vaultName: 'kv-a', objectName: 42 } }],
    }),
  ).toEqual({ ignored: 2, vaults: [] });
});
