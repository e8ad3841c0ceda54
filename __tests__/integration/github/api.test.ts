/**
 * GitHubApi against a scripted GitHub on loopback: the answers an operation expects (a concurrent run's PR, a missing
 * branch) and the ones it explains with the input to check.
 */
import { describe, expect, it } from '@jest/globals'
import { GitHubApi } from '../../../src/github/api.js'
import { createClient } from '../../../src/github/client.js'
import { silentLog } from '../../../src/runner.js'
import { PULL, ScriptedServer, fork, serveForTests, upstream } from './scripted-server.js'

const server = new ScriptedServer()

function api() {
  return new GitHubApi(createClient({ token: 'ghs_unit', apiUrl: server.url, log: silentLog, timing: { writeIntervalMs: 0, retryUnitMs: 1 } }), fork, upstream)
}

serveForTests(server)

describe('GitHubApi', () => {
  it('turns a 422 "A pull request already exists" into the existing PR, created: false', async () => {
    server
      .on('POST /repos/carto/fork/pulls', {
        status: 422,
        body: { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for carto:upstream-sync/v1.1.0-stable.' }] }
      })
      .on('GET /repos/carto/fork/pulls', { status: 200, body: [PULL] })
    const opened = await api().createPull({ head: 'upstream-sync/v1.1.0-stable', base: 'carto/main', title: 'Sync', body: 'body' })
    expect(opened).toMatchObject({ created: false, pull: { number: 7, headRef: 'upstream-sync/v1.1.0-stable' } })
    expect(server.count('POST /repos/carto/fork/pulls')).toBe(1)
  })

  it('names target-branch when the compare base does not exist', async () => {
    server.on('GET /repos/carto/fork/compare/carto/nope...abc', { status: 404 }).on('GET /repos/carto/fork/git/ref/heads/carto/nope', { status: 404 })
    await expect(api().forkBranchContains('carto/nope', 'abc')).rejects.toThrow("target branch carto/nope not found in carto/fork. Check 'target-branch'.")
    await expect(api().forkBranchContains('carto/nope', 'abc')).rejects.toMatchObject({ kind: 'input' })
  })

  it("remembers which upstream commits a compare found on the fork's server (200), and not those it did not (404)", async () => {
    server
      .on('GET /repos/carto/fork/compare/carto/main...aaa', { status: 200, body: { status: 'diverged', ahead_by: 3, behind_by: 2 } })
      .on('GET /repos/carto/fork/compare/carto/main...bbb', { status: 404, body: { message: 'No commit found for SHA: bbb' } })
      .on('GET /repos/carto/fork/git/ref/heads/carto/main', { status: 200, body: { ref: 'refs/heads/carto/main', object: { sha: 'ccc', type: 'commit' } } })
    const github = api()
    expect(github.forkServerHas('aaa')).toBeUndefined() // not asked yet
    await expect(github.forkBranchContains('carto/main', 'aaa')).resolves.toBe(false)
    await expect(github.forkBranchContains('carto/main', 'bbb')).resolves.toBe(false)
    expect(github.forkServerHas('aaa')).toBe(true)
    expect(github.forkServerHas('bbb')).toBe(false)
    expect(github.forkServerHas('ddd')).toBeUndefined()
    expect(server.count('GET /repos/carto/fork/compare/carto/main...aaa')).toBe(1)
  })

  it("knows the trees a merge of a commit the fork's server has reads: the branch's and merge base's from the compare, the commit's own asked once", async () => {
    const compared = {
      status: 'diverged',
      ahead_by: 3,
      behind_by: 2,
      base_commit: { sha: 'ccc', commit: { tree: { sha: 'tree-of-ccc' } } },
      merge_base_commit: { sha: 'mmm', commit: { tree: { sha: 'tree-of-mmm' } } }
    }
    server
      .on('GET /repos/carto/fork/compare/carto/main...aaa', { status: 200, body: compared })
      .on('GET /repos/carto/fork/compare/carto/main...bbb', { status: 404, body: { message: 'No commit found for SHA: bbb' } })
      .on('GET /repos/carto/fork/git/ref/heads/carto/main', { status: 200, body: { ref: 'refs/heads/carto/main', object: { sha: 'ccc', type: 'commit' } } })
      .on('GET /repos/acme/gateway/git/commits/aaa', { status: 200, body: { sha: 'aaa', tree: { sha: 'tree-of-aaa' }, committer: { date: '2026-01-01T00:00:00Z' } } })
    const github = api()
    await expect(github.mergeTreesOnFork('aaa')).resolves.toBeUndefined() // no compare yet
    await github.forkBranchContains('carto/main', 'aaa')
    await github.forkBranchContains('carto/main', 'bbb')
    await expect(github.mergeTreesOnFork('aaa')).resolves.toEqual(['tree-of-ccc', 'tree-of-mmm', 'tree-of-aaa'])
    await expect(github.mergeTreesOnFork('bbb')).resolves.toBeUndefined() // 404: the fork's server lacks it
    expect(server.count('GET /repos/acme/gateway/git/commits/aaa')).toBe(1)
  })

  it('says an unknown upstream is not found or not visible to this token', async () => {
    server.on('GET /repos/acme/gateway/git/matching-refs/tags/v', { status: 404 })
    await expect(api().listUpstreamTags('v')).rejects.toThrow('upstream repository acme/gateway not found or not visible to this token.')
    await expect(api().listUpstreamTags('v')).rejects.toMatchObject({ kind: 'input' })
  })
})
