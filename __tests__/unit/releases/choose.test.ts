import { describe, expect, it } from '@jest/globals'
import { selectCandidates } from '../../../src/releases/candidates.js'
import { compileChannel, type Channel } from '../../../src/releases/channel.js'
import { chooseRelease as chooseReleaseTyped } from '../../../src/releases/choose.js'
import { withPrevious, type ChooseReleaseOptions, type ReleaseDecision, type ReleaseQueries, type SyncPull } from '../../../src/releases/decision.js'
import { compareVersions, parseVersion, readVersionFromText } from '../../../src/releases/version.js'
import type { ReleaseInfo, TagRef } from '../../../src/types.js'
import { actionDefault, defaultChannel, fixtureTags, recordingLogger, sha, UPSTREAM, version } from './helpers.js'

/**
 * The decision with the fields of every kind readable, so each test asserts its kind and then the fields it expects
 * (a field of another kind reads as undefined, as before the decision became a union).
 */
type DecisionFields = ReleaseDecision<FakePull> & {
  release?: ReleaseInfo
  openPull?: FakePull
  skippedPull?: FakePull
  skippedPullUrl?: string
  eligibleAt?: Date
}

async function chooseRelease(deps: ReleaseQueries<FakePull>, opts: ChooseReleaseOptions): Promise<DecisionFields> {
  return chooseReleaseTyped(deps, opts)
}

/** The commit a tag points at in the fake upstream (annotated tags point at a tag object first). */
function commitOf(tag: string): string {
  return sha(`commit:${tag}`)
}

function tagRef(name: string, annotated = false): TagRef {
  return annotated ? { name, sha: sha(`tag:${name}`), type: 'tag' } : { name, sha: commitOf(name), type: 'commit' }
}

/** A PR type with more than SyncPull, to check the decision hands the implementation's own objects back. */
interface FakePull extends SyncPull {
  title: string
}

type Method = keyof ReleaseQueries

/** An upstream + fork in memory that answers like GitHub would and counts every request. */
class FakeGitHub implements ReleaseQueries<FakePull> {
  readonly calls: Array<{ method: Method; arg: string }> = []
  readonly contained = new Set<string>()
  readonly releases = new Map<string, ReleaseInfo>()
  readonly pulls = new Map<string, FakePull[]>()
  readonly commitDates = new Map<string, Date>()

  constructor(readonly tags: TagRef[]) {}

  count(method?: Method): number {
    return this.calls.filter((call) => method === undefined || call.method === method).length
  }

  /** The target branch contains these tags' commits. */
  contain(...tags: string[]): this {
    for (const tag of tags) this.contained.add(commitOf(tag))
    return this
  }

  /** The target contains every channel tag up to and including `tag` (a fork that synced in order). */
  containUpTo(tag: string, channel: Channel = defaultChannel): this {
    const bound = version(tag)
    for (const ref of this.tags) {
      const v = parseVersion(ref.name)
      if (v && channel.matches(ref.name) && compareVersions(v, bound) <= 0) this.contained.add(commitOf(ref.name))
    }
    return this
  }

  release(tag: string, fields: Partial<ReleaseInfo> = {}): this {
    this.releases.set(tag, {
      tag,
      name: tag,
      body: `notes of ${tag}`,
      htmlUrl: `https://github.com/${UPSTREAM}/releases/tag/${tag}`,
      draft: false,
      prerelease: false,
      publishedAt: '2025-01-01T00:00:00Z',
      ...fields
    })
    return this
  }

  pull(tag: string, number: number, state: 'open' | 'closed', merged = false): this {
    const list = this.pulls.get(tag) ?? []
    list.push({ number, url: `https://github.com/fork/litellm/pull/${number}`, state, merged, title: `Upstream sync: ${tag}` })
    this.pulls.set(tag, list)
    return this
  }

  async listTags(prefix: string): Promise<TagRef[]> {
    this.calls.push({ method: 'listTags', arg: prefix })
    return this.tags.filter((tag) => tag.name.startsWith(prefix))
  }

  async peel(tag: TagRef): Promise<string> {
    this.calls.push({ method: 'peel', arg: tag.name })
    if (tag.type !== 'tag') throw new Error('peel called for a lightweight tag')
    return commitOf(tag.name)
  }

  async targetContains(commitSha: string): Promise<boolean> {
    this.calls.push({ method: 'targetContains', arg: commitSha })
    return this.contained.has(commitSha)
  }

  async listReleases(): Promise<ReleaseInfo[]> {
    this.calls.push({ method: 'listReleases', arg: '' })
    return [...this.releases.values()].reverse()
  }

  async getRelease(tag: string): Promise<ReleaseInfo | undefined> {
    this.calls.push({ method: 'getRelease', arg: tag })
    return this.releases.get(tag)
  }

  async findSyncPulls(tag: string): Promise<FakePull[]> {
    this.calls.push({ method: 'findSyncPulls', arg: tag })
    return this.pulls.get(tag) ?? []
  }

  async commitDate(commitSha: string): Promise<Date> {
    this.calls.push({ method: 'commitDate', arg: commitSha })
    return this.commitDates.get(commitSha) ?? new Date('2025-01-01T00:00:00Z')
  }
}

function litellm(annotated: (tag: string) => boolean = () => false): FakeGitHub {
  return new FakeGitHub(fixtureTags.map((name) => tagRef(name, annotated(name))))
}

function options(extra: Partial<ChooseReleaseOptions> = {}): ChooseReleaseOptions {
  return { upstream: UPSTREAM, channel: defaultChannel, now: new Date('2026-03-01T12:00:00Z'), ...extra }
}

describe('chooseRelease: nothing new', () => {
  it('costs exactly one listTags and one targetContains when the target has the newest stable tag', async () => {
    const github = litellm().containUpTo('v1.81.12-stable')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('up-to-date')
    expect(decision.candidate).toBeUndefined()
    expect(decision.previous?.tag).toBe('v1.81.12-stable')
    expect(decision.previous?.version.text).toBe('1.81.12-stable')
    expect(github.calls).toEqual([
      { method: 'listTags', arg: 'v' },
      { method: 'targetContains', arg: commitOf('v1.81.12-stable') }
    ])
    expect(decision.reason).toBe('the target branch already contains v1.81.12-stable, the newest tag of the channel')
  })

  it('adds one peel when the newest tag is annotated', async () => {
    const github = litellm(() => true).containUpTo('v1.81.12-stable')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('up-to-date')
    expect(github.count()).toBe(3)
    expect(github.count('peel')).toBe(1)
  })

  it('stays at two requests on an upstream with 3,000 tags', async () => {
    const noise = Array.from({ length: 2000 - 11 }, (_, i) => `v1.${90 + Math.floor(i / 100)}.${i % 100}-nightly`)
    const tags = [...fixtureTags, ...noise, ...Array.from({ length: 11 }, (_, i) => `v1.82.${i}.dev1`)]
    expect(tags.length).toBe(3011)
    const github = new FakeGitHub(tags.map((name) => tagRef(name))).containUpTo('v1.81.12-stable')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('up-to-date')
    expect(github.count()).toBe(2)
    expect(github.count('getRelease') + github.count('findSyncPulls')).toBe(0)
  })

  it('warns when no tag matches the channel at all', async () => {
    const log = recordingLogger()
    const github = litellm()
    const channel = compileChannel({ include: ['release-*'], exclude: [] })
    const decision = await chooseRelease(github, options({ channel, log }))
    expect(decision.kind).toBe('up-to-date')
    expect(decision.reason).toBe(`no tag of ${UPSTREAM} matches tag-pattern "release-*"`)
    expect(log.warnings).toEqual([
      `no tag of ${UPSTREAM} matches tag-pattern "release-*" (0 tags start with "release-"); check tag-pattern`
    ])
    expect(github.calls).toEqual([{ method: 'listTags', arg: 'release-' }])
  })
})

describe('chooseRelease: a new stable release', () => {
  it('picks the newest stable tag the target lacks, with its release and the previous version', async () => {
    const github = litellm().containUpTo('v1.81.9-stable').release('v1.81.12-stable')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.81.12-stable')
    expect(decision.candidate?.version.text).toBe('1.81.12-stable')
    expect(decision.commitSha).toBe(commitOf('v1.81.12-stable'))
    expect(decision.release?.body).toBe('notes of v1.81.12-stable')
    expect(decision.openPull).toBeUndefined()
    expect(decision.previous).toEqual({
      version: expect.objectContaining({ text: '1.81.9-stable' }),
      text: '1.81.9-stable',
      tag: 'v1.81.9-stable'
    })
    expect(decision.explicit).toBe(false)
    expect(decision.reason).toBe('v1.81.12-stable is the newest eligible tag not in the target branch')
    // list, contains(new), PRs, release, contains(previous)
    expect(github.calls.map((c) => c.method)).toEqual([
      'listTags',
      'targetContains',
      'findSyncPulls',
      'getRelease',
      'targetContains'
    ])
  })

  it('with deferPrevious, returns before the previous-version search ends; withPrevious settles it to the same answer', async () => {
    const direct = await chooseRelease(litellm().containUpTo('v1.50.2-stable'), options())
    const github = litellm().containUpTo('v1.50.2-stable')
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    // After the walk's own probe, every targetContains call (the search for previous) waits at the gate.
    const contains = github.targetContains.bind(github)
    let probes = 0
    github.targetContains = async (commitSha: string) => {
      if (++probes > 1) await gate
      return contains(commitSha)
    }
    const deferred = await chooseRelease(github, options({ deferPrevious: true }))
    if (deferred.kind !== 'sync') throw new Error(`expected a sync, got ${deferred.kind}`)
    expect(deferred.previous).toBeUndefined()
    expect(deferred.previousLookup).toBeInstanceOf(Promise)
    release()
    const settled = await withPrevious(deferred)
    expect(settled.previousLookup).toBeUndefined()
    expect(settled.previous).toEqual(direct.previous)
    expect(settled.previous?.tag).toBeDefined()
    expect({ ...settled, previous: undefined }).toEqual({ ...direct, previous: undefined })
  })

  it('with previousContains, the deferred search asks it instead of targetContains (the run answers from its fetched commits)', async () => {
    const direct = await chooseRelease(litellm().containUpTo('v1.50.2-stable'), options())
    const github = litellm().containUpTo('v1.50.2-stable')
    const local = litellm().containUpTo('v1.50.2-stable')
    const asked: string[] = []
    const previousContains = async (commitSha: string): Promise<boolean> => {
      asked.push(commitSha)
      return local.targetContains(commitSha)
    }
    const deferred = await chooseRelease(github, options({ deferPrevious: true, previousContains }))
    if (deferred.kind !== 'sync') throw new Error(`expected a sync, got ${deferred.kind}`)
    const settled = await withPrevious(deferred)
    expect(settled.previous).toEqual(direct.previous)
    expect(asked.length).toBeGreaterThan(0)
    // The walk's own probe (is the new tag in the target?) still goes to targetContains; the search none.
    expect(github.calls.filter((c) => c.method === 'targetContains')).toHaveLength(1)
  })

  it('ignores previousContains when the search is not deferred (it would wait for a fetch that comes later)', async () => {
    const github = litellm().containUpTo('v1.50.2-stable')
    const never = (): Promise<boolean> => new Promise(() => undefined)
    const decision = await chooseRelease(github, options({ previousContains: never }))
    expect(decision.previous?.tag).toBeDefined()
  })

  it('tells onTagLacking once, when the walk meets a tag the target lacks, before asking GitHub about that tag; never for a fork that has the newest', async () => {
    const github = litellm().containUpTo('v1.50.2-stable')
    const told: number[] = []
    const decision = await chooseRelease(github, options({ onTagLacking: () => void told.push(github.calls.length) }))
    expect(decision.kind).toBe('sync')
    expect(told).toHaveLength(1)
    // Told right after the containment answer, before the walk's pull request and release lookups.
    expect(github.calls.slice(0, told[0]).map((c) => c.method).at(-1)).toBe('targetContains')
    const current = litellm().containUpTo('v1.81.12-stable')
    let calls = 0
    expect((await chooseRelease(current, options({ onTagLacking: () => void calls++ }))).kind).toBe('up-to-date')
    expect(calls).toBe(0)
  })

  it('picks a patch release after its release', async () => {
    const tags = ['v1.73.5-stable', 'v1.73.6-stable', 'v1.73.6-stable.patch.1', 'v1.73.6-nightly'].map((t) => tagRef(t))
    const github = new FakeGitHub(tags).contain('v1.73.6-stable', 'v1.73.5-stable')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.73.6-stable.patch.1')
    expect(decision.previous?.tag).toBe('v1.73.6-stable')
  })

  it('finds the previous version of a fork that is far behind in a few probes, not one per tag', async () => {
    const github = litellm().containUpTo('v1.50.2-stable')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.81.12-stable')
    const channelTags = selectCandidates(github.tags, defaultChannel).map((c) => c.tag)
    const expected = channelTags.find((tag) => github.contained.has(commitOf(tag)))
    expect(expected).toBeDefined()
    expect(decision.previous?.tag).toBe(expected)
    // Galloping then bisecting over ~100 older stable tags: at most 2·log2(118) + 2 probes, fewer than a linear walk.
    expect(github.count('targetContains')).toBeLessThanOrEqual(16)
    expect(github.count('targetContains')).toBeLessThan(channelTags.indexOf(expected ?? ''))
  })

  it('falls back to the version lower bound when the target contains no channel tag', async () => {
    const github = litellm()
    const minVersion = readVersionFromText('version = "1.81.3"\n', actionDefault('version-pattern'), 'pyproject.toml')
    const decision = await chooseRelease(github, options({ minVersion }))
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.81.12-stable')
    expect(decision.previous?.tag).toBeUndefined()
    expect(decision.previous?.version.text).toBe('1.81.3')
    // Only the tags above the lower bound are ever looked at: 1.81.12 and 1.81.9.
    expect(github.count('targetContains')).toBe(2)
  })

  it('proposes nothing older than version-file says the fork has', async () => {
    const github = litellm()
    const pyproject = '[tool.poetry]\nname = "litellm"\nversion = "1.81.12"\n'
    const minVersion = readVersionFromText(pyproject, actionDefault('version-pattern'), 'pyproject.toml')
    const decision = await chooseRelease(github, options({ minVersion }))
    expect(decision.kind).toBe('up-to-date')
    expect(decision.previous).toEqual({ version: minVersion, text: '1.81.12' })
    expect(decision.reason).toBe(
      `no tag of ${UPSTREAM} matching tag-pattern "v*-stable, v*-stable.patch*" minus exclude-pattern "${defaultChannel.exclude.join(', ')}" is newer than 1.81.12`
    )
    expect(github.count()).toBe(1)
  })
})

describe('chooseRelease: releases', () => {
  it('never chooses a draft or a pre-release; the next older tag is proposed', async () => {
    const github = litellm()
      .containUpTo('v1.81.0-stable')
      .release('v1.81.12-stable', { draft: true, publishedAt: undefined })
      .release('v1.81.9-stable', { prerelease: true })
      .release('v1.81.3-stable')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.81.3-stable')
    expect(decision.release?.tag).toBe('v1.81.3-stable')
    expect(decision.passedOver.map((p) => [p.candidate.tag, p.why])).toEqual([
      ['v1.81.12-stable', 'draft'],
      ['v1.81.9-stable', 'prerelease']
    ])
    expect(decision.reason).toBe(
      'v1.81.3-stable is the newest eligible tag not in the target branch (passed over: v1.81.12-stable: its release is a draft; v1.81.9-stable: its release is a pre-release)'
    )
    expect(decision.previous?.tag).toBe('v1.81.0-stable')
    // Each tag the target lacks is looked at once: PRs, then release; the contained one only through the compare.
    expect(github.calls.filter((c) => c.method === 'getRelease').map((c) => c.arg)).toEqual([
      'v1.81.12-stable',
      'v1.81.9-stable',
      'v1.81.3-stable'
    ])
    expect(github.count('targetContains')).toBe(4)
  })

  it('treats tags without a release as eligible by default', async () => {
    const github = litellm().containUpTo('v1.81.9-stable')
    const decision = await chooseRelease(github, options())
    expect(decision.candidate?.tag).toBe('v1.81.12-stable')
    expect(decision.release).toBeUndefined()
  })

  it('passes over tags without a release when require-release is true', async () => {
    const github = litellm().containUpTo('v1.81.3-stable').release('v1.81.9-stable')
    const decision = await chooseRelease(github, options({ requireRelease: true }))
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.81.9-stable')
    expect(decision.release?.body).toBe('notes of v1.81.9-stable')
    expect(decision.passedOver).toEqual([
      expect.objectContaining({ why: 'no-release', detail: 'v1.81.12-stable: it has no release and require-release is true' })
    ])
  })

  it('is up to date when every newer tag is refused and the target has the next one', async () => {
    const github = litellm().containUpTo('v1.81.9-stable').release('v1.81.12-stable', { draft: true })
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('up-to-date')
    expect(decision.previous?.tag).toBe('v1.81.9-stable')
    expect(decision.reason).toBe(
      'the target branch already contains v1.81.9-stable, the newest eligible tag of the channel (passed over: v1.81.12-stable: its release is a draft)'
    )
  })
})

describe('chooseRelease: maintainer decisions', () => {
  it('updates the open sync PR of the chosen tag instead of opening a duplicate', async () => {
    const github = litellm().containUpTo('v1.81.9-stable').pull('v1.81.12-stable', 41, 'open')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.81.12-stable')
    expect(decision.openPull?.number).toBe(41)
    // The implementation's own PR objects come back (generic over the pull type).
    expect(decision.openPull?.title).toBe('Upstream sync: v1.81.12-stable')
    expect(decision.reason).toBe(
      'v1.81.12-stable is the newest eligible tag not in the target branch; its sync PR #41 is open and will be updated'
    )
  })

  it('skips a release whose sync PR was closed without merging, and proposes no older tag instead', async () => {
    const github = litellm().containUpTo('v1.81.3-stable').pull('v1.81.12-stable', 40, 'closed')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('skipped')
    expect(decision.candidate?.tag).toBe('v1.81.12-stable')
    expect(decision.skippedPull?.number).toBe(40)
    expect(decision.skippedPullUrl).toBe('https://github.com/fork/litellm/pull/40')
    expect(decision.reason).toBe(
      'sync PR #40 for v1.81.12-stable was closed without merging (https://github.com/fork/litellm/pull/40): this release is skipped and the next newer tag will get its own PR'
    )
    // v1.81.9-stable, which the target lacks too, is not looked at.
    expect(github.calls.some((c) => c.arg === 'v1.81.9-stable' || c.arg === commitOf('v1.81.9-stable'))).toBe(false)
  })

  it('reports a skip without reading the release: three requests per run while it stays the newest', async () => {
    const github = litellm().containUpTo('v1.81.9-stable').pull('v1.81.12-stable', 40, 'closed')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('skipped')
    expect(decision.previous).toBeUndefined()
    expect(github.calls.map((c) => c.method)).toEqual(['listTags', 'targetContains', 'findSyncPulls'])
  })

  it('refreshes an open sync PR whatever its release state or age now (a re-pointed tag included)', async () => {
    const now = new Date('2026-03-01T12:00:00Z')
    const github = litellm()
      .containUpTo('v1.81.3-stable')
      .release('v1.81.12-stable', { prerelease: true, publishedAt: '2026-03-01T11:00:00Z' })
      .pull('v1.81.12-stable', 41, 'open')
    const decision = await chooseRelease(github, options({ now, minReleaseAgeMs: 2 * 86_400_000 }))
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.81.12-stable')
    expect(decision.openPull?.number).toBe(41)
    expect(decision.release?.prerelease).toBe(true)
    expect(decision.passedOver).toEqual([])
    expect(github.count('commitDate')).toBe(0)
  })

  it('prefers an open PR over a closed one for the same tag', async () => {
    const github = litellm().containUpTo('v1.81.9-stable').pull('v1.81.12-stable', 40, 'closed').pull('v1.81.12-stable', 42, 'open')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('sync')
    expect(decision.openPull?.number).toBe(42)
  })

  it('gives the next newer tag its own PR after a skip', async () => {
    const tags = ['v1.81.9-stable', 'v1.81.12-stable', 'v1.82.0-stable'].map((t) => tagRef(t))
    const github = new FakeGitHub(tags).contain('v1.81.9-stable').pull('v1.81.12-stable', 40, 'closed')
    const decision = await chooseRelease(github, options())
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.82.0-stable')
  })

  it('treats a merged sync PR as synced even when its commit is not in the target (squash merge), with a warning', async () => {
    const log = recordingLogger()
    const github = litellm().containUpTo('v1.81.9-stable').pull('v1.81.12-stable', 39, 'closed', true)
    const decision = await chooseRelease(github, options({ log }))
    expect(decision.kind).toBe('up-to-date')
    expect(decision.previous?.tag).toBe('v1.81.12-stable')
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toMatch(/^sync PR #39 for v1\.81\.12-stable was merged, but the target branch does not contain/)
  })
})

describe('chooseRelease: min-release-age', () => {
  const now = new Date('2026-03-01T12:00:00Z')
  const twoDays = 2 * 86_400_000

  it('waits for a release younger than the minimum age, saying when it becomes eligible', async () => {
    const github = litellm().containUpTo('v1.81.9-stable').release('v1.81.12-stable', { publishedAt: '2026-03-01T00:00:00Z' })
    const decision = await chooseRelease(github, options({ now, minReleaseAgeMs: twoDays }))
    expect(decision.kind).toBe('waiting')
    expect(decision.candidate?.tag).toBe('v1.81.12-stable')
    expect(decision.eligibleAt?.toISOString()).toBe('2026-03-03T00:00:00.000Z')
    expect(decision.commitSha).toBe(commitOf('v1.81.12-stable'))
    expect(decision.previous?.tag).toBe('v1.81.9-stable')
    expect(decision.reason).toMatch(/^v1\.81\.12-stable is younger than min-release-age 2d: eligible at 2026-03-03T00:00:00\.000Z; /)
    // The release date was enough: no commit lookup.
    expect(github.count('commitDate')).toBe(0)
  })

  it('syncs the release once it is old enough', async () => {
    const github = litellm().containUpTo('v1.81.9-stable').release('v1.81.12-stable', { publishedAt: '2026-02-27T00:00:00Z' })
    const decision = await chooseRelease(github, options({ now, minReleaseAgeMs: twoDays }))
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.81.12-stable')
  })

  it('uses the commit date for a tag without a release', async () => {
    const github = litellm().containUpTo('v1.81.9-stable')
    github.commitDates.set(commitOf('v1.81.12-stable'), new Date('2026-03-01T06:00:00Z'))
    const decision = await chooseRelease(github, options({ now, minReleaseAgeMs: 12 * 3_600_000 }))
    expect(decision.kind).toBe('waiting')
    expect(decision.eligibleAt?.toISOString()).toBe('2026-03-01T18:00:00.000Z')
    expect(github.calls.filter((c) => c.method === 'commitDate').map((c) => c.arg)).toEqual([commitOf('v1.81.12-stable')])
  })

  it('proposes an older tag that is old enough and not yet synced, reporting the newer one as waiting', async () => {
    const github = litellm()
      .containUpTo('v1.81.3-stable')
      .release('v1.81.12-stable', { publishedAt: '2026-03-01T00:00:00Z' })
      .release('v1.81.9-stable', { publishedAt: '2026-02-20T00:00:00Z' })
    const decision = await chooseRelease(github, options({ now, minReleaseAgeMs: twoDays }))
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe('v1.81.9-stable')
    expect(decision.passedOver).toEqual([
      expect.objectContaining({ why: 'too-recent', eligibleAt: new Date('2026-03-03T00:00:00Z') })
    ])
    expect(decision.passedOver[0]?.candidate.tag).toBe('v1.81.12-stable')
  })
})

describe('chooseRelease: the tag input', () => {
  it('syncs exactly the tag named, outside the channel too, saying which rules it overrides', async () => {
    const github = litellm().containUpTo('v1.73.6-stable.patch.1').release('v1.74.8-nightly', { prerelease: true })
    const decision = await chooseRelease(github, options({ tag: 'v1.74.8-nightly' }))
    expect(decision.kind).toBe('sync')
    expect(decision.explicit).toBe(true)
    expect(decision.candidate?.tag).toBe('v1.74.8-nightly')
    expect(decision.release?.prerelease).toBe(true)
    expect(decision.previous?.tag).toBe('v1.73.6-stable.patch.1')
    expect(decision.reason).toBe(
      `the tag input asks for v1.74.8-nightly (synced although it does not match tag-pattern "v*-stable, v*-stable.patch*" minus exclude-pattern "${defaultChannel.exclude.join(', ')}", its release is a pre-release)`
    )
    // One listing serves the lookup and the previous-version search.
    expect(github.calls.filter((c) => c.method === 'listTags')).toEqual([{ method: 'listTags', arg: 'v' }])
  })

  it('fails clearly when the tag does not exist upstream', async () => {
    const github = litellm()
    await expect(chooseRelease(github, options({ tag: 'v9.9.9-stable' }))).rejects.toThrow(
      'tag "v9.9.9-stable" not found in BerriAI/litellm: check the tag input (tag names are case-sensitive)'
    )
    // A prefix of an existing tag is not that tag.
    await expect(chooseRelease(github, options({ tag: 'v1.81.1' }))).rejects.toThrow('tag "v1.81.1" not found')
  })

  it('is up to date when the target already contains the tag', async () => {
    const github = litellm().containUpTo('v1.81.12-stable')
    const decision = await chooseRelease(github, options({ tag: 'v1.81.9-stable' }))
    expect(decision.kind).toBe('up-to-date')
    expect(decision.candidate?.tag).toBe('v1.81.9-stable')
    expect(decision.reason).toBe('the target branch already contains v1.81.9-stable')
    expect(github.count('getRelease') + github.count('findSyncPulls')).toBe(0)
  })

  it('syncs a tag with no version number, listing all tags to find it', async () => {
    const github = litellm().containUpTo('v1.81.12-stable')
    const decision = await chooseRelease(github, options({ tag: 'latest' }))
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.version.text).toBe('latest')
    expect(github.calls[0]).toEqual({ method: 'listTags', arg: '' })
  })

  it('still syncs a tag whose PR was closed, and updates an open one', async () => {
    const closed = litellm().containUpTo('v1.81.9-stable').pull('v1.81.12-stable', 40, 'closed')
    const reopened = await chooseRelease(closed, options({ tag: 'v1.81.12-stable' }))
    expect(reopened.kind).toBe('sync')
    expect(reopened.reason).toBe('the tag input asks for v1.81.12-stable (synced although its sync PR #40 was closed without merging)')
    const open = litellm().containUpTo('v1.81.9-stable').pull('v1.81.12-stable', 41, 'open')
    const updated = await chooseRelease(open, options({ tag: 'v1.81.12-stable' }))
    expect(updated.openPull?.number).toBe(41)
  })
})

describe('chooseRelease: pick next (catching up one release at a time)', () => {
  it('proposes the oldest channel release the target lacks, with the newest contained one as previous', async () => {
    const github = litellm().containUpTo('v1.79.3-stable')
    const decision = await chooseRelease(github, options({ pick: 'next' }))
    expect(decision.kind).toBe('sync')
    const older = selectCandidates(github.tags, defaultChannel).filter((c) => compareVersions(c.version, version('v1.79.3-stable')) > 0)
    expect(decision.candidate?.tag).toBe(older[older.length - 1]?.tag)
    expect(decision.previous?.tag).toBe('v1.79.3-stable')
    // A galloping search, not a walk over every tag: a handful of containment checks.
    expect(github.count('targetContains')).toBeLessThan(12)
  })

  it('passes over a release whose PR was closed without merging instead of stopping there', async () => {
    const github = litellm().containUpTo('v1.79.3-stable')
    const lacking = selectCandidates(github.tags, defaultChannel).filter((c) => compareVersions(c.version, version('v1.79.3-stable')) > 0)
    const oldest = lacking[lacking.length - 1]?.tag as string
    const nextOne = lacking[lacking.length - 2]?.tag as string
    github.pull(oldest, 7, 'closed')
    const decision = await chooseRelease(github, options({ pick: 'next' }))
    expect(decision.kind).toBe('sync')
    expect(decision.candidate?.tag).toBe(nextOne)
    expect(decision.passedOver.map((p) => [p.candidate.tag, p.why])).toEqual([[oldest, 'declined']])
  })

  it('is up to date when the target has the newest release, as with pick: newest', async () => {
    const github = litellm().containUpTo('v1.81.12-stable')
    const decision = await chooseRelease(github, options({ pick: 'next' }))
    expect(decision.kind).toBe('up-to-date')
    expect(decision.previous?.tag).toBe('v1.81.12-stable')
  })
})
