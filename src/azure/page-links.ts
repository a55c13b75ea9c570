import { AsyncLocalStorage } from 'node:async_hooks';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/*
 * A listing that meets an error mid-way must go on from the page it stopped at. The SDKs take a page's nextLink back
 * as `byPage({ continuationToken })`, but their pages do not carry it (the clients map each page's items into a new
 * array, and the response hook sees only the first page). So the policy below reads it from each list page's answer,
 * for the one listing whose page is being read: the async context names it, so listings running side by side on one
 * client never see each other's links.
 */

/** What the policy saw of the page a listing read: its nextLink, or null on the last page; unset if it saw none. */
export interface PageSeen {
  nextLink?: string | null;
}

const reading = new AsyncLocalStorage<PageSeen>();

/** Runs `read` (one page of a listing) with `seen` receiving what the policy reads of that page's answer. */
export const readingPage = <T>(seen: PageSeen, read: () => Promise<T>): Promise<T> => reading.run(seen, read);

/** Records the nextLink of a list page's answer (a 200 whose JSON body has a `value` array) for `readingPage`. */
export const pageLinkPolicy: PipelinePolicy = {
  name: 'keyvaultReplicatePageLink',
  sendRequest: async (request, next) => {
    const response = await next(request);
    const seen = reading.getStore();
    if (!seen || request.method !== 'GET' || response.status !== 200 || !response.bodyAsText) return response;
    let body: { value?: unknown; nextLink?: unknown } | undefined;
    try {
      body = JSON.parse(response.bodyAsText) as typeof body;
    } catch {
      return response;
    }
    if (!Array.isArray(body?.value)) return response;
    seen.nextLink = typeof body.nextLink === 'string' && body.nextLink !== '' ? body.nextLink : null;
    return response;
  },
};
