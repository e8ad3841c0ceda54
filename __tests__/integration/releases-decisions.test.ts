/**
 * Release detection end to end (issue 3): the bundled action, run as a runner runs it, against the GitHub stand-in
 * and real git. Each test builds the upstream a real project would have (the litellm tag stream, releases that are
 * drafts or pre-releases, moved tags, thousands of tags) and checks what a maintainer sees: which tag the PR is for,
 * the outputs, the PR body and summary, the PRs' states and comments, and the refs in the fork.
 *
 * This file: what maintainers and upstream do between runs (closed and superseded PRs, moved and explicit tags); the
 * choice of the release itself is in releases.test.ts (two files, so the two test workers share the load).
 */
import { describe, expect, it } from '@jest/globals'
import { FORK_AUTHOR, git, revParse, SAMPLE } from '../../test/support/repos.js'
import {
  DAY_MS,
  errors,
  expectExit,
  labelNames,
  openWorld,
  type Pull
} from './helpers/releases-world.js'

const SYNC_LABELS = ['automated', 'clean-merge', 'upstream-sync']

/** The parents of a commit in a bare repository. */
async function parentsOf(repoDir: string, sha: string): Promise<string[]> {
  return (await git(repoDir, ['rev-list', '--parents', '-n', '1', sha])).split(' ').slice(1)
}

function openPulls(pulls: Pull[]): Pull[] {
  return pulls.filter((pull) => pull.state === 'open')
}

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
      /** Upstream releases `version` as a stable tag; the run opens a sync PR for it. */
      const releaseAndSync = async (version: string): Promise<Awaited<ReturnType<typeof world.pull>>> => {
        const release = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject(version) }, `Release ${version}\n`)
        await world.upstreamTag(`v${version}-stable`, release)
        const run = await world.run()
        expectExit(run, 0)
        expect(run.outputs).toMatchObject({ result: 'created', tag: `v${version}-stable` })
        return world.pull(run.outputs['pr-number'] as string)
      }

      const y = await releaseAndSync('1.2.0')
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
      const z = await releaseAndSync('1.3.0')
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
