/**
 * Release detection end to end (issue 3): the bundled action, run as a runner runs it, against the GitHub stand-in
 * and real git. Each test builds the upstream a real project would have (the litellm tag stream, releases that are
 * drafts or pre-releases, moved tags, thousands of tags) and checks what a maintainer sees: which tag the PR is for,
 * the outputs, the PR body and summary, the PRs' states and comments, and the refs in the fork.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { actionDefaults } from '../../test/support/action.js'
import { createTags, FORK_AUTHOR, git, readFile, revParse, SAMPLE, type TagSpec } from '../../test/support/repos.js'
import {
  DAY_MS,
  errors,
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

function openPulls(pulls: Pull[]): Pull[] {
  return pulls.filter((pull) => pull.state === 'open')
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

describe('maintainer decisions', () => {
  it('a sync PR closed without merging skips that release (reported with its link, nothing pushed); the next stable tag gets a new PR', async () => {
    const world = await openWorld()
    try {
      const first = await world.run()
      expectExit(first, 0)
      expect(first.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable', version: '1.1.0-stable', 'previous-version': '1.0.0-stable' })
      const declined = await world.pull(first.outputs['pr-number'] as string)
      // previous → new in the PR body and the job summary.
      expect(declined.body).toContain('**Version:** `1.0.0-stable` → `1.1.0-stable`')
      expect(first.summary).toContain('| Version | `1.0.0-stable` → `1.1.0-stable` |')
      const closed = await world.scenario.api('PATCH', `/repos/${world.scenario.fork.fullName}/pulls/${declined.number}`, { state: 'closed' })
      expect(closed.status).toBe(200)

      const before = await world.forkRefs()
      await world.resetLog()
      const skipped = await world.run()
      expectExit(skipped, 0)
      expect(skipped.outputs).toMatchObject({ result: 'skipped', tag: 'v1.1.0-stable', 'pr-url': declined.html_url, 'pr-number': '' })
      expect(skipped.stdout).toContain(`sync PR #${declined.number} for v1.1.0-stable was closed without merging (${declined.html_url})`)
      expect(skipped.summary).toContain(`](${declined.html_url})`)
      expect(skipped.summary).toContain('**skipped**')
      expect(await world.forkRefs()).toEqual(before)
      expect((await world.gitTraffic()).total.pushes).toBe(0)
      expect((await world.pulls()).map((pull) => [pull.number, pull.state])).toEqual([[declined.number, 'closed']])

      const v120 = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.2.0') }, 'Release 1.2.0\n')
      await world.upstreamTag('v1.2.0-stable', v120)
      const next = await world.run()
      expectExit(next, 0)
      // Nothing in the fork contains 1.1.0, so the previous version is still 1.0.0.
      expect(next.outputs).toMatchObject({ result: 'created', tag: 'v1.2.0-stable', 'previous-version': '1.0.0-stable' })
      const pulls = await world.pulls()
      expect(pulls.map((pull) => [pull.head.ref, pull.state])).toEqual([
        ['upstream-sync/v1.1.0-stable', 'closed'],
        ['upstream-sync/v1.2.0-stable', 'open']
      ])
    } finally {
      await world.close()
    }
  })

  it('supersedes older open sync PRs: closed with a link to the new one, their branch deleted unless a human committed on it', async () => {
    const world = await openWorld()
    try {
      const fork = world.scenario.fork
      const first = await world.run()
      expectExit(first, 0)
      expect(first.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable' })
      const x = await world.pull(first.outputs['pr-number'] as string)

      const v120 = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.2.0') }, 'Release 1.2.0\n')
      await world.upstreamTag('v1.2.0-stable', v120)
      const second = await world.run()
      expectExit(second, 0)
      expect(second.outputs).toMatchObject({ result: 'created', tag: 'v1.2.0-stable' })
      const y = await world.pull(second.outputs['pr-number'] as string)
      expect(y.number).not.toBe(x.number)
      expect((await world.pull(x.number)).state).toBe('closed')
      const xComments = await world.comments(x.number)
      expect(xComments).toHaveLength(1)
      expect(xComments[0]?.body).toContain(`Superseded by #${y.number} (${y.html_url})`)
      expect(xComments[0]?.body).toContain('was deleted')
      // X's branch held only the action's merge commit: deleted.
      expect(await world.forkBranch('upstream-sync/v1.1.0-stable')).toBeUndefined()
      // And the new PR names the one it replaced.
      expect((await world.pull(y.number)).body).toContain(`Supersedes [#${x.number}](${x.html_url})`)

      // A maintainer starts resolving something on Y's branch; then upstream releases 1.3.0.
      const human = await world.forkCommit('upstream-sync/v1.2.0-stable', { 'CARTO_NOTES.md': 'Checked the 1.2.0 routing change.\n' }, 'Review notes\n', FORK_AUTHOR)
      const v130 = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.3.0') }, 'Release 1.3.0\n')
      await world.upstreamTag('v1.3.0-stable', v130)
      const third = await world.run()
      expectExit(third, 0)
      expect(third.outputs).toMatchObject({ result: 'created', tag: 'v1.3.0-stable' })
      const z = await world.pull(third.outputs['pr-number'] as string)
      expect((await world.pull(y.number)).state).toBe('closed')
      const yComments = await world.comments(y.number)
      expect(yComments).toHaveLength(1)
      expect(yComments[0]?.body).toContain(`Superseded by #${z.number} (${z.html_url})`)
      expect(yComments[0]?.body).toContain('so it was kept')
      // The human's commit is still there, exactly where it was.
      expect(await world.forkBranch('upstream-sync/v1.2.0-stable')).toBe(human)
      expect(openPulls(await world.pulls()).map((pull) => pull.number)).toEqual([z.number])
      expect(await revParse(fork.dir, `refs/heads/${fork.targetBranch}`)).toBe(fork.targetSha)
    } finally {
      await world.close()
    }
  })
})

describe('fresh tags, explicit tags', () => {
  it('min-release-age passes over a young release for an older eligible one; the tag input syncs exactly the tag it names and refuses a missing one', async () => {
    const world = await openWorld()
    try {
      const v120 = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.2.0') }, 'Release 1.2.0\n', { date: new Date(Date.now() - 5 * DAY_MS) })
      await world.upstreamTag('v1.2.0-stable', v120)
      // Committed three days ago, but released an hour ago: the release's date is the one that counts.
      const v130 = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.3.0') }, 'Release 1.3.0\n', { date: new Date(Date.now() - 3 * DAY_MS) })
      await world.upstreamTag('v1.3.0-stable', v130)
      await world.release({ tag: 'v1.3.0-stable', body: 'Fresh', publishedAt: new Date(Date.now() - 3600 * 1000) })

      const aged = await world.run({ 'min-release-age': '2d' }, { debug: true })
      expectExit(aged, 0)
      expect(aged.outputs).toMatchObject({ result: 'created', tag: 'v1.2.0-stable', 'previous-version': '1.0.0-stable' })
      expect(aged.stdout).toMatch(/passing over v1\.3\.0-stable: released \S+, eligible at \S+/)
      const newest = await world.pull(aged.outputs['pr-number'] as string)

      // workflow_dispatch with tag: an older stable than the newest eligible one is synced as asked.
      const explicit = await world.run({ tag: 'v1.1.0-stable' }, { eventName: 'workflow_dispatch', event: { inputs: { tag: 'v1.1.0-stable' } } })
      expectExit(explicit, 0)
      expect(explicit.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable', branch: 'upstream-sync/v1.1.0-stable' })
      const head = (await world.forkBranch('upstream-sync/v1.1.0-stable')) as string
      expect((await parentsOf(world.scenario.fork.dir, head))[1]).toBe(world.scenario.upstream.tags['v1.1.0-stable'])
      // Syncing an older tag on request does not supersede the newer PR.
      expect((await world.pull(newest.number)).state).toBe('open')

      const before = await world.forkRefs()
      const pullsBefore = await world.pulls()
      await world.resetLog()
      const missing = await world.run({ tag: 'v9.9.9-stable' }, { eventName: 'workflow_dispatch' })
      expectExit(missing, 1)
      expect(errors(missing).join('\n')).toContain('tag "v9.9.9-stable" not found in acme/gateway')
      expect(missing.outputs.result).toBeUndefined()
      expect(await world.forkRefs()).toEqual(before)
      expect(await world.pulls()).toEqual(pullsBefore)
      expect((await world.gitTraffic()).total.pushes).toBe(0)
    } finally {
      await world.close()
    }
  })

  // Upstream re-points a fresh tag either forward (a last-minute fix on top) or at a re-cut release commit that does not
  // descend from the old one; the sync branch holds the action's merge commit (clean) or the tag commit (conflicts).
  const moves = [
    { how: 'forward to a fix on top of it', recut: false, conflict: false },
    { how: 'to a re-cut release commit', recut: true, conflict: false },
    { how: 'to a re-cut release commit, while the PR has conflicts', recut: true, conflict: true }
  ]
  it.each(moves)('refreshes an untouched open PR when upstream moves its tag $how, and says so', async ({ recut, conflict }) => {
    const world = await openWorld({ conflict })
    try {
      const { upstream, fork } = world.scenario
      const first = await world.run()
      expectExit(first, 0)
      expect(first.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable', 'merge-status': conflict ? 'conflicts' : 'clean' })
      const oldSha = upstream.tags['v1.1.0-stable'] as string
      const release = (await git(upstream.dir, ['show', '--format=', '--name-only', oldSha])).split('\n').filter(Boolean)
      expect(release).toContain('gateway/server.py')

      const fix = { 'gateway/router.py': 'def route(request, timeout, retries):\n    return {"ok": True, "fixed": True}\n' }
      const newSha = recut
        ? // The release commit is made again from its parent, with the fix folded in: the old commit is left behind.
          await world.upstreamCommit(
            { ...fix, 'pyproject.toml': SAMPLE.pyproject('1.1.0'), 'gateway/server.py': SAMPLE.server(60), 'Dockerfile': SAMPLE.dockerfile('python:3.12-slim') },
            'Release 1.1.0 (re-cut)\n',
            { branch: 'release-1.1', parents: [upstream.tags['v1.1.0-nightly'] as string] }
          )
        : await world.upstreamCommit(fix, 'Last-minute fix for 1.1.0\n', { branch: 'release-1.1', parents: [oldSha] })
      await world.upstreamTag('v1.1.0-stable', newSha)
      expect(await git(upstream.dir, ['merge-base', '--is-ancestor', oldSha, newSha]).then(() => true, () => false)).toBe(!recut)

      const second = await world.run()
      expectExit(second, 0)
      expect(second.outputs).toMatchObject({ result: 'updated', tag: 'v1.1.0-stable', 'pr-number': first.outputs['pr-number'] })
      expect(await world.pulls()).toHaveLength(1)
      const head = (await world.forkBranch('upstream-sync/v1.1.0-stable')) as string
      if (conflict) expect(head).toBe(newSha)
      else expect(await parentsOf(fork.dir, head)).toEqual([fork.targetSha, newSha])
      const pull = await world.pull(first.outputs['pr-number'] as string)
      expect(pull.head.sha).toBe(head)
      expect(pull.body).toContain(
        `Upstream moved the tag \`v1.1.0-stable\` from \`${oldSha.slice(0, 12)}\` to \`${newSha.slice(0, 12)}\` after this pull request was opened; the branch was refreshed to the new commit.`
      )
      expect(labelNames(pull)).toEqual(conflict ? ['automated', 'conflicts', 'upstream-sync'] : SYNC_LABELS)
    } finally {
      await world.close()
    }
  })
})
