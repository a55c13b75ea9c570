import { KvrError } from '../errors.ts';
import { VAULT_NAME_PATTERN } from './schema.ts';

/** Key Vault DNS suffixes of the public and sovereign clouds. */
export const KEY_VAULT_SUFFIXES = ['.vault.azure.net', '.vault.azure.cn', '.vault.usgovcloudapi.net'] as const;

/**
 * A vault name from a name or a vault URL. A URL must be https on a Key Vault host of a known cloud, so a config
 * cannot point the tool (and its token) at any other host.
 */
export function vaultNameOf(ref: string): string {
  const trimmed = ref.trim();
  if (!trimmed.includes('/') && !trimmed.includes('.')) {
    if (!new RegExp(VAULT_NAME_PATTERN).test(trimmed) || trimmed.includes('--')) {
      throw new KvrError('KVR006', `'${ref}' is not a valid vault name: 3-24 characters, letters, digits and single dashes, starting with a letter.`);
    }
    return trimmed.toLowerCase();
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new KvrError('KVR006', `'${ref}' is neither a vault name nor a vault URL.`);
  }
  const suffix = KEY_VAULT_SUFFIXES.find((s) => url.hostname.toLowerCase().endsWith(s));
  if (url.protocol !== 'https:' || !suffix || (url.port && url.port !== '443') || url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) {
    throw new KvrError('KVR006', `'${ref}' is not a Key Vault URL: expected https://<vault-name>${KEY_VAULT_SUFFIXES[0]} (or a sovereign cloud's Key Vault host).`);
  }
  return vaultNameOf(url.hostname.slice(0, -suffix.length));
}
