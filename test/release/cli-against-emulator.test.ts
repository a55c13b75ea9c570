import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../support/temp-dir.ts';

const run = promisify(execFile);

/** The environment of a shell that has none of the variables the emulator prints: they must come from its lines. */
function cleanEnv(): NodeJS.ProcessEnv {
  const dropped = /^(AZURE_|IDENTITY_|MSI_|HTTPS?_PROXY$|NO_PROXY$|NODE_EXTRA_CA_CERTS$)/i;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !dropped.test(k)));
}

/**
 * The README's three commands to try the CLI: `npm run emulator -- --seed test/fixtures/smoke-seed.yml`, its
 * `export` lines pasted into another shell, `npm run cli -- plan --config test/fixtures/smoke-config.yml`.
 */
test('the CLI plans against the standalone emulator with only the environment the emulator prints', async () => {
  const emulator = spawn(process.execPath, ['emulator/main.ts', '--seed', 'test/fixtures/smoke-seed.yml'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    await new Promise<void>((done, fail) => {
      emulator.stdout.on('data', (c) => {
        out += c;
        if (out.includes('Ctrl-C')) done();
      });
      emulator.on('exit', (code) => fail(new Error(`emulator exited ${code}`)));
    });
    const exported = Object.fromEntries([...out.matchAll(/^ {2}export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    const cwd = tempDir('cli-try-');
    const { stdout } = await run(
      process.execPath,
      [resolve('src/hosts/cli/index.ts'), 'plan', '--config', resolve('test/fixtures/smoke-config.yml'), '--json'],
      { cwd, env: { ...cleanEnv(), ...exported } },
    );
    const report = JSON.parse(stdout) as {
      exitCode: number;
      pairs: { source: string; target: string; records: { name: string; status: string }[] }[];
    };
    expect(report.exitCode).toBe(0);
    expect(report.pairs).toEqual([
      expect.objectContaining({ source: 'smoke-src', target: 'smoke-dst', records: [expect.anything()] }),
    ]);
    expect(report.pairs[0]!.records[0]).toMatchObject({ name: 'greeting', status: 'create' });
  } finally {
    emulator.kill('SIGTERM');
  }
});
