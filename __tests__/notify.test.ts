import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  DEFAULT_NOTIFY_EVENTS,
  SYNC_EVENT_NAMES,
  buildSlackPayload,
  buildWebhookPayload,
  describeEvent,
  escapeSlackText,
  formatAge,
  notify,
  redact,
  type NotifyLogger,
  type SlackBlock,
  type SlackPayload,
  type SyncEvent,
  type SyncEventName
} from '../src/notify.js'

const NOW = new Date('2026-03-10T12:00:00Z')

const base: SyncEvent = {
  name: 'pr-created',
  upstream: 'BerriAI/litellm',
  fork: 'carto/litellm',
  targetBranch: 'carto/main',
  tag: 'v1.81.9-stable',
  version: '1.81.9',
  previousVersion: '1.81.3',
  prUrl: 'https://github.com/carto/litellm/pull/42',
  prNumber: 42,
  mergeStatus: 'clean',
  conflicts: 0,
  autoResolved: 0,
  releaseUrl: 'https://github.com/BerriAI/litellm/releases/tag/v1.81.9-stable',
  runUrl: 'https://github.com/carto/litellm/actions/runs/123'
}

const examples: Record<SyncEventName, SyncEvent> = {
  'pr-created': base,
  'pr-updated': { ...base, name: 'pr-updated', prCreatedAt: '2026-03-09T12:00:00Z' },
  'pr-waiting': { ...base, name: 'pr-waiting', mergeStatus: 'conflicts', conflicts: 3, prCreatedAt: '2026-03-08T09:00:00Z' },
  skipped: { ...base, name: 'skipped', prUrl: undefined, prNumber: undefined, mergeStatus: undefined, reason: 'Sync PR #40 for this tag was closed without merging.' },
  'up-to-date': { name: 'up-to-date', upstream: 'BerriAI/litellm', fork: 'carto/litellm', tag: 'v1.81.9-stable' },
  failed: { name: 'failed', upstream: 'BerriAI/litellm', fork: 'carto/litellm', runUrl: base.runUrl, reason: 'upstream repository BerriAI/litellm not found or not visible to this token' }
}

function blocksOf(payload: SlackPayload, type: SlackBlock['type']): SlackBlock[] {
  return payload.blocks.filter((b) => b.type === type)
}

/** Every piece of text in a Slack payload, for "is it in there / is it escaped" checks. */
function allText(payload: SlackPayload): string {
  return JSON.stringify(payload)
}

describe('buildSlackPayload', () => {
  it.each(SYNC_EVENT_NAMES)('builds a Block Kit message for %s with a header, a section and a context', (name) => {
    const payload = buildSlackPayload(examples[name], NOW)
    expect(payload.text.length).toBeGreaterThan(0)
    expect(payload.blocks[0]?.type).toBe('header')
    expect(blocksOf(payload, 'section').length).toBeGreaterThanOrEqual(1)
    const context = blocksOf(payload, 'context')
    expect(context).toHaveLength(1)
    expect(JSON.stringify(context[0])).toContain(name)
    // Block Kit limits: Slack rejects the whole message when one is exceeded.
    const header = payload.blocks[0] as { text: { text: string } }
    expect(header.text.text.length).toBeLessThanOrEqual(150)
  })

  it('links the PR with a primary button and the run and release with more buttons for a new clean PR', () => {
    const payload = buildSlackPayload(base, NOW)
    const actions = blocksOf(payload, 'actions')
    expect(actions).toHaveLength(1)
    const buttons = (actions[0] as Extract<SlackBlock, { type: 'actions' }>).elements
    expect(buttons[0]).toEqual({
      type: 'button',
      text: { type: 'plain_text', text: 'Review PR #42' },
      url: 'https://github.com/carto/litellm/pull/42',
      action_id: 'open-pr',
      style: 'primary'
    })
    expect(buttons.map((b) => b.url)).toEqual([base.prUrl, base.runUrl, base.releaseUrl])
    expect(payload.text).toBe('New sync PR #42 for BerriAI/litellm v1.81.9-stable: clean merge')
    const section = blocksOf(payload, 'section')[0] as Extract<SlackBlock, { type: 'section' }>
    const fields = (section.fields ?? []).map((f) => f.text)
    expect(fields).toContain('*Version*\n1.81.3 → 1.81.9')
    expect(fields).toContain('*Merge*\nclean merge')
    expect(fields).toContain('*Pull request*\n<https://github.com/carto/litellm/pull/42|#42>')
    expect(fields).toContain('*Fork*\ncarto/litellm (carto/main)')
    expect(section.text?.text).toContain('never squash')
  })

  it('gives the conflict count and auto-resolved count of a new PR with conflicts', () => {
    const payload = buildSlackPayload({ ...base, mergeStatus: 'conflicts', conflicts: 3, autoResolved: 2 }, NOW)
    expect(payload.text).toBe('New sync PR #42 for BerriAI/litellm v1.81.9-stable: 3 conflicts to resolve (2 conflicts auto-resolved)')
    expect(JSON.stringify(payload.blocks[0])).toContain(':warning:')
    expect(allText(payload)).toContain('per-file guide')
  })

  it('says how long a waiting PR has been open', () => {
    const payload = buildSlackPayload(examples['pr-waiting'], NOW)
    expect(payload.text).toBe(
      'Sync PR #42 for BerriAI/litellm v1.81.9-stable has been waiting for review for 2 days 3 hours: 3 conflicts to resolve'
    )
    expect(allText(payload)).toContain('*Open for*\\n2 days 3 hours')
  })

  it('shows the reason of a failed run in a code block with a danger button to the run', () => {
    const payload = buildSlackPayload(examples.failed, NOW)
    expect(payload.text).toBe('Upstream sync failed for carto/litellm (BerriAI/litellm)')
    const reason = blocksOf(payload, 'section')[1] as Extract<SlackBlock, { type: 'section' }>
    expect(reason.text?.text).toBe('*Reason*\n```upstream repository BerriAI/litellm not found or not visible to this token```')
    const buttons = (blocksOf(payload, 'actions')[0] as Extract<SlackBlock, { type: 'actions' }>).elements
    expect(buttons).toEqual([
      { type: 'button', text: { type: 'plain_text', text: 'Workflow run' }, url: base.runUrl, action_id: 'open-run', style: 'danger' }
    ])
  })

  it('shows why a release was skipped, and a run message as plain escaped text', () => {
    const skipped = buildSlackPayload(examples.skipped, NOW)
    expect(blocksOf(skipped, 'section')[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Why*\nSync PR #40 for this tag was closed without merging.' }
    })
    const created = buildSlackPayload({ ...base, reason: 'Opened PR #42 for v1<2> & more.' }, NOW)
    expect(blocksOf(created, 'section')[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Opened PR #42 for v1&lt;2&gt; &amp; more.' }
    })
  })

  it('escapes &, < and > from untrusted tag names and reasons in every mrkdwn text', () => {
    const hostile: SyncEvent = {
      ...base,
      name: 'failed',
      tag: 'v1.0<!channel>&x',
      reason: 'boom <https://evil.example|click> & ```break``` out'
    }
    const payload = buildSlackPayload(hostile, NOW)
    const mrkdwn: string[] = [payload.text]
    for (const block of payload.blocks) {
      if (block.type === 'section') {
        if (block.text) mrkdwn.push(block.text.text)
        for (const f of block.fields ?? []) mrkdwn.push(f.text)
      }
      if (block.type === 'context') for (const e of block.elements) mrkdwn.push(e.text)
    }
    const joined = mrkdwn.join('\n')
    expect(joined).not.toContain('<!channel>')
    expect(joined).not.toContain('<https://evil.example')
    expect(joined).toContain('v1.0&lt;!channel&gt;&amp;x')
    expect(joined).toContain('boom &lt;https://evil.example|click&gt; &amp;')
    // The reason's own fences cannot close the code block early.
    const reasonBlock = mrkdwn.find((t) => t.startsWith('*Reason*')) ?? ''
    expect(reasonBlock.match(/```/g)).toHaveLength(2)
  })

  it('never turns a non-http URL into a link or button', () => {
    const payload = buildSlackPayload({ ...base, prUrl: 'javascript:alert(1)', runUrl: undefined, releaseUrl: undefined }, NOW)
    expect(blocksOf(payload, 'actions')).toHaveLength(0)
    expect(allText(payload)).not.toContain('javascript:')
  })

  it('keeps sections under Slack limits for a huge reason', () => {
    const payload = buildSlackPayload({ ...examples.failed, reason: 'x'.repeat(50_000) }, NOW)
    for (const block of payload.blocks) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000)
    }
  })

  it('marks a dry run as such', () => {
    const payload = buildSlackPayload({ ...base, dryRun: true, prUrl: undefined, prNumber: undefined }, NOW)
    expect(payload.text).toBe('Dry run: would open a sync PR for BerriAI/litellm v1.81.9-stable: clean merge')
    expect(allText(payload)).toContain('dry run: nothing was pushed or opened')
  })
})

describe('wording helpers', () => {
  it('formats ages with the two largest units', () => {
    expect(formatAge(0)).toBe('0 minutes')
    expect(formatAge(60_000)).toBe('1 minute')
    expect(formatAge((5 * 60 + 10) * 60_000)).toBe('5 hours 10 minutes')
    expect(formatAge(24 * 3600_000)).toBe('1 day')
    expect(formatAge((51 * 60 + 59) * 60_000)).toBe('2 days 3 hours')
  })

  it('escapes Slack control characters', () => {
    expect(escapeSlackText('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d')
  })

  it('describes a skipped release and an up-to-date fork', () => {
    expect(describeEvent(examples.skipped, NOW)).toBe('BerriAI/litellm v1.81.9-stable skipped')
    expect(describeEvent(examples['up-to-date'], NOW)).toBe('carto/litellm is up to date with BerriAI/litellm v1.81.9-stable')
  })

  it('redacts a URL, its path and its query from text', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/SECRET?token=abc123'
    expect(redact(`posting to ${url} failed; path /services/T000/B000/SECRET`, url)).toBe('posting to *** failed; path ***')
  })
})

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

// ---------------------------------------------------------------------------------------------------------------
// Delivery, against a real HTTP receiver on loopback
// ---------------------------------------------------------------------------------------------------------------

interface Received {
  path: string
  contentType: string | undefined
  body: unknown
}

type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse, count: number) => void

class Receiver {
  readonly received: Received[] = []
  behaviour: Behaviour = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      this.received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: text ? JSON.parse(text) : undefined })
      this.behaviour(req, res, this.received.length)
    })
  })
  private sockets = new Set<import('node:net').Socket>()

  async start(): Promise<void> {
    this.server.on('connection', (s) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
  }

  url(path: string): string {
    const { port } = this.server.address() as AddressInfo
    return `http://127.0.0.1:${port}${path}`
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

class RecordingLog implements NotifyLogger {
  readonly warnings: string[] = []
  readonly infos: string[] = []
  readonly debugs: string[] = []
  warning(message: string): void {
    this.warnings.push(message)
  }
  info(message: string): void {
    this.infos.push(message)
  }
  debug(message: string): void {
    this.debugs.push(message)
  }
  all(): string {
    return [...this.warnings, ...this.infos, ...this.debugs].join('\n')
  }
}

/** A Slack-like secret path: the part that must never be printed. */
const SLACK_PATH = '/services/T0SECRET/B0SECRET/xoxSECRETxyz'
const HOOK_PATH = '/hooks/generic-SECRET-123'
const fast = { timeoutMs: 500, retryDelayMs: 10, now: () => NOW }

describe('notify', () => {
  const receiver = new Receiver()
  let log: RecordingLog

  beforeAll(() => receiver.start())
  afterAll(() => receiver.stop())
  beforeEach(() => {
    receiver.received.length = 0
    receiver.behaviour = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    log = new RecordingLog()
  })

  it('posts the Block Kit message to Slack and the JSON event to the generic webhook', async () => {
    await notify(base, { slackWebhookUrl: receiver.url(SLACK_PATH), webhookUrl: receiver.url(HOOK_PATH) }, log, fast)
    expect(log.warnings).toEqual([])
    const slack = receiver.received.find((r) => r.path === SLACK_PATH)
    const hook = receiver.received.find((r) => r.path === HOOK_PATH)
    expect(slack?.contentType).toMatch(/^application\/json/)
    expect(slack?.body).toEqual(buildSlackPayload(base, NOW))
    expect(hook?.body).toEqual(buildWebhookPayload(base, NOW))
    expect((hook?.body as { event: string }).event).toBe('pr-created')
    expect(log.infos).toEqual(expect.arrayContaining(['Slack notification (pr-created) sent.', 'Webhook notification (pr-created) sent.']))
  })

  it.each(DEFAULT_NOTIFY_EVENTS)('sends %s by default with the same event name to both targets', async (name) => {
    await notify(examples[name], { slackWebhookUrl: receiver.url(SLACK_PATH), webhookUrl: receiver.url(HOOK_PATH) }, log, fast)
    expect(receiver.received).toHaveLength(2)
    const slack = receiver.received.find((r) => r.path === SLACK_PATH)?.body as SlackPayload
    expect(JSON.stringify(slack.blocks.at(-1))).toContain(name)
    expect((receiver.received.find((r) => r.path === HOOK_PATH)?.body as { event: string }).event).toBe(name)
  })

  it('does not send up-to-date unless asked for', async () => {
    await notify(examples['up-to-date'], { slackWebhookUrl: receiver.url(SLACK_PATH) }, log, fast)
    expect(receiver.received).toHaveLength(0)
    expect(log.debugs.join('\n')).toContain('up-to-date')
    await notify(examples['up-to-date'], { slackWebhookUrl: receiver.url(SLACK_PATH) }, log, { ...fast, events: ['up-to-date'] })
    expect(receiver.received).toHaveLength(1)
  })

  it('does nothing without targets', async () => {
    await notify(base, {}, log, fast)
    await notify(base, { slackWebhookUrl: '  ', webhookUrl: '' }, log, fast)
    expect(receiver.received).toHaveLength(0)
    expect(log.warnings).toEqual([])
  })

  it('retries once on a 500 and succeeds', async () => {
    receiver.behaviour = (_req, res, count) => (count === 1 ? res.writeHead(500).end('oops') : res.writeHead(200).end('ok'))
    await notify(base, { webhookUrl: receiver.url(HOOK_PATH) }, log, fast)
    expect(receiver.received).toHaveLength(2)
    expect(log.warnings).toEqual([])
  })

  it('honours a short Retry-After on 429', async () => {
    receiver.behaviour = (_req, res, count) =>
      count === 1 ? res.writeHead(429, { 'retry-after': '0' }).end('rate_limited') : res.writeHead(200).end('ok')
    await notify(base, { slackWebhookUrl: receiver.url(SLACK_PATH) }, log, fast)
    expect(receiver.received).toHaveLength(2)
    expect(log.warnings).toEqual([])
  })

  it('warns, without throwing or printing the URL, when the receiver keeps answering 500', async () => {
    receiver.behaviour = (req, res) => res.writeHead(500).end(`internal error at ${req.url}`)
    await expect(notify(base, { slackWebhookUrl: receiver.url(SLACK_PATH) }, log, fast)).resolves.toBeUndefined()
    expect(receiver.received).toHaveLength(2)
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toMatch(/^Slack notification \(pr-created\) not sent: 127\.0\.0\.1:\d+ answered HTTP 500 \(internal error at \*\*\*\)\. The sync itself is not affected; check the slack-webhook-url secret\.$/)
    expect(log.all()).not.toContain('SECRET')
  })

  it('does not retry a 4xx such as Slack’s invalid_payload', async () => {
    receiver.behaviour = (_req, res) => res.writeHead(400).end('invalid_payload')
    await notify(base, { slackWebhookUrl: receiver.url(SLACK_PATH) }, log, fast)
    expect(receiver.received).toHaveLength(1)
    expect(log.warnings[0]).toContain('answered HTTP 400 (invalid_payload)')
  })

  it('warns on a connection refused, after one retry', async () => {
    const closed = new Receiver()
    await closed.start()
    const url = closed.url(SLACK_PATH)
    await closed.stop()
    await notify(base, { slackWebhookUrl: url }, log, fast)
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toMatch(/^Slack notification \(pr-created\) not sent to 127\.0\.0\.1:\d+: connection refused\./)
    expect(log.debugs.join('\n')).toContain('retrying once')
    expect(log.all()).not.toContain('SECRET')
  })

  it('gives up after the timeout on a receiver that never answers, without retrying', async () => {
    receiver.behaviour = () => {
      /* never answer */
    }
    const started = Date.now()
    await notify(base, { webhookUrl: receiver.url(HOOK_PATH) }, log, { ...fast, timeoutMs: 300 })
    expect(Date.now() - started).toBeLessThan(3000)
    expect(receiver.received).toHaveLength(1)
    expect(log.warnings).toEqual([expect.stringMatching(/^Webhook notification \(pr-created\) not sent: 127\.0\.0\.1:\d+ did not answer within 300 ms\./)])
    expect(log.all()).not.toContain('SECRET')
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

  it('delivers to one target when the other fails', async () => {
    receiver.behaviour = (req, res) => (req.url === SLACK_PATH ? res.writeHead(404).end('no_service') : res.writeHead(204).end())
    await notify(examples.failed, { slackWebhookUrl: receiver.url(SLACK_PATH), webhookUrl: receiver.url(HOOK_PATH) }, log, fast)
    expect(log.warnings).toEqual([expect.stringContaining('Slack notification (failed) not sent')])
    expect(log.infos).toEqual(['Webhook notification (failed) sent.'])
  })
})
