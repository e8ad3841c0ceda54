/**
 * Issue 7 end to end: what a maintainer reads after a run. The job summary, log groups, Slack and generic webhook
 * messages (to a local receiver), the CI dispatch on the sync branch, the mirror branch, and `npm run local`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { dispatches } from '../../test/support/control.js'
import { REPO_ROOT } from '../../test/support/action.js'
import { commitFiles, resolveCommit, revParse } from '../../test/support/repos.js'
import { createScenario, type Scenario } from '../../test/support/scenario.js'
import { startReceiver } from './helpers/receiver.js'

describe('job summary, log groups and notifications', () => {
  let scenario: Scenario
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    scenario = await createScenario({ conflict: true })
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await receiver.close()
    await scenario.cleanup()
  })
  afterEach(() => {
    receiver.received.length = 0
    receiver.failWith = undefined
  })

  it('summarises the run and posts a Block Kit message and a webhook event for the new PR', async () => {
    const slack = `${receiver.url}/services/T000/B000/secretpart`
    const run = await scenario.run({ 'slack-webhook-url': slack, 'webhook-url': `${receiver.url}/hook` })
    expect(run.exitCode).toBe(0)

    // Summary: the short table, then the full conflict report.
    expect(run.summary).toContain('acme/gateway')
    expect(run.summary).toMatch(/1\.0\.0-stable.*→.*1\.1\.0-stable/)
    expect(run.summary).toContain('created')
    expect(run.summary).toContain('conflicts')
    expect(run.summary).toContain(run.outputs['pr-url'] as string)
    expect(run.summary).toContain('gateway/server.py')
    // Log sections for each step.
    expect(run.stdout).toContain('::group::Choose the upstream release')
    expect(run.stdout).toContain('::group::Merge')
    expect(run.stdout).toContain('::group::Publish the sync branch and PR')
    // The webhook URL is a secret: masked, and never printed.
    expect(run.stdout).toContain(`::add-mask::${slack}`)
    expect(run.stdout.replace(`::add-mask::${slack}`, '')).not.toContain('secretpart')

    const slackMessage = receiver.received.find((entry) => entry.path === '/services/T000/B000/secretpart')
    const webhook = receiver.received.find((entry) => entry.path === '/hook')
    expect(slackMessage?.body.blocks).toEqual(expect.any(Array))
    expect(JSON.stringify(slackMessage?.body)).toContain(run.outputs['pr-url'] as string)
    expect(JSON.stringify(slackMessage?.body)).toContain('v1.1.0-stable')
    expect(webhook?.body).toMatchObject({
      event: 'pr-created',
      upstream: 'acme/gateway',
      fork: 'carto/gateway-fork',
      tag: 'v1.1.0-stable',
      mergeStatus: 'conflicts',
      conflicts: 1,
      prUrl: run.outputs['pr-url'],
      targetBranch: 'carto/main'
    })
    await run.cleanup()
  })

  it('announces a PR still waiting, and a failing webhook is only a warning', async () => {
    receiver.failWith = 500
    const run = await scenario.run({ 'webhook-url': `${receiver.url}/hook` })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.result).toBe('updated')
    expect(receiver.received.length).toBeGreaterThanOrEqual(1)
    expect(receiver.received[0]?.body).toMatchObject({ event: 'pr-waiting', prUrl: run.outputs['pr-url'] })
    const warning = run.annotations.find((annotation) => annotation.level === 'warning' && /not sent/.test(annotation.message))
    expect(warning?.message).toContain('webhook-url')
    await run.cleanup()
  })

  it('reports a failed run with its reason', async () => {
    const run = await scenario.run({ 'webhook-url': `${receiver.url}/hook`, 'target-branch': 'no-such-branch' })
    expect(run.exitCode).not.toBe(0)
    const event = receiver.received.find((entry) => entry.body.event === 'failed')
    expect(String(event?.body.reason)).toContain('no-such-branch')
    expect(run.summary).toContain('upstream-sync failed')
    await run.cleanup()
  })
})

describe('dispatch-workflow and mirror-branch', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario()
  })
  afterAll(async () => scenario.cleanup())

  it('runs the named workflow on the sync branch after pushing, and keeps a mirror of upstream main', async () => {
    const run = await scenario.run({ 'dispatch-workflow': 'ci.yml', 'mirror-branch': 'upstream-main' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.result).toBe('created')
    const recorded = await dispatches(scenario.standIn)
    expect(recorded).toEqual([expect.objectContaining({ workflowId: 'ci.yml', ref: 'upstream-sync/v1.1.0-stable', repository: 'carto/gateway-fork' })])

    const upstreamMain = await revParse(scenario.upstream.dir, `refs/heads/${scenario.upstream.defaultBranch}`)
    expect(await revParse(scenario.fork.dir, 'refs/heads/upstream-main')).toBe(upstreamMain)

    // Upstream moves on: the mirror is fast-forwarded by the next run (which has nothing new to sync).
    const next = await commitFiles(scenario.upstream.dir, scenario.upstream.defaultBranch, { 'NEWS.md': 'more\n' }, 'More work')
    const again = await scenario.run({ 'mirror-branch': 'upstream-main' })
    expect(again.exitCode).toBe(0)
    expect(await revParse(scenario.fork.dir, 'refs/heads/upstream-main')).toBe(next)

    // A mirror someone committed to is left alone, with a warning; the sync still succeeds.
    const diverged = await commitFiles(scenario.fork.dir, 'upstream-main', { 'LOCAL.md': 'mine\n' }, 'Local change')
    await commitFiles(scenario.upstream.dir, scenario.upstream.defaultBranch, { 'NEWS.md': 'even more\n' }, 'Even more work')
    const third = await scenario.run({ 'mirror-branch': 'upstream-main' })
    expect(third.exitCode).toBe(0)
    expect(await revParse(scenario.fork.dir, 'refs/heads/upstream-main')).toBe(diverged)
    expect(third.annotations.some((annotation) => annotation.level === 'warning' && annotation.message.includes('upstream-main'))).toBe(true)
    await Promise.all([run.cleanup(), again.cleanup(), third.cleanup()])
  })
})

describe('npm run local', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario()
  })
  afterAll(async () => scenario.cleanup())

  it('runs the bundled action as a dry run against a given server and prints the PR and summary', async () => {
    const targetBefore = await revParse(scenario.fork.dir, 'refs/heads/carto/main')
    const output = await new Promise<{ code: number; stdout: string }>((resolve, reject) => {
      const child = spawn(
        path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
        [
          path.join(REPO_ROOT, 'scripts', 'local.ts'),
          '--upstream', 'acme/gateway',
          '--repo', 'carto/gateway-fork',
          '--target', 'carto/main',
          '--server-url', scenario.standIn.url,
          '--api-url', scenario.standIn.apiUrl
        ],
        { env: { PATH: process.env.PATH ?? '', HOME: scenario.root, GITHUB_TOKEN: scenario.token ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] }
      )
      let stdout = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code: code ?? 1, stdout }))
    })
    expect(output.code).toBe(0)
    expect(output.stdout).toContain('Upstream sync: acme/gateway v1.1.0-stable')
    expect(output.stdout).toContain('result=dry-run')
    expect(output.stdout).toContain('--- job summary ---')
    expect(await resolveCommit(scenario.fork.dir, 'refs/heads/upstream-sync/v1.1.0-stable')).toBeUndefined()
    expect(await revParse(scenario.fork.dir, 'refs/heads/carto/main')).toBe(targetBefore)
    const pulls = await scenario.api<unknown[]>('GET', '/repos/carto/gateway-fork/pulls?state=all')
    expect(pulls.data).toEqual([])
  })
})
