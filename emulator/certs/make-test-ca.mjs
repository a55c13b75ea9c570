// Creates the per-machine test CA and the emulator's server certificate under test/.certs/.
// The CA is trusted only by processes started with NODE_EXTRA_CA_CERTS pointing at it (tests, demo, bench).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', '.certs');
export const SERVER_HOST_NAMES = [
  '*.vault.azure.net',
  'vault.azure.net',
  'management.azure.com',
  'login.microsoftonline.com',
  '*.vault.usgovcloudapi.net',
  'vault.usgovcloudapi.net',
  'management.usgovcloudapi.net',
  'login.microsoftonline.us',
  '*.vault.azure.cn',
  'vault.azure.cn',
  'management.chinacloudapi.cn',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'dev.azure.com',
  'token.actions.githubusercontent.com',
  'localhost',
];

function rsaKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

function certificate(subject, keys, issuer, issuerKey, extensions) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: issuer }]);
  cert.setExtensions(extensions);
  cert.sign(issuerKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

// The names the certificate was made for: a certificate made before a name was added is made again (with its CA).
const namesFile = join(dir, 'server-names.txt');
const names = SERVER_HOST_NAMES.join('\n');
const current =
  existsSync(join(dir, 'server.pem')) && existsSync(namesFile) && readFileSync(namesFile, 'utf8') === names;
if (!current) {
  mkdirSync(dir, { recursive: true });
  const ca = rsaKeyPair();
  const caName = 'keyvault-replicate test CA (never trust outside tests)';
  const caPem = certificate(caName, ca, caName, ca.privateKey, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  const server = rsaKeyPair();
  const serverPem = certificate('keyvault-replicate emulator', server, caName, ca.privateKey, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...SERVER_HOST_NAMES.map((value) => ({ type: 2, value })), { type: 7, ip: '127.0.0.1' }],
    },
  ]);
  writeFileSync(join(dir, 'ca.pem'), caPem);
  writeFileSync(join(dir, 'server.pem'), serverPem + caPem);
  writeFileSync(join(dir, 'server-key.pem'), forge.pki.privateKeyToPem(server.privateKey), { mode: 0o600 });
  writeFileSync(namesFile, names);
  console.log(`test CA written to ${dir}`);
}
