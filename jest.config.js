// Test tiers, each a Jest project (`npm test -- --selectProjects engine`):
//   unit         pure functions, no processes, no sockets: milliseconds each
//   engine       real git in temp folders, no HTTP
//   integration  run() in-process with the in-memory runner against the stand-in and real git
//   e2e          a few runs of the bundled dist/index.js as a child process with a runner's environment
//   infra        the test infrastructure itself (stand-in, harness, benchmark, docs, workflows)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

// The tests make and delete thousands of repositories and temporary files. On a RAM disk that costs a fraction of
// what the disk's file system charges (on ext4, finding an inode for each new file showed up as a tenth of the git
// processes' time), so temporary files go to /dev/shm when it has room, unless TMPDIR was set. Workers inherit it.
function useRamDisk() {
  if (process.env.TMPDIR) return
  try {
    const stats = fs.statfsSync('/dev/shm')
    if (stats.bavail * stats.bsize < 4 * 1024 ** 3) return
    const dir = path.join('/dev/shm', `upstream-sync-tests-${process.getuid?.() ?? 0}`)
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    fs.accessSync(dir, fs.constants.W_OK)
    process.env.TMPDIR = dir
  } catch {
    // No RAM disk: the system's temporary folder it is.
  }
}
useRamDisk()

// glibc's malloc gives memory back to the system as soon as the top of the heap is free and asks for it again on the
// next allocation: git fast-import building a 20,000-file test commit made 88,000 brk calls, 1.4 s of system time
// on this virtual machine, and 0.4 s in all with a 64 MiB pad. Every git process, the Jest workers and the spawn
// helpers inherit it (address space reserved, not memory used).
process.env.MALLOC_TOP_PAD_ ??= String(64 * 1024 * 1024)

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
// The action's git commands start from the spawn helper in the tiers that run src/ with real git (see the file).
const throughHelper = (project) => ({ ...project, setupFiles: ['<rootDir>/test/support/git-through-helper.setup.ts'] })

export default {
  // A global option (projects cannot set one): engine, integration and e2e tests spawn git and the bundled action.
  testTimeout: 120000,
  // One worker more than the machine has cores (Jest's default is one fewer). A worker of the engine, integration and
  // e2e tiers waits on the git processes it started for about two thirds of its time, and a third worker keeps both
  // cores busy: on 2 cores, 2 workers left 12% of the CPU idle and took 176 s, 3 workers 157 s, 4 workers 160 s.
  maxWorkers: os.availableParallelism() + 1,
  // Longest files first, also on a fresh checkout without Jest's timing cache (see the file).
  testSequencer: '<rootDir>/jest.sequencer.js',
  projects: [
    // Root-level files are tests not yet moved to their tier.
    tier('unit', '<rootDir>/__tests__/unit/**/*.test.ts', '<rootDir>/__tests__/*.test.ts'),
    throughHelper(tier('engine', '<rootDir>/__tests__/engine/**/*.test.ts')),
    throughHelper(tier('integration', '<rootDir>/__tests__/integration/**/*.test.ts')),
    tier('e2e', '<rootDir>/__tests__/e2e/**/*.test.ts'),
    tier('infra', '<rootDir>/__tests__/infra/**/*.test.ts')
  ]
}
