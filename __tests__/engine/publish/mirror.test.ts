/** The mirror branch against real git: created, fast-forwarded, left alone when someone committed to it. */
import { afterAll, describe, expect, it } from '@jest/globals'
import { Git } from '../../../src/git/git.js'
import { updateMirror } from '../../../src/publish/mirror.js'
import { contentConflict, SharedScenarios, withForkCopy } from '../helpers/action-repo.js'
import { runGit, type Scenario } from '../helpers/merge-repos.js'

const scenarios = new SharedScenarios()
afterAll(() => scenarios.cleanup())

let repos = 0
const head = (s: Scenario, ref: string): string | undefined => runGit(s.forkDir, ['rev-parse', '--verify', '--quiet', ref], { allowFail: true }).stdout.trim() || undefined

async function mirror(s: Scenario, dryRun = false) {
  const git = await Git.init(s.tmp.join(`mirror-${++repos}.git`))
  return updateMirror(git, { forkUrl: s.forkUrl, upstreamUrl: s.upstreamUrl, upstreamBranch: 'main', mirrorBranch: 'upstream-main', dryRun })
}

describe('updateMirror', () => {
  it('creates the mirror, then reports it up to date, then fast-forwards it when upstream moves', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    const upstreamMain = runGit(s.upstreamDir, ['rev-parse', 'refs/heads/main']).stdout.trim()
    expect(await mirror(s, true)).toEqual({ status: 'dry-run', sha: upstreamMain })
    expect(head(s, 'refs/heads/upstream-main')).toBeUndefined()
    expect(await mirror(s)).toEqual({ status: 'created', sha: upstreamMain })
    expect(head(s, 'refs/heads/upstream-main')).toBe(upstreamMain)
    expect(await mirror(s)).toEqual({ status: 'up-to-date', sha: upstreamMain })

    const next = runGit(s.upstreamDir, ['commit-tree', `${upstreamMain}^{tree}`, '-p', upstreamMain], { input: 'upstream: next\n' }).stdout.trim()
    runGit(s.upstreamDir, ['update-ref', 'refs/heads/main', next])
    expect(await mirror(s)).toEqual({ status: 'updated', sha: next })
    expect(head(s, 'refs/heads/upstream-main')).toBe(next)
    runGit(s.upstreamDir, ['update-ref', 'refs/heads/main', upstreamMain])
  })

  it('leaves a mirror with commits of its own alone', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    const upstreamMain = runGit(s.upstreamDir, ['rev-parse', 'refs/heads/main']).stdout.trim()
    const own = runGit(s.forkDir, ['commit-tree', `${s.targetSha}^{tree}`, '-p', s.targetSha], { input: 'a maintainer was here\n' }).stdout.trim()
    runGit(s.forkDir, ['update-ref', 'refs/heads/upstream-main', own])
    expect(await mirror(s)).toEqual({ status: 'diverged', sha: upstreamMain, mirrorSha: own })
    expect(head(s, 'refs/heads/upstream-main')).toBe(own)
  })
})
