import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { fail } from '../http-util.ts';
import { useNativePkcs12Kdf } from './pkcs12-kdf.ts';
import { rsaKeyPair } from './rsa-key-pool.ts';

useNativePkcs12Kdf();

/** What a certificate version holds: the leaf's DER and, when there is one, its private key. */
export interface CertificateMaterial {
  certDerBase64: string;
  privateKeyPem?: string;
}

export const thumbprint = (certDerBase64: string): string =>
  createHash('sha1').update(Buffer.from(certDerBase64, 'base64')).digest('base64url');

const derOf = (cert: forge.pki.Certificate): string =>
  Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary').toString('base64');

const certFromDer = (certDerBase64: string): forge.pki.Certificate =>
  forge.pki.certificateFromAsn1(forge.asn1.fromDer(Buffer.from(certDerBase64, 'base64').toString('binary')));

const subjectAttributes = (subject: string) =>
  subject.split(',').map((part) => {
    const [k, ...v] = part.trim().split('=');
    return { shortName: (k ?? 'CN').toUpperCase(), value: v.join('=') };
  });

/** A new RSA key for a pending certificate, and the PKCS#10 request (base64 DER) Key Vault shows for it. */
export function keyAndCsr(subject: string, keySize = 2048): { privateKeyPem: string; csr: string } {
  const { privateKey, publicKey } = rsaKeyPair(keySize);
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  csr.setSubject(subjectAttributes(subject));
  // forge sets certificationRequestInfo before it asks the key to sign, as it does tbsCertificate for certificates.
  const request = csr as unknown as { certificationRequestInfo: forge.asn1.Asn1 };
  const info = () => Buffer.from(forge.asn1.toDer(request.certificationRequestInfo).getBytes(), 'binary');
  const signer = { sign: () => sign('sha256', info(), privateKey).toString('binary') };
  csr.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  const der = forge.asn1.toDer(forge.pki.certificationRequestToAsn1(csr)).getBytes();
  return { privateKeyPem, csr: Buffer.from(der, 'binary').toString('base64') };
}

/** Whether a certificate (base64 DER) carries the public half of a private key (PEM). */
export function certifiesKey(certDerBase64: string, privateKeyPem: string): boolean {
  const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
  const certPem = forge.pki.publicKeyToPem(certFromDer(certDerBase64).publicKey);
  return spki(certPem) === spki(privateKeyPem);
}

/**
 * A self-signed certificate valid from a minute before `now` (ms) for `validityMonths`, for a new key or for the one
 * given (a pending version's).
 */
export function selfSigned(
  subject: string,
  validityMonths: number,
  now: number,
  keySize = 2048,
  keyPem?: string,
): CertificateMaterial {
  const privateKey = keyPem ? createPrivateKey(keyPem) : rsaKeyPair(keySize).privateKey;
  const privateKeyPem = keyPem ?? privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
  );
  cert.serialNumber = '7' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + validityMonths * 30 * 86400_000);
  const attrs = subjectAttributes(subject);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
  ]);
  cert.sign(nativeSigner(cert, privateKey), forge.md.sha256.create());
  return { certDerBase64: derOf(cert), privateKeyPem };
}

/**
 * The key `cert.sign` calls, signing with Node's crypto instead of forge's RSA in JavaScript (~0.5 s of CPU per
 * certificate). forge sets `cert.tbsCertificate` before it asks the key to sign; the signature is the same
 * RSASSA-PKCS1-v1_5 over SHA-256 of that DER.
 */
function nativeSigner(cert: forge.pki.Certificate, privateKey: KeyObject): forge.pki.rsa.PrivateKey {
  const tbs = () => Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  return { sign: () => sign('sha256', tbs(), privateKey).toString('binary') } as unknown as forge.pki.rsa.PrivateKey;
}

/** Parses an import's `value`: base64 PKCS#12 (with or without password) or PEM text. */
export function parseImport(value: string, password: string | undefined, contentType?: string): CertificateMaterial {
  if (contentType === 'application/x-pem-file' || value.trimStart().startsWith('-----BEGIN')) {
    const certMatch = value.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/);
    const keyMatch = value.match(/-----BEGIN (RSA |EC )?PRIVATE KEY-----[^-]+-----END (RSA |EC )?PRIVATE KEY-----/);
    if (!certMatch)
      fail(
        400,
        'BadParameter',
        'The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.',
      );
    if (!keyMatch)
      fail(
        400,
        'BadParameter',
        'Private key is not specified in the specified X.509 PEM certificate content. Please specify private key in the X.509 PEM certificate content.',
      );
    const key = createPrivateKey(keyMatch![0]).export({ type: 'pkcs8', format: 'pem' }).toString();
    return { certDerBase64: derOf(forge.pki.certificateFromPem(certMatch![0])), privateKeyPem: key };
  }
  // A blank password is written either as '' or as no password at all; Key Vault reads both.
  const candidates = password ? [password] : ['', undefined];
  const p12 = candidates
    .map((pwd) => {
      try {
        return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(value)), false, pwd as string);
      } catch {
        return undefined;
      }
    })
    .find(Boolean);
  if (!p12)
    return fail(
      400,
      'BadParameter',
      'The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format and the password is correct.',
    );
  const oids = forge.pki.oids as Record<string, string>;
  const certBag = p12.getBags({ bagType: oids.certBag! })[oids.certBag!]?.[0];
  const keyBag =
    p12.getBags({ bagType: oids.pkcs8ShroudedKeyBag! })[oids.pkcs8ShroudedKeyBag!]?.[0] ??
    p12.getBags({ bagType: oids.keyBag! })[oids.keyBag!]?.[0];
  if (!certBag?.cert)
    return fail(400, 'BadParameter', 'The specified PKCS#12 X.509 certificate content does not contain a certificate.');
  if (!keyBag?.key)
    return fail(
      400,
      'BadParameter',
      'Private key is not specified in the specified PKCS#12 X.509 certificate content.',
    );
  const pem = forge.pki.privateKeyToPem(keyBag.key);
  return {
    certDerBase64: derOf(certBag.cert),
    privateKeyPem: createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The backing secret's value as Key Vault serves it: a blank-password PKCS#12 (3DES) or PEM text. */
export function secretValueOf(m: CertificateMaterial, contentType: string, includeKey: boolean): string {
  const cert = certFromDer(m.certDerBase64);
  if (contentType === 'application/x-pem-file') {
    return `${includeKey && m.privateKeyPem ? m.privateKeyPem : ''}${forge.pki.certificateToPem(cert)}`;
  }
  const key = includeKey && m.privateKeyPem ? forge.pki.privateKeyFromPem(rsaPem(m.privateKeyPem)) : null;
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert], '', { algorithm: '3des', count: 2000 });
  return forge.util.encode64(forge.asn1.toDer(p12).getBytes());
}

export function pemOfCertificateSecret(pfxBase64: string): string {
  const m = parseImport(pfxBase64, '', 'application/x-pkcs12');
  return secretValueOf(m, 'application/x-pem-file', true);
}

/** node-forge reads PKCS#1 RSA keys; Node exports PKCS#8. */
const rsaPem = (pkcs8Pem: string): string =>
  createPrivateKey(pkcs8Pem).export({ type: 'pkcs1', format: 'pem' }).toString();

export function subjectOf(certDerBase64: string): string {
  return certFromDer(certDerBase64)
    .subject.attributes.map((a) => `${a.shortName ?? a.name}=${String(a.value)}`)
    .join(', ');
}

export function validityOf(certDerBase64: string): { nbf: number; exp: number } {
  const c = certFromDer(certDerBase64);
  return {
    nbf: Math.floor(c.validity.notBefore.getTime() / 1000),
    exp: Math.floor(c.validity.notAfter.getTime() / 1000),
  };
}

export function jwkOfPrivateKey(privateKeyPem: string): Record<string, unknown> {
  return createPrivateKey(privateKeyPem).export({ format: 'jwk' }) as Record<string, unknown>;
}
