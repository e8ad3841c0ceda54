// Test tiers, each a Jest project (`npm test -- --selectProjects engine`):
//   unit         pure functions, no processes, no sockets: milliseconds each
//   engine       real git in temp folders, no HTTP
//   integration  run() in-process with the in-memory runner against the stand-in and real git
//   e2e          a few runs of the bundled dist/index.js as a child process with a runner's environment
//   infra        the test infrastructure itself (stand-in, harness, benchmark, docs, workflows)
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    // Type-checking is `npm run typecheck`'s job; with isolatedModules in tsconfig.json ts-jest only transpiles each
    // file, which keeps runs fast.
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }]
  }
}

const tier = (displayName, ...testMatch) => ({ ...common, displayName, testMatch })

export default {
  // A global option (projects cannot set one): engine, integration and e2e tests spawn git and the bundled action.
  testTimeout: 120000,
  // Jest's default on 2 cores is one worker; the engine, integration and e2e tests wait on git and the stand-in
  // most of the time, so a second worker halves the suite's wall time on a 2-core machine.
  maxWorkers: 2,
  // Longest files first, also on a fresh checkout without Jest's timing cache (see the file).
  testSequencer: '<rootDir>/jest.sequencer.js',
  projects: [
    // Root-level files are tests not yet moved to their tier.
    tier('unit', '<rootDir>/__tests__/unit/**/*.test.ts', '<rootDir>/__tests__/*.test.ts'),
    tier('engine', '<rootDir>/__tests__/engine/**/*.test.ts'),
    tier('integration', '<rootDir>/__tests__/integration/**/*.test.ts'),
    tier('e2e', '<rootDir>/__tests__/e2e/**/*.test.ts'),
    tier('infra', '<rootDir>/__tests__/infra/**/*.test.ts')
  ]
}
