import forge from 'node-forge';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { selfSigned } from '../../emulator/keyvault/certificate-material.ts';
import { latest } from '../../emulator/model.ts';
import type { KeyVaultEmulator } from '../../emulator/server.ts';
import { runAction, type ActionRun } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { FakeGitHubApi } from '../support/fake-github-api.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addVault, uniqueVault } from '../support/replication-world.ts';

const BRANCH = 'keyvault-replication-state';
let emulator: KeyVaultEmulator;
let api: FakeGitHubApi;
beforeAll(async () => {
  emulator = await startActionWorld();
  api = await FakeGitHubApi.start();
  api.tokens.add('ghs_workflowtoken');
});
afterAll(async () => {
  emulator.close();
  await api.close();
});

/** What the runner shows of a step: it consumes the ::add-mask:: commands, which is where values must go. */
const visible = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

/** A password-protected PKCS#12, as a team would import it into the source vault. */
function protectedPfx(password: string): { pfx: string; keyLines: string[] } {
  const m = selfSigned('CN=pwd.contoso.com', 12, Date.now());
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(m.privateKeyPem!),
    [forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.decode64(m.certDerBase64)))],
    password,
    { algorithm: '3des' },
  );
  return {
    pfx: forge.util.encode64(forge.asn1.toDer(asn1).getBytes()),
    keyLines: m.privateKeyPem!.split('\n').filter((l) => l && !l.startsWith('-----')),
  };
}

test('secret values, private keys and PFX passwords never reach output, summary, comment, outputs, report, state history or errors, even with verbose logs and failed writes that echo their request', async () => {
  const src = addVault(emulator, uniqueVault('hsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('hdst'), 'westeurope');
  const value = `canary-value-${crypto.randomUUID()}`;
  const multiLine = `-----BEGIN CANARY-----\nline-one-${crypto.randomUUID()}\nline-two-${crypto.randomUUID()}\n-----END CANARY-----`;
  const password = `canary-pfx-password-${crypto.randomUUID()}`;
  const { pfx, keyLines } = protectedPfx(password);
  emulator.invoke(src, 'PUT', 'secrets/db-password', { value, contentType: 'text/plain' });
  emulator.invoke(src, 'PUT', 'secrets/tls-key-pem', { value: multiLine });
  emulator.invoke(src, 'PUT', 'secrets/clash', { value: `${value}-source` });
  emulator.invoke(dst, 'PUT', 'secrets/clash', { value: `${value}-target` });
  emulator.invoke(src, 'POST', 'certificates/pwd-cert/import', { value: pfx, pwd: password });
  emulator.vault(src).spec.certificateIssuanceMs = 0; // issued at once: its backing secret is read below
  emulator.invoke(src, 'POST', 'certificates/self-cert/create', {
    policy: {
      key_props: { exportable: true, kty: 'RSA', key_size: 2048 },
      x509_props: { subject: 'CN=self' },
      issuer: { name: 'Self' },
    },
  });
  const exported = [...emulator.vault(src).secrets.live.values()].filter((s) => s.managed).map((s) => latest(s).value);
  const canaries = [
    value,
    password,
    ...multiLine.split('\n').slice(1, 3),
    ...keyLines.slice(1, 4),
    ...exported.flatMap((e) => [e.slice(200, 260), e.slice(-120, -60)]),
  ];

  const repo = new GitFixture({
    '.github/keyvault-replication.yml': stringify({
      version: 1,
      replications: [
        {
          name: 'dr',
          source: src,
          targets: [dst],
          types: ['secrets', 'certificates'],
          rule: { all: true },
          overwrite_on_conflict: true,
        },
      ],
    }),
  });
  const debug = { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true', AZURE_LOG_LEVEL: 'verbose' };
  const runs: ActionRun[] = [];
  const pr = {
    name: 'pull_request',
    payload: { pull_request: { number: 7 }, repository: { name: 'repo', owner: { login: 'owner' } } },
  };
  runs.push(await runAction(emulator, { workspace: repo.clone(), as: ACTOR, event: pr, apiUrl: api.url, env: debug }));
  // Every write refused, the refusal echoing the request body (the value) back.
  emulator.setFaults(dst, { writeErrorRate: 1, echoRefusedWrites: true });
  runs.push(await runAction(emulator, { workspace: repo.clone(), as: ACTOR, env: debug }));
  emulator.setFaults(dst, { writeErrorRate: 0, echoRefusedWrites: false });
  runs.push(await runAction(emulator, { workspace: repo.clone(), as: ACTOR, env: debug }));

  expect(runs.map((r) => r.code)).toEqual([0, 1, 0]);
  expect(runs[1]!.report!.totals.failed).toBeGreaterThan(0);
  expect(runs[2]!.report!.totals).toMatchObject({ create: 4, update: 1 });
  expect(api.comments).toHaveLength(1);
  expect(runs[0]!.stderr).toMatch(/azure:/); // the SDK's verbose log really was on
  const seen = [
    ...runs.flatMap((r) => [
      visible(r.stdout),
      r.stderr,
      r.summary,
      JSON.stringify(r.outputs),
      readFileSync(r.outputs['report-path']!, 'utf8'),
    ]),
    ...api.comments.map((c) => c.body),
    repo.history(BRANCH),
  ].join('\n=====\n');
  expect(seen).toContain('db-password');
  expect(seen).toContain('pwd-cert');
  for (const canary of canaries) {
    expect(canary.length).toBeGreaterThan(20);
    expect(seen.includes(canary) ? canary : 'absent').toBe('absent');
  }
  // The runs' bearer credentials too (access tokens, OIDC ID tokens, the runner's request tokens), counted, never
  // shown.
  const { identity } = emulator;
  const tokens = [...identity.issuedAccessTokens, ...identity.issuedIdTokens, ...identity.githubRequests.keys()];
  expect(tokens.length).toBeGreaterThanOrEqual(3 * 3);
  expect(tokens.filter((t) => seen.includes(t)).length).toBe(0);
  // The value did travel, and every line of it was registered with the runner before anything could print it.
  expect(latest(emulator.vault(dst).secrets.live.get('db-password')!).value).toBe(value);
  const masks = runs.flatMap((r) =>
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length)),
  );
  for (const line of [value, ...multiLine.split('\n')]) expect(masks).toContain(line);
}, 60_000);
