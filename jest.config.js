/** Jest in ESM mode over TypeScript sources (ts-jest transpiles only; `npm run typecheck` type-checks). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.jest.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/emulator/test/**/*.test.ts'],
  randomize: true,
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/setup/no-network.ts'],
};
