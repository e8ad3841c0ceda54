/**
 * Issue 11: the action against a stand-in that enforces GitHub's token permission model (`tokenRepo` +
 * `permissions`, test/stand-in/README.md), as a new user following the README meets it on github.com.
 *
 * - Labels: since 2025 a GITHUB_TOKEN without `issues: write` cannot create labels (403 "Resource not accessible by
 *   integration" on POST /labels; 403 "You do not have permission to create labels on this repository." when adding
 *   a missing label creates it: actions/labeler#870, googleapis/release-please-action#1105).
 * - Eventual consistency: a PR created a moment ago answers 422 "Could not resolve to a node with the global id of
 *   '…'" to label and comment calls (KBVE/kbve#8599).
 *
 * This file: labels, eventual consistency and dispatch-workflow; big diffs, release-aware syncing and a server with
 * its own CA are in real-github-releases.test.ts.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { addFault, asOwner, configure, dispatches } from '../../test/support/control.js'
import { FORK } from '../../test/support/scenario.js'
import { FORK_API, apiRequests, expectSuccess, forkPulls, requestLog, warnings, withScenario } from './helpers/safety-helpers.js'

jest.setTimeout(120_000)

/** What the README's example workflow declares. */
const README_PERMISSIONS = 'contents:write,pull-requests:write,issues:write'
const WITHOUT_ISSUES = 'contents:write,pull-requests:write'

const isWrite = (method: string) => method !== 'GET' && method !== 'HEAD'

describe('labels and the issues permission', () => {
  it("with the README's permissions the first run opens the PR with every label, in at most 3 writes when the labels exist", async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS }, async (s) => {
      const run = await s.run()
      expectSuccess(run)
      expect(run.outputs).toMatchObject({ result: 'created', 'pr-number': '1' })
      const [pull] = await forkPulls(s)
      expect(pull.labels.map((label: { name: string }) => label.name).sort()).toEqual(['automated', 'clean-merge', 'upstream-sync'])
      expect(warnings(run)).toEqual([])

    })
  })

  it('opening a PR whose labels exist costs at most 3 API writes', async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS }, async (s) => {
      for (const name of ['upstream-sync', 'automated', 'clean-merge']) await asOwner(s.standIn, 'POST', `/repos/${FORK}/labels`, { name, color: 'ededed' })
      const run = await s.run()
      expectSuccess(run)
      expect(run.outputs.result).toBe('created')
      const writes = (await requestLog(s.standIn)).filter((entry) => isWrite(entry.method))
      expect(writes.map((entry) => `${entry.method} ${entry.path.replace(FORK_API, '')}`)).toEqual(['POST /pulls', 'POST /issues/1/labels'])
    })
  })

  it('without issues: write the PR is opened, existing labels applied, missing ones skipped, with one warning naming the fix', async () => {
    await withScenario({ tokenRepo: FORK, permissions: WITHOUT_ISSUES }, async (s) => {
      // The fork's owner made one of the labels by hand.
      await asOwner(s.standIn, 'POST', `/repos/${FORK}/labels`, { name: 'upstream-sync', color: '1d76db' })
      const run = await s.run()
      expectSuccess(run)
      expect(run.outputs).toMatchObject({ result: 'created', 'pr-number': '1' })
      const [pull] = await forkPulls(s)
      expect(pull.labels.map((label: { name: string }) => label.name)).toEqual(['upstream-sync'])
      const labelWarnings = warnings(run).filter((warning) => warning.includes('label'))
      expect(labelWarnings).toHaveLength(1)
      expect(labelWarnings[0]).toContain('issues: write')
      expect(labelWarnings[0]).toContain('"automated"')
      // Only one label creation was tried: its 403 answers for the others.
      const creations = await apiRequests(s, 'POST', new RegExp(`^${FORK_API}/labels$`))
      expect(creations.map((entry) => entry.status)).toEqual([403])

      // The next run updates nothing and still succeeds (and says the same once).
      const rerun = await s.run()
      expectSuccess(rerun)
      expect(rerun.outputs.result).toBe('updated')
      expect(warnings(rerun).filter((warning) => warning.includes('issues: write'))).toHaveLength(1)
    })
  })
})

describe('eventual consistency of a new PR', () => {
  it("422 \"Could not resolve to a node\" on the new PR's labels is retried with a short backoff, and the run succeeds", async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS }, async (s) => {
      await s.api('POST', `/repos/${FORK}/labels`, { name: 'automated', color: 'ededed' })
      // The PR stays "not yet visible" to the label calls for the next two attempts (then GitHub catches up).
      await addFault(s.standIn, { preset: 'not-yet-consistent', method: 'POST', path: '/issues/\\d+/labels$', times: 2 })
      const run = await s.run()
      expectSuccess(run)
      const adds = await apiRequests(s, 'POST', new RegExp(`^${FORK_API}/issues/1/labels$`))
      expect(adds.map((entry) => entry.status)).toEqual([422, 422, 200])
      const [pull] = await forkPulls(s)
      expect(pull.labels).toHaveLength(3)
    })
  })

  it('gives up after a bounded number of retries when GitHub stays inconsistent', async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS }, async (s) => {
      await configure(s.standIn, { consistencyWindowMs: 600_000 })
      const run = await s.run()
      expect(run.exitCode).toBe(1)
      const adds = await apiRequests(s, 'POST', new RegExp(`^${FORK_API}/issues/1/labels$`))
      expect(adds.map((entry) => entry.status)).toEqual([422, 422, 422, 422])
      // The PR was opened; the next run (once GitHub caught up) labels it.
      await configure(s.standIn, { consistencyWindowMs: 0 })
      const rerun = await s.run()
      expectSuccess(rerun)
      expect((await forkPulls(s))[0].labels).toHaveLength(3)
    })
  })
})

/** The fork's CI, runnable by hand and by upstream-sync's dispatch. */
const CI_WORKFLOW = 'name: CI\non:\n  pull_request:\n  workflow_dispatch:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n'
const FULL = `${README_PERMISSIONS},actions:write`

describe('dispatch-workflow (GitHub runs the workflow file at the dispatched ref: fcetool/fcetool#1, benc-uk/workflow-dispatch#46)', () => {
  it('a clean merge carries the fork\'s workflow file: CI is dispatched on the sync branch', async () => {
    await withScenario({ tokenRepo: FORK, permissions: FULL, fork: { extraFiles: { '.github/workflows/ci.yml': CI_WORKFLOW } } }, async (s) => {
      const run = await s.run({ 'dispatch-workflow': 'ci.yml' })
      expectSuccess(run)
      expect(await dispatches(s.standIn)).toEqual([expect.objectContaining({ workflowId: 'ci.yml', ref: 'upstream-sync/v1.1.0-stable' })])
      expect(warnings(run)).toEqual([])
    })
  })

  it('a conflicted sync (the branch is upstream\'s tag) is not dispatched; the PR body and the summary say why', async () => {
    await withScenario({ tokenRepo: FORK, permissions: FULL, conflict: true, fork: { extraFiles: { '.github/workflows/ci.yml': CI_WORKFLOW } } }, async (s) => {
      const run = await s.run({ 'dispatch-workflow': 'ci.yml' })
      expectSuccess(run)
      expect(run.outputs['merge-status']).toBe('conflicts')
      expect(await dispatches(s.standIn)).toEqual([])
      expect(await apiRequests(s, 'POST', /\/dispatches$/)).toEqual([])
      const [pull] = await forkPulls(s)
      expect(pull.body).toContain('CI (ci.yml) was not dispatched')
      expect(pull.body).toContain("this branch is upstream's tag")
      expect(run.summary).toContain('CI (ci.yml) was not dispatched')
    })
  })

  it('a refused dispatch (403 without actions: write) is a warning naming the permission, and the run succeeds', async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS, fork: { extraFiles: { '.github/workflows/ci.yml': CI_WORKFLOW } } }, async (s) => {
      const run = await s.run({ 'dispatch-workflow': 'ci.yml' })
      expectSuccess(run)
      expect(run.outputs.result).toBe('created')
      const dispatchWarnings = warnings(run).filter((warning) => warning.includes('ci.yml'))
      expect(dispatchWarnings).toHaveLength(1)
      expect(dispatchWarnings[0]).toContain('actions: write')
      expect(run.summary).toContain('CI (ci.yml) was not dispatched (GitHub answered 403)')
    })
  })

  it('a workflow without the workflow_dispatch trigger (422) is a warning, and the run succeeds', async () => {
    const pushOnly = 'name: CI\non:\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n'
    await withScenario({ tokenRepo: FORK, permissions: FULL, fork: { extraFiles: { '.github/workflows/ci.yml': pushOnly } } }, async (s) => {
      const run = await s.run({ 'dispatch-workflow': 'ci.yml' })
      expectSuccess(run)
      const dispatchWarnings = warnings(run).filter((warning) => warning.includes('ci.yml'))
      expect(dispatchWarnings).toHaveLength(1)
      expect(dispatchWarnings[0]).toContain("Workflow does not have 'workflow_dispatch' trigger")
      expect(dispatchWarnings[0]).toContain('on: workflow_dispatch')
    })
  })
})
