/**
 * The GitHub Enterprise case of issue 11 (6): the fork on the company's server, its upstream on github.com. Two
 * stand-ins, each with only its own repositories: `enterprise` holds the fork (its token, GITHUB_TOKEN's permission
 * model for the fork), `dotcom` holds the upstream (public by default, or behind its own token). The fork is no
 * network fork of the upstream there, as on a real Enterprise server: the fork's server knows upstream commits only
 * once a sync pushed them.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startStandIn, type StandIn } from '../stand-in/server.js'
import { runAction, runInProcess, type ActionRun, type RunActionOptions } from './action.js'
import { createFork, createUpstream, leaveNetwork, type ForkRepo, type UpstreamRepo } from './repos.js'
import { FORK, SCENARIO_TOKEN, TARGET_BRANCH, UPSTREAM } from './scenario.js'

export interface TwoHostOptions {
  /** The upstream server's own token (its stand-in then refuses anything without it); absent: a public upstream. */
  upstreamToken?: string
  /** The fork's token permissions (GITHUB_TOKEN's model for the fork); default the README's workflow. */
  permissions?: string
  /** Serve the upstream over HTTPS with its own CA (`dotcom.caFile`), which the runner does not trust by default. */
  upstreamTls?: boolean
  /** Serve the fork's server over HTTPS with a CA of its own too (`enterprise.caFile`). */
  forkTls?: boolean
}

export interface TwoHostScenario {
  root: string
  /** The fork's server (GITHUB_SERVER_URL / GITHUB_API_URL of the runs). */
  enterprise: StandIn
  /** The upstream's server (`upstream-server-url`). */
  dotcom: StandIn
  upstream: UpstreamRepo
  fork: ForkRepo
  /**
   * Runs the action on the fork's server, with `upstream-server-url` (and `upstream-token`) preset: `run()` in
   * process, or with `mode: 'bundle'` dist/index.js as a child process with a runner's environment (the e2e tier).
   */
  run(inputs?: Record<string, string>, options?: Partial<Omit<RunActionOptions, 'standIn' | 'inputs'>> & { mode?: 'in-process' | 'bundle' }): Promise<ActionRun>
  cleanup(): Promise<void>
}

export async function createTwoHostScenario(options: TwoHostOptions = {}): Promise<TwoHostScenario> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-sync-two-hosts-'))
  const started: StandIn[] = []
  const runs: ActionRun[] = []
  const cleanup = async (): Promise<void> => {
    await Promise.all(runs.map((run) => run.cleanup()))
    await Promise.all(started.map((standIn) => standIn.close()))
    await fs.rm(root, { recursive: true, force: true })
  }
  try {
    const upstream = await createUpstream(path.join(root, 'dotcom'), UPSTREAM)
    const fork = await createFork(path.join(root, 'enterprise'), { upstream, fullName: FORK, targetBranch: TARGET_BRANCH })
    // Not a fork in the Enterprise server's sense: its upstream is on another server.
    await leaveNetwork(fork.dir)
    const dotcom = await startStandIn({ root: path.join(root, 'dotcom'), ...(options.upstreamToken ? { token: options.upstreamToken } : {}), ...(options.upstreamTls ? { tls: true } : {}) })
    started.push(dotcom)
    const enterprise = await startStandIn({
      root: path.join(root, 'enterprise'),
      token: SCENARIO_TOKEN,
      tokenRepo: FORK,
      permissions: options.permissions ?? 'contents:write,pull-requests:write,issues:write',
      ...(options.forkTls ? { tls: true } : {})
    })
    started.push(enterprise)
    return {
      root,
      enterprise,
      dotcom,
      upstream,
      fork,
      run: async (inputs = {}, { mode, ...runOptions } = {}) => {
        const start = mode === 'bundle' ? runAction : runInProcess
        const run = await start({
          standIn: enterprise,
          repository: FORK,
          tempDir: path.join(root, 'runs'),
          ...runOptions,
          inputs: {
            'upstream-repository': UPSTREAM,
            'target-branch': TARGET_BRANCH,
            'upstream-server-url': dotcom.url,
            ...(options.upstreamToken ? { 'upstream-token': options.upstreamToken } : {}),
            ...inputs
          }
        })
        runs.push(run)
        return run
      },
      cleanup
    }
  } catch (error) {
    await cleanup()
    throw error
  }
}
