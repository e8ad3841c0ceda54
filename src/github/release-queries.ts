/** The release stage's questions (ReleaseQueries), answered through the GitHub API. */
import { honourRetries } from '../publish/dashboard-issue.js'
import type { ReleaseQueries } from '../releases/decision.js'
import type { Log } from '../runner.js'
import type { GitHubApi } from './api.js'
import type { PullInfo } from './records.js'

/**
 * With `dashboard` set, a sync PR closed without merging no longer declines a release whose "sync again" box a
 * maintainer ticked on the dashboard issue (read only when such a PR is met).
 */
export function releaseQueries(api: GitHubApi, target: string, branchPrefix: string, dashboard?: { log: Log }): ReleaseQueries<PullInfo> {
  const queries: ReleaseQueries<PullInfo> = {
    listTags: (prefix) => api.listUpstreamTags(prefix),
    peel: (tag) => api.peelUpstreamTag(tag),
    targetContains: (sha) => api.forkBranchContains(target, sha),
    getRelease: (tag) => api.upstreamRelease(tag),
    findSyncPulls: (tag) => api.pullsForBranch(branchPrefix + tag, 'all'),
    commitDate: (sha) => api.upstreamCommitDate(sha)
  }
  return dashboard ? honourRetries(queries, api, dashboard.log) : queries
}
