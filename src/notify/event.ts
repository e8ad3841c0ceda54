/**
 * What a run reports to Slack and the generic webhook: the event names, the event itself, and its wording in plain
 * text, shared by both payloads so they say the same thing. Strings from upstream (tag, reason) are untrusted here;
 * each payload escapes them for its own format.
 */

/** Every event a run can report; the generic webhook's `event` field and the Slack message use the same names. */
export const SYNC_EVENT_NAMES = ['pr-created', 'pr-updated', 'pr-waiting', 'skipped', 'up-to-date', 'failed', 'channel-drift'] as const

export type SyncEventName = (typeof SYNC_EVENT_NAMES)[number]

/**
 * Events sent when the caller does not choose: everything a human may have to act on. `up-to-date` is left out on
 * purpose: with a schedule every 8 hours it would post three "nothing happened" messages a day and teach the channel
 * to ignore the bot.
 */
export const DEFAULT_NOTIFY_EVENTS: readonly SyncEventName[] = ['pr-created', 'pr-updated', 'pr-waiting', 'skipped', 'failed', 'channel-drift']

/** What happened in a run, as far as a notification tells it. Strings from upstream (tag, reason) are untrusted. */
export interface SyncEvent {
  /**
   * - `pr-created`: a new sync PR was opened (or, with `dryRun`, would be).
   * - `pr-updated`: the open sync PR for this tag was refreshed (new head, labels following the merge state).
   * - `pr-waiting`: the open sync PR for this tag is unchanged and still waiting for a maintainer.
   * - `skipped`: the release was deliberately not synced (a closed sync PR, too young, a human commit on the branch…).
   * - `up-to-date`: nothing new upstream (not sent unless asked for; see DEFAULT_NOTIFY_EVENTS).
   * - `failed`: the run failed; `reason` says why.
   * - `channel-drift`: upstream published a release (`tag`) newer than the configured channel's newest tag; sent once
   *   per new drift (the fork remembers it, see publish/drift-marker.ts); `reason` names the configuration to follow it.
   */
  name: SyncEventName
  /** The upstream repository, owner/name. */
  upstream: string
  /** The fork, owner/name. */
  fork: string
  /** The fork's branch that receives the sync PR. */
  targetBranch?: string
  tag?: string
  version?: string
  previousVersion?: string
  prUrl?: string
  prNumber?: number
  /** When the PR was opened (ISO 8601), so `pr-waiting` can say for how long it has been waiting. */
  prCreatedAt?: string
  mergeStatus?: 'clean' | 'conflicts'
  /** Conflicted paths left for a human. */
  conflicts?: number
  /** Conflicted paths that auto-resolve settled. */
  autoResolved?: number
  /** The upstream release page of the tag. */
  releaseUrl?: string
  /** The workflow run that sent this event. */
  runUrl?: string
  /** Why a release was skipped or why the run failed. */
  reason?: string
  /** The run was a dry run: nothing was pushed or opened. */
  dryRun?: boolean
}

/** "2 days 3 hours", "5 hours 10 minutes", "12 minutes": the two largest units, enough to judge urgency. */
export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  const mins = minutes % 60
  const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  if (days > 0) return hours > 0 ? `${unit(days, 'day')} ${unit(hours, 'hour')}` : unit(days, 'day')
  if (hours > 0) return mins > 0 ? `${unit(hours, 'hour')} ${unit(mins, 'minute')}` : unit(hours, 'hour')
  return unit(mins, 'minute')
}

/** Milliseconds since the PR was opened, or undefined when the time is unknown or unparsable. */
export function prAgeMs(event: SyncEvent, now: Date): number | undefined {
  if (!event.prCreatedAt) return undefined
  const created = Date.parse(event.prCreatedAt)
  return Number.isNaN(created) ? undefined : Math.max(0, now.getTime() - created)
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** "clean merge", "3 conflicts to resolve", "clean merge (2 conflicts auto-resolved)". */
export function mergeWords(event: SyncEvent): string | undefined {
  const auto = event.autoResolved ?? 0
  const autoNote = auto > 0 ? ` (${plural(auto, 'conflict')} auto-resolved)` : ''
  if (event.mergeStatus === 'conflicts') {
    const left = event.conflicts
    return `${left === undefined ? 'conflicts' : plural(left, 'conflict')} to resolve${autoNote}`
  }
  if (event.mergeStatus === 'clean') return `clean merge${autoNote}`
  return undefined
}

/** "BerriAI/litellm v1.81.9-stable", or just the repository when no tag is known. */
export function releaseWords(event: SyncEvent): string {
  const upstream = event.upstream || 'upstream'
  return event.tag ? `${upstream} ${event.tag}` : upstream
}

function prWords(event: SyncEvent): string {
  return event.prNumber !== undefined ? `sync PR #${event.prNumber}` : 'sync PR'
}

/** "1.81.3 → 1.81.9", or the one side known. */
export function versionWords(event: SyncEvent): string | undefined {
  const next = event.version ?? event.tag
  if (event.previousVersion && next) return `${event.previousVersion} → ${next}`
  return next
}

/** One line that says what happened, in plain text (no markup, not escaped). */
export function describeEvent(event: SyncEvent, now: Date = new Date()): string {
  const merge = mergeWords(event)
  const withMerge = (text: string): string => (merge ? `${text}: ${merge}` : text)
  const dry = event.dryRun ? 'Dry run: ' : ''
  switch (event.name) {
    case 'pr-created':
      return event.dryRun
        ? withMerge(`Dry run: would open a sync PR for ${releaseWords(event)}`)
        : withMerge(`New ${prWords(event)} for ${releaseWords(event)}`)
    case 'pr-updated':
      return withMerge(`${dry}${capitalize(prWords(event))} for ${releaseWords(event)} ${event.dryRun ? 'would be ' : ''}updated`)
    case 'pr-waiting': {
      const age = prAgeMs(event, now)
      const since = age === undefined ? '' : ` for ${formatAge(age)}`
      return withMerge(`${dry}${capitalize(prWords(event))} for ${releaseWords(event)} has been waiting for review${since}`)
    }
    case 'skipped':
      return `${dry}${releaseWords(event)} skipped`
    case 'up-to-date':
      return `${dry}${event.fork || 'The fork'} is up to date with ${releaseWords(event)}`
    case 'channel-drift':
      return `${releaseWords(event)} is newer than anything the configured channel matches`
    case 'failed':
      return `${dry}Upstream sync failed for ${event.fork || 'the fork'}${event.tag || event.upstream ? ` (${releaseWords(event)})` : ''}`
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
