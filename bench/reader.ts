// A production application reading the vaults the sync works on: SecretClient GETs at a steady rate, spread over the
// vaults, counting its own 429s (each attempt the SDK makes, retries included).
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { proxyKeepAlivePolicy } from '../src/azure/proxy-keep-alive.ts';
import { who, type VaultFigures } from './world.ts';

export interface ReaderFigures {
  ratePerSecond: number;
  seconds: number;
  gets: number;
  throttled: number;
  failed: number;
  /** Per vault, what the reader's own attempts added to the emulator's counters (the sync's figures exclude them). */
  vaults: Record<string, VaultFigures>;
}

export interface Reader {
  stop(): Promise<ReaderFigures>;
}

/** Reads `names[vault]` round robin, `ratePerSecond` GETs in all, alternating between the vaults. */
export function startReader(names: Record<string, string[]>, ratePerSecond: number): Reader {
  const credential = new ClientSecretCredential(who.tenantId, who.clientId, who.clientSecret);
  const vaults = Object.keys(names);
  const tally: Record<string, VaultFigures> = Object.fromEntries(
    vaults.map((v) => [v, { requests: 0, throttled: 0, valueReads: 0, writes: 0 }]),
  );
  const clients = vaults.map((v) => {
    const counting: PipelinePolicy = {
      name: 'bench-reader-tally',
      sendRequest: async (request, next) => {
        const response = await next(request);
        tally[v]!.requests++;
        if (response.status === 429) tally[v]!.throttled++;
        if (response.status === 200) tally[v]!.valueReads++;
        return response;
      },
    };
    // Connections kept open, as an application's are without a proxy: the SDK behind one (the emulator's) opens a
    // tunnel and a TLS session per request, whose handshakes at 150/s took the emulator's CPU from the sync.
    return new SecretClient(`https://${v}.vault.azure.net`, credential, {
      additionalPolicies: [
        { policy: counting, position: 'perRetry' },
        { policy: proxyKeepAlivePolicy, position: 'perRetry' },
      ],
    });
  });
  let sent = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  // Catches up on every tick: the rate holds whatever the timer's jitter.
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * ratePerSecond) / 1000);
    for (; sent < due; sent++) {
      const i = sent % vaults.length;
      const list = names[vaults[i]!]!;
      const get = clients[i]!.getSecret(list[Math.floor(sent / vaults.length) % list.length]!).then(
        () => undefined,
        () => {
          failed++;
        },
      );
      inFlight.add(get);
      void get.finally(() => inFlight.delete(get));
    }
  }, 5);
  return {
    async stop() {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      await Promise.all(inFlight);
      const throttled = Object.values(tally).reduce((a, t) => a + t.throttled, 0);
      return { ratePerSecond, seconds, gets: sent, throttled, failed, vaults: tally };
    },
  };
}

/** The sync's own figures: the emulator's, less what the reader added. */
export const withoutReader = (all: Record<string, VaultFigures>, reader: ReaderFigures): Record<string, VaultFigures> =>
  Object.fromEntries(
    Object.entries(all).map(([v, f]) => {
      const r = reader.vaults[v] ?? { requests: 0, throttled: 0, valueReads: 0, writes: 0 };
      return [
        v,
        {
          requests: f.requests - r.requests,
          throttled: f.throttled - r.throttled,
          valueReads: f.valueReads - r.valueReads,
          writes: f.writes,
        },
      ];
    }),
  );
