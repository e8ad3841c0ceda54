/**
 * What a sync run transfers depends on whether the fork's server already holds upstream's history.
 * - A fork in the upstream's fork network does: GitHub keeps a network's objects in one store that each fork reads
 *   (github.blog, "Counting Objects", 2015), which is why any repository of a network shows another one's commit
 *   ("This commit does not belong to any branch on this repository, and may belong to a fork outside of the
 *   repository") and why compare answers 200 for the upstream's commit. The run then fetches
 *   everything from the fork (nothing from upstream's git server), and its push negotiates, finds the tag's commit on the server and sends only the merge's own
 *   objects.
 * - A private duplicate (an import or mirror, not a GitHub fork) does not: compare answers 404 "No commit found for
 *   SHA" for the tag, and the push must carry the tag's new history, which the run fetches with its blobs first.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { gitTraffic, requestLog, resetLog } from '../../test/support/control.js'
import { git, leaveNetwork, revParse } from '../../test/support/repos.js'
import { createScenario, type Scenario } from '../../test/support/scenario.js'

const SYNC_BRANCH = 'refs/heads/upstream-sync/v1.1.0-stable'

/** Objects the fork stores itself (loose and packed), not those it reads from its network. */
async function ownObjects(dir: string): Promise<number> {
  const stats = Object.fromEntries((await git(dir, ['count-objects', '-v'])).split('\n').map((line) => line.split(': ') as [string, string]))
  return Number(stats.count) + Number(stats['in-pack'])
}

interface Measured {
  scenario: Scenario
  compareStatus?: number
  upstreamBytes: number
  upstreamGitRequests: number
  /** The run's compare requests: the one for the tag; the search for the previous release asks the fetched graph. */
  compares: number
  previousVersion?: string
  pushBytes: number
  storedByPush: number
  tagSha: string
  targetSha: string
  head: string
  /** The fork's git requests from the push's ref advertisement on: negotiation rounds are upload-pack requests. */
  pushRequests: string[]
}

async function syncOnce(duplicate: boolean): Promise<Measured> {
  const scenario = await createScenario()
  if (duplicate) await leaveNetwork(scenario.fork.dir)
  await resetLog(scenario.standIn)
  const before = await ownObjects(scenario.fork.dir)
  const run = await scenario.run()
  expect(run.exitCode).toBe(0)
  expect(run.outputs).toMatchObject({ result: 'created', 'merge-status': 'clean' })
  const tagSha = await revParse(scenario.upstream.dir, 'refs/tags/v1.1.0-stable^{commit}')
  const compare = (await requestLog(scenario.standIn)).find((entry) => entry.path.includes(`/compare/${scenario.fork.targetBranch}...${tagSha}`))
  const traffic = await gitTraffic(scenario.standIn)
  const forkGit = (await requestLog(scenario.standIn, 'git')).filter((entry) => entry.path.startsWith(`/${scenario.fork.fullName}.git/`))
  const advertisement = forkGit.findIndex((entry) => entry.query === 'service=git-receive-pack')
  return {
    scenario,
    ...(compare ? { compareStatus: compare.status } : {}),
    upstreamBytes: traffic.repos[scenario.upstream.fullName]?.fetchBytes ?? 0,
    upstreamGitRequests: (await requestLog(scenario.standIn, 'git')).filter((entry) => entry.path.startsWith(`/${scenario.upstream.fullName}.git/`)).length,
    compares: (await requestLog(scenario.standIn)).filter((entry) => entry.path.includes('/compare/')).length,
    previousVersion: run.outputs['previous-version'],
    pushBytes: traffic.repos[scenario.fork.fullName]?.pushBytes ?? 0,
    storedByPush: (await ownObjects(scenario.fork.dir)) - before,
    tagSha,
    targetSha: scenario.fork.targetSha,
    head: await revParse(scenario.fork.dir, SYNC_BRANCH),
    pushRequests: forkGit.slice(advertisement).map((entry) => `${entry.method} ${entry.path.split('.git/')[1] ?? ''}`)
  }
}

describe('a sync into a fork of the upstream network and into a private duplicate', () => {
  let network: Measured
  let duplicate: Measured
  beforeAll(async () => {
    network = await syncOnce(false)
    duplicate = await syncOnce(true)
  })
  afterAll(async () => {
    await network?.scenario.cleanup()
    await duplicate?.scenario.cleanup()
  })

  it("tells them apart by the compare's answer for the tag's commit", () => {
    expect(network.compareStatus).toBe(200)
    expect(duplicate.compareStatus).toBe(404)
  })

  it('makes one compare request: the search for the previous release answers from the fetched commits', () => {
    expect(network.compares).toBe(1)
    expect(duplicate.compares).toBe(1)
    expect(network.previousVersion).toBe('1.0.0-stable')
    expect(duplicate.previousVersion).toBe('1.0.0-stable')
  })

  it('negotiates the push with the network fork only: the duplicate lacks the tag, so rounds would find nothing', () => {
    expect(network.pushRequests[0]).toBe('GET info/refs')
    expect(network.pushRequests.filter((request) => request === 'POST git-upload-pack').length).toBeGreaterThan(0)
    expect(duplicate.pushRequests).toEqual(['GET info/refs', 'POST git-receive-pack'])
  })

  it('pushes only the merge to the network fork, which then holds a complete sync branch', async () => {
    const own = (await git(network.scenario.fork.dir, ['rev-list', '--objects', network.head, `^${network.targetSha}`, `^${network.tagSha}`])).split('\n').filter(Boolean)
    expect(network.storedByPush).toBe(own.length)
    await git(network.scenario.fork.dir, ['fsck', '--connectivity-only', '--no-dangling'])
  })

  it("pushes the tag's new history to the duplicate, which holds it by itself afterwards", async () => {
    const sent = (await git(duplicate.scenario.fork.dir, ['rev-list', '--objects', duplicate.head, `^${duplicate.targetSha}`])).split('\n').filter(Boolean)
    expect(duplicate.storedByPush).toBe(sent.length)
    expect(duplicate.storedByPush).toBeGreaterThan(network.storedByPush)
    await git(duplicate.scenario.fork.dir, ['cat-file', '-e', `${duplicate.tagSha}^{tree}`])
    await git(duplicate.scenario.fork.dir, ['fsck', '--connectivity-only', '--no-dangling'])
  })

  it("asks upstream's git server for nothing in the network fork's run, and uploads less to it", () => {
    // The tag's commits, its tree and the content merge's blobs all come from the fork's server, which has them.
    expect(network.upstreamGitRequests).toBe(0)
    expect(network.upstreamBytes).toBe(0)
    expect(duplicate.upstreamGitRequests).toBeGreaterThan(0)
    expect(network.pushBytes).toBeLessThan(duplicate.pushBytes)
  })
})
