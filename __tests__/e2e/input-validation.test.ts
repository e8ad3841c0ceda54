/**
 * Bad inputs fail the bundled action before any network call, with one message naming the input, in the log and the
 * job summary, and nothing pushed. Every rule of every input is covered by the settings unit tests
 * (__tests__/unit/settings/inputs.test.ts, which holds the cases this file once ran one bundle each); these two runs
 * check the wiring: a bad input, and an inline template (checked with the inputs, not later with the fork's policy).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import type { ActionRun } from '../../test/support/action.js'
import { gitTraffic, requestLog, resetLog } from '../../test/support/control.js'
import { createScenario, type Scenario } from '../../test/support/scenario.js'
import { describeRun, expectOneError, forkPulls } from '../integration/helpers/safety-helpers.js'

// Each test runs the action; the e2e project's testTimeout is a global option jest ignores per project.
jest.setTimeout(120_000)

describe('invalid inputs are rejected before any network call', () => {
  let s: Scenario
  const runs: ActionRun[] = []

  beforeAll(async () => {
    s = await createScenario({ mode: 'bundle' })
  })

  afterAll(async () => {
    await Promise.all(runs.map((run) => run.cleanup()))
    await s.cleanup()
  })

  // [case, inputs, the input the message must name, more text it must contain]
  const cases: Array<[string, Record<string, string>, string, string]> = [
    ['a bad boolean (dry-run)', { 'dry-run': 'maybe' }, 'dry-run', 'must be true or false, got "maybe".'],
    ['an inline template that is not valid Mustache', { template: '## Sync {{tag}}\n{{#conflicts}}\n- {{path}}\n' }, 'template', 'is not valid Mustache (line 2)']
  ]

  it.each(cases)('%s: one error naming the input, in the log and the summary; no request, nothing pushed', async (_name, inputs, inputName, detail) => {
    await resetLog(s.standIn)
    const run = await s.run(inputs)
    runs.push(run)
    expect(run.exitCode).toBe(1)
    const message = expectOneError(run)
    expect(message).toContain(`'${inputName}'`)
    expect(message).toContain(detail)
    expect(run.stdout).toContain(`::error::${message}`)
    expect(run.summary).toContain('upstream-sync failed')
    expect(run.summary).toContain(detail)
    // Not one API request, not one git request: validation happens before anything is fetched.
    const log = await requestLog(s.standIn, 'all')
    expect({ requests: log.map((entry) => `${entry.method} ${entry.path}`), log: log.length === 0 ? '' : describeRun(run) }).toEqual({ requests: [], log: '' })
    expect((await gitTraffic(s.standIn)).total.requests).toBe(0)
    expect(run.outputs.result ?? '').toBe('')
    expect(await forkPulls(s)).toEqual([])
  })
})
