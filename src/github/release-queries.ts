/** The release stage's questions (ReleaseQueries), answered through the GitHub API. */
import { honourRetries } from '../publish/dashboard-issue.js'
import { chooseBranch } from '../releases/branch.js'
import type { ReleaseDecision, ReleaseQueries } from '../releases/decision.js'
import { readSyncMarker } from '../report/marker.js'
import type { Log } from '../runner.js'
import type { GitHubApi } from './api.js'
import type { PullInfo } from './records.js'

/**
 * With `dashboard` set, a sync PR closed without merging no longer declines a release whose "sync again" box a
 * maintainer ticked on the dashboard issue (read only when such a PR is met). `wrapContains` may decorate the
 * containment check (compare), e.g. with a fallback for when GitHub cannot build the comparison (merge/containment.ts).
 */
export function releaseQueries(
  api: GitHubApi,
  target: string,
  branchPrefix: string,
  dashboard?: { log: Log },
  wrapContains: (viaApi: (sha: string) => Promise<boolean>) => (sha: string) => Promise<boolean> = (viaApi) => viaApi
): ReleaseQueries<PullInfo> {
  const queries: ReleaseQueries<PullInfo> = {
    listTags: (prefix) => api.listUpstreamTags(prefix),
    peel: (tag) => api.peelUpstreamTag(tag),
    targetContains: wrapContains((sha) => api.forkBranchContains(target, sha)),
    listReleases: () => api.upstreamReleases(),
    getRelease: (tag) => api.upstreamRelease(tag),
    findSyncPulls: (tag) => api.pullsForBranch(branchPrefix + tag, 'all'),
    commitDate: (sha) => api.upstreamCommitDate(sha),
    releasedTags: () => api.recentReleaseTags()
  }
  return dashboard ? honourRetries(queries, api, dashboard.log) : queries
}

/** `channel: branch`: the decision for the head of `upstream-branch` (else upstream's default branch). */
export async function chooseUpstreamBranch(api: GitHubApi, settings: { upstreamBranch?: string; branchPrefix: string }, target: string): Promise<ReleaseDecision<PullInfo>> {
  const branch = settings.upstreamBranch ?? (await api.upstreamDefaultBranch())
  const queries = releaseQueries(api, target, settings.branchPrefix)
  return chooseBranch(
    { branchHead: (name) => api.upstreamBranchHead(name), targetContains: queries.targetContains, findSyncPulls: queries.findSyncPulls },
    { branch, upstream: `${api.upstream.owner}/${api.upstream.repo}`, madeFrom: (pull) => readSyncMarker(pull.body)?.commit }
  )
}
