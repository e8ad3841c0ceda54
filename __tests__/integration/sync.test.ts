/**
 * Issue 2 end to end: the bundled action (`node dist/index.js`) with a runner's environment against the local GitHub
 * stand-in and real git. Clean merge, already up to date, idempotent rerun, dry run, conflicts listed, and running
 * without a checkout vs after a shallow one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { requestLog, resetLog } from '../../test/support/control.js'
import { git, resolveCommit, revParse } from '../../test/support/repos.js'
import { createScenario, type Scenario } from '../../test/support/scenario.js'

interface Pull {
  number: number
  state: string
  title: string
  body: string
  labels: Array<{ name: string; color: string }>
  head: { ref: string; sha: string }
  base: { ref: string }
}

async function pulls(scenario: Scenario): Promise<Pull[]> {
  return (await scenario.api<Pull[]>('GET', `/repos/${scenario.fork.fullName}/pulls?state=all`)).data
}

const SYNC_BRANCH = 'refs/heads/upstream-sync/v1.1.0-stable'

describe('clean merge of the newest stable tag', () => {
  let scenario: Scenario
  let targetBefore: string
  beforeAll(async () => {
    scenario = await createScenario()
    targetBefore = await revParse(scenario.fork.dir, `refs/heads/${scenario.fork.targetBranch}`)
  })
  afterAll(async () => scenario.cleanup())

  it('opens one labelled PR with the merge commit, never writing the target branch', async () => {
    const run = await scenario.run()
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      result: 'created',
      tag: 'v1.1.0-stable',
      version: '1.1.0-stable',
      'previous-version': '1.0.0-stable',
      branch: 'upstream-sync/v1.1.0-stable',
      'pr-number': '1',
      'merge-status': 'clean',
      conflicts: '[]'
    })
    expect(run.outputs['pr-url']).toBe(`${scenario.standIn.url}/${scenario.fork.fullName}/pull/1`)

    const [pull] = await pulls(scenario)
    expect(pull?.title).toBe('Upstream sync: acme/gateway v1.1.0-stable')
    expect(pull?.base.ref).toBe('carto/main')
    expect(pull?.head.ref).toBe('upstream-sync/v1.1.0-stable')
    expect(pull?.labels.map((label) => label.name).sort()).toEqual(['automated', 'clean-merge', 'upstream-sync'])
    // Labels the action created carry its colours, not GitHub's grey default.
    expect(pull?.labels.find((label) => label.name === 'clean-merge')?.color).toBe('0e8a16')
    expect(pull?.body).toContain('`1.0.0-stable` → `1.1.0-stable`')

    // The branch holds a real merge: parents are the target and the tag's commit, and upstream's change is in it.
    const head = await revParse(scenario.fork.dir, SYNC_BRANCH)
    const tagCommit = await revParse(scenario.upstream.dir, 'refs/tags/v1.1.0-stable^{commit}')
    const parents = (await git(scenario.fork.dir, ['rev-list', '--parents', '-n', '1', head])).trim().split(' ').slice(1)
    expect(parents).toEqual([targetBefore, tagCommit])
    const merged = await git(scenario.fork.dir, ['show', `${head}:gateway/metrics.py`])
    expect(merged.length).toBeGreaterThan(0)
    const dockerfile = await git(scenario.fork.dir, ['show', `${head}:Dockerfile`])
    expect(dockerfile).toContain('# CARTO:')

    expect(await revParse(scenario.fork.dir, `refs/heads/${scenario.fork.targetBranch}`)).toBe(targetBefore)
    // The job summary shows the short table.
    expect(run.summary).toContain('v1.1.0-stable')
    expect(run.summary).toContain('created')
    await run.cleanup()
  })

  it('reruns idempotently: the same PR is reported, nothing is duplicated or pushed again', async () => {
    const headBefore = await revParse(scenario.fork.dir, SYNC_BRANCH)
    await resetLog(scenario.standIn)
    const run = await scenario.run()
    expect(run.exitCode).toBe(0)
    expect(run.outputs.result).toBe('updated')
    expect(run.outputs['pr-number']).toBe('1')
    expect(await pulls(scenario)).toHaveLength(1)
    expect(await revParse(scenario.fork.dir, SYNC_BRANCH)).toBe(headBefore)
    // Nothing differed, so nothing was written through the API.
    const writes = (await requestLog(scenario.standIn)).filter((entry) => entry.method !== 'GET')
    expect(writes).toEqual([])
    expect(run.stdout).toContain('is up to date and waiting for review')
    expect(await revParse(scenario.fork.dir, `refs/heads/${scenario.fork.targetBranch}`)).toBe(targetBefore)
    await run.cleanup()
  })

  it('reports up-to-date once the PR is merged, and opens nothing', async () => {
    const merge = await scenario.api('PUT', `/repos/${scenario.fork.fullName}/pulls/1/merge`, { merge_method: 'merge' })
    expect(merge.status).toBe(200)
    const run = await scenario.run()
    expect(run.exitCode).toBe(0)
    expect(run.outputs.result).toBe('up-to-date')
    expect(run.outputs['pr-number']).toBe('')
    expect(await pulls(scenario)).toHaveLength(1)
    await run.cleanup()
  })
})

describe('dry run', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario()
  })
  afterAll(async () => scenario.cleanup())

  it('does everything but push and write, and prints the PR it would open', async () => {
    await resetLog(scenario.standIn)
    const run = await scenario.run({ 'dry-run': 'true' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ result: 'dry-run', tag: 'v1.1.0-stable', 'merge-status': 'clean', 'pr-number': '' })
    expect(run.stdout).toContain('Upstream sync: acme/gateway v1.1.0-stable')
    expect(run.stdout).toMatch(/upstream-sync, automated, clean-merge/)
    expect(await pulls(scenario)).toEqual([])
    expect(await resolveCommit(scenario.fork.dir, SYNC_BRANCH)).toBeUndefined()
    const log = await requestLog(scenario.standIn, 'all')
    expect(log.filter((entry) => entry.method !== 'GET' && entry.kind !== 'git')).toEqual([])
    expect(log.filter((entry) => entry.path.endsWith('/git-receive-pack'))).toEqual([])
    await run.cleanup()
  })
})

describe('conflicts', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario({ conflict: true })
  })
  afterAll(async () => scenario.cleanup())

  it('opens the PR with the conflicts label, lists the files, and points the branch at the tag', async () => {
    const targetBefore = await revParse(scenario.fork.dir, `refs/heads/${scenario.fork.targetBranch}`)
    const run = await scenario.run()
    expect(run.exitCode).toBe(0)
    expect(run.outputs['merge-status']).toBe('conflicts')
    expect(JSON.parse(run.outputs.conflicts ?? '[]')).toEqual(['gateway/server.py'])
    const [pull] = await pulls(scenario)
    expect(pull?.labels.map((label) => label.name).sort()).toEqual(['automated', 'conflicts', 'upstream-sync'])
    expect(pull?.body).toContain('gateway/server.py')
    // Nothing with conflict markers is committed: the branch is the upstream tag's own commit.
    const tagCommit = await revParse(scenario.upstream.dir, 'refs/tags/v1.1.0-stable^{commit}')
    expect(await revParse(scenario.fork.dir, SYNC_BRANCH)).toBe(tagCommit)
    // One warning annotation per conflicted file.
    const warnings = run.annotations.filter((annotation) => annotation.level === 'warning' && annotation.properties.file === 'gateway/server.py')
    expect(warnings).toHaveLength(1)
    expect(await revParse(scenario.fork.dir, `refs/heads/${scenario.fork.targetBranch}`)).toBe(targetBefore)
    await run.cleanup()
  })
})

describe('checkout in the workspace', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario()
  })
  afterAll(async () => scenario.cleanup())

  it('is not confused by a shallow checkout of the fork in GITHUB_WORKSPACE (and runs inside it)', async () => {
    const workspace = path.join(scenario.root, 'checkout')
    const clone = spawnSync(
      'git',
      ['clone', '--quiet', '--depth=1', '--branch', scenario.fork.targetBranch, `file://${scenario.fork.dir}`, workspace],
      { encoding: 'utf8' }
    )
    expect(clone.status).toBe(0)
    const inCheckout = (args: string[]) => git('', args, { cwd: workspace })
    const checkoutHead = (await inCheckout(['rev-parse', 'HEAD'])).trim()
    const run = await scenario.run({}, { workspace, cwd: workspace })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.result).toBe('created')
    expect(run.outputs['merge-status']).toBe('clean')
    // The checkout is left exactly as it was: still shallow, same HEAD, no new refs or remotes.
    expect((await inCheckout(['rev-parse', 'HEAD'])).trim()).toBe(checkoutHead)
    expect((await inCheckout(['rev-parse', '--is-shallow-repository'])).trim()).toBe('true')
    expect((await inCheckout(['remote'])).trim()).toBe('origin')
    expect(await fs.readdir(path.join(workspace, '.git', 'refs', 'remotes', 'origin')).catch(() => [])).not.toContain('upstream-sync')
    await run.cleanup()
  })
})
