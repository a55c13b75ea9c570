import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import { TROUBLE_RUNS_KEPT, type ReplicationAlert, type TroubledItem } from '../../engine/alerts.ts';
import { KvrError } from '../../engine/errors.ts';
import type { StateStore } from '../../engine/ports.ts';
import type { PairState } from '../../engine/state.ts';

/** Alerts on repeated trouble, as the inputs ask: after how many runs in a row (0: off), and where to post. */
export interface AlertSettings {
  readonly afterRuns: number;
  readonly webhookUrl?: string;
}

/** Loopback hosts, where a relay on the agent itself may listen without TLS. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Reads the alert inputs: a whole number from 0 (off) to TROUBLE_RUNS_KEPT, and an https URL (http only on the
 * machine itself). The URL is a secret (whoever has it can post): the host registers it before this sees it, and no
 * message quotes it.
 */
export function parseAlertSettings(
  afterRuns: string | undefined,
  webhookUrl: string | undefined,
  labels: { afterRuns: string; webhookUrl: string },
): AlertSettings | undefined {
  const text = afterRuns?.trim() || '0';
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= TROUBLE_RUNS_KEPT)) {
    throw new KvrError(
      'KVR085',
      `${labels.afterRuns} must be a whole number from 0 (no alerts) to ${TROUBLE_RUNS_KEPT}, not ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
  if (webhookUrl && n === 0)
    throw new KvrError('KVR085', `${labels.webhookUrl} is set but ${labels.afterRuns} is 0: set both`);
  if (webhookUrl) {
    let url: URL | undefined;
    try {
      url = new URL(webhookUrl);
    } catch {
      url = undefined;
    }
    if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))))
      throw new KvrError('KVR085', `${labels.webhookUrl} is not an https URL (its value is not shown)`);
  }
  return n ? { afterRuns: n, webhookUrl } : undefined;
}

/** A state store that also remembers what the run loaded and saved: the alerts compare the two. */
export function recordingStore(store: StateStore): {
  store: StateStore;
  loaded: PairState[];
  saved: PairState[];
} {
  const loaded: PairState[] = [];
  const saved: PairState[] = [];
  return {
    loaded,
    saved,
    store: {
      signs: store.signs,
      load: async (keys) => {
        const result = await store.load(keys);
        loaded.push(...result.states.values());
        return result;
      },
      save: async (states, correlationId) => {
        const wrote = await store.save(states, correlationId);
        saved.push(...states);
        return wrote;
      },
    },
  };
}

/** One line per item: where, which, its status and for how many runs; names and statuses only, never a value. */
export const troubleLines = (items: readonly TroubledItem[]): string[] =>
  items.map(
    (i) => `${i.target}: ${i.type}/${i.name} ${i.status} for ${i.runs}${i.runs >= TROUBLE_RUNS_KEPT ? '+' : ''} runs`,
  );

/** The message of an alert that entered or left trouble (Slack's and Teams' incoming webhooks both take `text`). */
export function webhookText(a: ReplicationAlert, threshold: number, where: string): string {
  if (a.change === 'recovered')
    return `keyvault-replicate: replication ${a.replication} recovered: no record failed or blocked any more (${where}).`;
  const lines = troubleLines(a.after);
  const shown = lines.slice(0, 20).join('\n');
  return `keyvault-replicate: replication ${a.replication} has records failed or blocked for ${threshold}+ runs in a row (${where}):\n${shown}${lines.length > 20 ? `\n… and ${lines.length - 20} more` : ''}`;
}

/**
 * Posts one message per replication that entered or left trouble this run (not on every run while it lasts), through
 * HTTPS_PROXY when one is set. A message that cannot be delivered is a warning (KVR086), never the run's failure; the
 * warning names the replication and the HTTP status, never the URL.
 */
export async function postWebhookAlerts(
  url: string,
  alerts: readonly ReplicationAlert[],
  threshold: number,
  where: string,
  warn: (message: string) => void,
): Promise<void> {
  const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 2 } });
  const client = createDefaultHttpClient();
  for (const a of alerts.filter((x) => x.change === 'entered' || x.change === 'recovered')) {
    const request = createPipelineRequest({
      url,
      method: 'POST',
      body: JSON.stringify({ text: webhookText(a, threshold, where) }),
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
      timeout: 30_000,
      // Plain http only to a relay on this machine (parseAlertSettings refuses it anywhere else).
      allowInsecureConnection: url.startsWith('http:'),
    });
    const failure = await pipeline.sendRequest(client, request).then(
      (res) => (res.status >= 200 && res.status < 300 ? undefined : `HTTP ${res.status}`),
      (e: { code?: string; statusCode?: number }) => (e.statusCode ? `HTTP ${e.statusCode}` : (e.code ?? 'no answer')),
    );
    if (failure)
      warn(`KVR086: the alert webhook did not take the message on ${a.replication} (${a.change}): ${failure}`);
  }
}
