import { availableParallelism } from 'node:os';

/** Jest in ESM mode over TypeScript sources (ts-jest transpiles only; `npm run typecheck` type-checks). */
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.jest.json' }] },
  setupFiles: ['<rootDir>/test/setup/no-network.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup/temp-root.ts'],
  // The bundles (lib/cli carries a copy of package.json for --version) are no modules of the tests.
  modulePathIgnorePatterns: ['<rootDir>/lib/', '<rootDir>/dist/'],
};

/** In-process tests (no emulator, no child process but git): `npm run test:unit` runs them in seconds. */
const UNIT = ['test/{engine,state,lint,hosts,azure}/**/*.test.ts'];
/** Files in the unit folders that start the emulator all the same. */
const E2E_IN_UNIT_FOLDERS = ['test/engine/vault-port-contract.test.ts'];
// Jest expands <rootDir> only at the start of a glob, so a negated one is written from any folder down (**/).
const at = (globs) => globs.map((g) => `<rootDir>/${g}`);
const not = (globs) => globs.map((g) => `!**/${g}`);

/**
 * Two workers per core: most e2e files spend much of their time waiting (the SDK's retry back-offs, the Action and task
 * as child processes, git), which jest's default (one worker fewer than cores: one on two) spent with a core idle.
 * Capped, so that a big machine does not start dozens of emulators and bundles at once.
 */
const WORKERS = Math.min(8, 2 * availableParallelism());

export default {
  randomize: true,
  maxWorkers: WORKERS,
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: [...at(UNIT), ...not(E2E_IN_UNIT_FOLDERS)] },
    // Everything else: the contract with the emulator, the hosts end to end, the bundles. A later positive glob adds
    // back what an earlier negative one took out.
    {
      ...common,
      displayName: 'e2e',
      testMatch: [
        '<rootDir>/test/**/*.test.ts',
        '<rootDir>/emulator/test/**/*.test.ts',
        ...not(UNIT),
        ...at(E2E_IN_UNIT_FOLDERS),
      ],
    },
  ],
};
