/**
 * The dashboard issue in the fork (`dashboard: true`): found by label and title, created once, updated in place, and
 * never written when what it shows did not change (report/dashboard.ts renders it and reads it back).
 *
 * - Find: `GET /issues?labels=upstream-sync&state=all`, the issues titled {@link DASHBOARD_TITLE}; the open one with
 *   the lowest number wins (a closed one is reopened when no open one exists).
 * - Concurrent runs: two runs that both find none both create one; each then lists again, and the one that did not
 *   create the lowest number closes its own as a duplicate. The body is the same for both, so either write is right.
 * - "Sync again": a ticked box names a release whose sync PR was closed without merging. The release walk then treats
 *   that closed PR as not declined ({@link honourRetries}), so the run opens a new PR for it; once that PR exists
 *   the box is gone (and a new close declines the release again).
 * - Without `issues: write` (GitHub's 403), or on any other failure, one warning: the dashboard never fails a sync.
 */
import { isUserError } from '../errors.js'
import type { GitHubApi } from '../github/api.js'
import { statusOf } from '../github/errors.js'
import type { Outcome } from '../outcome.js'
import { DASHBOARD_TITLE, readDashboard, renderDashboard, type DashboardState, type DashboardView } from '../report/dashboard.js'
import type { Log } from '../runner.js'
import { DASHBOARD_LABEL, findDashboard, listDashboards, toIssue, type DashboardIssue, type RawIssue } from './dashboard-issue.js'
import { buildDashboardView, type DashboardRequest } from './dashboard-view.js'

export { DASHBOARD_LABEL, honourRetries } from './dashboard-issue.js'

/**
 * The dashboard step of a run (`dashboard: true`): builds the view from the run's outcome and writes it when it
 * changed. A failed run leaves the dashboard as it was (its ticked boxes included).
 */
export async function updateDashboard(
  request: Omit<DashboardRequest, 'outcome'> & { outcome: Outcome; dryRun: boolean; log: Log }
): Promise<DashboardWrite> {
  const { outcome } = request
  if (outcome.result === 'failed') {
    request.log.info('dashboard: not updated, the run failed')
    return 'unchanged'
  }
  return writeDashboard(request.api, (state) => buildDashboardView({ ...request, outcome }, state), request)
}


/** What the update did, for the log and tests. */
export type DashboardWrite = 'created' | 'updated' | 'unchanged' | 'dry-run' | 'failed'

/**
 * Writes `view` to the dashboard issue when what it shows changed (or it is closed), creating it when there is none.
 * `view(state)` gets what the current body says (ticked boxes) to build the view. Never throws: a failure is one
 * warning, and the sync goes on.
 */
export async function writeDashboard(api: GitHubApi, view: (state: DashboardState) => Promise<DashboardView>, options: { dryRun: boolean; log: Log }): Promise<DashboardWrite> {
  const { log } = options
  try {
    const existing = await findDashboard(api)
    const state = readDashboard(existing?.body)
    const rendered = renderDashboard(await view(state), state.runs)
    if (existing?.state === 'open' && state.digest === rendered.digest) {
      log.info(`dashboard #${existing.number} is up to date: not rewritten`)
      return 'unchanged'
    }
    if (options.dryRun) {
      log.info(`Dry run: would ${existing ? 'update' : 'create'} the dashboard issue:\n${rendered.body}`)
      return 'dry-run'
    }
    if (existing) {
      await api.octokit.rest.issues.update({ ...api.fork, issue_number: existing.number, body: rendered.body, state: 'open' })
      log.info(`dashboard #${existing.number} updated: ${existing.url}`)
      return 'updated'
    }
    const { data } = await api.octokit.rest.issues.create({ ...api.fork, title: DASHBOARD_TITLE, body: rendered.body, labels: [DASHBOARD_LABEL] })
    const mine = toIssue(data as RawIssue)
    await keepOne(api, mine)
    log.info(`dashboard #${mine.number} created: ${mine.url}`)
    return 'created'
  } catch (error) {
    const status = statusOf(error) ?? (isUserError(error, 'permission') ? 403 : undefined)
    log.warning(
      status === 403
        ? "dashboard: the token may not write issues, so the dashboard was not updated. Add 'issues: write' to the workflow's permissions (or set dashboard: false); the sync itself went on."
        : `dashboard: not updated (${error instanceof Error ? error.message : String(error)}); the sync itself went on.`
    )
    return 'failed'
  }
}

/** After creating `mine`: when a concurrent run created one with a lower number first, close ours as its duplicate. */
async function keepOne(api: GitHubApi, mine: DashboardIssue): Promise<void> {
  const winner = (await listDashboards(api)).find((issue) => issue.state === 'open')
  if (!winner || winner.number === mine.number) return
  await api.octokit.rest.issues.update({
    ...api.fork,
    issue_number: mine.number,
    state: 'closed',
    state_reason: 'not_planned',
    body: `Duplicate of #${winner.number}, created by a concurrent run.`
  })
}
