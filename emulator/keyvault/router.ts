import { cloudNamed, vaultHostOf } from '../clouds.ts';
import type { VaultSpec } from '../model.ts';
import { certificateRoutes } from './certificates.ts';
import type { Route } from './context.ts';
import { keyRoutes } from './keys.ts';
import { secretRoutes } from './secrets.ts';

const ROUTES: Route[] = [...secretRoutes, ...keyRoutes, ...certificateRoutes];

/**
 * The vault a data-plane host name names (`kv-a.vault.azure.net`, `kv-a.vault.usgovcloudapi.net` → `kv-a`); undefined
 * for any other host.
 */
export const vaultNameOf = (host: string): string | undefined => vaultHostOf(host)?.name;
/** The host name of a vault, in its cloud. */
export const vaultHost = (spec: VaultSpec): string => `${spec.name}${cloudNamed(spec.cloud).vaultSuffix}`;

/** The data-plane route a method and path segments match, with the path's parameters, decoded. */
export function matchRoute(
  method: string,
  segments: string[],
): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    const optionalLast = pattern[pattern.length - 1]?.endsWith('?');
    if (segments.length !== pattern.length && !(optionalLast && segments.length === pattern.length - 1)) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const s = segments[i];
      if (p.startsWith(':')) {
        if (s !== undefined) params[p.slice(1).replace('?', '')] = decodeURIComponent(s);
        return s !== undefined ? s !== '' || p.endsWith('?') : p.endsWith('?');
      }
      return s !== undefined && s.toLowerCase() === p;
    });
    if (ok) return { route, params };
  }
  return undefined;
}
