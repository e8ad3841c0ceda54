/**
 * Helpers shared by the safety, fault and input-validation e2e tests: a scenario per test, what the fork holds
 * (refs, PRs), what the action asked of the stand-in (request log), and assertions that print the action's log when
 * they fail, so a red test says what the action did.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { describeRun, type ActionRun } from '../../../test/support/action.js'
import { addFault, gitTraffic, requestLog, resetLog, type FaultSpec, type RequestLogEntry } from '../../../test/support/control.js'
import { git, resolveCommit } from '../../../test/support/repos.js'
import { FORK, createScenario, type Scenario, type ScenarioOptions } from '../../../test/support/scenario.js'

export const SYNC_TAG = 'v1.1.0-stable'
export const SYNC_BRANCH = `upstream-sync/${SYNC_TAG}`
/** The fork's API path prefix, as it appears in the stand-in's request log. */
export const FORK_API = `/api/v3/repos/${FORK}`

/** Runs `test` with a fresh scenario and removes everything afterwards, runs included. */
export async function withScenario<T>(options: ScenarioOptions, test: (s: Scenario) => Promise<T>): Promise<T> {
  const scenario = await createScenario(options)
  const runs: ActionRun[] = []
  const tracked: Scenario = {
    ...scenario,
    run: async (...args: Parameters<Scenario['run']>) => {
      const run = await scenario.run(...args)
      runs.push(run)
      return run
    }
  }
  try {
    return await test(tracked)
  } finally {
    await Promise.all(runs.map((run) => run.cleanup()))
    await scenario.cleanup()
  }
}

export { describeRun }

/** Throws with the action's log unless it exited 0. */
export function expectSuccess(run: ActionRun): void {
  if (run.exitCode !== 0) throw new Error(`expected the action to succeed\n${describeRun(run)}`)
}

/**
 * Throws with the action's log unless it failed with exactly one `::error::` annotation, and returns that message
 * (core.setFailed prints exactly one).
 */
export function expectOneError(run: ActionRun): string {
  const errors = run.annotations.filter((annotation) => annotation.level === 'error')
  if (run.exitCode === 0 || errors.length !== 1) {
    throw new Error(`expected the action to fail with exactly one error annotation, got ${errors.length}\n${describeRun(run)}`)
  }
  return (errors[0] as { message: string }).message
}

export function warnings(run: ActionRun): string[] {
  return run.annotations.filter((annotation) => annotation.level === 'warning').map((annotation) => annotation.message)
}

/** Every ref of a bare repository with its object id, for "nothing else changed" comparisons. */
export async function refSnapshot(repoDir: string): Promise<Record<string, string>> {
  const text = await git(repoDir, ['for-each-ref', '--format=%(refname) %(objectname)'])
  const refs: Record<string, string> = {}
  for (const line of text.split('\n').filter(Boolean)) {
    const [ref = '', sha = ''] = line.split(' ')
    refs[ref] = sha
  }
  return refs
}

/** The commit a branch of the fork points at, or undefined. */
export function forkBranch(s: Scenario, branch: string): Promise<string | undefined> {
  return resolveCommit(s.fork.dir, `refs/heads/${branch}`)
}

/** The parents of a commit in a bare repository. */
export async function parentsOf(repoDir: string, sha: string): Promise<string[]> {
  return (await git(repoDir, ['rev-list', '--parents', '-n', '1', sha])).split(' ').slice(1)
}

// The stand-in answers GitHub's JSON; tests read a few fields of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

/** Every pull request of the fork (open and closed), oldest first. */
export async function forkPulls(s: Scenario): Promise<Json[]> {
  const response = await s.api('GET', `/repos/${FORK}/pulls?state=all&per_page=100&direction=asc&sort=created`)
  return response.data as Json[]
}

/** Comments of one issue or PR of the fork. */
export async function comments(s: Scenario, number: number): Promise<Json[]> {
  return (await s.api('GET', `/repos/${FORK}/issues/${number}/comments`)).data as Json[]
}

/** API requests from the log matching a method and a path pattern. */
export async function apiRequests(s: Scenario, method: string, pathPattern: RegExp): Promise<RequestLogEntry[]> {
  const log = await requestLog(s.standIn)
  return log.filter((entry) => entry.method === method && pathPattern.test(entry.path))
}

/** How many pushes reached the fork since the log was last reset. */
export async function forkPushes(s: Scenario): Promise<number> {
  const traffic = await gitTraffic(s.standIn)
  return Object.entries(traffic.repos)
    .filter(([name]) => name.toLowerCase() === FORK)
    .reduce((sum, [, counters]) => sum + counters.pushes, 0)
}

export { addFault, resetLog, requestLog, gitTraffic, type FaultSpec }

/** Every regular file under `dir` (recursively), for leak and "no stray file" checks. */
export async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = []
  const walk = async (current: string): Promise<void> => {
    let entries: import('node:fs').Dirent[]
    try {
      entries = await fs.readdir(current, { withFileTypes: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) await walk(full)
      else if (entry.isFile()) files.push(full)
    }
  }
  await walk(dir)
  return files
}
