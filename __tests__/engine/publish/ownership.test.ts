/**
 * Whose is the sync branch, against real git: the action's own commits (upstream commits, its merge commits with
 * the sync trailers) against a maintainer's, and whether the tag moved since the open PR was made.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import type { PullInfo } from '../../../src/github/api.js'
import { SYNC_TAG_TRAILER } from '../../../src/merge/trailers.js'
import { classifySyncBranch, isActionCommit, tagMovedSince } from '../../../src/publish/ownership.js'
import type { MergeResult } from '../../../src/types.js'
import { merge, prepare, SharedScenarios, type Prepared } from '../helpers/action-repo.js'
import { runGit, type Scenario, type ScenarioSpec } from '../helpers/merge-repos.js'

const scenarios = new SharedScenarios()
afterAll(() => scenarios.cleanup())

describe('classifySyncBranch', () => {
  const twoUpstreamCommits: ScenarioSpec = {
    base: (w) => void w.writeLines('a.py'),
    ours: (w) => void w.editLine('a.py', 1, 'fork'),
    theirs: (w) => {
      w.editLine('a.py', 30, 'upstream one')
      w.commit('upstream: before the tag')
      w.write('b.py', 'b\n')
    }
  }
  // The tests only read the action repository (the commits they write are new objects no other test looks at):
  // one prepared repository and one merge serve them all.
  let ready: Promise<{ s: Scenario; p: Prepared; result: MergeResult }> | undefined
  function setup(): Promise<{ s: Scenario; p: Prepared; result: MergeResult }> {
    ready ??= (async () => {
      const s = scenarios.get(twoUpstreamCommits)
      const p = await prepare(s, { pushSendsUpstreamHistory: true })
      const result = await merge(p, s)
      expect(result.status).toBe('clean')
      return { s, p, result }
    })()
    return ready
  }

  const commit = (p: Prepared, tree: string, parents: string[], message: string): string =>
    runGit(p.gitDir, ['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent])], { input: message }).stdout.trim()

  it('the tag, its ancestors and the action\'s own merge commit are the action\'s', async () => {
    const { s, p, result } = await setup()
    const options = { tag: s.tag, tagSha: s.tagSha, targetSha: s.targetSha }
    expect(await classifySyncBranch(p.git, { ...options, branchSha: s.tagSha })).toBe('action')
    expect(await classifySyncBranch(p.git, { ...options, branchSha: `${runGit(p.gitDir, ['rev-parse', `${s.tagSha}^`]).stdout.trim()}` })).toBe('action')
    expect(await classifySyncBranch(p.git, { ...options, branchSha: result.headSha })).toBe('action')
    expect(await isActionCommit(p.git, result.headSha, [s.tagSha], s.tag)).toBe(true)
    // Knowing only the tag's name (an older sync branch): upstream's tag commit is read with ls-remote.
    expect(await classifySyncBranch(p.git, { branchSha: result.headSha, tag: s.tag })).toBe('action')
    expect(await classifySyncBranch(p.git, { branchSha: s.tagSha, tag: s.tag })).toBe('action')
  })

  it('a maintainer\'s commit, a merge of the target into the branch, or an amended merge commit are human', async () => {
    const { s, p, result } = await setup()
    const options = { tag: s.tag, tagSha: s.tagSha, targetSha: s.targetSha }
    const mergeTree = runGit(p.gitDir, ['rev-parse', `${result.headSha}^{tree}`]).stdout.trim()
    const otherTree = runGit(p.gitDir, ['rev-parse', `${s.targetSha}^{tree}`]).stdout.trim()
    const message = runGit(p.gitDir, ['show', '-s', '--format=%B', result.headSha]).stdout

    const onTop = commit(p, mergeTree, [result.headSha], 'fix the build after the sync\n')
    const targetMergedIn = commit(p, mergeTree, [s.tagSha, s.targetSha], "Merge branch 'main' into upstream-sync\n")
    const amended = commit(p, otherTree, [s.targetSha, s.tagSha], message)
    const otherTag = commit(p, mergeTree, [s.targetSha, s.tagSha], message.replace(`${SYNC_TAG_TRAILER}: ${s.tag}`, `${SYNC_TAG_TRAILER}: v0.0.1`))
    const notUpstream = commit(p, mergeTree, [s.targetSha, onTop], message)

    for (const branchSha of [onTop, targetMergedIn, amended, notUpstream]) {
      expect(await classifySyncBranch(p.git, { ...options, branchSha })).toBe('human')
    }
    expect(await classifySyncBranch(p.git, { ...options, branchSha: otherTag })).toBe('human')
    expect(await isActionCommit(p.git, otherTag, [s.tagSha])).toBe(true) // without a tag to match, the trailer's value is not checked
  })

  it('a head the target already contains carries nothing of its own', async () => {
    const { s, p } = await setup()
    expect(await classifySyncBranch(p.git, { branchSha: s.targetSha, tagSha: s.tagSha, targetSha: s.targetSha })).toBe('action')
    expect(await classifySyncBranch(p.git, { branchSha: s.targetSha, tagSha: s.tagSha })).toBe('human')
  })

  it('a merge of the commit a tag pointed at before it moved counts when that commit is named', async () => {
    const { s, p, result } = await setup()
    const movedTag = runGit(p.gitDir, ['commit-tree', `${s.tagSha}^{tree}`, '-p', s.baseSha], { input: 'retagged\n' }).stdout.trim()
    expect(await classifySyncBranch(p.git, { branchSha: result.headSha, tag: s.tag, tagSha: movedTag })).toBe('human')
    expect(await classifySyncBranch(p.git, { branchSha: result.headSha, tag: s.tag, tagSha: movedTag, upstreamShas: [s.tagSha] })).toBe('action')
  })

  it('tagMovedSince: a branch made from another commit of the tag means the tag moved; the recorded commit decides first', async () => {
    const { s, p, result } = await setup()
    const pull = { number: 1 } as PullInfo
    const movedTag = commit(p, `${s.tagSha}^{tree}`, [s.baseSha], 'retagged\n')
    const now = { ...result, tagSha: movedTag }
    // The branch holds the action's merge of the old tag commit: its second parent is the old commit.
    expect(await tagMovedSince(p.git, result.headSha, now, pull)).toEqual({ oldSha: s.tagSha, newSha: movedTag })
    // A conflicted sync branch is the old tag commit itself.
    expect(await tagMovedSince(p.git, s.tagSha, now, pull)).toEqual({ oldSha: s.tagSha, newSha: movedTag })
    expect(await tagMovedSince(p.git, result.headSha, result, pull)).toBeUndefined()
    expect(await tagMovedSince(p.git, s.targetSha, now, pull)).toBeUndefined() // a branch at the target means nothing
    expect(await tagMovedSince(p.git, result.headSha, now, undefined)).toBeUndefined() // no open PR to refresh
    expect(await tagMovedSince(p.git, undefined, now, pull)).toBeUndefined()
    expect(await tagMovedSince(p.git, result.headSha, now, pull, 'r'.repeat(40))).toEqual({ oldSha: 'r'.repeat(40), newSha: movedTag })
    expect(await tagMovedSince(p.git, result.headSha, now, pull, movedTag)).toBeUndefined()
  })
})

