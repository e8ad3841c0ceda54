/**
 * The sample upstream and fork (test/support/repos.ts) served by a stand-in started with any options (the permission
 * model, tls, settings), for the stand-in's own tests; the scenario helper starts its stand-in with fixed options.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startStandIn, type StandIn, type StandInOptions } from '../../../../test/stand-in/server.js'
import { api, type ApiResponse } from '../../../../test/support/control.js'
import { createFork, createUpstream, git, type ForkRepo, type UpstreamRepo } from '../../../../test/support/repos.js'

export const TOKEN = 'ghs_StandInWorldToken0123456789abcdefABCD'

export interface World {
  root: string
  reposRoot: string
  upstream: UpstreamRepo
  fork: ForkRepo
  standIn: StandIn
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>
  /** Git arguments that authenticate as the token (basic auth, as actions/checkout does) and set an identity. */
  gitAuth: string[]
  /** Clones `fullName` into a fresh folder of the world and returns it. */
  clone(fullName: string, extra?: string[]): Promise<string>
  close(): Promise<void>
}

export async function createWorld(options: Omit<StandInOptions, 'root'> = {}): Promise<World> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'stand-in-world-'))
  const reposRoot = path.join(root, 'repos')
  await fs.mkdir(reposRoot)
  const upstream = await createUpstream(reposRoot)
  const fork = await createFork(reposRoot, { upstream })
  const standIn = await startStandIn({ root: reposRoot, token: TOKEN, ...options })
  const gitAuth = ['-c', `http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`, '-c', 'user.name=T', '-c', 'user.email=t@example.com']
  let clones = 0
  return {
    root,
    reposRoot,
    upstream,
    fork,
    standIn,
    gitAuth,
    api: (method, apiPath, body) => api(standIn, method, apiPath, body),
    clone: async (fullName, extra = []) => {
      const dir = path.join(root, `clone-${++clones}`)
      await git('', [...gitAuth, 'clone', '--quiet', ...extra, `${standIn.url}/${fullName}.git`, dir])
      return dir
    },
    close: async () => {
      await standIn.close()
      await fs.rm(root, { recursive: true, force: true })
    }
  }
}
