/**
 * Which upstream release to sync: channel rules over the tag names, version ordering, and a lazy walk that asks
 * GitHub as little as possible.
 *
 * Everything here is pure except {@link chooseRelease}, which talks to GitHub only through the injected
 * {@link ReleaseQueries} (implemented with Octokit in github.ts; faked in the tests). Each method of that interface is
 * one API request, so the walk calls them lazily, newest candidate first, and stops as soon as it can: a run with
 * nothing new costs `listTags` + `targetContains` (+ `peel` when the newest tag is annotated), whatever the number of
 * tags upstream.
 */
import picomatch from 'picomatch'
import type { ReleaseInfo, TagRef } from './types.js'
import { compareReleaseNumbers, compareVersions, formatVersion, parseVersion, unversioned } from './version.js'
import type { Version } from './version.js'

// The version helpers are part of this module's API too (callers choosing releases need both).
export {
  compareReleaseNumbers,
  compareVersions,
  formatVersion,
  MAX_CORE_PARTS,
  parseVersion,
  parseVersionInput,
  readVersionFromText,
  unversioned
} from './version.js'
export type { Version } from './version.js'

/** Where debug lines and warnings go (core.debug / core.warning in the action, a recorder in tests). */
export interface ReleaseLogger {
  debug(message: string): void
  warning(message: string): void
}

const silentLogger: ReleaseLogger = { debug: () => undefined, warning: () => undefined }

// ---------------------------------------------------------------------------------------------------------------
// Channels: tag-pattern / exclude-pattern
// ---------------------------------------------------------------------------------------------------------------

/** The two inputs a channel is made of, as lists of globs (see {@link parsePatternList}). */
export interface ChannelPatterns {
  /** `tag-pattern`: a tag must match at least one of these. */
  include: readonly string[]
  /** `exclude-pattern`: a tag matching any of these is never a candidate. */
  exclude: readonly string[]
}

/** A compiled channel: which upstream tags are release candidates at all. */
export interface Channel extends ChannelPatterns {
  /**
   * The longest literal prefix common to every include glob (`v` for the defaults): `listTags` asks GitHub only for
   * tags starting with it, in one request. Empty when a glob starts with a wildcard.
   */
  readonly prefix: string
  /** True when the tag name matches an include glob and no exclude glob. */
  matches(tag: string): boolean
}

/**
 * Glob semantics, chosen for tag names rather than file paths:
 * - `*` matches any run of characters, `/` included (`bash: true` makes a single star a globstar), because a tag
 *   such as `release/v1.2.3-stable` is one name, not a path; `?` matches one character other than `/`;
 * - `dot: true`: a leading `.` is an ordinary character;
 * - `strictBrackets`: an unbalanced `[`, `(` or `{` is an error instead of a silent literal, so a typo in a pattern
 *   fails the run before any network call;
 * - `windows: false`: tag names never use backslashes as separators, whatever the runner's OS.
 */
const GLOB_OPTIONS = { bash: true, dot: true, strictBrackets: true, windows: false } as const

/**
 * Include globs match case-sensitively, like git and GitHub's prefix listing of refs (so `prefix` is exact).
 * Exclude globs match case-insensitively: `*nightly*` must also keep out `v2.0.0-NIGHTLY` and `*.rc*` `v2.0.0.RC1`;
 * excluding too much is the safe side.
 */
const EXCLUDE_OPTIONS = { ...GLOB_OPTIONS, nocase: true } as const

/** Characters that may start glob syntax: the literal prefix of a glob ends before the first of them. */
const GLOB_SYNTAX = /[*?[\]{}()!+@\\]/

/**
 * Splits a `tag-pattern` / `exclude-pattern` input into globs: separated by commas and/or newlines, trimmed, empty
 * entries dropped, duplicates removed. Commas inside braces belong to the glob (`v{1,2}.*-stable` stays whole).
 */
export function parsePatternList(text: string): string[] {
  const globs: string[] = []
  let current = ''
  let braceDepth = 0
  const flush = (): void => {
    const glob = current.trim()
    if (glob && !globs.includes(glob)) globs.push(glob)
    current = ''
  }
  for (const char of text) {
    if (char === '{') braceDepth++
    else if (char === '}' && braceDepth > 0) braceDepth--
    if (char === '\n' || char === '\r' || (char === ',' && braceDepth === 0)) flush()
    else current += char
  }
  flush()
  return globs
}

/** The text of a glob before its first wildcard or other glob syntax. */
function literalPrefix(glob: string): string {
  const index = glob.search(GLOB_SYNTAX)
  return index === -1 ? glob : glob.slice(0, index)
}

/** Longest common string prefix of all the given strings. */
function commonPrefix(strings: readonly string[]): string {
  if (strings.length === 0) return ''
  let prefix = strings[0] ?? ''
  for (const s of strings) {
    let i = 0
    while (i < prefix.length && i < s.length && prefix[i] === s[i]) i++
    prefix = prefix.slice(0, i)
  }
  return prefix
}

function compileGlobs(
  globs: readonly string[],
  inputName: 'tag-pattern' | 'exclude-pattern',
  options: picomatch.PicomatchOptions
): Array<(tag: string) => boolean> {
  return globs.map((glob) => {
    if (glob.startsWith('!')) {
      throw new Error(
        `${inputName}: "${glob}" starts with "!"; negated globs are not supported here, ` +
          (inputName === 'tag-pattern'
            ? 'put the globs of tags to leave out in exclude-pattern instead'
            : 'list the tags to leave out as plain globs')
      )
    }
    if (/\s/.test(glob)) {
      throw new Error(
        `${inputName}: "${glob}" contains whitespace, which no tag name can contain; separate globs with commas or newlines`
      )
    }
    try {
      return picomatch(glob, options)
    } catch (error) {
      // picomatch suggests escaping with a backslash, which tag names cannot contain anyway: drop that hint.
      const reason = (error as Error).message.replace(/\s+-\s+use .*$/, '')
      throw new Error(`${inputName}: invalid glob "${glob}": ${reason}`)
    }
  })
}

/**
 * Compiles a channel from its globs (usually `parsePatternList(input)` for each input).
 * @throws Error naming `tag-pattern` or `exclude-pattern` for an empty include list or an invalid glob.
 */
export function compileChannel(patterns: ChannelPatterns): Channel {
  const include = [...patterns.include]
  const exclude = [...patterns.exclude]
  if (include.length === 0) {
    throw new Error('tag-pattern is empty: give at least one glob, e.g. "v*-stable, v*-stable.patch*"')
  }
  const included = compileGlobs(include, 'tag-pattern', GLOB_OPTIONS)
  const excluded = compileGlobs(exclude, 'exclude-pattern', EXCLUDE_OPTIONS)
  return {
    include,
    exclude,
    prefix: commonPrefix(include.map(literalPrefix)),
    matches: (tag) => included.some((isMatch) => isMatch(tag)) && !excluded.some((isMatch) => isMatch(tag))
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Candidates
// ---------------------------------------------------------------------------------------------------------------

/** An upstream tag that may be synced: in the channel, with a version, newer than the fork's lower bound. */
export interface Candidate {
  /** The tag name, without `refs/tags/`. */
  tag: string
  /** What the ref points at: the commit (lightweight tag) or the annotated tag object (peel it). */
  sha: string
  type: TagRef['type']
  version: Version
}

export interface SelectOptions {
  /** The fork's own version (`current-version` / `version-file`): tags of this release number or older are dropped. */
  minVersion?: Version
  log?: ReleaseLogger
}

/**
 * The channel's candidates, newest first (see version.ts for the order). Tags that match the channel but carry no
 * version number are skipped with a debug line. With `minVersion`, tags whose release number is the same or older
 * (`compareReleaseNumbers(version, minVersion) <= 0`) are dropped, so `current-version: 1.81.9` drops
 * `v1.81.9-stable` but keeps `v1.81.9-stable.patch.1`.
 */
export function selectCandidates(
  tags: readonly TagRef[],
  channel: Channel,
  opts: SelectOptions = {}
): Candidate[] {
  const log = opts.log ?? silentLogger
  const candidates: Candidate[] = []
  for (const ref of tags) {
    if (!channel.matches(ref.name)) continue
    const version = parseVersion(ref.name)
    if (!version) {
      log.debug(`tag "${ref.name}" matches tag-pattern but carries no version number; skipped`)
      continue
    }
    if (opts.minVersion && compareReleaseNumbers(version, opts.minVersion) <= 0) continue
    candidates.push({ tag: ref.name, sha: ref.sha, type: ref.type, version })
  }
  return candidates.sort((a, b) => compareVersions(b.version, a.version))
}

// ---------------------------------------------------------------------------------------------------------------
// min-release-age
// ---------------------------------------------------------------------------------------------------------------

const DURATION_UNITS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000
}
const DURATION_WORDS: Record<string, keyof typeof DURATION_UNITS> = {
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', wk: 'w', wks: 'w', week: 'w', weeks: 'w'
}

/**
 * Parses a duration such as `2d`, `12h`, `90m`, `1w`, `30s`, `1.5d`, or a sum like `1d12h` / `1 day 12 hours`, to
 * milliseconds. `0` is zero. An empty or blank text is `undefined` (no wait).
 * @param inputName names the input in the error message.
 * @throws Error naming the input when the text is not a duration.
 */
export function parseDuration(text: string, inputName = 'min-release-age'): number | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  if (/^0+$/.test(trimmed)) return 0
  const term = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/giy
  let total = 0
  let end = 0
  for (let match = term.exec(trimmed); match; match = term.exec(trimmed)) {
    const unit = DURATION_WORDS[(match[2] ?? '').toLowerCase()]
    if (!unit) break
    total += Number(match[1]) * (DURATION_UNITS[unit] ?? 0)
    end = term.lastIndex
  }
  total = Math.round(total)
  if (end !== trimmed.length || !Number.isSafeInteger(total)) {
    throw new Error(
      `${inputName} "${trimmed}" is not a duration: use a number and a unit (s, m, h, d or w), e.g. 2d, 12h or 90m`
    )
  }
  return total
}

/** A duration in the largest whole units, for messages: `2d`, `1d 12h`, `90m` → `1h 30m`. */
export function formatDuration(ms: number): string {
  const parts: string[] = []
  let rest = Math.round(ms / 1000) * 1000
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit] ?? 1
    const count = Math.floor(rest / size)
    if (count > 0) parts.push(`${count}${unit}`)
    rest -= count * size
  }
  return parts.length > 0 ? parts.join(' ') : '0s'
}

// ---------------------------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------------------------

/** A sync pull request of the fork for one tag (head branch `<branch-prefix><tag>`). */
export interface SyncPull {
  number: number
  /** The PR's web URL (`html_url`), for the `skipped` report and links. */
  url: string
  state: 'open' | 'closed'
  /** True when the PR was merged (`merged_at` set). */
  merged: boolean
  /** The PR head's commit, when known. */
  headSha?: string
}

/**
 * What the walk needs from GitHub. Every method is one API request (the implementation may paginate `listTags` but
 * GitHub's matching-refs endpoint answers in one), and the walk calls them only when it must.
 */
export interface ReleaseQueries<P extends SyncPull = SyncPull> {
  /**
   * Upstream tags whose name starts with `prefix` (`''`: all tags), names without `refs/tags/`:
   * `GET /repos/{upstream}/git/matching-refs/tags/{prefix}` (one request for thousands of tags).
   */
  listTags(prefix: string): Promise<TagRef[]>
  /**
   * The commit an annotated tag points at (`GET /repos/{upstream}/git/tags/{sha}`, following tag-of-tag chains).
   * Only ever called for `type: 'tag'`; a lightweight tag's sha is its commit.
   */
  peel(tag: TagRef): Promise<string>
  /**
   * "Already synced": true when the upstream commit is reachable from the fork's target branch (e.g. the compare
   * API on the fork, `{target}...{sha}` with status `behind` or `identical`; a 404 because the fork does not know
   * the commit means false).
   */
  targetContains(commitSha: string): Promise<boolean>
  /** The upstream release published for this tag, or undefined when it has none (`GET …/releases/tags/{tag}`). */
  getRelease(tag: string): Promise<ReleaseInfo | undefined>
  /** The fork's pull requests, any state, whose head branch is `<branch-prefix><tag>`, newest first. */
  findSyncPulls(tag: string): Promise<P[]>
  /** The committer date of an upstream commit (`min-release-age` for a tag without a release). */
  commitDate(commitSha: string): Promise<Date>
}

/** Why a newer candidate was passed over on the way to the decision. */
export type PassOverReason = 'draft' | 'prerelease' | 'no-release' | 'too-recent'

export interface PassedOver {
  candidate: Candidate
  why: PassOverReason
  /** For `too-recent`: when the tag becomes old enough to sync. */
  eligibleAt?: Date
  /** One line for logs and the summary, e.g. `v1.82.0-stable: its release is a draft`. */
  detail: string
}

/** The fork's current upstream version, for `previous-version` and the `previous → new` line. */
export interface PreviousRelease {
  version: Version
  /** `version.text`: what the `previous-version` output and the `previous → new` line show. */
  text: string
  /**
   * The upstream tag the target branch contains (use it for the compare link `previous...tag`). Undefined when the
   * version comes from `current-version` / `version-file` and no contained tag was found.
   */
  tag?: string
}

export type ReleaseDecisionKind = 'sync' | 'up-to-date' | 'skipped' | 'waiting'

/**
 * What to do this run.
 * - `sync`: merge `candidate` (at `commitSha`); update `openPull` when set, else open a new PR.
 * - `up-to-date`: nothing to sync (the target contains the newest eligible tag, or no tag is eligible at all).
 * - `skipped`: the newest eligible tag not yet in the target has a sync PR that was closed without merging
 *   (`skippedPull`): that release is skipped, and older tags are not proposed in its place; the next newer tag will
 *   get its own PR.
 * - `waiting`: the only tags left to sync are younger than `min-release-age`; `candidate` is the one that becomes
 *   eligible first, at `eligibleAt`.
 */
export interface ReleaseDecision<P extends SyncPull = SyncPull> {
  kind: ReleaseDecisionKind
  /**
   * sync: the tag to merge. skipped: the skipped tag. waiting: the tag eligible first. up-to-date: only for an
   * explicit `tag` the target already contains (otherwise see `previous`).
   */
  candidate?: Candidate
  /** The commit `candidate` points at (peeled), whenever `candidate` is set and was looked at. */
  commitSha?: string
  /** sync: `candidate`'s upstream release, if it has one (its notes feed the PR body). Not read for skipped. */
  release?: ReleaseInfo
  /** sync: the open sync PR of this tag, to refresh instead of opening a duplicate. */
  openPull?: P
  /** skipped: the sync PR closed without merging. */
  skippedPull?: P
  /** skipped: `skippedPull.url`, for the `pr-url` output and the report. */
  skippedPullUrl?: string
  /** waiting: when `candidate` becomes old enough to sync. */
  eligibleAt?: Date
  /**
   * The newest channel tag the target branch contains, or else the fork's lower bound (`current-version` /
   * `version-file`); undefined when neither is known.
   */
  previous?: PreviousRelease
  /** Newer candidates the walk passed over and why, newest first (drafts, pre-releases, no release, too recent). */
  passedOver: PassedOver[]
  /** True when the `tag` input chose the tag (channel, release and age rules were not applied). */
  explicit: boolean
  /** One sentence for the log, summary and notifications, saying why. */
  reason: string
}

export interface ChooseReleaseOptions {
  /** `owner/name` of the upstream, for messages. */
  upstream: string
  channel: Channel
  /** The `tag` input: sync exactly this tag. Empty or undefined: choose from the channel. */
  tag?: string
  /** The fork's own version lower bound (`current-version`, or read from `version-file`). */
  minVersion?: Version
  /** `require-release`: tags without an upstream release are passed over. */
  requireRelease?: boolean
  /** `min-release-age` in milliseconds (see {@link parseDuration}); 0 or undefined: no wait. */
  minReleaseAgeMs?: number
  /** The current time (tests pin it). */
  now?: Date
  /** Debug lines (each tag skipped, each candidate passed over) and warnings (nothing matches, squash-merged PR). */
  log?: ReleaseLogger
}

/** Memoises the two per-tag lookups the walk and the previous-version search share. */
class TagLookups {
  private readonly commits = new Map<string, Promise<string>>()
  private readonly containment = new Map<string, Promise<boolean>>()

  constructor(private readonly deps: ReleaseQueries<SyncPull>) {}

  commitOf(candidate: Candidate): Promise<string> {
    if (candidate.type !== 'tag') return Promise.resolve(candidate.sha)
    let commit = this.commits.get(candidate.sha)
    if (!commit) {
      commit = this.deps.peel({ name: candidate.tag, sha: candidate.sha, type: candidate.type })
      this.commits.set(candidate.sha, commit)
    }
    return commit
  }

  async contains(candidate: Candidate): Promise<boolean> {
    const commit = await this.commitOf(candidate)
    let contained = this.containment.get(commit)
    if (!contained) {
      contained = this.deps.targetContains(commit)
      this.containment.set(commit, contained)
    }
    return contained
  }
}

function previousOf(candidate: Candidate): PreviousRelease {
  return { version: candidate.version, text: candidate.version.text, tag: candidate.tag }
}

function lowerBound(minVersion: Version | undefined): PreviousRelease | undefined {
  return minVersion ? { version: minVersion, text: minVersion.text } : undefined
}

/**
 * The newest of `older` (newest first) that the target contains, assuming — like the walk — that once the target
 * contains a tag it contains the older ones too. A galloping search (probe 1st, 2nd, 4th, 8th… then bisect) finds it
 * in one probe when the fork is one release behind and in O(log n) probes when it never synced, instead of checking
 * every tag of a long channel.
 */
async function newestContained(older: readonly Candidate[], lookups: TagLookups): Promise<Candidate | undefined> {
  let notContained = -1
  let contained = -1
  for (let probe = 0, step = 1; ; probe = Math.min(older.length - 1, probe + step), step *= 2) {
    const candidate = older[probe]
    if (!candidate) return undefined
    if (await lookups.contains(candidate)) {
      contained = probe
      break
    }
    notContained = probe
    if (probe === older.length - 1) return undefined
  }
  while (contained - notContained > 1) {
    const middle = (notContained + contained) >> 1
    const candidate = older[middle]
    if (!candidate) break
    if (await lookups.contains(candidate)) contained = middle
    else notContained = middle
  }
  return older[contained]
}

function releaseDate(release: ReleaseInfo): Date | undefined {
  const text = release.publishedAt ?? release.createdAt
  if (!text) return undefined
  const date = new Date(text)
  return Number.isNaN(date.getTime()) ? undefined : date
}

function describePassedOver(passedOver: readonly PassedOver[]): string {
  if (passedOver.length === 0) return ''
  return ` (passed over: ${passedOver.map((p) => p.detail).join('; ')})`
}

function patternsText(channel: Channel): string {
  const exclude = channel.exclude.length > 0 ? ` minus exclude-pattern "${channel.exclude.join(', ')}"` : ''
  return `tag-pattern "${channel.include.join(', ')}"${exclude}`
}

/**
 * Chooses the upstream release to sync.
 *
 * Channel mode (no `tag`): lists the channel's tags with one `listTags(channel.prefix)`, orders the candidates by
 * version (newest first, only those above `minVersion`) and walks them:
 *  1. the tag's commit (`peel` for annotated tags only) is in the target (`targetContains`) → stop: everything older
 *     is older than what the fork has. `up-to-date`, or `waiting` if a newer tag only waits for its age;
 *  2. its sync PRs (`findSyncPulls`), the maintainers' decisions, come first:
 *     - one closed without merging (and none open) → `skipped`: the maintainers declined this release, so no older
 *       tag is proposed in its place; the next newer tag gets its own PR. Costs no release lookup, so a skipped
 *       release that stays the newest for days costs `listTags` + `targetContains` + `findSyncPulls` per run;
 *     - one merged although the target does not contain the tag (squash-merged, or the target rewritten) → treated
 *       as synced, with a warning: stop as in 1;
 *     - an open one → `sync` with `openPull` (update, never a duplicate), whatever its release state or age now: a
 *       release already under review is refreshed (a re-pointed tag included) rather than set aside;
 *  3. its release (`getRelease`) is a draft or a pre-release, or it has none and `requireRelease` is set → pass it
 *     over, look at the next older tag;
 *  4. it is younger than `minReleaseAgeMs` (release `published_at`, else `created_at`, else the commit's date via
 *     `commitDate`) → pass it over as `too-recent` and look at the next older tag. An older tag that is old enough
 *     and not yet in the target IS proposed (the fork makes progress instead of starving while upstream releases
 *     faster than the wait); the newer one supersedes its PR once it is old enough. When no older tag is eligible
 *     the decision is `waiting`, with the earliest `eligibleAt`;
 *  5. otherwise → `sync` (a new PR).
 * For `sync`, `previous` is then found among the older candidates by a galloping search (a few `targetContains`
 * calls, one when the fork is one release behind); otherwise it is what the walk met, else `minVersion`.
 *
 * Cost: nothing new (the newest candidate is in the target) = `listTags` + `targetContains` (+ `peel` if annotated).
 * Releases, PRs and commit dates are only looked up for tags the target does not contain.
 *
 * Explicit mode (`tag` set): the tag must exist upstream (else it throws `tag "X" not found in owner/name`); channel,
 * `minVersion`, release (draft, pre-release, `requireRelease`), age and closed-PR rules do not apply — the reason
 * mentions any of them that would have refused it. Contained → `up-to-date`; an open sync PR → `sync` with
 * `openPull`. One `listTags` call (the prefix common to the channel and the tag) serves both the lookup and the
 * previous-version search.
 */
export async function chooseRelease<P extends SyncPull = SyncPull>(
  deps: ReleaseQueries<P>,
  opts: ChooseReleaseOptions
): Promise<ReleaseDecision<P>> {
  const log = opts.log ?? silentLogger
  const lookups = new TagLookups(deps)
  const explicitTag = opts.tag?.trim()
  if (explicitTag) return chooseExplicit(deps, lookups, explicitTag, opts, log)

  const { channel } = opts
  const tags = await deps.listTags(channel.prefix)
  const candidates = selectCandidates(tags, channel, { minVersion: opts.minVersion, log })
  log.debug(
    `${tags.length} upstream tags listed under prefix "${channel.prefix}", ${candidates.length} candidates` +
      (opts.minVersion ? ` newer than ${formatVersion(opts.minVersion)}` : '')
  )
  if (candidates.length === 0) {
    const inChannel = tags.some((ref) => channel.matches(ref.name) && parseVersion(ref.name))
    if (!inChannel) {
      log.warning(
        `no tag of ${opts.upstream} matches ${patternsText(channel)} (${tags.length} tags start with ` +
          `"${channel.prefix}"); check tag-pattern`
      )
    }
    return {
      kind: 'up-to-date',
      previous: lowerBound(opts.minVersion),
      passedOver: [],
      explicit: false,
      // Tags in the channel but no candidate: the lower bound dropped them all.
      reason:
        inChannel && opts.minVersion
          ? `no tag of ${opts.upstream} matching ${patternsText(channel)} is newer than ${formatVersion(opts.minVersion)}`
          : `no tag of ${opts.upstream} matches ${patternsText(channel)}`
    }
  }

  const now = opts.now ?? new Date()
  const minAge = opts.minReleaseAgeMs ?? 0
  const passedOver: PassedOver[] = []
  const passOver = (candidate: Candidate, why: PassOverReason, detail: string, eligibleAt?: Date): void => {
    passedOver.push({ candidate, why, detail: `${candidate.tag}: ${detail}`, ...(eligibleAt ? { eligibleAt } : {}) })
    log.debug(`passing over ${candidate.tag}: ${detail}`)
  }
  /** The decision when the walk ends without a tag to sync: waiting if something only waits, else up-to-date. */
  const nothingToSync = async (previous: PreviousRelease | undefined, why: string): Promise<ReleaseDecision<P>> => {
    const waiting = passedOver
      .filter((p) => p.why === 'too-recent' && p.eligibleAt)
      .sort((a, b) => (a.eligibleAt?.getTime() ?? 0) - (b.eligibleAt?.getTime() ?? 0))[0]
    if (waiting?.eligibleAt) {
      return {
        kind: 'waiting',
        candidate: waiting.candidate,
        // Already peeled on the walk: the lookup is memoised, no request.
        commitSha: await lookups.commitOf(waiting.candidate),
        eligibleAt: waiting.eligibleAt,
        previous,
        passedOver,
        explicit: false,
        reason:
          `${waiting.candidate.tag} is younger than min-release-age ${formatDuration(minAge)}: eligible at ` +
          `${waiting.eligibleAt.toISOString()}; ${why}${describePassedOver(passedOver)}`
      }
    }
    return { kind: 'up-to-date', previous, passedOver, explicit: false, reason: `${why}${describePassedOver(passedOver)}` }
  }

  for (const [index, candidate] of candidates.entries()) {
    const commitSha = await lookups.commitOf(candidate)
    if (await lookups.contains(candidate)) {
      return nothingToSync(
        previousOf(candidate),
        `the target branch already contains ${candidate.tag}, the newest ${index === 0 ? '' : 'eligible '}tag of the channel`
      )
    }

    // Maintainer decisions first: they hold whatever the release looks like now, and a closed PR (a steady state
    // that can last until the next release) is then reported without reading the release.
    const pulls = await deps.findSyncPulls(candidate.tag)
    const openPull = pulls.find((pull) => pull.state === 'open')
    const mergedPull = pulls.find((pull) => pull.merged)
    const closedPull = pulls.find((pull) => pull.state === 'closed' && !pull.merged)
    if (!openPull && mergedPull) {
      log.warning(
        `sync PR #${mergedPull.number} for ${candidate.tag} was merged, but the target branch does not contain the ` +
          `tag's commit (squash-merged or rebased?): treating ${candidate.tag} as synced. Merge sync PRs with a merge ` +
          'commit, or later syncs will conflict'
      )
      return nothingToSync(
        previousOf(candidate),
        `${candidate.tag} was synced by the merged PR #${mergedPull.number} (${mergedPull.url})`
      )
    }
    if (!openPull && closedPull) {
      return {
        kind: 'skipped',
        candidate,
        commitSha,
        skippedPull: closedPull,
        skippedPullUrl: closedPull.url,
        previous: lowerBound(opts.minVersion),
        passedOver,
        explicit: false,
        reason:
          `sync PR #${closedPull.number} for ${candidate.tag} was closed without merging (${closedPull.url}): this ` +
          `release is skipped and the next newer tag will get its own PR${describePassedOver(passedOver)}`
      }
    }

    const release = await deps.getRelease(candidate.tag)
    const releaseField = release ? { release } : {}
    if (openPull) {
      // Already under review: refresh it (a re-pointed tag included) whatever its release state or age now; those
      // rules gate opening a PR, and proposing an older tag beside an open newer one would only confuse reviewers.
      return {
        kind: 'sync',
        candidate,
        commitSha,
        ...releaseField,
        openPull,
        previous: await findPrevious(candidates.slice(index + 1), lookups, opts.minVersion),
        passedOver,
        explicit: false,
        reason: `${candidate.tag} is the newest eligible tag not in the target branch; its sync PR #${openPull.number} is open and will be updated${describePassedOver(passedOver)}`
      }
    }
    if (release?.draft) {
      passOver(candidate, 'draft', 'its release is a draft')
      continue
    }
    if (release?.prerelease) {
      passOver(candidate, 'prerelease', 'its release is a pre-release')
      continue
    }
    if (!release && opts.requireRelease) {
      passOver(candidate, 'no-release', 'it has no release and require-release is true')
      continue
    }

    if (minAge > 0) {
      const since = (release && releaseDate(release)) ?? (await deps.commitDate(commitSha))
      const eligibleAt = new Date(since.getTime() + minAge)
      if (eligibleAt.getTime() > now.getTime()) {
        const what = release ? 'released' : 'committed'
        passOver(candidate, 'too-recent', `${what} ${since.toISOString()}, eligible at ${eligibleAt.toISOString()}`, eligibleAt)
        continue
      }
    }

    return {
      kind: 'sync',
      candidate,
      commitSha,
      ...releaseField,
      previous: await findPrevious(candidates.slice(index + 1), lookups, opts.minVersion),
      passedOver,
      explicit: false,
      reason: `${candidate.tag} is the newest eligible tag not in the target branch${describePassedOver(passedOver)}`
    }
  }

  return nothingToSync(
    lowerBound(opts.minVersion),
    `no tag of ${opts.upstream} matching ${patternsText(channel)} is eligible to sync`
  )
}

async function findPrevious(
  older: readonly Candidate[],
  lookups: TagLookups,
  minVersion: Version | undefined
): Promise<PreviousRelease | undefined> {
  const contained = await newestContained(older, lookups)
  return contained ? previousOf(contained) : lowerBound(minVersion)
}

async function chooseExplicit<P extends SyncPull>(
  deps: ReleaseQueries<P>,
  lookups: TagLookups,
  tag: string,
  opts: ChooseReleaseOptions,
  log: ReleaseLogger
): Promise<ReleaseDecision<P>> {
  // One listing serves both the tag lookup and the previous-version search among the channel's tags.
  const tags = await deps.listTags(commonPrefix([opts.channel.prefix, tag]))
  const ref = tags.find((t) => t.name === tag)
  if (!ref) {
    throw new Error(`tag "${tag}" not found in ${opts.upstream}: check the tag input (tag names are case-sensitive)`)
  }
  const version = parseVersion(tag)
  if (!version) log.debug(`tag "${tag}" carries no version number; syncing it anyway because the tag input names it`)
  const candidate: Candidate = { tag, sha: ref.sha, type: ref.type, version: version ?? unversioned(tag) }
  const commitSha = await lookups.commitOf(candidate)
  if (await lookups.contains(candidate)) {
    return {
      kind: 'up-to-date',
      candidate,
      commitSha,
      previous: previousOf(candidate),
      passedOver: [],
      explicit: true,
      reason: `the target branch already contains ${tag}`
    }
  }

  const overridden: string[] = []
  if (!opts.channel.matches(tag)) overridden.push(`it does not match ${patternsText(opts.channel)}`)
  if (version && opts.minVersion && compareReleaseNumbers(version, opts.minVersion) <= 0) {
    overridden.push(`it is not newer than ${formatVersion(opts.minVersion)}`)
  }
  const release = await deps.getRelease(tag)
  if (release?.draft) overridden.push('its release is a draft')
  else if (release?.prerelease) overridden.push('its release is a pre-release')
  else if (!release && opts.requireRelease) overridden.push('it has no release and require-release is true')
  const pulls = await deps.findSyncPulls(tag)
  const openPull = pulls.find((pull) => pull.state === 'open')
  const closedPull = pulls.find((pull) => pull.state === 'closed' && !pull.merged)
  if (!openPull && closedPull) overridden.push(`its sync PR #${closedPull.number} was closed without merging`)

  let previous = lowerBound(opts.minVersion)
  if (version) {
    const older = selectCandidates(tags, opts.channel, { minVersion: opts.minVersion }).filter(
      (c) => c.tag !== tag && compareVersions(c.version, version) < 0
    )
    previous = await findPrevious(older, lookups, opts.minVersion)
  }
  const override = overridden.length > 0 ? ` (synced although ${overridden.join(', ')})` : ''
  return {
    kind: 'sync',
    candidate,
    commitSha,
    ...(release ? { release } : {}),
    ...(openPull ? { openPull } : {}),
    previous,
    passedOver: [],
    explicit: true,
    reason: `the tag input asks for ${tag}${openPull ? `; its sync PR #${openPull.number} is open and will be updated` : ''}${override}`
  }
}
