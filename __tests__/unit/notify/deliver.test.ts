/**
 * Delivery without a network: secrets kept out of messages, a DNS failure (fetch replaced, as leaving loopback is not
 * an option) and URLs that are refused before any request.
 */
import { beforeEach, describe, expect, it } from '@jest/globals'
import { notify, redact } from '../../../src/notify/deliver.js'
import { HOOK_PATH, RecordingLog, base, fast } from './fixtures.js'

describe('redact', () => {
  it('redacts a URL, its path and its query from text', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/SECRET?token=abc123'
    expect(redact(`posting to ${url} failed; path /services/T000/B000/SECRET`, url)).toBe('posting to *** failed; path ***')
  })
})

describe('notify without a network', () => {
  let log: RecordingLog
  beforeEach(() => {
    log = new RecordingLog()
  })

  it('warns on a DNS failure without naming more than the host', async () => {
    // Resolving a name would leave loopback, so fetch fails here exactly as undici does for an unknown host.
    const realFetch = globalThis.fetch
    const hostname = 'hooks.example.invalid'
    let calls = 0
    globalThis.fetch = (async () => {
      calls++
      const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname })
      throw new TypeError('fetch failed', { cause })
    }) as typeof fetch
    try {
      await notify(base, { webhookUrl: `https://${hostname}${HOOK_PATH}` }, log, fast)
    } finally {
      globalThis.fetch = realFetch
    }
    expect(calls).toBe(2)
    expect(log.warnings).toEqual([
      `Webhook notification (pr-created) not sent to ${hostname}: DNS lookup failed (ENOTFOUND). The sync itself is not affected; check the webhook-url secret.`
    ])
    expect(log.all()).not.toContain('SECRET')
  })

  it('warns on a malformed or non-http URL without printing it', async () => {
    await notify(base, { slackWebhookUrl: 'hooks.slack.com/services/SECRET', webhookUrl: 'ftp://example.com/SECRET' }, log, fast)
    expect(log.warnings).toHaveLength(2)
    expect(log.warnings.join('\n')).toContain('slack-webhook-url is not a valid URL (its value is hidden because it is a secret)')
    expect(log.warnings.join('\n')).toContain('webhook-url must be an https:// URL, not ftp:')
    expect(log.all()).not.toContain('SECRET')
  })
})
