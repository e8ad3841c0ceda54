/**
 * What a run costs in API requests. GitHub limits content-creating requests (secondary rate limits: about one a
 * second, and writes count more than reads), so every write must earn its place.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { holdRequests, requestLog, resetLog } from '../../test/support/control.js'
import { createScenario, type Scenario } from '../../test/support/scenario.js'

describe('opening a sync PR in a fork whose labels exist', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario()
    for (const name of ['upstream-sync', 'automated', 'clean-merge', 'conflicts', 'auto-resolved']) {
      expect((await scenario.api('POST', `/repos/${scenario.fork.fullName}/labels`, { name, color: 'ededed' })).status).toBe(201)
    }
  })
  afterAll(async () => scenario.cleanup())

  it('costs two API writes: the PR, then its labels', async () => {
    await resetLog(scenario.standIn)
    const run = await scenario.run()
    expect(run.exitCode).toBe(0)
    expect(run.outputs.result).toBe('created')
    const writes = (await requestLog(scenario.standIn)).filter((entry) => entry.method !== 'GET').map((entry) => `${entry.method} ${entry.path}`)
    expect(writes).toEqual([`POST /api/v3/repos/${scenario.fork.fullName}/pulls`, `POST /api/v3/repos/${scenario.fork.fullName}/issues/1/labels`])
    await run.cleanup()
  })
})

describe('the reads that do not depend on the push', () => {
  let scenario: Scenario
  beforeAll(async () => {
    scenario = await createScenario()
  })
  afterAll(async () => scenario.cleanup())

  it('go out while the push runs: the fork\'s labels and its open sync PRs are read before the push is answered', async () => {
    const fork = scenario.fork.fullName
    const line = (entry: { method: string; path: string; query: string }): string => `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ''}`
    const hold = await holdRequests(scenario.standIn, { method: 'POST', path: `/${fork}\\.git/git-receive-pack$` })
    const running = scenario.run()
    try {
      await hold.arrived()
      // The push is held by the stand-in; the two reads have been answered meanwhile (the run supersedes by default).
      const reads = (await requestLog(scenario.standIn)).map(line)
      expect(reads).toContain(`GET /api/v3/repos/${fork}/labels?per_page=100`)
      expect(reads.some((read) => read.startsWith(`GET /api/v3/repos/${fork}/pulls?state=open`))).toBe(true)
      expect(reads.filter((read) => read.startsWith('POST '))).toEqual([])
    } finally {
      await hold.release()
    }
    const run = await running
    expect(run.exitCode).toBe(0)
    expect(run.outputs.result).toBe('created')
    // Read once: the listing taken during the push serves the label step.
    const after = (await requestLog(scenario.standIn)).map(line)
    expect(after.filter((read) => read === `GET /api/v3/repos/${fork}/labels?per_page=100`)).toHaveLength(1)
    await run.cleanup()
  })
})
