/**
 * Which upstream release to sync: a lazy walk over the channel's candidates that asks GitHub as little as possible.
 *
 * Pure except {@link chooseRelease}, which talks to GitHub only through the injected {@link ReleaseQueries}
 * (implemented with Octokit in github.ts; faked in the tests). Each method of that interface is one API request, so
 * the walk calls them lazily, newest candidate first, and stops as soon as it can: a run with nothing new costs
 * `listTags` + `targetContains` (+ `peel` when the newest tag is annotated), whatever the number of tags upstream.
 */
import { inputError } from '../errors.js'
import { silentLog, type Log } from '../runner.js'
import { formatDuration } from '../settings/parse.js'
import type { ReleaseInfo } from '../types.js'
import { listChannel, lowerBound, newestContained, previousOf, selectCandidates, TagLookups } from './candidates.js'
import { commonPrefix, describeChannel } from './channel.js'
import type { Candidate, ChooseReleaseOptions, PassedOver, PassOverReason, PreviousRelease, ReleaseDecision, ReleaseQueries, SyncPull } from './decision.js'
import { compareReleaseNumbers, compareVersions, formatVersion, parseVersion, unversioned, type Version } from './version.js'

/** How many of the channel's recent tags `require-release: auto` looks at. */
const RECENT_TAGS = 5

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
  const log = opts.log ?? silentLog
  const lookups = new TagLookups(deps)
  const explicitTag = opts.tag?.trim()
  if (explicitTag) return chooseExplicit(deps, lookups, explicitTag, opts, log)

  const { channel } = opts
  const { tags, prefix, candidates, inChannel } = await listChannel(deps, channel, { minVersion: opts.minVersion, log })
  log.debug(
    `${tags.length} upstream tags listed under prefix "${prefix}", ${candidates.length} candidates` +
      (opts.minVersion ? ` newer than ${formatVersion(opts.minVersion)}` : '')
  )
  if (candidates.length === 0) {
    if (inChannel === 0) {
      log.warning(
        `no tag of ${opts.upstream} matches ${describeChannel(channel)} (${tags.length} tags start with ` +
          `"${prefix}"); check ${channel.source === 'releases' ? 'channel' : 'tag-pattern'}`
      )
    }
    return {
      kind: 'up-to-date',
      previous: lowerBound(opts.minVersion),
      passedOver: [],
      explicit: false,
      // Tags in the channel but no candidate: the lower bound dropped them all.
      reason:
        inChannel > 0 && opts.minVersion
          ? `no tag of ${opts.upstream} matching ${describeChannel(channel)} is newer than ${formatVersion(opts.minVersion)}`
          : `no tag of ${opts.upstream} matches ${describeChannel(channel)}`
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

  let released: Promise<ReadonlySet<string>> | undefined
  /**
   * `require-release: auto`: upstream publishes GitHub releases for the channel when most of its recent channel tags
   * (up to 5 older than the one in question) have a release the token sees.
   */
  const releasesPublished = async (older: readonly Candidate[]): Promise<boolean> => {
    if (!deps.releasedTags) return false
    released ??= deps.releasedTags()
    const tags = await released
    const recent = older.slice(0, RECENT_TAGS)
    return recent.length > 0 && recent.filter((candidate) => tags.has(candidate.tag)).length * 2 > recent.length
  }

  let told = false
  const tellLacking = (): void => {
    if (!told) opts.onTagLacking?.()
    told = true
  }

  // pick: next walks the releases the target lacks oldest first, then meets the newest one it has and stops there.
  const order = opts.pick === 'next' ? await catchUpOrder(candidates, lookups) : candidates.map((_, index) => index)
  const catchingUp = opts.pick === 'next'
  for (const index of order) {
    const candidate = candidates[index] as Candidate
    const commitSha = await lookups.commitOf(candidate)
    if (await lookups.contains(candidate)) {
      return nothingToSync(
        previousOf(candidate),
        `the target branch already contains ${candidate.tag}, the newest ${index === 0 ? '' : 'eligible '}tag of the channel`
      )
    }
    tellLacking()

    // Maintainer decisions first: they hold whatever the release looks like now, and a closed PR (a steady state
    // that can last until the next release) is then reported without reading the release.
    const pulls = await deps.findSyncPulls(candidate.tag)
    const openPull = pulls.find((pull) => pull.state === 'open')
    const mergedPull = pulls.find((pull) => pull.merged)
    const closedPull = pulls.find((pull) => pull.state === 'closed' && !pull.merged)
    if (catchingUp && !openPull && (mergedPull || closedPull)) {
      // Catching up, a release the maintainers declined (or merged by squash) does not block the next one.
      passOver(candidate, 'declined', `its sync PR #${(mergedPull ?? closedPull)?.number} was ${mergedPull ? 'merged' : 'closed without merging'}`)
      continue
    }
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
        ...(await previousField(candidates.slice(index + 1), lookups, opts)),
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
    if (!release && opts.requireRelease === true) {
      passOver(candidate, 'no-release', 'it has no release and require-release is true')
      continue
    }
    if (!release && opts.requireRelease === 'auto' && (await releasesPublished(candidates.slice(index + 1)))) {
      passOver(candidate, 'unreleased', 'it waits for its upstream release (upstream publishes releases for this channel; require-release: false syncs tags without one)')
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
      ...(await previousField(candidates.slice(index + 1), lookups, opts)),
      passedOver,
      explicit: false,
      reason: `${candidate.tag} is the newest eligible tag not in the target branch${describePassedOver(passedOver)}`
    }
  }

  return nothingToSync(
    lowerBound(opts.minVersion),
    `no tag of ${opts.upstream} matching ${describeChannel(channel)} is eligible to sync`
  )
}

/** Indexes of `candidates` (newest first) the target lacks, oldest first, then the newest one it contains. */
async function catchUpOrder(candidates: readonly Candidate[], lookups: TagLookups): Promise<number[]> {
  const contained = await newestContained(candidates, lookups)
  const end = contained ? candidates.indexOf(contained) : candidates.length
  const lacking = Array.from({ length: end }, (_, i) => end - 1 - i)
  return contained ? [...lacking, end] : lacking
}

/** `previous` for a sync decision: found now, or left running as `previousLookup` when `deferPrevious` asks. */
async function previousField(
  older: readonly Candidate[],
  lookups: TagLookups,
  opts: ChooseReleaseOptions
): Promise<{ previous?: PreviousRelease; previousLookup?: Promise<PreviousRelease | undefined> }> {
  // previousContains waits for the run's fetch, which follows the decision: only a deferred search may use it.
  const search = opts.deferPrevious && opts.previousContains ? new TagLookups({ ...lookups.deps, targetContains: opts.previousContains }) : lookups
  const lookup = findPrevious(older, search, opts.minVersion)
  if (opts.deferPrevious) {
    // Awaited by withPrevious; this handler only keeps a run that fails before then from crashing on the rejection.
    lookup.catch(() => undefined)
    return { previousLookup: lookup }
  }
  const previous = await lookup
  return previous ? { previous } : {}
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
  log: Log
): Promise<ReleaseDecision<P>> {
  // One listing serves both the tag lookup and the previous-version search among the channel's tags.
  const tags = await deps.listTags(commonPrefix([opts.channel.prefix, tag]))
  const ref = tags.find((t) => t.name === tag)
  if (!ref) {
    throw inputError(`tag "${tag}" not found in ${opts.upstream}: check the tag input (tag names are case-sensitive)`)
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
  opts.onTagLacking?.()

  const overridden: string[] = []
  if (!opts.channel.matches(tag)) overridden.push(`it does not match ${describeChannel(opts.channel)}`)
  if (version && opts.minVersion && compareReleaseNumbers(version, opts.minVersion) <= 0) {
    overridden.push(`it is not newer than ${formatVersion(opts.minVersion)}`)
  }
  const release = await deps.getRelease(tag)
  if (release?.draft) overridden.push('its release is a draft')
  else if (release?.prerelease) overridden.push('its release is a pre-release')
  else if (!release && opts.requireRelease === true) overridden.push('it has no release and require-release is true')
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
