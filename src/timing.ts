/**
 * The pauses the action makes on purpose: the spacing of its write requests to GitHub and the waits before retrying a
 * failed request (GitHub's or a notification receiver's). Production runs use the real values; the environment can
 * shorten them so that tests of the bundled action never sleep for real.
 */

export interface Timing {
  /**
   * Minimum spacing of write requests to GitHub. GitHub asks integrations to wait a second between content-creating
   * requests (secondary rate limits); writes that notify people (a new PR, a comment) are spaced three times as much.
   */
  writeIntervalMs: number
  /**
   * How long one second of retry waiting lasts: Octokit backs off 1, 4 and 9 of them after a 5xx, GitHub's
   * `Retry-After` counts in them, and a notification is retried after one.
   */
  retryUnitMs: number
}

/** The values for github.com. */
export const REAL_TIMING: Readonly<Timing> = { writeIntervalMs: 1000, retryUnitMs: 1000 }

/**
 * The timing of a run, from its environment:
 * - `UPSTREAM_SYNC_WRITE_INTERVAL_MS` lowers the write spacing, for a GitHub Enterprise Server without secondary rate
 *   limits or the local stand-in (tests, the demo, the benchmark).
 * - `UPSTREAM_SYNC_RETRY_UNIT_MS` is for tests only: it shortens every retry wait, so a test of the bundled action
 *   that makes GitHub or a webhook fail does not wait 1 + 4 + 9 s of back-off. Never set it in a workflow.
 * A value that is not a non-negative number is ignored.
 */
export function timingFromEnv(env: Readonly<Record<string, string | undefined>>): Timing {
  return {
    writeIntervalMs: durationFrom(env.UPSTREAM_SYNC_WRITE_INTERVAL_MS) ?? REAL_TIMING.writeIntervalMs,
    retryUnitMs: durationFrom(env.UPSTREAM_SYNC_RETRY_UNIT_MS) ?? REAL_TIMING.retryUnitMs
  }
}

function durationFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  return Number.isFinite(value) && value >= 0 ? value : undefined
}
