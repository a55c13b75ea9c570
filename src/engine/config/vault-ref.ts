import { KvrError } from '../errors.ts';
import { VAULT_NAME_PATTERN } from './schema.ts';

/**
 * The Key Vault DNS suffix of the cloud the tool works in: Azure's public cloud, whose ARM and Entra ID endpoints it
 * uses (sovereign clouds have their own endpoints and are not supported yet).
 */
export const KEY_VAULT_SUFFIX = '.vault.azure.net';

/** Whether a text is a Key Vault name: 3-24 letters, digits and single dashes, starting with a letter. */
export const isVaultName = (text: string): boolean => new RegExp(VAULT_NAME_PATTERN).test(text) && !text.includes('--');

/**
 * A vault name from a name or a vault URL. A URL must be https on a Key Vault host of that cloud, so a config
 * cannot point the tool (and its token) at any other host.
 */
export function vaultNameOf(ref: string): string {
  const trimmed = ref.trim();
  if (!trimmed.includes('/') && !trimmed.includes('.')) {
    if (!isVaultName(trimmed)) {
      throw new KvrError(
        'KVR006',
        `'${ref}' is not a valid vault name: 3-24 characters, letters, digits and single dashes, starting with a letter.`,
      );
    }
    return trimmed.toLowerCase();
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new KvrError('KVR006', `'${ref}' is neither a vault name nor a vault URL.`);
  }
  const host = url.hostname.toLowerCase();
  const label = host.slice(0, -KEY_VAULT_SUFFIX.length);
  if (
    url.protocol !== 'https:' ||
    !host.endsWith(KEY_VAULT_SUFFIX) ||
    !label ||
    label.includes('.') ||
    (url.port && url.port !== '443') ||
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw new KvrError(
      'KVR006',
      `'${ref}' is not a Key Vault URL: expected https://<vault-name>${KEY_VAULT_SUFFIX}, nothing more (a vault of Azure's public cloud).`,
    );
  }
  return vaultNameOf(label);
}
