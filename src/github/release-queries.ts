/** The release stage's questions (ReleaseQueries), answered through the GitHub API. */
import type { ReleaseQueries } from '../releases/decision.js'
import type { GitHubApi } from './api.js'
import type { PullInfo } from './records.js'

export function releaseQueries(api: GitHubApi, target: string, branchPrefix: string): ReleaseQueries<PullInfo> {
  return {
    listTags: (prefix) => api.listUpstreamTags(prefix),
    peel: (tag) => api.peelUpstreamTag(tag),
    targetContains: (sha) => api.forkBranchContains(target, sha),
    listReleases: () => api.upstreamReleases(),
    getRelease: (tag) => api.upstreamRelease(tag),
    findSyncPulls: (tag) => api.pullsForBranch(branchPrefix + tag, 'all'),
    commitDate: (sha) => api.upstreamCommitDate(sha)
  }
}
