/**
 * Finding the dashboard issue (by label and title) and honouring its ticked "sync again" boxes in the release walk.
 * See publish/dashboard.ts.
 */
import type { GitHubApi, PullInfo } from '../github/api.js'
import type { ReleaseQueries } from '../releases/decision.js'
import { DASHBOARD_TITLE, readDashboard } from '../report/dashboard.js'
import type { Log } from '../runner.js'

/** The label of the dashboard issue (also the sync PRs' default label). */
export const DASHBOARD_LABEL = 'upstream-sync'

export interface DashboardIssue {
  number: number
  url: string
  state: 'open' | 'closed'
  body: string
}

export interface RawIssue {
  number: number
  html_url: string
  state: string
  title: string
  body?: string | null
  pull_request?: unknown
}

export function toIssue(raw: RawIssue): DashboardIssue {
  return { number: raw.number, url: raw.html_url, state: raw.state === 'open' ? 'open' : 'closed', body: raw.body ?? '' }
}

/** The dashboard issues of the fork, open ones first, then by number (one request for up to 100 labelled issues). */
export async function listDashboards(api: GitHubApi): Promise<DashboardIssue[]> {
  const { data } = await api.octokit.rest.issues.listForRepo({ ...api.fork, labels: DASHBOARD_LABEL, state: 'all', sort: 'created', direction: 'asc', per_page: 100 })
  return (data as RawIssue[])
    .filter((issue) => !issue.pull_request && issue.title === DASHBOARD_TITLE)
    .map(toIssue)
    .sort((a, b) => (a.state === b.state ? a.number - b.number : a.state === 'open' ? -1 : 1))
}

/** One lookup per run, shared by the release walk (ticked boxes) and the update. */
const lookups = new WeakMap<GitHubApi, Promise<DashboardIssue | undefined>>()

export function findDashboard(api: GitHubApi): Promise<DashboardIssue | undefined> {
  let found = lookups.get(api)
  if (!found) {
    found = listDashboards(api).then((issues) => issues[0])
    lookups.set(api, found)
  }
  return found
}

/** The ticked "sync again" boxes of the open dashboard; none when it cannot be read. */
async function ticked(api: GitHubApi, log: Log): Promise<Set<string>> {
  try {
    const issue = await findDashboard(api)
    return issue?.state === 'open' ? readDashboard(issue.body).retry : new Set()
  } catch (error) {
    log.debug(`dashboard: could not read the dashboard issue (${error instanceof Error ? error.message : String(error)}); no release is re-synced`)
    return new Set()
  }
}

/**
 * The release walk's questions, where a sync PR closed without merging no longer declines a release whose box a
 * maintainer ticked. The dashboard is read only when such a PR is met (no request otherwise).
 */
export function honourRetries(queries: ReleaseQueries<PullInfo>, api: GitHubApi, log: Log): ReleaseQueries<PullInfo> {
  return {
    ...queries,
    findSyncPulls: async (tag) => {
      const pulls = await queries.findSyncPulls(tag)
      const declined = (pull: PullInfo): boolean => pull.state === 'closed' && !pull.merged
      if (pulls.some((pull) => pull.state === 'open') || !pulls.some(declined)) return pulls
      if (!(await ticked(api, log)).has(tag)) return pulls
      log.info(`dashboard: a maintainer asked to sync ${tag} again; its closed sync PR no longer skips it`)
      return pulls.filter((pull) => !declined(pull))
    }
  }
}

