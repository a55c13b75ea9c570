// The README's smoke script: set a secret in the emulator and read it back through the official SDK.
// Run with the environment the emulator prints (HTTPS_PROXY, NODE_EXTRA_CA_CERTS).
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';

const credential = new ClientSecretCredential('72f988bf-86f1-41af-91ab-2d7cd011db47', 'smoke-client', 'smoke-secret');
const client = new SecretClient('https://smoke-src.vault.azure.net', credential);
await client.setSecret('smoke-test', 'it works');
console.log(`read back: ${(await client.getSecret('smoke-test')).value}`);
