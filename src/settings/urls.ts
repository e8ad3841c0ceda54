/**
 * Where the run's git talks to: each repository's clone URL on its own server, and which token authenticates to which
 * URL. The fork and the upstream may live on different servers (upstream-host.ts).
 */
import type { RepoId } from '../types.js'
import type { ActionInputs } from './inputs.js'

/** A repository's clone URL on `serverUrl`. */
export function gitUrl(serverUrl: string, repo: RepoId): string {
  return `${serverUrl}/${repo.owner}/${repo.repo}.git`
}

export function forkGitUrl(settings: Pick<ActionInputs, 'serverUrl' | 'fork'>): string {
  return gitUrl(settings.serverUrl, settings.fork)
}

export function upstreamGitUrl(settings: Pick<ActionInputs, 'upstreamHost' | 'upstream'>): string {
  return gitUrl(settings.upstreamHost.serverUrl, settings.upstream)
}

/**
 * The credentials git sends, each only to its own repository's URL (git's `http.<url>.*` matches by URL prefix, path
 * included): the fork's token to the fork, the upstream's (if any) to the upstream. So the fork's token never reaches
 * another server, nor another repository of its own server.
 */
export function gitCredentials(settings: Pick<ActionInputs, 'serverUrl' | 'fork' | 'upstreamHost' | 'upstream' | 'token'>): Array<{ url: string; token: string }> {
  const credentials = [{ url: forkGitUrl(settings), token: settings.token }]
  if (settings.upstreamHost.token !== undefined) credentials.push({ url: upstreamGitUrl(settings), token: settings.upstreamHost.token })
  return credentials
}
