/** The timing of a run read from its environment: the write spacing and the test-only retry unit. */
import { describe, expect, it } from '@jest/globals'
import { timingFromEnv } from '../../src/timing.js'

describe('timingFromEnv', () => {
  it("defaults to GitHub's one second and accepts a non-negative number", () => {
    expect(timingFromEnv({}).writeIntervalMs).toBe(1000)
    expect(timingFromEnv({ UPSTREAM_SYNC_WRITE_INTERVAL_MS: '0' }).writeIntervalMs).toBe(0)
    expect(timingFromEnv({ UPSTREAM_SYNC_WRITE_INTERVAL_MS: '-5' }).writeIntervalMs).toBe(1000)
    expect(timingFromEnv({ UPSTREAM_SYNC_WRITE_INTERVAL_MS: 'soon' }).writeIntervalMs).toBe(1000)
  })

  it('reads the retry unit the same way, independently of the write spacing', () => {
    expect(timingFromEnv({})).toEqual({ writeIntervalMs: 1000, retryUnitMs: 1000 })
    expect(timingFromEnv({ UPSTREAM_SYNC_RETRY_UNIT_MS: '10' })).toEqual({ writeIntervalMs: 1000, retryUnitMs: 10 })
    expect(timingFromEnv({ UPSTREAM_SYNC_RETRY_UNIT_MS: '-1', UPSTREAM_SYNC_WRITE_INTERVAL_MS: '0' })).toEqual({ writeIntervalMs: 0, retryUnitMs: 1000 })
  })
})
