/**
 * Smoke runs of the bundled action (`node dist/index.js`) as GitHub starts it: a child process with the runner's
 * environment (INPUT_* with action.yml's defaults filled in, GITHUB_*, RUNNER_TEMP) against the stand-in and real git.
 * The integration tier covers behaviour in-process; these prove the bundle itself: that it starts, reads the runner's
 * files and variables, writes GITHUB_OUTPUT and the job summary, prints workflow commands the runner understands, and
 * exits with the right code.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { requestLog, resetLog } from '../../test/support/control.js'
import { git, revParse } from '../../test/support/repos.js'
import { FORK, SCENARIO_TOKEN, UPSTREAM, createScenario, type Scenario } from '../../test/support/scenario.js'
import { createTwoHostScenario, type TwoHostScenario } from '../../test/support/two-hosts.js'

const SYNC_BRANCH = 'refs/heads/upstream-sync/v1.1.0-stable'

interface Pull {
  number: number
  labels: Array<{ name: string }>
  body: string
}

describe('the bundle on a clean sync', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario({ mode: 'bundle' })
  })
  afterAll(async () => scenario.cleanup())

  it('opens the labelled PR, sets every output, writes the summary, masks the token and exits 0', async () => {
    const targetBefore = await revParse(scenario.fork.dir, `refs/heads/${scenario.fork.targetBranch}`)
    const run = await scenario.run({}, { debug: true })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      result: 'created',
      tag: 'v1.1.0-stable',
      branch: 'upstream-sync/v1.1.0-stable',
      'pr-number': '1',
      'merge-status': 'clean',
      conflicts: '[]',
      'auto-resolved': '[]'
    })
    const pulls = (await scenario.api<Pull[]>('GET', `/repos/${scenario.fork.fullName}/pulls?state=all`)).data
    expect(pulls.map((pull) => pull.labels.map((label) => label.name).sort())).toEqual([['automated', 'clean-merge', 'upstream-sync']])
    expect(run.summary).toContain('v1.1.0-stable')
    // The runner masks what the action registers; the token appears nowhere else, debug on or not.
    expect(run.stdout).toContain(`::add-mask::${SCENARIO_TOKEN}`)
    expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(SCENARIO_TOKEN)
    expect(run.stderr).not.toContain(SCENARIO_TOKEN)
    expect(run.stdout).toContain('::group::Merge')
    expect(run.stdout).toMatch(/^::debug::timing: Merge: \d+ ms$/m)
    expect(await revParse(scenario.fork.dir, `refs/heads/${scenario.fork.targetBranch}`)).toBe(targetBefore)
    await run.cleanup()
  })

  it('reruns without writing anything', async () => {
    const headBefore = await revParse(scenario.fork.dir, SYNC_BRANCH)
    await resetLog(scenario.standIn)
    const run = await scenario.run()
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ result: 'updated', 'pr-number': '1' })
    expect(await revParse(scenario.fork.dir, SYNC_BRANCH)).toBe(headBefore)
    expect((await requestLog(scenario.standIn)).filter((entry) => entry.method !== 'GET')).toEqual([])
    await run.cleanup()
  })
})

describe('the bundle with dashboard: true', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario({ mode: 'bundle' })
  })
  afterAll(async () => scenario.cleanup())

  it('creates the dashboard issue once, then a rerun where nothing changed writes nothing', async () => {
    const first = await scenario.run({ dashboard: 'true' })
    expect(first.exitCode).toBe(0)
    const issues = async () =>
      (await scenario.api<Array<{ number: number; title: string; body: string; pull_request?: unknown }>>('GET', `/repos/${scenario.fork.fullName}/issues?state=all`)).data.filter(
        (issue) => !issue.pull_request && issue.title === 'Upstream sync dashboard'
      )
    const [dashboard, ...others] = await issues()
    expect(others).toEqual([])
    expect(dashboard?.body).toContain(`PR [#${first.outputs['pr-number']}]`)
    await first.cleanup()

    await resetLog(scenario.standIn)
    const second = await scenario.run({ dashboard: 'true' })
    expect(second.exitCode).toBe(0)
    expect((await requestLog(scenario.standIn)).filter((entry) => entry.method !== 'GET')).toEqual([])
    expect((await issues()).map((issue) => [issue.number, issue.body])).toEqual([[dashboard?.number, dashboard?.body]])
    await second.cleanup()
  })
})

describe('the bundle on a conflict', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario({ conflict: true, mode: 'bundle' })
  })
  afterAll(async () => scenario.cleanup())

  it('prints one warning annotation per conflicted file, in the runner command format', async () => {
    const run = await scenario.run()
    expect(run.exitCode).toBe(0)
    expect(run.outputs['merge-status']).toBe('conflicts')
    expect(JSON.parse(run.outputs.conflicts ?? '[]')).toEqual(['gateway/server.py'])
    expect(run.stdout).toMatch(/^::warning title=upstream-sync conflict,file=gateway\/server.py::content conflict/m)
    await run.cleanup()
  })
})

describe('the bundle on bad input', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario({ mode: 'bundle' })
  })
  afterAll(async () => scenario.cleanup())

  it('exits 1 with one error naming the input, a failure summary, and no request made', async () => {
    await resetLog(scenario.standIn)
    const run = await scenario.run({ 'dry-run': 'maybe' })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((annotation) => annotation.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]?.message).toContain("Input 'dry-run' must be true or false")
    expect(run.summary).toContain('upstream-sync failed')
    expect(await requestLog(scenario.standIn, 'all')).toEqual([])
    await run.cleanup()
  })
})

describe('the bundle inside a checkout', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario({ mode: 'bundle' })
  })
  afterAll(async () => scenario.cleanup())

  it('runs with a shallow checkout as its working directory and leaves the checkout as it was', async () => {
    const workspace = path.join(scenario.root, 'checkout')
    const clone = spawnSync('git', ['clone', '--quiet', '--depth=1', '--branch', scenario.fork.targetBranch, `file://${scenario.fork.dir}`, workspace], {
      encoding: 'utf8'
    })
    expect(clone.status).toBe(0)
    const inCheckout = (args: string[]) => git('', args, { cwd: workspace })
    const headBefore = (await inCheckout(['rev-parse', 'HEAD'])).trim()
    const run = await scenario.run({ 'dry-run': 'true' }, { workspace, cwd: workspace })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.result).toBe('dry-run')
    expect(run.stdout).toContain('Upstream sync: acme/gateway v1.1.0-stable')
    expect((await inCheckout(['rev-parse', 'HEAD'])).trim()).toBe(headBefore)
    expect((await inCheckout(['status', '--porcelain'])).trim()).toBe('')
    expect((await inCheckout(['rev-parse', '--is-shallow-repository'])).trim()).toBe('true')
    await run.cleanup()
  })
})

describe('the bundle on a runner whose git is too old', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario({ mode: 'bundle' })
  })
  afterAll(async () => scenario.cleanup())

  it('fails before any git transfer, naming the git it found and the one it needs', async () => {
    // A `git` first on PATH that reports 2.34 (Ubuntu 22.04's) and would fail anything else.
    const bin = path.join(scenario.root, 'old-git')
    await fs.mkdir(bin)
    await fs.writeFile(path.join(bin, 'git'), '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "git version 2.34.1"; exit 0; fi\necho "old git ran: $*" >&2\nexit 1\n', { mode: 0o755 })
    await resetLog(scenario.standIn)
    const run = await scenario.run({}, { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((annotation) => annotation.level === 'error').map((annotation) => annotation.message)
    expect(errors).toEqual([expect.stringContaining('git 2.34.1 is too old: upstream-sync needs git 2.38 or newer')])
    expect(run.stderr).not.toContain('old git ran')
    expect(await requestLog(scenario.standIn, 'git')).toEqual([])
    await run.cleanup()
  })
})

describe('the bundle on an Enterprise fork of a github.com project (two servers)', () => {
  let s: TwoHostScenario
  beforeAll(async () => {
    s = await createTwoHostScenario()
  })
  afterAll(async () => s.cleanup())

  it("reads upstream-server-url from the runner's INPUT_ variables: the PR opens on the fork's server, the other gets no credential", async () => {
    const run = await s.run({}, { mode: 'bundle' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable' })
    const forkApi = await requestLog(s.enterprise, 'api')
    expect(forkApi.some((entry) => entry.method === 'POST' && entry.path === `/api/v3/repos/${FORK}/pulls` && entry.status === 201)).toBe(true)
    const dotcom = await requestLog(s.dotcom, 'all')
    expect(dotcom.some((entry) => entry.kind === 'git')).toBe(true)
    expect(dotcom.filter((entry) => entry.auth !== 'none')).toEqual([])
    expect((await requestLog(s.enterprise, 'all')).filter((entry) => entry.path.includes(UPSTREAM))).toEqual([])
    await run.cleanup()
  })
})
