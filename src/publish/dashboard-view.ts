/**
 * What the dashboard shows, gathered from the run's decision and outcome with as few extra requests as possible:
 * - the releases newer than the target: for `up-to-date` / `waiting` the walk already met them all (its passed-over
 *   candidates); for `sync` / `skipped` one tag listing adds those older than the one it stopped at (and, for
 *   `skipped`, a galloping search finds what the target contains, as the walk does for `sync`);
 * - when the target's version was synced: its merged sync PR (one request);
 * - when the newest unsynced release came out: its release (already read when it is the one synced), else its commit;
 * - the merge settings: the fork's repository record, read once per run.
 */
import type { GitHubApi, PullInfo } from '../github/api.js'
import { releaseQueries } from '../github/release-queries.js'
import type { Outcome } from '../outcome.js'
import { newestContained, previousOf, selectCandidates, TagLookups } from '../releases/candidates.js'
import type { Channel } from '../releases/channel.js'
import type { Candidate, PassedOver, PreviousRelease } from '../releases/decision.js'
import { compareVersions } from '../releases/version.js'
import type { DashboardRelease, DashboardState, DashboardView, ReleaseState } from '../report/dashboard.js'
import type { RepoId } from '../types.js'

export interface DashboardRequest {
  api: GitHubApi
  outcome: Exclude<Outcome, { result: 'failed' }>
  settings: { upstream: RepoId; upstreamHost: { serverUrl: string }; channel: Channel; branchPrefix: string; runUrl?: string }
  target: string
  /** The channel's health: the upstream release newer than the channel, from the `channel-drift` detection. */
  drift?: { tag: string }
  now?: Date
}

/** A release passed over on the way to the decision; a declined one (`pick: next`) comes in with the newer sync. */
function passedOverState(passed: PassedOver): ReleaseState | undefined {
  if (passed.why === 'declined') return undefined
  if (passed.why === 'too-recent' && passed.eligibleAt) return { kind: 'waiting-age', eligibleAt: passed.eligibleAt }
  return { kind: 'waiting-release', why: passed.why === 'too-recent' || passed.why === 'unreleased' ? 'no-release' : passed.why }
}

/** The state of the release the walk stopped at, from what the run made of it. */
function terminalState(outcome: DashboardRequest['outcome']): ReleaseState | undefined {
  const decision = outcome.decision
  if (decision.kind === 'skipped') return { kind: 'skipped', pull: decision.skippedPull }
  if (decision.kind !== 'sync' || !('merge' in outcome)) return undefined
  const pull = outcome.pull
  if (!pull) return { kind: 'proposed' }
  const merge = outcome.merge
  if (merge.status === 'conflicts') return { kind: 'pull', pull, merge: 'conflicts', conflicts: merge.conflicts.length }
  return { kind: 'pull', pull, merge: merge.autoResolved.length > 0 ? 'auto-resolved' : 'clean' }
}

/** The channel's candidates newer than the target, newest first, and the target's version. */
async function newerReleases(request: DashboardRequest, lookups: TagLookups): Promise<{ newer: Candidate[]; previous?: PreviousRelease }> {
  const { api, outcome, settings } = request
  const decision = outcome.decision
  const walked = decision.passedOver.map((passed) => passed.candidate)
  if (decision.kind !== 'sync' && decision.kind !== 'skipped') return { newer: walked, ...(decision.previous ? { previous: decision.previous } : {}) }
  const terminal = decision.candidate
  const candidates = selectCandidates(await api.listUpstreamTags(settings.channel.prefix), settings.channel, {})
  let previous = decision.previous
  if (decision.kind === 'skipped' && !previous?.tag) {
    const contained = await newestContained(candidates.filter((c) => compareVersions(c.version, terminal.version) < 0), lookups)
    if (contained) previous = previousOf(contained)
  }
  const floor = previous?.version
  const newer = candidates.filter((c) => !floor || compareVersions(c.version, floor) > 0)
  if (!newer.some((c) => c.tag === terminal.tag)) newer.unshift(terminal)
  return { newer, ...(previous ? { previous } : {}) }
}

/** When the release of `candidate` came out: its release's date, else its commit's. */
async function releasedAt(request: DashboardRequest, candidate: Candidate, lookups: TagLookups): Promise<Date | undefined> {
  const decision = request.outcome.decision
  const known = decision.kind === 'sync' && decision.candidate.tag === candidate.tag ? decision.release : undefined
  const release = known ?? (await request.api.upstreamRelease(candidate.tag))
  const text = release?.publishedAt ?? release?.createdAt
  if (text && !Number.isNaN(new Date(text).getTime())) return new Date(text)
  return request.api.upstreamCommitDate(await lookups.commitOf(candidate))
}

/** The merged sync PR that brought `tag` into the target, if this action's PR did. */
async function syncedBy(request: DashboardRequest, tag: string): Promise<PullInfo | undefined> {
  const pulls = await request.api.pullsForBranch(request.settings.branchPrefix + tag, 'closed')
  return pulls.find((pull) => pull.merged)
}

/** The dashboard's view of this run; `state` is what the current body says (the ticked boxes). */
export async function buildDashboardView(request: DashboardRequest, state: DashboardState): Promise<DashboardView> {
  const { api, outcome, settings } = request
  const decision = outcome.decision
  const lookups = new TagLookups(releaseQueries(api, request.target, settings.branchPrefix))
  const { newer, previous } = await newerReleases(request, lookups)
  const passed = new Map(decision.passedOver.flatMap((p) => {
    const state = passedOverState(p)
    return state ? [[p.candidate.tag, state] as const] : []
  }))
  const terminal = decision.kind === 'up-to-date' ? undefined : decision.candidate
  const terminalNow = terminalState(outcome)
  const newest = terminal?.tag ?? newer.find((c) => !passed.has(c.tag))?.tag ?? ''
  const releases: DashboardRelease[] = newer.map((candidate) => {
    const own = candidate.tag === terminal?.tag ? terminalNow : undefined
    const releaseState: ReleaseState = own ?? passed.get(candidate.tag) ?? { kind: 'older', newest }
    const retryRequested = state.retry.has(candidate.tag) && releaseState.kind !== 'pull'
    return { tag: candidate.tag, state: releaseState, ...(retryRequested ? { retryRequested } : {}) }
  })
  const pull = previous?.tag ? await syncedBy(request, previous.tag) : undefined
  const first = newer[0]
  const newestReleasedAt = first ? await releasedAt(request, first, lookups) : undefined
  const mergeCommitsAllowed = await api.forkAllowsMergeCommits().catch(() => undefined)
  return {
    upstream: `${settings.upstream.owner}/${settings.upstream.repo}`,
    upstreamServerUrl: settings.upstreamHost.serverUrl,
    targetBranch: request.target,
    ...(previous
      ? {
          current: {
            version: previous.text,
            ...(previous.tag ? { tag: previous.tag } : {}),
            ...(pull ? { pull, ...(pull.closedAt ? { syncedAt: new Date(pull.closedAt) } : {}) } : {})
          }
        }
      : {}),
    releases,
    ...(newestReleasedAt ? { newestReleasedAt } : {}),
    ...(request.drift ? { drift: request.drift } : {}),
    ...(mergeCommitsAllowed !== undefined ? { mergeCommitsAllowed } : {}),
    ...(settings.runUrl ? { runUrl: settings.runUrl } : {}),
    now: request.now ?? new Date()
  }
}
