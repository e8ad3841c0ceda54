/** The generic webhook body. */
import { describe, expect, it } from '@jest/globals'
import { describeEvent } from '../../../src/notify/event.js'
import { buildWebhookPayload } from '../../../src/notify/webhook.js'
import { NOW, base, examples } from './fixtures.js'

describe('buildWebhookPayload', () => {
  it('carries the event name, a summary, the time and every set field', () => {
    const payload = buildWebhookPayload(examples['pr-waiting'], NOW)
    expect(payload).toEqual({
      event: 'pr-waiting',
      schemaVersion: 1,
      summary: describeEvent(examples['pr-waiting'], NOW),
      sentAt: '2026-03-10T12:00:00.000Z',
      upstream: 'BerriAI/litellm',
      fork: 'carto/litellm',
      targetBranch: 'carto/main',
      tag: 'v1.81.9-stable',
      version: '1.81.9',
      previousVersion: '1.81.3',
      prUrl: 'https://github.com/carto/litellm/pull/42',
      prNumber: 42,
      prCreatedAt: '2026-03-08T09:00:00Z',
      prAgeSeconds: (51 * 3600),
      mergeStatus: 'conflicts',
      conflicts: 3,
      autoResolved: 0,
      releaseUrl: base.releaseUrl,
      runUrl: base.runUrl
    })
  })

  it('omits unset fields and keeps untrusted text verbatim (JSON needs no markup escaping)', () => {
    const payload = buildWebhookPayload({ name: 'failed', upstream: 'a/b', fork: 'c/d', reason: 'bad <tag> & co' }, NOW)
    expect(Object.keys(payload).sort()).toEqual(['event', 'fork', 'reason', 'schemaVersion', 'sentAt', 'summary', 'upstream'])
    expect(payload.reason).toBe('bad <tag> & co')
  })
})
