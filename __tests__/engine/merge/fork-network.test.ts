/**
 * A fork in the upstream's fork network: its server reads the network's objects (GitHub keeps them in one store,
 * github.blog "Counting Objects", 2015), and git's protocol v2 serves any object it has by id ("Wants can be anything
 * and are not limited to advertised objects", gitprotocol-v2). So when the run's compare found the tag's commit on the
 * fork's server, everything the merge reads comes from the fork: the tag's commits with the branches, the tag's tree
 * with the boundary trees, the content merge's blobs. Here the network is a fork repository whose
 * `objects/info/alternates` names upstream's objects, as the stand-in serves a fork; upstream's URL points nowhere,
 * so any request to it would fail the run.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { MergeResult } from '../../../src/types.js'
import { contentConflict, everything, merge, prepare, SharedScenarios, withForkCopy } from '../helpers/action-repo.js'
import { runGit, type Scenario, type ScenarioSpec } from '../helpers/merge-repos.js'

const scenarios = new SharedScenarios()
afterAll(() => scenarios.cleanup())

/** The scenario's fork, copied into the upstream's network: it reads upstream's objects without holding them. */
function inNetwork(s: Scenario): Scenario {
  const fork = withForkCopy(s)
  writeFileSync(path.join(fork.forkDir, 'objects', 'info', 'alternates'), `${path.join(s.upstreamDir, 'objects')}\n`)
  return fork
}

const NOWHERE = 'file:///nonexistent/upstream.git'

/** Upstream's release in three commits, each changing other folders (so each has trees of its own). */
const threeCommits: ScenarioSpec = {
  base: (w) => void w.writeLines('app.py').writeLines('docs/guide.md').writeLines('lib/util.py'),
  ours: (w) => void w.editLine('app.py', 10, 'fork line 10'),
  theirs: (w) => {
    w.editLine('docs/guide.md', 2, 'upstream docs')
    w.commit('upstream: docs')
    w.editLine('lib/util.py', 3, 'upstream lib')
    w.commit('upstream: lib')
    w.editLine('app.py', 10, 'upstream line 10')
  }
}
const pairs = (result: MergeResult) => result.conflicts.map((c) => ({ path: c.path, kind: c.kind }))

describe('prepareRepository for a fork whose server has the tag (tagCommitOnFork)', () => {
  it("fetches everything from the fork (upstream's URL points nowhere) and merges exactly as git merge does", async () => {
    const s = inNetwork(scenarios.get(everything))
    const oracle = scenarios.oracle(everything)
    const p = await prepare(s, { pushSendsUpstreamHistory: false, tagCommitOnFork: s.tagSha, upstreamUrl: NOWHERE, debug: true })
    expect(p.prepared.upstreamOnFork).toBe(true)
    expect(p.prepared.tagSha).toBe(s.tagSha)
    expect(p.logs.some((line) => line.startsWith('fetch upstream'))).toBe(false)
    expect(p.logs.find((line) => line.startsWith('asking the fork'))).toMatch(/the tag; not those already here\)$/)
    const result = await merge(p, s)
    expect(pairs(result).sort((a, b) => a.path.localeCompare(b.path))).toEqual([...oracle.conflicts].sort((a, b) => a.path.localeCompare(b.path)))
    // Every object the merge read came from the fork: upstream's URL could not have answered.
    expect(p.logs.filter((line) => line.startsWith('prefetch')).every((line) => line.includes('from origin'))).toBe(true)
  })

  it("reads only the tag's tree of upstream's new commits, not the trees of the commits in between", async () => {
    const s = inNetwork(scenarios.get(threeCommits))
    const p = await prepare(s, { pushSendsUpstreamHistory: false, tagCommitOnFork: s.tagSha, upstreamUrl: NOWHERE })
    // What the repository holds, read without any lazy fetch (cat-file -e would fetch a missing object).
    const held = new Set(runGit(p.gitDir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)']).stdout.split('\n').filter(Boolean))
    const present = (oid: string): boolean => held.has(oid)
    const newCommits = runGit(s.work.dir, ['rev-list', s.tagSha, `^${s.targetSha}`]).stdout.split('\n').filter(Boolean)
    expect(newCommits.length).toBe(3)
    const treeOf = (commit: string): string => runGit(s.work.dir, ['rev-parse', `${commit}^{tree}`]).stdout.trim()
    expect(newCommits.every((commit) => present(commit))).toBe(true)
    expect(present(treeOf(s.tagSha))).toBe(true)
    expect(newCommits.filter((commit) => commit !== s.tagSha && treeOf(commit) !== treeOf(s.tagSha)).some((commit) => present(treeOf(commit)))).toBe(false)
  })

  it("with the merge's tree ids (from the API), fetches its trees and blobs while the commits arrive; nothing is asked again after", async () => {
    const s = inNetwork(scenarios.get(everything))
    const oracle = scenarios.oracle(everything)
    const treeOf = (commit: string): string => runGit(s.work.dir, ['rev-parse', `${commit}^{tree}`]).stdout.trim()
    const mergeTrees = [treeOf(s.targetSha), treeOf(s.baseSha), treeOf(s.tagSha)]
    const p = await prepare(s, { pushSendsUpstreamHistory: false, tagCommitOnFork: s.tagSha, mergeTrees, upstreamUrl: NOWHERE, debug: true })
    expect(p.logs.find((line) => line.startsWith("fetch the merge's trees and blobs while the commits arrive"))).toBeDefined()
    expect(p.logs.find((line) => line.startsWith('asking the fork'))).toMatch(/^asking the fork for 0 trees/)
    const result = await merge(p, s)
    expect(pairs(result).sort((a, b) => a.path.localeCompare(b.path))).toEqual([...oracle.conflicts].sort((a, b) => a.path.localeCompare(b.path)))
    // The merge's own prefetch found every blob already here: it asked for nothing.
    expect(p.logs.filter((line) => line.startsWith('prefetch')).at(-1)).toMatch(/^prefetch \d+ blobs from origin: all here already$/)
  })

  it('goes on without the head start when the early fetch fails (an id the fork does not have)', async () => {
    const s = inNetwork(scenarios.get(contentConflict))
    const p = await prepare(s, { pushSendsUpstreamHistory: false, tagCommitOnFork: s.tagSha, mergeTrees: ['1'.repeat(40), '2'.repeat(40), '3'.repeat(40)], upstreamUrl: NOWHERE, debug: true })
    expect(p.logs.find((line) => line.startsWith("the early fetch of the merge's trees failed"))).toBeDefined()
    expect(p.logs.find((line) => line.startsWith('asking the fork'))).toMatch(/^asking the fork for [1-9]\d* trees/)
    expect(pairs(await merge(p, s))).toEqual([{ path: 'app.py', kind: 'content' }])
  })

  it('falls back to upstream when the fork does not serve the commit (a compare that was wrong)', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    const p = await prepare(s, { pushSendsUpstreamHistory: false, tagCommitOnFork: s.tagSha, debug: true })
    expect(p.prepared.upstreamOnFork).toBe(false)
    expect(p.logs.find((line) => line.startsWith('the fork did not serve'))).toContain(s.tagSha)
    expect(p.logs.some((line) => line.startsWith('fetch upstream'))).toBe(true)
    const result = await merge(p, s)
    expect(pairs(result)).toEqual([{ path: 'app.py', kind: 'content' }])
  })
})
