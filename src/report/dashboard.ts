/**
 * The `Upstream sync dashboard` issue, in the style of Renovate's dependency dashboard: rendered from a
 * {@link DashboardView}, and read back (the maintainer's ticked "sync again" boxes, the last run links, the digest
 * of what was shown) from the body GitHub returns.
 *
 * The body ends with one hidden marker, `<!-- upstream-sync-dashboard {json} -->`, holding the digest of the visible
 * content that matters (everything but the run links and the day counts) and the last run links. A run whose
 * rendering has the same digest writes nothing; otherwise it writes the new body with its own run link first.
 *
 * A checkbox carries its tag in a hidden comment (`- [ ] <!-- retry:v1.2.0 --> …`, percent-encoded), so a maintainer
 * can only tick it: editing the text around it changes nothing. (Renovate's dependency dashboard reads its boxes the
 * same way, `- [x] <!-- approve-branch=… -->`.) GitHub's editor may save the body with CRLF line ends: both readers
 * work line by line and ignore them.
 */
import { createHash } from 'node:crypto'
import { codeSpan, escapeMarkdown, plural, safeUrl } from './markdown.js'

export const DASHBOARD_TITLE = 'Upstream sync dashboard'

/** A sync PR, as the dashboard links it. */
export interface DashboardPull {
  number: number
  url: string
}

/** What became of one upstream release newer than the fork's version. */
export type ReleaseState =
  /** Its sync PR is open: the merge was clean, had `conflicts` conflicts, or every conflict was auto-resolved. */
  | { kind: 'pull'; pull: DashboardPull; merge?: 'clean' | 'conflicts' | 'auto-resolved'; conflicts?: number }
  /** Younger than `min-release-age`: eligible at `eligibleAt`. */
  | { kind: 'waiting-age'; eligibleAt: Date }
  /** Its GitHub release is a draft or a pre-release, or it has none while `require-release` asks for one. */
  | { kind: 'waiting-release'; why: 'draft' | 'prerelease' | 'no-release' }
  /** Its sync PR was closed without merging: the release is skipped until a maintainer ticks its box. */
  | { kind: 'skipped'; pull: DashboardPull }
  /** The run chose it but opened no PR (a dry run). */
  | { kind: 'proposed' }
  /** Older than `newest`, the release the run proposes or waits for: syncing that one brings this one in. */
  | { kind: 'older'; newest: string }

export interface DashboardRelease {
  tag: string
  state: ReleaseState
  /** A maintainer ticked "sync again" and no new PR exists yet: the box stays ticked until one does. */
  retryRequested?: boolean
}

/** Everything the dashboard shows. */
export interface DashboardView {
  /** `owner/name` of the upstream, and the upstream's server (its release pages), for links. */
  upstream: string
  upstreamServerUrl: string
  targetBranch: string
  /** The upstream version the target branch contains (tag when known) and when it was synced (its PR's merge). */
  current?: { version: string; tag?: string; syncedAt?: Date; pull?: DashboardPull }
  /** The channel's releases newer than `current`, newest first. */
  releases: DashboardRelease[]
  /** When the newest of `releases` came out (its release, else its commit). */
  newestReleasedAt?: Date
  /** The channel's health: an upstream release newer than the channel's newest tag (the `channel-drift` detection). */
  drift?: { tag: string }
  /** False when the repository does not allow merge commits; undefined when GitHub did not tell the token. */
  mergeCommitsAllowed?: boolean
  /** The run that renders it, and the links kept from earlier runs (newest first). */
  runUrl?: string
  now: Date
}

/** What a dashboard body says back. */
export interface DashboardState {
  /** Tags whose "sync again" box is ticked. */
  retry: Set<string>
  /** The last run links, newest first. */
  runs: string[]
  /** The digest of the content it showed (undefined: not written by this action). */
  digest?: string
}

/** How many run links the dashboard keeps. */
export const RUNS_KEPT = 5
/** How many releases the list shows (the count of releases behind is always complete). */
export const RELEASES_SHOWN = 30

const MARKER = /<!-- upstream-sync-dashboard (\{.*?\}) -->/
const RETRY_BOX = /^[ \t]*[-*] \[([ xX])\] <!-- retry:(\S+?) -->/gm
const DAY_MS = 24 * 60 * 60 * 1000

function day(date: Date): string {
  return date.toISOString().slice(0, 10)
}

function pullLink(pull: DashboardPull): string {
  const url = safeUrl(pull.url)
  return url ? `[#${pull.number}](${url})` : `#${pull.number}`
}

function tagLink(view: DashboardView, tag: string): string {
  const url = safeUrl(`${view.upstreamServerUrl}/${view.upstream}/releases/tag/${encodeURIComponent(tag)}`)
  return url ? `[${codeSpan(tag)}](${url})` : codeSpan(tag)
}

function describeState(view: DashboardView, state: ReleaseState): string {
  switch (state.kind) {
    case 'pull': {
      const how =
        state.merge === 'conflicts'
          ? `conflicts (${plural(state.conflicts ?? 0, 'file')} to resolve)`
          : state.merge === 'auto-resolved'
            ? 'conflicts auto-resolved by the rules'
            : state.merge === 'clean'
              ? 'merges cleanly'
              : 'open'
      return `PR ${pullLink(state.pull)}: ${how}`
    }
    case 'waiting-age':
      return `waiting for \`min-release-age\`: eligible on ${state.eligibleAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}`
    case 'waiting-release':
      return state.why === 'draft'
        ? 'waiting for its release to be published (draft)'
        : state.why === 'prerelease'
          ? 'waiting: its release is marked pre-release'
          : 'waiting for its release to be published (`require-release`)'
    case 'skipped':
      return `skipped: PR ${pullLink(state.pull)} was closed without merging`
    case 'proposed':
      return 'chosen to sync; no PR yet (dry run)'
    case 'older':
      return `included when ${codeSpan(state.newest)} is synced`
  }
}

function releaseLine(view: DashboardView, release: DashboardRelease): string {
  const text = `${tagLink(view, release.tag)}: ${describeState(view, release.state)}`
  const box = `<!-- retry:${encodeURIComponent(release.tag)} -->`
  if (release.retryRequested) return `- [x] ${box} ${text}; sync requested, the next run opens its PR`
  if (release.state.kind === 'skipped') return `- [ ] ${box} ${text}. Tick to sync it again on the next run`
  return `- ${text}`
}

/** The content that counts as a change: everything but the day counts and the run links. */
function stableSections(view: DashboardView): string[] {
  const sections: string[] = []
  const current = view.current
  const version = current
    ? `${current.tag ? tagLink(view, current.tag) : codeSpan(current.version)}` +
      (current.syncedAt ? `, synced on ${day(current.syncedAt)}` : '') +
      (current.pull ? ` by ${pullLink(current.pull)}` : '')
    : 'unknown: it contains no tag of the channel'
  sections.push(`**${escapeMarkdown(view.targetBranch)}** contains upstream ${version}.`)

  if (view.mergeCommitsAllowed === false) {
    sections.push(
      '> [!WARNING]\n> This repository does not allow merge commits. Sync PRs must be merged with a merge commit: a squash or ' +
        'rebase loses the upstream history, and every later sync conflicts again. Allow merge commits in Settings → General → Pull Requests.'
    )
  }
  if (view.drift) {
    sections.push(
      `> [!WARNING]\n> **Channel drift:** upstream published ${codeSpan(view.drift.tag)}, newer than every tag of the configured channel. ` +
        'Upstream may have renamed its releases: see the run summary for the configuration that follows them.'
    )
  } else {
    sections.push('Channel health: no drift (no upstream release is newer than the channel).')
  }

  const releases = view.releases
  if (releases.length === 0) {
    sections.push('## Newer releases\n\nNone: the target branch is up to date with the channel.')
  } else {
    const shown = releases.slice(0, RELEASES_SHOWN).map((release) => releaseLine(view, release))
    if (releases.length > shown.length) shown.push(`- … and ${releases.length - shown.length} older`)
    sections.push(`## Newer releases\n\n**${plural(releases.length, 'release')} behind.**\n\n${shown.join('\n')}`)
  }
  return sections
}

/** The digest of the content that counts as a change (hex, 16 characters). */
export function dashboardDigest(view: DashboardView): string {
  return createHash('sha256').update(stableSections(view).join('\n\n')).digest('hex').slice(0, 16)
}

/** The body for `view`, keeping `runs` (the earlier run links, newest first) after this run's. */
export function renderDashboard(view: DashboardView, earlierRuns: readonly string[]): { body: string; digest: string } {
  const digest = dashboardDigest(view)
  const runs = [...new Set([...(view.runUrl ? [view.runUrl] : []), ...earlierRuns].map((url) => safeUrl(url)).filter((url) => url !== ''))].slice(0, RUNS_KEPT)
  const sections = stableSections(view)
  const newest = view.releases[0]
  if (newest && view.newestReleasedAt) {
    const days = Math.max(0, Math.floor((view.now.getTime() - view.newestReleasedAt.getTime()) / DAY_MS))
    sections.splice(2, 0, `The newest unsynced release, ${codeSpan(newest.tag)}, came out on ${day(view.newestReleasedAt)}: ${plural(days, 'day')} before this update.`)
  }
  if (runs.length > 0) sections.push(`## Last runs that changed this dashboard\n\n${runs.map((url) => `- ${url}`).join('\n')}`)
  sections.push(`<sub>Kept up to date by upstream-sync (\`dashboard: true\`); edits other than the checkboxes are overwritten.</sub>`)
  const marker = `<!-- upstream-sync-dashboard ${JSON.stringify({ digest, runs })} -->`
  return { body: `${sections.join('\n\n')}\n\n${marker}\n`, digest }
}

/** Reads a dashboard body back: ticked boxes, run links, digest. Anything unreadable reads as empty. */
export function readDashboard(body: string | null | undefined): DashboardState {
  const text = body ?? ''
  const retry = new Set<string>()
  for (const match of text.matchAll(RETRY_BOX)) {
    if (match[1] === ' ') continue
    try {
      retry.add(decodeURIComponent(match[2] ?? ''))
    } catch {
      // A box whose tag was mangled by hand: ignored.
    }
  }
  let runs: string[] = []
  let digest: string | undefined
  const marker = MARKER.exec(text)?.[1]
  if (marker) {
    try {
      const data = JSON.parse(marker) as { digest?: unknown; runs?: unknown }
      if (typeof data.digest === 'string') digest = data.digest
      if (Array.isArray(data.runs)) runs = data.runs.filter((url): url is string => typeof url === 'string').slice(0, RUNS_KEPT)
    } catch {
      // Edited by hand: rewritten on the next change.
    }
  }
  return { retry, runs, ...(digest ? { digest } : {}) }
}
