/** The release stage's questions (ReleaseQueries), answered through the GitHub API. */
import type { ReleaseQueries } from '../releases/decision.js'
import type { GitHubApi } from './api.js'
import type { PullInfo } from './records.js'

/**
 * `wrapContains` may decorate the containment check (compare), e.g. with a fallback for when GitHub cannot build the
 * comparison (merge/containment.ts).
 */
export function releaseQueries(
  api: GitHubApi,
  target: string,
  branchPrefix: string,
  wrapContains: (viaApi: (sha: string) => Promise<boolean>) => (sha: string) => Promise<boolean> = (viaApi) => viaApi
): ReleaseQueries<PullInfo> {
  return {
    listTags: (prefix) => api.listUpstreamTags(prefix),
    peel: (tag) => api.peelUpstreamTag(tag),
    targetContains: wrapContains((sha) => api.forkBranchContains(target, sha)),
    getRelease: (tag) => api.upstreamRelease(tag),
    findSyncPulls: (tag) => api.pullsForBranch(branchPrefix + tag, 'all'),
    commitDate: (sha) => api.upstreamCommitDate(sha),
    releasedTags: () => api.recentReleaseTags()
  }
}
