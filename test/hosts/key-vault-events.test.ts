import { keyVaultEventItems } from '../../src/hosts/shared/key-vault-events.ts';

const gridEvent = (eventType: string, vault: string, name: string) => ({ eventType, data: { VaultName: vault, ObjectType: 'x', ObjectName: name } });

test('Event Grid and CloudEvents deliveries name their items, grouped by vault, without repeats', () => {
  const cloudEvent = { specversion: '1.0', type: 'Microsoft.KeyVault.CertificateNewVersionCreated', source: '/subscriptions/s/vaults/kv-a', data: { vaultName: 'KV-A', objectName: 'www' } };
  expect(keyVaultEventItems({ events: [
    gridEvent('Microsoft.KeyVault.SecretNewVersionCreated', 'kv-a', 'db'),
    gridEvent('Microsoft.KeyVault.SecretNearExpiry', 'kv-a', 'DB'),
    gridEvent('Microsoft.KeyVault.KeyExpired', 'kv-b', 'signing'),
    cloudEvent,
  ] })).toEqual([
    { vault: 'kv-a', items: [{ type: 'secret', name: 'db' }, { type: 'certificate', name: 'www' }] },
    { vault: 'kv-b', items: [{ type: 'key', name: 'signing' }] },
  ]);
  expect(keyVaultEventItems([gridEvent('Microsoft.KeyVault.SecretExpired', 'kv-c', 'tls')])).toEqual([{ vault: 'kv-c', items: [{ type: 'secret', name: 'tls' }] }]);
});

test('a dispatch that carries no Key Vault item event gives nothing, so the full replication runs', () => {
  expect(keyVaultEventItems({ reason: 'nightly' })).toBeUndefined();
  expect(keyVaultEventItems(gridEvent('Microsoft.KeyVault.VaultAccessPolicyChanged', 'kv-a', 'kv-a'))).toBeUndefined();
  expect(keyVaultEventItems(undefined)).toBeUndefined();
});
