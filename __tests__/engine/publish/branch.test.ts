/**
 * The sync branch in the fork, against real git over file://: pushes send only what the fork lacks, leases never
 * overwrite a branch that moved, refusals keep git's words; branches are read back as commits only.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { Git } from '../../../src/git/git.js'
import { configurePartialClone, fetchBranches, fetchTargetAndSyncBranch } from '../../../src/git/partial-clone.js'
import { GitError, gitProcessesStarted } from '../../../src/git/process.js'
import { pushSyncBranch } from '../../../src/publish/branch.js'
import type { MergeResult } from '../../../src/types.js'
import { contentConflict, everything, merge, prepare, SharedScenarios, sidedRules, withForkCopy, type Prepared } from '../helpers/action-repo.js'
import { installHook, objectCount, runGit, type Scenario } from '../helpers/merge-repos.js'

const scenarios = new SharedScenarios()
afterAll(() => scenarios.cleanup())

describe('pushSyncBranch', () => {
  // One scenario, action repository and merge for the file; each test pushes to its own copy of the fork. Pushing
  // never adds objects to the action repository (the tests assert it), so sharing it changes nothing they measure.
  let ready: Promise<{ s: Scenario; p: Prepared; result: MergeResult }> | undefined
  function built(): Promise<{ s: Scenario; p: Prepared; result: MergeResult }> {
    ready ??= (async () => {
      const s = scenarios.get(everything)
      // Every push is kept as the pack it arrived in (never exploded into loose objects, which would skip objects
      // the fork already has), so the growth of the fork's object count is exactly what was sent.
      runGit(s.forkDir, ['config', 'receive.unpackLimit', '1'])
      const p = await prepare(s, { pushSendsUpstreamHistory: true })
      const result = await merge(p, s, { rules: sidedRules, autoResolve: true })
      expect(result.status).toBe('clean')
      return { s, p, result }
    })()
    return ready
  }
  async function setup(): Promise<{ s: Scenario; p: Prepared; result: MergeResult }> {
    const shared = await built()
    return { ...shared, s: withForkCopy(shared.s) }
  }
  const branch = 'upstream-sync/v1.1.0-stable'
  const remoteHead = (s: Scenario): string | undefined => runGit(s.forkDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { allowFail: true }).stdout.trim() || undefined
  /** Objects of `head`'s history in the fork that none of `excluded` reaches: what a push of `head` had to send. */
  const onlyReachableFrom = (s: Scenario, head: string, ...excluded: string[]): number =>
    runGit(s.forkDir, ['rev-list', '--objects', head, ...excluded.map((sha) => `^${sha}`)]).stdout.split('\n').filter(Boolean).length

  it('creates the branch, sends only what the fork lacks, and needs no lazy fetch', async () => {
    const { s, p, result } = await setup()
    const forkBefore = objectCount(s.forkDir)
    const localBefore = objectCount(p.gitDir)
    const push = await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: result.headSha, expectedOldSha: null })
    expect(push.status).toBe('pushed')
    expect(remoteHead(s)).toBe(result.headSha)
    expect(objectCount(s.forkDir) - forkBefore).toBe(onlyReachableFrom(s, result.headSha, s.targetSha))
    expect(objectCount(p.gitDir)).toBe(localBefore) // every blob the push sent was already local
    expect(runGit(s.forkDir, ['fsck', '--connectivity-only', '--no-dangling']).code).toBe(0)
  })

  // A fork in the upstream's fork network: GitHub keeps the network's objects in one store, which a fork reads as
  // git alternates (github.blog "Counting Objects", 2015). The run then fetches no upstream blob (the compare showed
  // the fork's server has the tag's commit) and the push's negotiation finds the tag there.
  describe('without upstream blobs (the fork is in the upstream network)', () => {
    let ready: Promise<{ s: Scenario; p: Prepared; result: MergeResult }> | undefined
    function treesOnly(): Promise<{ s: Scenario; p: Prepared; result: MergeResult }> {
      ready ??= (async () => {
        const s = scenarios.get(everything)
        const p = await prepare(s, { pushSendsUpstreamHistory: false, name: 'trees-only.git' })
        const result = await merge(p, s, { rules: sidedRules, autoResolve: true })
        expect(result.status).toBe('clean')
        return { s, p, result }
      })()
      return ready
    }

    it('sends only the merge\'s own objects to a fork that shares the upstream objects, with no lazy fetch', async () => {
      const { s: shared, p, result } = await treesOnly()
      const s = withForkCopy(shared)
      runGit(s.forkDir, ['config', 'receive.unpackLimit', '1'])
      writeFileSync(path.join(s.forkDir, 'objects', 'info', 'alternates'), `${path.join(s.upstreamDir, 'objects')}\n`)
      const forkBefore = objectCount(s.forkDir)
      const localBefore = objectCount(p.gitDir)
      const push = await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: result.headSha, expectedOldSha: null })
      expect(push.status).toBe('pushed')
      expect(objectCount(s.forkDir) - forkBefore).toBe(onlyReachableFrom(s, result.headSha, s.targetSha, s.tagSha))
      expect(objectCount(p.gitDir)).toBe(localBefore)
      expect(runGit(s.forkDir, ['fsck', '--connectivity-only', '--no-dangling']).code).toBe(0)
    })

    it('still pushes a complete history when the fork lacks it after all: git fetches the blobs while packing', async () => {
      const { s: shared, p, result } = await treesOnly()
      const s = withForkCopy(shared)
      const localBefore = objectCount(p.gitDir)
      const push = await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: result.headSha, expectedOldSha: null })
      expect(push.status).toBe('pushed')
      expect(remoteHead(s)).toBe(result.headSha)
      expect(objectCount(p.gitDir)).toBeGreaterThan(localBefore) // the blobs came while packing
      expect(runGit(s.forkDir, ['cat-file', '-e', `${s.tagSha}^{tree}`]).code).toBe(0)
      expect(runGit(s.forkDir, ['fsck', '--connectivity-only', '--no-dangling']).code).toBe(0)
    })
  })

  it('does not re-upload upstream commits the fork already holds on another branch', async () => {
    const { s, p, result } = await setup()
    // The fork keeps a mirror of upstream that is already past the tag (a commit this run never fetched).
    s.work.git(['checkout', '--quiet', '-B', 'after-the-tag', 'upstream-line'])
    s.work.write('after-tag.txt', 'later\n')
    const mirror = s.work.commit('upstream: after the tag')
    s.work.git(['checkout', '--quiet', s.target])
    s.work.git(['push', '--quiet', s.forkDir, `${mirror}:refs/heads/mirror`])

    const forkBefore = objectCount(s.forkDir)
    const push = await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: result.headSha, expectedOldSha: null })
    expect(push.status).toBe('pushed')
    expect(objectCount(s.forkDir) - forkBefore).toBe(onlyReachableFrom(s, result.headSha, s.targetSha, s.tagSha))
  })

  it('a later run on a sync branch that already holds the tag sends only the merge', async () => {
    const s = withForkCopy((await built()).s)
    // First run: conflicts, so the branch points at the tag itself.
    const first = await prepare(s, { pushSendsUpstreamHistory: true })
    const conflicted = await merge(first, s)
    expect(conflicted.headSha).toBe(s.tagSha)
    expect((await pushSyncBranch(first.git, { remoteUrl: s.forkUrl, branch, sha: conflicted.headSha, expectedOldSha: null })).status).toBe('pushed')

    // Next run, with rules that settle everything: the branch moves from the tag to the merge commit.
    const second = await prepare(s, { pushSendsUpstreamHistory: true })
    expect(second.prepared.syncBranchSha).toBe(s.tagSha)
    expect(second.logs.find((line) => line.startsWith('fetch for the push'))).toContain('the 0 blobs')
    const resolved = await merge(second, s, { rules: sidedRules, autoResolve: true })
    expect(resolved.status).toBe('clean')
    const forkBefore = objectCount(s.forkDir)
    const localBefore = objectCount(second.gitDir)
    expect((await pushSyncBranch(second.git, { remoteUrl: s.forkUrl, branch, sha: resolved.headSha, expectedOldSha: s.tagSha })).status).toBe('pushed')
    const needed = runGit(s.forkDir, ['rev-list', '--objects', resolved.headSha, `^${s.targetSha}`, `^${s.tagSha}`]).stdout.split('\n').filter(Boolean).length
    expect(objectCount(s.forkDir) - forkBefore).toBe(needed)
    expect(objectCount(second.gitDir)).toBe(localBefore)
    expect(remoteHead(s)).toBe(resolved.headSha)
  })

  it('reports an unchanged branch, and a stale lease without overwriting anything', async () => {
    const { s, p, result } = await setup()
    expect((await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: s.tagSha, expectedOldSha: null })).status).toBe('pushed')
    expect((await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: s.tagSha, expectedOldSha: s.tagSha })).status).toBe('unchanged')

    // "Must not exist", but a concurrent run created it.
    const created = await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: result.headSha, expectedOldSha: null })
    expect(created.status).toBe('rejected-stale')
    expect(created.stderr).toContain('stale info')
    expect(remoteHead(s)).toBe(s.tagSha)

    // A maintainer pushed a commit after this run read the branch.
    const human = runGit(s.forkDir, ['commit-tree', `${s.tagSha}^{tree}`, '-p', s.tagSha], { input: 'resolve by hand\n' }).stdout.trim()
    runGit(s.forkDir, ['update-ref', `refs/heads/${branch}`, human])
    const stale = await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: result.headSha, expectedOldSha: s.tagSha })
    expect(stale.status).toBe('rejected-stale')
    expect(remoteHead(s)).toBe(human)

    // With the right expectation the branch moves, even backwards (a conflicted tag replacing an old merge).
    expect((await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: result.headSha, expectedOldSha: human })).status).toBe('pushed')
    expect((await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: s.tagSha, expectedOldSha: result.headSha })).status).toBe('pushed')
    expect(remoteHead(s)).toBe(s.tagSha)
  })

  it('throws git\'s own message when the server refuses the push', async () => {
    const { s, p, result } = await setup()
    const refusal = 'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission'
    installHook(s.forkDir, 'pre-receive', `#!/bin/sh\necho "${refusal.replace(/`/g, '\\`')}" >&2\nexit 1\n`)
    const error = await pushSyncBranch(p.git, { remoteUrl: s.forkUrl, branch, sha: result.headSha, expectedOldSha: null }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GitError)
    expect((error as GitError).message).toContain(refusal)
    expect((error as GitError).message).toContain('[remote rejected]')
    expect(remoteHead(s)).toBeUndefined()
  })

  it('throws on a remote that cannot be reached', async () => {
    const { s, p, result } = await setup()
    await expect(pushSyncBranch(p.git, { remoteUrl: `file://${s.tmp.join('missing.git')}`, branch, sha: result.headSha, expectedOldSha: null })).rejects.toThrow(GitError)
  })
})

describe('fetchBranches', () => {
  it('returns the heads of existing branches and undefined for missing ones', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    runGit(s.forkDir, ['update-ref', 'refs/heads/upstream-sync/v1.0.0', s.targetSha])
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const heads = await fetchBranches(p.git, s.forkUrl, ['upstream-sync/v1.0.0', 'upstream-sync/v0.9.0'])
    expect(heads).toEqual({ 'upstream-sync/v1.0.0': s.targetSha, 'upstream-sync/v0.9.0': undefined })
    expect(runGit(p.gitDir, ['rev-parse', 'refs/remotes/origin/upstream-sync/v1.0.0']).stdout.trim()).toBe(s.targetSha)
  })
})

describe('fetchTargetAndSyncBranch', () => {
  // A fresh repository each, as a run starts with: what is found comes from this one fetch.
  let freshCount = 0
  async function fresh(s: Scenario): Promise<{ git: Git; gitDir: string }> {
    const gitDir = s.tmp.join(`fresh-${++freshCount}.git`)
    const git = await Git.init(gitDir)
    await configurePartialClone(git, s.forkUrl, s.upstreamUrl)
    return { git, gitDir }
  }
  const sync = 'upstream-sync/v1.0.0'
  // A commit of the fork other than the target's head (the fork does not have the tag's commit).
  const older = (s: Scenario): string => runGit(s.forkDir, ['rev-parse', `${s.targetSha}~1`]).stdout.trim()

  it('fetches the target and an existing sync branch in one request, without listing the refs first', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    runGit(s.forkDir, ['update-ref', `refs/heads/${sync}`, older(s)])
    const { git, gitDir } = await fresh(s)
    const before = gitProcessesStarted()
    const heads = await fetchTargetAndSyncBranch(git, s.forkUrl, { target: s.target, sync }, [])
    expect(heads).toEqual({ target: s.targetSha, sync: older(s) })
    // The fetch and the read of the local refs: no ls-remote.
    expect(gitProcessesStarted() - before).toBe(2)
    // Commits only: the target's root tree did not come (rev-list --missing=print reads without fetching).
    const tree = runGit(gitDir, ['log', '-1', '--format=%T', s.targetSha]).stdout.trim()
    expect(runGit(gitDir, ['rev-list', '--objects', '--missing=print', '--no-walk', s.targetSha]).stdout).toContain(`?${tree}`)
  })

  it('finds no sync branch when the fork has none, and leaves aside longer names the pattern also matches', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    // A branch whose name starts with the sync branch's: fetched by the pattern, never taken for it.
    runGit(s.forkDir, ['update-ref', `refs/heads/${sync}-hotfix`, older(s)])
    const { git, gitDir } = await fresh(s)
    const heads = await fetchTargetAndSyncBranch(git, s.forkUrl, { target: s.target, sync }, [])
    expect(heads).toEqual({ target: s.targetSha })
    expect(runGit(gitDir, ['rev-parse', `refs/remotes/origin/${sync}-hotfix`]).stdout.trim()).toBe(older(s))
  })

  it('answers without a target when the fork lacks the target branch, instead of failing the fetch', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    const { git } = await fresh(s)
    expect(await fetchTargetAndSyncBranch(git, s.forkUrl, { target: 'no-such-branch', sync }, [])).toEqual({})
  })

  it('lists the refs first when the pattern would match the target too', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    runGit(s.forkDir, ['update-ref', `refs/heads/${sync}`, older(s)])
    runGit(s.forkDir, ['update-ref', `refs/heads/${sync}-base`, s.targetSha])
    const { git } = await fresh(s)
    const before = gitProcessesStarted()
    expect(await fetchTargetAndSyncBranch(git, s.forkUrl, { target: `${sync}-base`, sync }, [])).toEqual({ target: s.targetSha, sync: older(s) })
    // ls-remote, fetch, the local refs: fetchBranches' way.
    expect(gitProcessesStarted() - before).toBe(3)
  })
})
