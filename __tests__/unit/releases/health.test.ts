/**
 * Channel health and both eras of LiteLLM's naming on the real tag list (1,011 tags) extended with the 2026 scheme:
 * `v1.83.14-stable.patch.N`, `v1.84.0-dev.N`, `v1.84.0-rc.N`, `v1.84.0`, `v1.84.1`, `v1.85.0`…, with GitHub releases
 * marking the pre-releases as upstream does (nightlies get no release).
 */
import { describe, expect, it } from '@jest/globals'
import { listChannel } from '../../../src/releases/candidates.js'
import { compileChannel, parsePatternList } from '../../../src/releases/channel.js'
import { checkChannelHealth, newerChannelReleases, type HealthQueries } from '../../../src/releases/health.js'
import type { ReleaseInfo, TagRef } from '../../../src/types.js'
import { actionDefault, fixtureTags, sha, version } from './helpers.js'

const LAST_STABLE = ['v1.83.14-stable', 'v1.83.14-stable.patch.1', 'v1.83.14-stable.patch.2', 'v1.83.14-stable.patch.3']
const NEW_SCHEME = ['v1.84.0-dev.1', 'v1.84.0-dev.42', 'v1.84.0-rc.1', 'v1.84.0-rc.2', 'v1.84.0', 'v1.84.1', 'v1.85.0-dev.3', 'v1.85.0-rc.1', 'v1.85.0', 'v1.86.0-rc.1']

/** Upstream in memory: tags and releases, counting requests. */
function upstream(tags: string[], releases: ReleaseInfo[]): HealthQueries & { requests: string[] } {
  const requests: string[] = []
  const refs: TagRef[] = tags.map((name) => ({ name, sha: sha(name), type: 'commit' }))
  return {
    requests,
    listTags: async (prefix) => (requests.push(`tags:${prefix}`), refs.filter((ref) => ref.name.startsWith(prefix))),
    listReleases: async () => (requests.push('releases'), releases)
  }
}

/** GitHub releases as LiteLLM publishes them: a release per stable and RC (marked pre-release), none for nightlies. */
function releasesOf(tags: string[]): ReleaseInfo[] {
  return tags
    .filter((tag) => !tag.includes('-dev.'))
    .map((tag, i) => ({ tag, draft: false, prerelease: tag.includes('-rc.'), publishedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), htmlUrl: `https://github.com/BerriAI/litellm/releases/tag/${tag}` }))
    .reverse()
}

const channel = (source: 'tags' | 'releases', tagPattern = actionDefault('tag-pattern')) =>
  compileChannel({ include: parsePatternList(tagPattern), exclude: parsePatternList(actionDefault('exclude-pattern')), source })

describe('the -stable era (real tags, plus v1.83.14-stable and its patch releases)', () => {
  const tags = [...fixtureTags, ...LAST_STABLE]
  const deps = () => upstream(tags, releasesOf(LAST_STABLE))

  it('channel: tags picks the newest patch release and sees no drift, costing no request beyond the listing', async () => {
    const queries = deps()
    expect((await listChannel(queries, channel('tags'))).candidates[0]?.tag).toBe('v1.83.14-stable.patch.3')
    expect(await checkChannelHealth(queries, channel('tags'))).toBeUndefined()
    expect(queries.requests).toEqual(['tags:v', 'tags:v'])
  })

  it('channel: releases picks the same release', async () => {
    expect((await listChannel(deps(), channel('releases'))).candidates[0]?.tag).toBe('v1.83.14-stable.patch.3')
  })
})

describe('the 2026 scheme (plain v1.84.0, -rc.N, -dev.N)', () => {
  const tags = [...fixtureTags, ...LAST_STABLE, ...NEW_SCHEME]
  const deps = () => upstream(tags, releasesOf([...LAST_STABLE, ...NEW_SCHEME]))

  it('channel: tags still answers v1.83.14-stable.patch.3, and the drift names v1.85.0 and channel: releases', async () => {
    const queries = deps()
    expect((await listChannel(queries, channel('tags'))).candidates[0]?.tag).toBe('v1.83.14-stable.patch.3')
    const drift = await checkChannelHealth(queries, channel('tags'))
    expect(drift?.release.tag).toBe('v1.85.0')
    expect(drift?.newer.map((r) => r.tag)).toEqual(['v1.85.0', 'v1.84.1', 'v1.84.0'])
    expect(drift?.channelNewest).toMatchObject({ tag: 'v1.83.14-stable.patch.3', publishedAt: '2026-01-04T00:00:00.000Z' })
    expect(drift?.basis).toBe('releases')
    expect(drift?.suggestion).toEqual({ channel: 'releases' })
  })

  it('channel: releases gives v1.85.0, never an -rc.N or -dev.N, and no drift', async () => {
    const listing = await listChannel(deps(), channel('releases'))
    expect(listing.candidates[0]?.tag).toBe('v1.85.0')
    expect(listing.candidates.map((c) => c.tag).filter((tag) => /-rc\.|-dev\./.test(tag))).toEqual([])
    expect(await checkChannelHealth(deps(), channel('releases'))).toBeUndefined()
  })

  it("the README's tag-pattern for both schemes follows v1.85.0 with channel: tags, and then sees no drift", async () => {
    const both = channel('tags', 'v*-stable, v*-stable.patch*, v[0-9]*.[0-9]*.[0-9]*')
    expect((await listChannel(deps(), both)).candidates.slice(0, 3).map((c) => c.tag)).toEqual(['v1.85.0', 'v1.84.1', 'v1.84.0'])
    expect(await checkChannelHealth(deps(), both)).toBeUndefined()
  })

  it('judges an upstream without releases on tag names: plain versions only, and suggests a tag-pattern', async () => {
    const drift = await checkChannelHealth(upstream(tags, []), channel('tags'))
    expect(drift?.release.tag).toBe('v1.85.0')
    expect(drift?.basis).toBe('tags')
    expect(drift?.suggestion).toEqual({ 'tag-pattern': 'v*' })
  })

  it('does not count a draft or a pre-release as drift', async () => {
    const releases = releasesOf([...LAST_STABLE, 'v1.84.0']).map((r) => (r.tag === 'v1.84.0' ? { ...r, draft: true } : r))
    expect(await checkChannelHealth(upstream([...tags.filter((t) => !/^v1\.8[45]\.\d+$/.test(t))], releases), channel('tags'))).toBeUndefined()
    expect(await checkChannelHealth(upstream(tags, releases), channel('tags'))).toBeUndefined()
  })

  it('lists the channel releases newer than a version, with dates, for a dashboard', async () => {
    const newer = await newerChannelReleases(deps(), channel('releases'), version('1.84.0'))
    expect(newer.map((r) => [r.tag, r.publishedAt?.slice(0, 10)])).toEqual([
      ['v1.85.0', '2026-01-10'],
      ['v1.84.1', '2026-01-08']
    ])
  })
})
