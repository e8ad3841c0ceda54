/**
 * Channel health: has upstream published a release newer than anything the configured channel matches? That is how
 * a rename of upstream's stable channel shows (LiteLLM went from `v1.83.14-stable` to plain `v1.84.0`): the channel
 * keeps answering "up to date" while upstream ships every week. Pure apart from the injected queries, which reuse
 * the release walk's memoised listings: a run whose listing shows no plain release newer than the channel's newest
 * tag costs no request here at all.
 */
import { listChannel } from './candidates.js'
import type { Channel } from './channel.js'
import type { ReleaseQueries } from './decision.js'
import { compareReleaseNumbers, compareVersions, isPlainRelease, parseVersion, type Version } from './version.js'

/** One upstream release as channel health (and the dashboard) shows it. */
export interface UpstreamRelease {
  tag: string
  version: Version
  /** When it was published (the release's `published_at`, else `created_at`); undefined for a tag without a release. */
  publishedAt?: string
  /** The release page, when it is a GitHub release. */
  url?: string
}

/** Upstream published releases the configured channel does not match. */
export interface ChannelDrift {
  /** The newest of them: the `channel-drift` output. */
  release: UpstreamRelease
  /** All of them, newest first (by version). */
  newer: UpstreamRelease[]
  /** The channel's newest tag, when it matches any, with its release date when upstream published one. */
  channelNewest?: UpstreamRelease
  /** `releases`: judged on upstream's GitHub releases; `tags`: upstream publishes none, judged on tag names. */
  basis: 'releases' | 'tags'
  /** Inputs that would follow upstream's releases (e.g. `{ channel: 'releases' }`). */
  suggestion: Record<string, string>
}

/** What the check asks GitHub: the release walk's two listings (both memoised by the implementation). */
export type HealthQueries = Pick<ReleaseQueries, 'listTags' | 'listReleases'>

function newestFirst(releases: UpstreamRelease[]): UpstreamRelease[] {
  return releases.sort((a, b) => compareVersions(b.version, a.version))
}

/**
 * Checks the channel. Returns undefined when no published release is newer (by version) than the channel's newest
 * tag. A published release is a GitHub release that is neither a draft nor a pre-release; for an upstream without
 * releases, a tag whose version is a plain release (no pre-release part, see `isPlainRelease`).
 *
 * Cost: the channel's listing (already made by the walk), plus upstream's releases page only when the listing shows
 * a plain release newer than the channel's newest tag, or when the listing (a narrow tag prefix) cannot show one.
 */
export async function checkChannelHealth(deps: HealthQueries, channel: Channel): Promise<ChannelDrift | undefined> {
  const listing = await listChannel(deps, channel)
  const newest = listing.candidates[0]
  const isNewer = (version: Version): boolean => !newest || compareReleaseNumbers(version, newest.version) > 0
  const plainTags = (tags: typeof listing.tags): UpstreamRelease[] =>
    tags.flatMap((ref) => {
      const version = parseVersion(ref.name)
      return version && isPlainRelease(version) && isNewer(version) ? [{ tag: ref.name, version }] : []
    })
  const coversAll = /^[vV]?$/.test(listing.prefix)
  if (channel.source === 'tags' && coversAll && plainTags(listing.tags).length === 0) return undefined

  const releases = await deps.listReleases()
  const published = releases.filter((release) => !release.draft && !release.prerelease)
  const dated = (tag: string): Pick<UpstreamRelease, 'publishedAt' | 'url'> => {
    const release = published.find((r) => r.tag === tag)
    const publishedAt = release?.publishedAt ?? release?.createdAt
    return { ...(publishedAt ? { publishedAt } : {}), ...(release?.htmlUrl ? { url: release.htmlUrl } : {}) }
  }
  const basis = releases.length > 0 ? 'releases' : 'tags'
  const newer =
    basis === 'releases'
      ? published.flatMap((release) => {
          const version = parseVersion(release.tag)
          return version && isNewer(version) ? [{ tag: release.tag, version, ...dated(release.tag) }] : []
        })
      : plainTags(coversAll ? listing.tags : await deps.listTags(''))
  const [release] = newestFirst(newer)
  if (!release) return undefined
  return {
    release,
    newer,
    ...(newest ? { channelNewest: { tag: newest.tag, version: newest.version, ...dated(newest.tag) } } : {}),
    basis,
    suggestion: basis === 'releases' ? { channel: 'releases' } : { 'tag-pattern': `${release.tag.slice(0, release.version.start)}*` }
  }
}

/**
 * The channel's releases newer than `than` (all of them when undefined), newest first, each with its publication date
 * and page when upstream published a GitHub release for it: what a dashboard lists as "newer releases". Costs the
 * channel's listing and upstream's releases page (both memoised, so nothing more after the release walk and health
 * check of the same run).
 */
export async function newerChannelReleases(deps: HealthQueries, channel: Channel, than?: Version): Promise<UpstreamRelease[]> {
  const listing = await listChannel(deps, channel, than ? { minVersion: than } : {})
  const releases = await deps.listReleases()
  return listing.candidates.map((candidate) => {
    const release = releases.find((r) => r.tag === candidate.tag && !r.draft)
    const publishedAt = release?.publishedAt ?? release?.createdAt
    return { tag: candidate.tag, version: candidate.version, ...(publishedAt ? { publishedAt } : {}), ...(release?.htmlUrl ? { url: release.htmlUrl } : {}) }
  })
}

/** The configuration as the lines of a workflow step's `with:` block. */
export function suggestionYaml(suggestion: Record<string, string>): string {
  return Object.entries(suggestion)
    .map(([name, value]) => `  ${name}: '${value.replace(/'/g, "''")}'`)
    .join('\n')
}
