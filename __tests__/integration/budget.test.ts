/**
 * What a run costs in API requests. GitHub limits content-creating requests (secondary rate limits: about one a
 * second, and writes count more than reads), so every write must earn its place.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { requestLog, resetLog } from '../../test/support/control.js'
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
