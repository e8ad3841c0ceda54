/** Delivery against a real HTTP receiver on loopback: retries, time limits, and secrets kept out of every message. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { DEFAULT_NOTIFY_EVENTS } from '../../../src/notify/event.js'
import { notify } from '../../../src/notify/deliver.js'
import { buildSlackPayload, type SlackPayload } from '../../../src/notify/slack.js'
import { buildWebhookPayload } from '../../../src/notify/webhook.js'
import { HOOK_PATH, NOW, RecordingLog, SLACK_PATH, base, examples, fast } from '../../unit/notify/fixtures.js'

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

  it('waits one retry unit before the retry, and counts a Retry-After in retry units up to five', async () => {
    receiver.behaviour = (_req, res, count) => (count % 2 === 1 ? res.writeHead(500).end('oops') : res.writeHead(200).end('ok'))
    await notify(base, { webhookUrl: receiver.url(HOOK_PATH) }, log, fast)
    receiver.behaviour = (_req, res, count) =>
      count % 2 === 1 ? res.writeHead(429, { 'retry-after': '2' }).end('rate_limited') : res.writeHead(200).end('ok')
    await notify(base, { webhookUrl: receiver.url(HOOK_PATH) }, log, fast)
    receiver.behaviour = (_req, res, count) =>
      count % 2 === 1 ? res.writeHead(503, { 'retry-after': '3600' }).end('down') : res.writeHead(200).end('ok')
    await notify(base, { webhookUrl: receiver.url(HOOK_PATH) }, log, fast)
    expect(receiver.received).toHaveLength(6)
    expect(log.debugs).toEqual([
      'Webhook notification (pr-created): HTTP 500; retrying once in 10 ms.',
      'Webhook notification (pr-created): HTTP 429; retrying once in 20 ms.',
      'Webhook notification (pr-created): HTTP 503; retrying once in 50 ms.'
    ])
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

  it('delivers to one target when the other fails', async () => {
    receiver.behaviour = (req, res) => (req.url === SLACK_PATH ? res.writeHead(404).end('no_service') : res.writeHead(204).end())
    await notify(examples.failed, { slackWebhookUrl: receiver.url(SLACK_PATH), webhookUrl: receiver.url(HOOK_PATH) }, log, fast)
    expect(log.warnings).toEqual([expect.stringContaining('Slack notification (failed) not sent')])
    expect(log.infos).toEqual(['Webhook notification (failed) sent.'])
  })
})
