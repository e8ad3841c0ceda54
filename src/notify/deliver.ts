/**
 * Delivery of a sync event to Slack and the generic webhook: one POST per configured target, one retry for failures
 * likely to pass.
 *
 * Two promises hold whatever happens here:
 * - A notification never fails the sync. Any problem (bad URL, non-2xx answer, timeout, DNS or connection error) is
 *   one `log.warning` and `notify` resolves normally.
 * - The webhook URLs are secrets (the URL alone lets anyone post to the channel). They are never printed: messages
 *   name the input (`slack-webhook-url`, `webhook-url`) and at most the host, and anything echoed back from a
 *   receiver is scrubbed of the URL before it is logged.
 */
import type { Log } from '../runner.js'
import { REAL_TIMING } from '../timing.js'
import { DEFAULT_NOTIFY_EVENTS, type SyncEvent, type SyncEventName } from './event.js'
import { buildSlackPayload } from './slack.js'
import { buildWebhookPayload } from './webhook.js'

export interface NotifyTargets {
  slackWebhookUrl?: string
  webhookUrl?: string
}

export interface NotifyOptions {
  /** Events to send; others are dropped with a debug line. Default: DEFAULT_NOTIFY_EVENTS. */
  events?: readonly SyncEventName[]
  /** Time limit for one request, answer body included. Default 10 s. */
  timeoutMs?: number
  /**
   * How long a second of retry waiting lasts (1 s by default; tests shorten it). The single retry after a 5xx, a 429
   * or a connection error comes one unit later, or after the receiver's `Retry-After` (in units) up to five.
   */
  retryUnitMs?: number
  /** The clock, for the PR's age and the webhook's `sentAt`. */
  now?: () => Date
}

const DEFAULT_TIMEOUT_MS = 10_000
/** A receiver's `Retry-After` is honoured only up to this many seconds, so a notification never holds the run up for long. */
const MAX_RETRY_AFTER_SECONDS = 5

interface Target {
  /** The input's name, used in messages instead of the secret URL. */
  input: 'slack-webhook-url' | 'webhook-url'
  label: string
  url: string
  body: string
}

/**
 * Sends the event to every configured target. Resolves in every case: delivery problems are warnings, because the
 * sync's own outcome (PR opened, branch pushed) must never be turned into a failure by a chat integration.
 */
export async function notify(event: SyncEvent, targets: NotifyTargets, log: Log, options: NotifyOptions = {}): Promise<void> {
  try {
    const slackUrl = targets.slackWebhookUrl?.trim()
    const webhookUrl = targets.webhookUrl?.trim()
    if (!slackUrl && !webhookUrl) return
    const events = options.events ?? DEFAULT_NOTIFY_EVENTS
    if (!events.includes(event.name)) {
      log.debug(`Notification for event ${event.name} not sent: it is not among the notified events (${events.join(', ')}).`)
      return
    }
    const now = (options.now ?? (() => new Date()))()
    const list: Target[] = []
    if (slackUrl) list.push({ input: 'slack-webhook-url', label: 'Slack', url: slackUrl, body: JSON.stringify(buildSlackPayload(event, now)) })
    if (webhookUrl) list.push({ input: 'webhook-url', label: 'Webhook', url: webhookUrl, body: JSON.stringify(buildWebhookPayload(event, now)) })
    await Promise.all(list.map((target) => deliver(target, event.name, log, options)))
  } catch (error) {
    // Defensive: a bug here (say, a payload that cannot be serialised) must still not fail the sync.
    log.warning(`Notification for event ${event.name} not sent: ${errorText(error)}.`)
  }
}

async function deliver(target: Target, eventName: SyncEventName, log: Log, options: NotifyOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const retryUnitMs = options.retryUnitMs ?? REAL_TIMING.retryUnitMs
  const what = `${target.label} notification (${eventName})`
  const fix = `The sync itself is not affected; check the ${target.input} secret.`
  const scrub = (text: string): string => redact(text, target.url)

  let parsed: URL
  try {
    parsed = new URL(target.url)
  } catch {
    log.warning(`${what} not sent: ${target.input} is not a valid URL (its value is hidden because it is a secret). ${fix}`)
    return
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    log.warning(`${what} not sent: ${target.input} must be an https:// URL, not ${parsed.protocol}. ${fix}`)
    return
  }
  const host = parsed.host

  // One retry, only for failures that are likely to pass (server errors, rate limits, a dropped connection), and
  // never after a timeout: that would double the time a slow receiver costs the run.
  for (let attempt = 1; attempt <= 2; attempt++) {
    const last = attempt === 2
    let response: Response
    let detail: string
    try {
      response = await fetch(parsed, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'upstream-sync' },
        body: target.body,
        signal: AbortSignal.timeout(timeoutMs)
      })
      detail = await response.text()
    } catch (error) {
      if (isTimeout(error)) {
        log.warning(`${what} not sent: ${host} did not answer within ${formatSeconds(timeoutMs)}. ${fix}`)
        return
      }
      const reason = scrub(networkReason(error))
      if (!last) {
        log.debug(`${what}: ${reason}; retrying once.`)
        await sleep(retryUnitMs)
        continue
      }
      log.warning(`${what} not sent to ${host}: ${reason}. ${fix}`)
      return
    }

    if (response.ok) {
      log.info(`${what} sent.`)
      return
    }
    const retriable = response.status >= 500 || response.status === 429
    if (retriable && !last) {
      const wait = Math.round(Math.min(retryAfterSeconds(response.headers.get('retry-after')) ?? 1, MAX_RETRY_AFTER_SECONDS) * retryUnitMs)
      log.debug(`${what}: HTTP ${response.status}; retrying once in ${wait} ms.`)
      await sleep(wait)
      continue
    }
    // Slack answers errors with a short code (invalid_payload, no_service, channel_is_archived…): worth showing.
    const snippet = scrub(detail.replace(/\s+/g, ' ').trim()).slice(0, 200)
    log.warning(`${what} not sent: ${host} answered HTTP ${response.status}${snippet ? ` (${snippet})` : ''}. ${fix}`)
    return
  }
}

/**
 * The fields of an error, read without `instanceof`: fetch's errors come from Node's own realm, which is not the
 * realm of the calling code under every loader (Jest's VM modules, for one), so `instanceof Error` can be false.
 */
interface ErrorLike {
  name?: unknown
  message?: unknown
  code?: unknown
  cause?: unknown
}

function errorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined
}

function isTimeout(error: unknown): boolean {
  const name = errorLike(error)?.name
  return name === 'TimeoutError' || name === 'AbortError'
}

/** "connection refused", "DNS lookup failed (ENOTFOUND)"…: undici hides the cause behind "fetch failed". */
function networkReason(error: unknown): string {
  const cause = errorLike(errorLike(error)?.cause)
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed (${code})`
    case 'ECONNRESET':
      return 'connection reset'
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out'
    default:
      return code ? `${errorText(cause)} (${code})` : errorText(cause ?? error)
  }
}

function errorText(error: unknown): string {
  const message = errorLike(error)?.message
  return typeof message === 'string' && message ? message : String(error)
}

/** Removes the secret URL (and its path, which alone is the secret part of a Slack webhook) from text. */
export function redact(text: string, url: string): string {
  let out = text
  const secrets = [url]
  try {
    const parsed = new URL(url)
    secrets.push(parsed.href)
    if (parsed.pathname.length > 1) secrets.push(parsed.pathname)
    if (parsed.search) secrets.push(parsed.search)
    if (parsed.password) secrets.push(parsed.password)
  } catch {
    // Not a URL: the whole string is the only secret.
  }
  for (const secret of secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***')
  }
  return out
}

/** `Retry-After` in seconds or as an HTTP date, in seconds. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000)
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
