// Two projects: fast unit tests with mocked modules, and e2e runs of the bundled action against the stand-in.
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

export default {
  // A global option (projects cannot set it): e2e runs spawn git and the bundled action, so give them room; unit
  // tests finish in milliseconds either way.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/e2e/']
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts']
    }
  ]
}
