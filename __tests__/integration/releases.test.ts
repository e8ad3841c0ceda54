/**
 * Release detection end to end (issue 3): the bundled action, run as a runner runs it, against the GitHub stand-in
 * and real git. Each test builds the upstream a real project would have (the litellm tag stream, releases that are
 * drafts or pre-releases, moved tags, thousands of tags) and checks what a maintainer sees: which tag the PR is for,
 * the outputs, the PR body and summary, the PRs' states and comments, and the refs in the fork.
 *
 * This file: which release is chosen; what maintainers and upstream do between runs is in releases-decisions.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { actionDefaults } from '../../test/support/action.js'
import { createTags, git, readFile, SAMPLE, type TagSpec } from '../../test/support/repos.js'
import {
  DAY_MS,
  expectExit,
  labelNames,
  litellmTags,
  openWorld,
  type Pull,
  type World
} from './helpers/releases-world.js'

const SYNC_LABELS = ['automated', 'clean-merge', 'upstream-sync']

/** The parents of a commit in a bare repository. */
async function parentsOf(repoDir: string, sha: string): Promise<string[]> {
  return (await git(repoDir, ['rev-list', '--parents', '-n', '1', sha])).split(' ').slice(1)
}

describe('channel rules on a real tag stream', () => {
  it('syncs the newest stable patch release among litellm-style tags, never a draft, debug, RC, dev or nightly; exclude-pattern is honoured', async () => {
    const world = await openWorld()
    try {
      const { upstream } = world.scenario
      const release110 = upstream.tags['v1.1.0-stable'] as string
      // All 1,011 real tag names of BerriAI/litellm, on the 1.1.0 release commit: the newest stable is v1.81.12-stable.
      await createTags(upstream.dir, litellmTags().map((name) => ({ name, rev: release110 })))
      // Its patch release comes on a later commit, and newer builds of other channels on a later one still: if the
      // action ordered by date or took any tag matching "stable", it would pick one of those.
      const patch = await world.upstreamCommit({ 'gateway/router.py': 'def route(request, timeout, retries):\n    return {"ok": True, "patched": True}\n' }, 'Fix routing\n', {
        branch: 'release-1.81',
        parents: [release110]
      })
      await world.upstreamTag('v1.81.12-stable.patch.1', patch)
      const later = await world.upstreamCommit({ 'gateway/streaming.py': 'def stream():\n    yield 1\n' }, 'Start 1.82\n', { branch: 'release-1.81' })
      await createTags(
        upstream.dir,
        ['v1.82.0-stable-draft', 'v1.82.0-stable.debug', 'v1.82.0.rc.1', 'v1.82.0-rc2', 'v1.82.0.dev1', 'v1.82.0-nightly', 'v1.82.0-stable-patched', 'vnext-stable'].map(
          (name) => ({ name, rev: later })
        )
      )

      const run = await world.run({}, { debug: true })
      expectExit(run, 0)
      expect(run.outputs).toMatchObject({
        result: 'created',
        tag: 'v1.81.12-stable.patch.1',
        version: '1.81.12-stable.patch.1',
        'previous-version': '1.0.0-stable',
        branch: 'upstream-sync/v1.81.12-stable.patch.1',
        'merge-status': 'clean'
      })
      // A tag in the channel without a version number is skipped with a debug line, not a crash.
      expect(run.stdout).toContain('::debug::tag "vnext-stable" matches tag-pattern but carries no version number; skipped')

      const [pull, ...others] = await world.pulls()
      expect(others).toEqual([])
      expect(pull?.title).toBe('Upstream sync: acme/gateway v1.81.12-stable.patch.1')
      expect(labelNames(pull as Pull)).toEqual(SYNC_LABELS)
      // The sync branch merges exactly the patch release's commit into the target.
      const head = (await world.forkBranch('upstream-sync/v1.81.12-stable.patch.1')) as string
      expect(await parentsOf(world.scenario.fork.dir, head)).toEqual([world.scenario.fork.targetSha, patch])

      // exclude-pattern keeps patch releases out too: the newest plain stable is proposed instead.
      const defaultExcludes = (await actionDefaults(''))['exclude-pattern'] as string
      expect(defaultExcludes).toContain('*draft*')
      const excluded = await world.run({ 'exclude-pattern': `${defaultExcludes}, *.patch*`, 'dry-run': 'true' })
      expectExit(excluded, 0)
      expect(excluded.outputs).toMatchObject({ result: 'dry-run', tag: 'v1.81.12-stable', version: '1.81.12-stable' })
      expect(excluded.stdout).toContain('Title:  Upstream sync: acme/gateway v1.81.12-stable')
    } finally {
      await world.close()
    }
  })
})

describe('GitHub releases', () => {
  it('never chooses a draft or pre-release, honours require-release, and shows the chosen release notes with mentions defused', async () => {
    const world = await openWorld()
    try {
      await world.release({
        tag: 'v1.1.0-stable',
        name: 'Gateway 1.1.0, thanks @alice',
        body: [
          '## Highlights',
          '- Faster routing, thanks @alice and @acme/core-team (#123)',
          '- Fixes GH-45 and acme/gateway#46',
          '',
          'Report security issues to security@acme.example; `@literal` stays code.'
        ].join('\n'),
        publishedAt: new Date(Date.now() - 15 * DAY_MS)
      })
      const v120 = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.2.0') }, 'Release 1.2.0\n')
      await world.upstreamTag('v1.2.0-stable', v120)
      const v130 = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.3.0') }, 'Release 1.3.0\n')
      await world.upstreamTag('v1.3.0-stable', v130)
      await world.release({ tag: 'v1.3.0-stable', body: 'Not announced yet', draft: true })
      const v140 = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.4.0') }, 'Release 1.4.0\n')
      await world.upstreamTag('v1.4.0-stable', v140)
      await world.release({ tag: 'v1.4.0-stable', body: 'Try it out', prerelease: true })

      // require-release: v1.4.0 (pre-release), v1.3.0 (draft) and v1.2.0 (no release) are passed over.
      const run = await world.run({ 'require-release': 'true' }, { debug: true })
      expectExit(run, 0)
      expect(run.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable', version: '1.1.0-stable', 'previous-version': '1.0.0-stable' })
      expect(run.stdout).toContain('passing over v1.4.0-stable: its release is a pre-release')
      expect(run.stdout).toContain('passing over v1.3.0-stable: its release is a draft')
      expect(run.stdout).toContain('passing over v1.2.0-stable: it has no release and require-release is true')

      const pull = await world.pull(run.outputs['pr-number'] as string)
      const body = pull.body ?? ''
      const server = world.scenario.standIn.url
      expect(body).toContain(`[Release v1.1.0-stable](${server}/acme/gateway/releases/tag/v1.1.0-stable)`)
      expect(body).toContain('### Release notes: Gateway 1.1.0, thanks @&#8203;alice')
      // The notes are there, as Markdown, with mentions as code (nobody upstream is pinged) and references linked
      // to upstream's issues (the fork's unrelated #123 is not linked).
      expect(body).toContain('> ## Highlights')
      expect(body).toContain('> - Faster routing, thanks `@alice` and `@acme/core-team`')
      expect(body).toContain(`([#123](${server}/acme/gateway/issues/123))`)
      expect(body).toContain(`[GH-45](${server}/acme/gateway/issues/45)`)
      expect(body).toContain(`[acme/gateway#46](${server}/acme/gateway/issues/46)`)
      expect(body).toContain('security@acme.example')
      expect(body).toContain('`@literal`')
      const prose = body.replace(/`[^`\n]*`/g, '').replace(/\[[^\]\n]*\]\([^)\n]*\)/g, '')
      expect(prose).not.toMatch(/(?<![\w.])@[A-Za-z0-9]/)
      expect(prose).not.toMatch(/(?<![\w&])#\d/)

      // Without require-release a tag with no release is eligible; the draft and the pre-release still are not.
      const preview = await world.run({ 'dry-run': 'true', 'require-release': 'false' })
      expectExit(preview, 0)
      expect(preview.outputs).toMatchObject({ result: 'dry-run', tag: 'v1.2.0-stable' })
    } finally {
      await world.close()
    }
  })
})

describe('a fork that already has the newest stable release', () => {
  let world: World
  beforeAll(async () => {
    world = await openWorld()
    // The fork merged upstream's 1.1.0 commit by hand: it has the commit, not the tag.
    await world.forkMerges(world.scenario.upstream.tags['v1.1.0-stable'] as string, 'Merge upstream 1.1.0 by hand')
  })
  afterAll(async () => {
    await world.close()
  })

  it('is up to date when the tag commit is reachable from the target branch: no PR, nothing pushed', async () => {
    const before = await world.forkRefs()
    expect(Object.keys(before).filter((ref) => ref.startsWith('refs/tags/'))).toEqual([])
    await world.resetLog()

    const run = await world.run()
    expectExit(run, 0)
    expect(run.outputs).toMatchObject({ result: 'up-to-date', tag: '', 'previous-version': '1.1.0-stable', 'pr-url': '' })
    expect(run.stdout).toContain('the target branch already contains v1.1.0-stable')
    expect(await world.pulls()).toEqual([])
    expect(await world.forkRefs()).toEqual(before)
    expect((await world.gitTraffic()).total.pushes).toBe(0)
  })

  it('costs at most 4 API requests and no git traffic on an upstream with 3,000 tags', async () => {
    const { upstream } = world.scenario
    const contained = [upstream.tags['v1.0.0-stable'], upstream.tags['v1.1.0.rc.1'], upstream.tags['v1.1.0-nightly'], upstream.tags['v1.1.0-stable']] as string[]
    // Every real litellm tag (annotated, like real releases) plus generated nightlies, dev builds and old stables up
    // to 3,000 tags, all on commits the fork already has: the newest stable, v1.81.12-stable, is already synced.
    const real = litellmTags()
    const specs: TagSpec[] = real.map((name, i) => ({ name, rev: contained[i % contained.length] as string, annotated: true, message: `${name}\n` }))
    const existing = new Set([...real, ...Object.keys(upstream.tags)])
    for (let i = 0; specs.length + Object.keys(upstream.tags).length < 3000; i++) {
      const name = [`v1.${i % 80}.${i}-nightly`, `v1.${i % 80}.${i}.dev${i % 7}`, `v0.${i}.0-stable`][i % 3] as string
      if (!existing.has(name)) specs.push({ name, rev: contained[i % contained.length] as string })
    }
    await createTags(upstream.dir, specs)
    expect((await git(upstream.dir, ['tag', '--list'])).split('\n')).toHaveLength(3000)

    await world.resetLog()
    const run = await world.run()
    expectExit(run, 0)
    expect(run.outputs).toMatchObject({ result: 'up-to-date', 'previous-version': '1.81.12-stable' })
    expect(run.stdout).toContain('the target branch already contains v1.81.12-stable')
    const api = await world.apiRequests()
    if (api.length > 4) {
      const shown = api.map((entry) => `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ''} → ${entry.status}`)
      throw new Error(`expected at most 4 API requests, the run made ${api.length}:\n${shown.join('\n')}`)
    }
    expect(api.length).toBeGreaterThanOrEqual(2)
    expect(await world.gitRequests()).toEqual([])
  })

  it('stays up to date when the only newer stable tag is published as a pre-release', async () => {
    const sha = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.90.0') }, 'Release 1.90.0\n')
    await world.upstreamTag('v1.90.0-stable', sha)
    await world.release({ tag: 'v1.90.0-stable', body: 'Preview of 1.90', prerelease: true })
    const before = await world.forkRefs()

    const run = await world.run()
    expectExit(run, 0)
    expect(run.outputs).toMatchObject({ result: 'up-to-date', tag: '', 'previous-version': '1.81.12-stable' })
    expect(run.stdout).toContain('v1.90.0-stable: its release is a pre-release')
    expect(await world.pulls()).toEqual([])
    expect(await world.forkRefs()).toEqual(before)
  })

  it('waits for min-release-age measured from the release (not the older commit), then syncs', async () => {
    const commitDate = new Date(Date.now() - 10 * DAY_MS)
    const publishedAt = new Date(Math.floor((Date.now() - DAY_MS) / 1000) * 1000)
    const sha = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('2.0.0') }, 'Release 2.0.0\n', { date: commitDate })
    await world.upstreamTag('v2.0.0-stable', sha, { date: commitDate })
    await world.release({ tag: 'v2.0.0-stable', body: 'Major release', publishedAt })
    const before = await world.forkRefs()

    const waiting = await world.run({ 'min-release-age': '2d' })
    expectExit(waiting, 0)
    expect(waiting.outputs).toMatchObject({ result: 'skipped', tag: 'v2.0.0-stable', 'pr-url': '', branch: '' })
    const eligibleAt = new Date(publishedAt.getTime() + 2 * DAY_MS).toISOString()
    expect(waiting.stdout).toContain(`v2.0.0-stable is younger than min-release-age 2d: eligible at ${eligibleAt}`)
    expect(waiting.summary).toContain('**skipped**')
    expect(await world.pulls()).toEqual([])
    expect(await world.forkRefs()).toEqual(before)

    const synced = await world.run({ 'min-release-age': '12h' })
    expectExit(synced, 0)
    expect(synced.outputs).toMatchObject({ result: 'created', tag: 'v2.0.0-stable', version: '2.0.0-stable', 'previous-version': '1.81.12-stable' })
    const pull = await world.pull(synced.outputs['pr-number'] as string)
    expect(pull.body).toContain('**Version:** `1.81.12-stable` → `2.0.0-stable`')
    expect(pull.body).toContain('> Major release')
  })
})

describe("the fork's own version as a lower bound", () => {
  it('current-version and version-file (read from the target branch, not the default branch) drop releases the fork already has', async () => {
    // The fork's default branch is `main` (upstream 1.0.0); its target branch says 1.1.0 in pyproject.toml, without
    // containing upstream's 1.1.0 commit (as after a manual port).
    const world = await openWorld({ setHead: false, fork: { extraFiles: { 'pyproject.toml': SAMPLE.pyproject('1.1.0') } } })
    try {
      const { fork } = world.scenario
      expect(await readFile(fork.dir, 'refs/heads/main', 'pyproject.toml')).toContain('version = "1.0.0"')

      const byInput = await world.run({ 'current-version': '1.1.0' })
      expectExit(byInput, 0)
      expect(byInput.outputs).toMatchObject({ result: 'up-to-date', tag: '', 'previous-version': '1.1.0' })
      expect(byInput.stdout).toContain('is newer than 1.1.0')

      const byFile = await world.run({ 'version-file': 'pyproject.toml' })
      expectExit(byFile, 0)
      expect(byFile.outputs).toMatchObject({ result: 'up-to-date', tag: '', 'previous-version': '1.1.0' })

      // A patch release of 1.1.0 is newer than the fork's 1.1.0: it is proposed, `1.1.0 → 1.1.0-stable.patch.1`.
      const patch = await world.upstreamCommit({ 'gateway/router.py': 'def route(request, timeout, retries):\n    return {"ok": "patched"}\n' }, 'Patch 1.1.0\n', {
        branch: 'release-1.1',
        parents: [world.scenario.upstream.tags['v1.1.0-stable'] as string]
      })
      await world.upstreamTag('v1.1.0-stable.patch.1', patch)
      const run = await world.run({ 'version-file': 'pyproject.toml' })
      expectExit(run, 0)
      expect(run.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable.patch.1', version: '1.1.0-stable.patch.1', 'previous-version': '1.1.0' })
      const pull = await world.pull(run.outputs['pr-number'] as string)
      expect(pull.body).toContain('**Version:** `1.1.0` → `1.1.0-stable.patch.1`')
      expect(run.summary).toContain('| Version | `1.1.0` → `1.1.0-stable.patch.1` |')
    } finally {
      await world.close()
    }
  })
})
