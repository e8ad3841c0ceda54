/**
 * LocalContainment: the search for the fork's previous release answered by the run's own repository once the merge's
 * fetch is in (target and tag commits only, a partial repository), instead of a compare request per probed tag.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { gitProcessesStarted } from '../../../src/git/process.js'
import { LocalContainment } from '../../../src/merge/containment.js'
import { contentConflict, prepare, SharedScenarios, withForkCopy } from '../helpers/action-repo.js'
import { runGit } from '../helpers/merge-repos.js'

const scenarios = new SharedScenarios()
afterAll(() => scenarios.cleanup())

/** Every object the repository holds, read without a lazy fetch. */
const objectsIn = (gitDir: string): string[] =>
  runGit(gitDir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)']).stdout.split('\n').filter(Boolean)

describe('LocalContainment', () => {
  it('waits for the fetch, then answers from the fetched commits without asking the API', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    const asked: string[] = []
    const containment = new LocalContainment(async (sha) => {
      asked.push(sha)
      return false
    })
    const early = containment.contains(s.baseSha)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    containment.answerLocally(p.git, p.prepared.targetSha)
    expect(await early).toBe(true) // the fork's base: in the target
    const before = gitProcessesStarted()
    expect(await containment.contains(s.tagSha)).toBe(false) // the new tag: fetched, not in the target
    // One git process per answer (Git.reachableLocally).
    expect(gitProcessesStarted() - before).toBe(1)
    expect(asked).toEqual([])
  })

  it('asks the API for a commit the fetch did not bring, and fetches nothing for it', async () => {
    const s = withForkCopy(scenarios.get(contentConflict))
    // An upstream commit off the tag's line (a release branch): never part of what the merge fetches.
    const side = runGit(s.work.dir, ['commit-tree', '-p', s.baseSha, '-m', 'release branch fix', `${s.baseSha}^{tree}`]).stdout.trim()
    runGit(s.work.dir, ['push', '--quiet', s.upstreamDir, `${side}:refs/heads/release-1.0`])
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const asked: string[] = []
    const containment = new LocalContainment(async (sha) => {
      asked.push(sha)
      return true
    })
    containment.answerLocally(p.git, p.prepared.targetSha)
    const before = objectsIn(p.gitDir)
    expect(await containment.contains(side)).toBe(true) // the API's answer
    expect(asked).toEqual([side])
    expect(objectsIn(p.gitDir)).toEqual(before)
  })
})
