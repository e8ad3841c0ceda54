/**
 * The run's API clients: one for the fork (its server, its token) and one for the upstream (its server, its token or
 * none). When the upstream is on the fork's server with the fork's token, both are the same client.
 */
import type { Log } from '../runner.js'
import type { Timing } from '../timing.js'
import type { RepoId } from '../types.js'
import { GitHubApi } from './api.js'
import { createClient } from './client.js'
import { FORK_SIDE, type RequestSide } from './errors.js'

export interface Connection {
  fork: RepoId
  upstream: RepoId
  token: string
  apiUrl: string
  upstreamHost: { apiUrl: string; token?: string; sameServer: boolean }
}

export function connect(settings: Connection, options: { log: Log; timing: Partial<Timing>; env: Readonly<Record<string, string | undefined>> }): GitHubApi {
  const forkClient = createClient({ token: settings.token, apiUrl: settings.apiUrl, ...options })
  const host = settings.upstreamHost
  if (host.apiUrl === settings.apiUrl && host.token === settings.token) return new GitHubApi(forkClient, settings.fork, settings.upstream)
  const side: RequestSide = {
    ...(host.token === undefined ? {} : { tokenInput: host.token === settings.token ? FORK_SIDE.tokenInput : 'upstream-token' }),
    apiSetting: host.sameServer ? "'upstream-api-url'" : "'upstream-server-url' and 'upstream-api-url'"
  }
  return new GitHubApi(forkClient, settings.fork, settings.upstream, { octokit: createClient({ token: host.token, apiUrl: host.apiUrl, ...options }), side })
}
