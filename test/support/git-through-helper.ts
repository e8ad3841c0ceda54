/**
 * The action's git commands (its one `spawn` call, src/git/process.ts) start from the spawn helper
 * (test/support/spawn.ts) like the stand-in's do: the same commands, environment and output, without the Jest worker
 * paying a memory-map copy per git process.
 *
 * The engine and integration tiers call it from a Jest setup file (git-through-helper.setup.ts), so it is registered
 * before a test file's imports are linked and static imports of src/ see it too; runInProcess
 * (test/support/action.ts) calls it for the other tiers before it loads src/. The bundle (e2e tier) keeps Node's
 * own spawn, and `UPSTREAM_SYNC_TEST_SPAWN=direct` turns this off.
 */
import { spawnStreaming } from './spawn.js'

let routed = false

/** Outside Jest (the benchmark, the demo) nothing happens: `@jest/globals` is only imported under Jest. */
export async function routeGitThroughHelper(): Promise<void> {
  if (routed || process.env.JEST_WORKER_ID === undefined || process.env.UPSTREAM_SYNC_TEST_SPAWN === 'direct') return
  routed = true
  const { jest } = await import('@jest/globals')
  const real = await import('node:child_process')
  // A git whose output goes to a file (runGit's largeOutput) is started directly: the helper only relays pipes.
  const toFile = (options?: { stdio?: unknown }): boolean => Array.isArray(options?.stdio) && typeof options.stdio[1] === 'number'
  const spawnGit = ((command: string, args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv; stdio?: unknown }) =>
    command === 'git' && !toFile(options) ? spawnStreaming(command, args, { cwd: options?.cwd, env: options?.env }) : real.spawn(command, args, (options ?? {}) as Parameters<typeof real.spawn>[2])) as unknown as typeof real.spawn
  jest.unstable_mockModule('node:child_process', () => ({ ...real, default: { ...real, spawn: spawnGit }, spawn: spawnGit }))
}

