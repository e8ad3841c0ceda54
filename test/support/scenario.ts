/**
 * The typical scenario the demo, the e2e tests and the benchmark start from, in one call: a stand-in on a fresh temp
 * root serving the sample upstream `acme/gateway` and its fork `carto/gateway-fork` (target branch `carto/main`, last
 * synced at v1.0.0-stable, so v1.1.0-stable is the release to sync).
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startStandIn, type StandIn, type StandInOptions } from '../stand-in/server.js'
import { runAction, runInProcess, type ActionRun, type RunActionOptions } from './action.js'
import { api, type ApiResponse } from './control.js'
import { createFork, createUpstream, type ForkRepo, type ForkSpec, type UpstreamRepo } from './repos.js'

export const UPSTREAM = 'acme/gateway'
export const FORK = 'carto/gateway-fork'
export const TARGET_BRANCH = 'carto/main'
/** A token shaped like GitHub's installation tokens, so masking and leak checks see a realistic value. */
export const SCENARIO_TOKEN = 'ghs_StandInScenarioToken0123456789abcdef'

export interface ScenarioOptions {
  /** The stand-in's token (default SCENARIO_TOKEN); null runs it open, without authentication. */
  token?: string | null
  /** The fork also changes the line upstream changes in 1.1.0 (gateway/server.py), so the merge conflicts. */
  conflict?: boolean
  /** Make carto/main the fork's default branch (default true). */
  setHead?: boolean
  /** More fork options (base tag, extra files). */
  fork?: Partial<Omit<ForkSpec, 'upstream'>>
  port?: number
  /**
   * How `run()` runs the action: `in-process` (default) calls src/'s run() with the in-memory runner; `bundle` spawns
   * dist/index.js with a runner's environment, as GitHub does (the e2e tier).
   */
  mode?: RunMode
  /**
   * GitHub's permission model for the token: it behaves as `tokenRepo`'s (default: the fork's) GITHUB_TOKEN with
   * these `permissions:` (`contents:write,pull-requests:write`; unlisted: none). Absent: the token may do anything.
   * TLS and run-time settings: see test/stand-in/README.md.
   */
  tokenRepo?: string
  permissions?: StandInOptions['permissions']
  tls?: boolean
  settings?: StandInOptions['settings']
}

export type RunMode = 'in-process' | 'bundle'

export interface ScenarioRunOptions extends Partial<Omit<RunActionOptions, 'standIn' | 'inputs'>> {
  /** Overrides the scenario's mode for this one run. */
  mode?: RunMode
}

export interface Scenario {
  /** The temp folder holding everything (removed by cleanup). */
  root: string
  /** The stand-in's repository root (`OWNER/NAME.git` inside). */
  reposRoot: string
  standIn: StandIn
  token?: string
  upstream: UpstreamRepo
  fork: ForkRepo
  /** Runs the action against the scenario: upstream and target branch inputs are preset, `inputs` add or override. */
  run(inputs?: Record<string, string>, options?: ScenarioRunOptions): Promise<ActionRun>
  /** The stand-in's API with the scenario's token. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>
  /** Stops the stand-in and removes every file the scenario made. */
  cleanup(): Promise<void>
}

export async function createScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-sync-scenario-'))
  const reposRoot = path.join(root, 'repos')
  const runsRoot = path.join(root, 'runs')
  await fs.mkdir(reposRoot, { recursive: true })
  try {
    const upstream = await createUpstream(reposRoot, UPSTREAM)
    const fork = await createFork(reposRoot, {
      upstream,
      fullName: FORK,
      targetBranch: TARGET_BRANCH,
      conflict: options.conflict,
      setHead: options.setHead,
      ...options.fork
    })
    const token = options.token === null ? undefined : (options.token ?? SCENARIO_TOKEN)
    const standIn = await startStandIn({
      root: reposRoot,
      token,
      port: options.port,
      ...(options.tokenRepo !== undefined || options.permissions !== undefined ? { tokenRepo: options.tokenRepo ?? FORK, permissions: options.permissions } : {}),
      ...(options.tls ? { tls: true } : {}),
      ...(options.settings ? { settings: options.settings } : {})
    })
    return {
      root,
      reposRoot,
      standIn,
      token,
      upstream,
      fork,
      run: (inputs = {}, { mode = options.mode ?? 'in-process', ...runOptions } = {}) =>
        (mode === 'bundle' || runOptions.entry ? runAction : runInProcess)({
          standIn,
          repository: fork.fullName,
          tempDir: runsRoot,
          ...runOptions,
          inputs: { 'upstream-repository': upstream.fullName, 'target-branch': fork.targetBranch, ...inputs }
        }),
      api: (method, apiPath, body) => api(standIn, method, apiPath, body),
      cleanup: async () => {
        await standIn.close()
        await fs.rm(root, { recursive: true, force: true })
      }
    }
  } catch (error) {
    await fs.rm(root, { recursive: true, force: true })
    throw error
  }
}
