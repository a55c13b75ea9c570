import { cloudOfVaultHost, PUBLIC_CLOUD, type AzureCloud } from '../clouds.ts';
import { KvrError } from '../errors.ts';
import { VAULT_NAME_PATTERN } from './schema.ts';

/** Whether a text is a Key Vault name: 3-24 letters, digits and single dashes, starting with a letter. */
export const isVaultName = (text: string): boolean => new RegExp(VAULT_NAME_PATTERN).test(text) && !text.includes('--');

/**
 * A vault name from a name or a vault URL. A URL must be https on a Key Vault host of the run's cloud, so a config
 * cannot point the tool (and its token) at any other host; a vault of another cloud is KVR071.
 */
export function vaultNameOf(ref: string, cloud: AzureCloud = PUBLIC_CLOUD): string {
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
  const other = cloudOfVaultHost(host);
  if (other && other !== cloud)
    throw new KvrError(
      'KVR071',
      `'${ref}' is a vault of ${other.name}, and this run works in ${cloud.name}: set the environment to ${other.name} (input 'environment', --environment), or name a vault of ${cloud.name}`,
    );
  const suffix = cloud.vaultSuffix;
  const label = host.slice(0, -suffix.length);
  if (
    url.protocol !== 'https:' ||
    !host.endsWith(suffix) ||
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
      `'${ref}' is not a Key Vault URL: expected https://<vault-name>${suffix}, nothing more (a vault of ${cloud.name}).`,
    );
  }
  return vaultNameOf(label, cloud);
}
