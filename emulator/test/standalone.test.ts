import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('npm run emulator -- --seed starts it, prints vault URLs and env (sign-in and subscription too); the README smoke script sets and reads a secret', async () => {
  const child = spawn(process.execPath, ['emulator/main.ts', '--seed', 'test/fixtures/smoke-seed.yml'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        if (out.includes('Ctrl-C')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`emulator exited ${code}`)));
    });
    expect(out).toContain('vault  https://smoke-src.vault.azure.net  (westeurope');
    const env = Object.fromEntries([...out.matchAll(/export (\w+)=(.*)/g)].map((m) => [m[1]!, m[2]!]));
    expect(env.HTTPS_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Everything keyvault-replicate's CLI reads to sign in and find vaults: the seed's principal and subscription.
    expect(env).toEqual({
      HTTPS_PROXY: env.HTTPS_PROXY,
      NO_PROXY: '',
      NODE_EXTRA_CA_CERTS: expect.stringMatching(/\/test\/\.certs\/ca\.pem$/),
      AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      AZURE_CLIENT_ID: 'smoke-client',
      AZURE_CLIENT_SECRET: 'smoke-secret',
      AZURE_SUBSCRIPTION_ID: '11111111-1111-1111-1111-111111111111',
    });
    const { stdout } = await run(process.execPath, ['test/smoke.mjs'], { env: { ...process.env, ...env } });
    expect(stdout.trim()).toBe('read back: it works');
    const admin = out.match(/admin {2}(\S+)/)![1]!;
    const vaults = (await (await fetch(admin)).json()) as {
      name: string;
      counters: { valueReads: number; writes: number };
    }[];
    expect(vaults.find((v) => v.name === 'smoke-src')?.counters).toMatchObject({ valueReads: 1, writes: 1 });
  } finally {
    child.kill('SIGTERM');
  }
});

test('the admin interface seeds, reads counters and resets over HTTPS', async () => {
  const { KeyVaultEmulator } = await import('../server.ts');
  const emulator = await KeyVaultEmulator.start();
  try {
    const admin = (path: string, body?: unknown) =>
      fetch(`https://localhost:${emulator.tlsPort}/__admin/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const seeded = await admin('seed', {
      vaults: [
        {
          name: 'admin-kv',
          location: 'westeurope',
          subscriptionId: 's',
          resourceGroup: 'rg',
          tenantId: 't',
          secrets: [{ name: 'a', value: 'b' }],
        },
      ],
    });
    expect(await seeded.json()).toEqual({ vaults: ['admin-kv'] });
    const vaults = (await (await admin('vaults')).json()) as { name: string; items: { secrets: number } }[];
    expect(vaults[0]).toMatchObject({ name: 'admin-kv', items: { secrets: 1 } });
    expect((await admin('faults', { vault: 'admin-kv', latencyMs: 5 })).status).toBe(200);
    expect(emulator.faultsOf('admin-kv').latencyMs).toBe(5);
    await admin('reset', {});
    expect(emulator.vaults.size).toBe(0);
  } finally {
    await emulator.close();
  }
});

test('the admin interface moves the service clock forward, for a client on a simulated clock; never backwards', async () => {
  const { KeyVaultEmulator } = await import('../server.ts');
  const emulator = await KeyVaultEmulator.start();
  try {
    const advance = (ms: unknown) =>
      fetch(`https://localhost:${emulator.tlsPort}/__admin/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms }),
      });
    const before = emulator.clock.now();
    const answer = await advance(3_600_000);
    expect(answer.status).toBe(200);
    const { now } = (await answer.json()) as { now: number };
    expect(now - before).toBeGreaterThanOrEqual(3_600_000);
    expect(emulator.clock.now() - before).toBeGreaterThanOrEqual(3_600_000);
    // Backwards, or not a number: refused, and the clock stays where it was.
    for (const bad of [-1, 'soon', null]) expect((await advance(bad)).status).toBe(400);
    expect(emulator.clock.now() - before).toBeLessThan(3_600_000 + 60_000);
  } finally {
    await emulator.close();
  }
});
