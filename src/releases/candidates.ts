/**
 * Release candidates: the channel's tags that carry a version newer than the fork's lower bound, newest first, and
 * the memoised per-tag lookups (peel, containment) the walk and the previous-version search share.
 */
import { silentLog, type Log } from '../runner.js'
import type { TagRef } from '../types.js'
import { commonPrefix, type Channel } from './channel.js'
import type { Candidate, PreviousRelease, ReleaseQueries, SyncPull } from './decision.js'
import { compareReleaseNumbers, compareVersions, parseVersion, type Version } from './version.js'

export interface SelectOptions {
  /** The fork's own version (`current-version` / `version-file`): tags of this release number or older are dropped. */
  minVersion?: Version
  log?: Pick<Log, 'debug'>
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
  const log = opts.log ?? silentLog
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

/** The channel's tags as listed, and its candidates (newest first). */
export interface ChannelListing {
  /** The tags listed (every tag under `prefix`). */
  tags: TagRef[]
  /** The listing prefix. */
  prefix: string
  /** Candidates newer than `minVersion`, newest first. */
  candidates: Candidate[]
  /** How many tags of the channel carry a version, whatever `minVersion` (0: the channel matches nothing). */
  inChannel: number
}

/**
 * Lists the channel: for `tags`, the upstream tags under the channel's prefix (one request); for `releases`,
 * upstream's releases page, then the tags under the prefix common to its published non-pre-release releases (two
 * requests; none more when there is no such release). Releases whose tag is gone are not candidates.
 */
export async function listChannel(deps: Pick<ReleaseQueries, 'listTags' | 'listReleases'>, channel: Channel, opts: SelectOptions = {}): Promise<ChannelListing> {
  const split = (tags: TagRef[], prefix: string, pool: readonly TagRef[]): ChannelListing => {
    const all = selectCandidates(pool, channel, { log: opts.log })
    const { minVersion } = opts
    const candidates = minVersion ? all.filter((c) => compareReleaseNumbers(c.version, minVersion) > 0) : all
    return { tags, prefix, candidates, inChannel: all.length }
  }
  if (channel.source === 'tags') {
    const tags = await deps.listTags(channel.prefix)
    return split(tags, channel.prefix, tags)
  }
  const stable = new Set((await deps.listReleases()).filter((release) => !release.draft && !release.prerelease).map((release) => release.tag))
  if (stable.size === 0) return split([], channel.prefix, [])
  const prefix = commonPrefix([...stable])
  const tags = await deps.listTags(prefix)
  return split(tags, prefix, tags.filter((ref) => stable.has(ref.name)))
}

/** Memoises the two per-tag lookups the walk and the previous-version search share. */
export class TagLookups {
  private readonly commits = new Map<string, Promise<string>>()
  private readonly containment = new Map<string, Promise<boolean>>()

  constructor(readonly deps: ReleaseQueries<SyncPull>) {}

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

export function previousOf(candidate: Candidate): PreviousRelease {
  return { version: candidate.version, text: candidate.version.text, tag: candidate.tag }
}

export function lowerBound(minVersion: Version | undefined): PreviousRelease | undefined {
  return minVersion ? { version: minVersion, text: minVersion.text } : undefined
}

/**
 * The newest of `older` (newest first) that the target contains, assuming — like the walk — that once the target
 * contains a tag it contains the older ones too. A galloping search (probe 1st, 2nd, 4th, 8th… then bisect) finds it
 * in one probe when the fork is one release behind and in O(log n) probes when it never synced, instead of checking
 * every tag of a long channel.
 */
export async function newestContained(older: readonly Candidate[], lookups: TagLookups): Promise<Candidate | undefined> {
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
