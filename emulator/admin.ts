import type { FaultSettings } from './faults.ts';
import { send, type Exchange } from './http-util.ts';
import { applySeed, type SeedDocument } from './seed.ts';
import type { EmulatorControl } from './control.ts';

/**
 * Inspection and control for a standalone emulator: counters, faults, seeding, reset, the clock. Served on localhost
 * only.
 */
export function handleAdmin(ex: Exchange, emulator: EmulatorControl): void {
  const route = `${ex.method} ${ex.url.pathname}`;
  if (route === 'GET /__admin/vaults') {
    return send(
      ex,
      200,
      [...emulator.vaults.values()].map((v) => ({
        name: v.spec.name,
        location: v.spec.location,
        subscriptionId: v.spec.subscriptionId,
        items: {
          secrets: v.secrets.live.size,
          keys: v.keys.live.size,
          certificates: v.certificates.live.size,
          deletedSecrets: v.secrets.deleted.size,
        },
        counters: { ...v.counters, clientRequestIds: [...v.counters.clientRequestIds] },
        faults: emulator.faultsOf(v.spec.name),
      })),
    );
  }
  if (route === 'POST /__admin/faults') {
    const { vault = '*', ...faults } = ex.json<Partial<FaultSettings> & { vault?: string }>();
    emulator.setFaults(vault, faults);
    return send(ex, 200, emulator.faultsOf(vault === '*' ? '' : vault));
  }
  if (route === 'POST /__admin/reset-counters') {
    emulator.resetCounters();
    return send(ex, 204);
  }
  if (route === 'POST /__admin/reset') {
    emulator.reset();
    return send(ex, 204);
  }
  if (route === 'POST /__admin/seed') {
    applySeed(emulator, ex.json<SeedDocument>());
    return send(ex, 200, { vaults: [...emulator.vaults.values()].map((v) => v.spec.name) });
  }
  if (route === 'POST /__admin/clock/advance') {
    // A client on a simulated clock lets the service's time pass with its own: throttle windows, stamps, tokens.
    const { ms } = ex.json<{ ms?: unknown }>();
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms))
      return send(ex, 400, { error: 'clock/advance takes { "ms": a finite number ≥ 0 }' });
    emulator.clock.advance(ms);
    return send(ex, 200, { now: emulator.clock.now() });
  }
  send(ex, 404, { error: `no admin route ${route}` });
}
