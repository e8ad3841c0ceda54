/**
 * Notifications about a sync run: a Slack incoming webhook (Block Kit) and a generic JSON webhook, with the same event
 * names, so a fork maintainer reads the state of the sync at a glance without opening the workflow log.
 *
 * Two promises hold whatever happens here:
 * - A notification never fails the sync. Any problem (bad URL, non-2xx answer, timeout, DNS or connection error) is
 *   one `log.warning` and `notify` resolves normally.
 * - The webhook URLs are secrets (the URL alone lets anyone post to the channel). They are never printed: messages
 *   name the input (`slack-webhook-url`, `webhook-url`) and at most the host, and anything echoed back from a
 *   receiver is scrubbed of the URL before it is logged.
 *
 * The payload builders are pure (the clock is a parameter) so tests can check them without a network.
 */

/** Every event a run can report; the generic webhook's `event` field and the Slack message use the same names. */
export const SYNC_EVENT_NAMES = ['pr-created', 'pr-updated', 'pr-waiting', 'skipped', 'up-to-date', 'failed'] as const

export type SyncEventName = (typeof SYNC_EVENT_NAMES)[number]

/**
 * Events sent when the caller does not choose: everything a human may have to act on. `up-to-date` is left out on
 * purpose: with a schedule every 8 hours it would post three "nothing happened" messages a day and teach the channel
 * to ignore the bot.
 */
export const DEFAULT_NOTIFY_EVENTS: readonly SyncEventName[] = ['pr-created', 'pr-updated', 'pr-waiting', 'skipped', 'failed']

/** What happened in a run, as far as a notification tells it. Strings from upstream (tag, reason) are untrusted. */
export interface SyncEvent {
  /**
   * - `pr-created`: a new sync PR was opened (or, with `dryRun`, would be).
   * - `pr-updated`: the open sync PR for this tag was refreshed (new head, labels following the merge state).
   * - `pr-waiting`: the open sync PR for this tag is unchanged and still waiting for a maintainer.
   * - `skipped`: the release was deliberately not synced (a closed sync PR, too young, a human commit on the branch…).
   * - `up-to-date`: nothing new upstream (not sent unless asked for; see DEFAULT_NOTIFY_EVENTS).
   * - `failed`: the run failed; `reason` says why.
   */
  name: SyncEventName
  /** The upstream repository, owner/name. */
  upstream: string
  /** The fork, owner/name. */
  fork: string
  /** The fork's branch that receives the sync PR. */
  targetBranch?: string
  tag?: string
  version?: string
  previousVersion?: string
  prUrl?: string
  prNumber?: number
  /** When the PR was opened (ISO 8601), so `pr-waiting` can say for how long it has been waiting. */
  prCreatedAt?: string
  mergeStatus?: 'clean' | 'conflicts'
  /** Conflicted paths left for a human. */
  conflicts?: number
  /** Conflicted paths that auto-resolve settled. */
  autoResolved?: number
  /** The upstream release page of the tag. */
  releaseUrl?: string
  /** The workflow run that sent this event. */
  runUrl?: string
  /** Why a release was skipped or why the run failed. */
  reason?: string
  /** The run was a dry run: nothing was pushed or opened. */
  dryRun?: boolean
}

export interface NotifyTargets {
  slackWebhookUrl?: string
  webhookUrl?: string
}

/** The part of `@actions/core` that `notify` uses, so tests can pass a recorder. */
export interface NotifyLogger {
  warning(message: string): void
  info?(message: string): void
  debug?(message: string): void
}

export interface NotifyOptions {
  /** Events to send; others are dropped with a debug line. Default: DEFAULT_NOTIFY_EVENTS. */
  events?: readonly SyncEventName[]
  /** Time limit for one request, answer body included. Default 10 s. */
  timeoutMs?: number
  /** Pause before the single retry after a 5xx, a 429 or a connection error. Default 1 s. */
  retryDelayMs?: number
  /** The clock, for the PR's age and the webhook's `sentAt`. */
  now?: () => Date
}

const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_RETRY_DELAY_MS = 1_000
/** A receiver's `Retry-After` is honoured only up to this, so a notification never holds the run up for long. */
const MAX_RETRY_AFTER_MS = 5_000

// ---------------------------------------------------------------------------------------------------------------
// Plain-text wording shared by Slack and the generic webhook
// ---------------------------------------------------------------------------------------------------------------

/** "2 days 3 hours", "5 hours 10 minutes", "12 minutes": the two largest units, enough to judge urgency. */
export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  const mins = minutes % 60
  const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  if (days > 0) return hours > 0 ? `${unit(days, 'day')} ${unit(hours, 'hour')}` : unit(days, 'day')
  if (hours > 0) return mins > 0 ? `${unit(hours, 'hour')} ${unit(mins, 'minute')}` : unit(hours, 'hour')
  return unit(mins, 'minute')
}

/** Milliseconds since the PR was opened, or undefined when the time is unknown or unparsable. */
function prAgeMs(event: SyncEvent, now: Date): number | undefined {
  if (!event.prCreatedAt) return undefined
  const created = Date.parse(event.prCreatedAt)
  return Number.isNaN(created) ? undefined : Math.max(0, now.getTime() - created)
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** "clean merge", "3 conflicts to resolve", "clean merge (2 conflicts auto-resolved)". */
function mergeWords(event: SyncEvent): string | undefined {
  const auto = event.autoResolved ?? 0
  const autoNote = auto > 0 ? ` (${plural(auto, 'conflict')} auto-resolved)` : ''
  if (event.mergeStatus === 'conflicts') {
    const left = event.conflicts
    return `${left === undefined ? 'conflicts' : plural(left, 'conflict')} to resolve${autoNote}`
  }
  if (event.mergeStatus === 'clean') return `clean merge${autoNote}`
  return undefined
}

/** "BerriAI/litellm v1.81.9-stable", or just the repository when no tag is known. */
function releaseWords(event: SyncEvent): string {
  const upstream = event.upstream || 'upstream'
  return event.tag ? `${upstream} ${event.tag}` : upstream
}

function prWords(event: SyncEvent): string {
  return event.prNumber !== undefined ? `sync PR #${event.prNumber}` : 'sync PR'
}

/** "1.81.3 → 1.81.9", or the one side known. */
function versionWords(event: SyncEvent): string | undefined {
  const next = event.version ?? event.tag
  if (event.previousVersion && next) return `${event.previousVersion} → ${next}`
  return next
}

/** One line that says what happened, in plain text (no markup, not escaped). */
export function describeEvent(event: SyncEvent, now: Date = new Date()): string {
  const merge = mergeWords(event)
  const withMerge = (text: string): string => (merge ? `${text}: ${merge}` : text)
  const dry = event.dryRun ? 'Dry run: ' : ''
  switch (event.name) {
    case 'pr-created':
      return event.dryRun
        ? withMerge(`Dry run: would open a sync PR for ${releaseWords(event)}`)
        : withMerge(`New ${prWords(event)} for ${releaseWords(event)}`)
    case 'pr-updated':
      return withMerge(`${dry}${capitalize(prWords(event))} for ${releaseWords(event)} ${event.dryRun ? 'would be ' : ''}updated`)
    case 'pr-waiting': {
      const age = prAgeMs(event, now)
      const since = age === undefined ? '' : ` for ${formatAge(age)}`
      return withMerge(`${dry}${capitalize(prWords(event))} for ${releaseWords(event)} has been waiting for review${since}`)
    }
    case 'skipped':
      return `${dry}${releaseWords(event)} skipped`
    case 'up-to-date':
      return `${dry}${event.fork || 'The fork'} is up to date with ${releaseWords(event)}`
    case 'failed':
      return `${dry}Upstream sync failed for ${event.fork || 'the fork'}${event.tag || event.upstream ? ` (${releaseWords(event)})` : ''}`
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

// ---------------------------------------------------------------------------------------------------------------
// Slack
// ---------------------------------------------------------------------------------------------------------------

export interface SlackText {
  type: 'plain_text' | 'mrkdwn'
  text: string
  emoji?: boolean
}

export interface SlackButton {
  type: 'button'
  text: SlackText
  url: string
  action_id: string
  style?: 'primary' | 'danger'
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'actions'; elements: SlackButton[] }

export interface SlackPayload {
  /** Shown in notifications and by clients that cannot render blocks. */
  text: string
  blocks: SlackBlock[]
}

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` are the only control characters, and leaving them raw would let
 * an upstream tag name or error message inject links or mentions (`<!channel>`).
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Cuts text to Slack's per-field limits with an ellipsis. */
function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** Only http(s) URLs become links or buttons; anything else would be rejected by Slack (or be a trick). */
function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined
  } catch {
    return undefined
  }
}

/** A mrkdwn link `<url|label>`; `|` and `>` in the URL are percent-encoded so they cannot end the link early. */
function slackLink(url: string | undefined, label: string): string {
  const href = safeUrl(url)
  if (!href) return escapeSlackText(label)
  const encoded = href.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C')
  return `<${encoded}|${escapeSlackText(label)}>`
}

/** A fenced block for untrusted multi-line text (error messages); its own fences are defused first. */
function slackCodeBlock(text: string, max: number): string {
  const body = truncate(text.trim().replace(/```/g, "'''"), max)
  return '```' + escapeSlackText(body) + '```'
}

const EMOJI: Record<SyncEventName, string> = {
  'pr-created': ':white_check_mark:',
  'pr-updated': ':arrows_counterclockwise:',
  'pr-waiting': ':hourglass_flowing_sand:',
  skipped: ':fast_forward:',
  'up-to-date': ':heavy_check_mark:',
  failed: ':x:'
}

function emojiFor(event: SyncEvent): string {
  if (event.name === 'pr-created' && event.mergeStatus === 'conflicts') return ':warning:'
  return EMOJI[event.name]
}

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks): header 150, section text 3000, field 2000,
// button label 75. Staying under them matters: Slack rejects the whole message when one block is too long.
const HEADER_MAX = 150
const SECTION_MAX = 3000
const FIELD_MAX = 2000
const REASON_MAX = 2500

/** The Block Kit message for an event: header, summary with fields, the reason if any, buttons, context. */
export function buildSlackPayload(event: SyncEvent, now: Date = new Date()): SlackPayload {
  const summary = describeEvent(event, now)
  const blocks: SlackBlock[] = [
    // plain_text is shown literally by Slack (no links, no mentions), so it needs no escaping.
    { type: 'header', text: { type: 'plain_text', text: truncate(`${emojiFor(event)} ${summary}`, HEADER_MAX), emoji: true } }
  ]

  const fields: SlackText[] = []
  const field = (label: string, valueMrkdwn: string): void => {
    fields.push({ type: 'mrkdwn', text: truncate(`*${label}*\n${valueMrkdwn}`, FIELD_MAX) })
  }
  if (event.upstream) field('Upstream', slackLink(event.releaseUrl, releaseWords(event)))
  if (event.fork) field('Fork', escapeSlackText(event.targetBranch ? `${event.fork} (${event.targetBranch})` : event.fork))
  const versions = versionWords(event)
  if (versions) field('Version', escapeSlackText(versions))
  const merge = mergeWords(event)
  if (merge) field('Merge', escapeSlackText(merge))
  if (event.prUrl || event.prNumber !== undefined) {
    field('Pull request', slackLink(event.prUrl, event.prNumber !== undefined ? `#${event.prNumber}` : 'open'))
  }
  const age = prAgeMs(event, now)
  if (age !== undefined && (event.name === 'pr-waiting' || event.name === 'pr-updated')) field('Open for', formatAge(age))

  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(sectionText(event, now), SECTION_MAX) },
    // A section holds at most 10 fields.
    ...(fields.length > 0 ? { fields: fields.slice(0, 10) } : {})
  })

  if (event.reason) {
    // A failure's reason is an error message (paths, git output): a code block keeps it legible. Otherwise the reason
    // is a sentence (why a release was skipped, what the run did) and reads best as text.
    const text =
      event.name === 'failed'
        ? `*Reason*\n${slackCodeBlock(event.reason, REASON_MAX)}`
        : `${event.name === 'skipped' ? '*Why*\n' : ''}${escapeSlackText(truncate(event.reason.trim(), REASON_MAX))}`
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } })
  }

  const buttons: SlackButton[] = []
  const prUrl = safeUrl(event.prUrl)
  if (prUrl) {
    const label = event.prNumber !== undefined ? `Review PR #${event.prNumber}` : 'Review PR'
    buttons.push({ type: 'button', text: { type: 'plain_text', text: label }, url: prUrl, action_id: 'open-pr', style: 'primary' })
  }
  const runUrl = safeUrl(event.runUrl)
  if (runUrl) {
    buttons.push({
      type: 'button',
      text: { type: 'plain_text', text: 'Workflow run' },
      url: runUrl,
      action_id: 'open-run',
      ...(event.name === 'failed' ? { style: 'danger' as const } : {})
    })
  }
  const releaseUrl = safeUrl(event.releaseUrl)
  if (releaseUrl) {
    buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Release notes' }, url: releaseUrl, action_id: 'open-release' })
  }
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons })

  const context = [`upstream-sync · \`${event.name}\``]
  if (event.dryRun) context.push('dry run: nothing was pushed or opened')
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] })

  return { text: escapeSlackText(summary), blocks }
}

/** The sentence under the header: what a maintainer is asked to do. */
function sectionText(event: SyncEvent, now: Date): string {
  const pr = slackLink(event.prUrl, event.prNumber !== undefined ? `PR #${event.prNumber}` : 'the sync PR')
  const release = `*${escapeSlackText(releaseWords(event))}*`
  const into = event.targetBranch ? ` into \`${escapeSlackText(event.targetBranch)}\`` : ''
  switch (event.name) {
    case 'pr-created':
      if (event.dryRun) return `Dry run: a sync PR would merge ${release}${into}.`
      return event.mergeStatus === 'conflicts'
        ? `${pr} merges ${release}${into}. Conflicts need a human: the PR body has a per-file guide.`
        : `${pr} merges ${release}${into}. Review and merge it with a merge commit (never squash).`
    case 'pr-updated':
      return `${pr} for ${release} was refreshed.`
    case 'pr-waiting': {
      const age = prAgeMs(event, now)
      return `${pr} for ${release} is still open${age === undefined ? '' : ` after ${formatAge(age)}`}.`
    }
    case 'skipped':
      return `${release} was not synced.`
    case 'up-to-date':
      return `Nothing new: ${escapeSlackText(event.fork || 'the fork')} already has ${release}.`
    case 'failed':
      return `The sync run failed${event.tag ? ` for ${release}` : ''}. Nothing on the target branch was changed.`
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Generic JSON webhook
// ---------------------------------------------------------------------------------------------------------------

/** The generic webhook body: the event's fields (camelCase), plus `event`, `summary`, `sentAt` and the PR's age. */
export interface WebhookPayload extends Omit<SyncEvent, 'name'> {
  /** Same names as the Slack messages: pr-created, pr-updated, pr-waiting, skipped, up-to-date, failed. */
  event: SyncEventName
  /** Bumped only on an incompatible change of this shape. */
  schemaVersion: 1
  /** One line, plain text, for tools that just display something. */
  summary: string
  /** When the event was sent (ISO 8601). */
  sentAt: string
  /** Seconds since the PR was opened, when known. */
  prAgeSeconds?: number
}

export function buildWebhookPayload(event: SyncEvent, now: Date = new Date()): WebhookPayload {
  const { name, ...fields } = event
  const age = prAgeMs(event, now)
  const payload: WebhookPayload = {
    event: name,
    schemaVersion: 1,
    summary: describeEvent(event, now),
    sentAt: now.toISOString(),
    ...fields,
    ...(age !== undefined ? { prAgeSeconds: Math.floor(age / 1000) } : {})
  }
  // Drop unset fields so receivers see a stable, minimal shape.
  return Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined)) as unknown as WebhookPayload
}

// ---------------------------------------------------------------------------------------------------------------
// Delivery
// ---------------------------------------------------------------------------------------------------------------

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
export async function notify(event: SyncEvent, targets: NotifyTargets, log: NotifyLogger, options: NotifyOptions = {}): Promise<void> {
  try {
    const slackUrl = targets.slackWebhookUrl?.trim()
    const webhookUrl = targets.webhookUrl?.trim()
    if (!slackUrl && !webhookUrl) return
    const events = options.events ?? DEFAULT_NOTIFY_EVENTS
    if (!events.includes(event.name)) {
      log.debug?.(`Notification for event ${event.name} not sent: it is not among the notified events (${events.join(', ')}).`)
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

async function deliver(target: Target, eventName: SyncEventName, log: NotifyLogger, options: NotifyOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS
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
        log.debug?.(`${what}: ${reason}; retrying once.`)
        await sleep(retryDelayMs)
        continue
      }
      log.warning(`${what} not sent to ${host}: ${reason}. ${fix}`)
      return
    }

    if (response.ok) {
      log.info?.(`${what} sent.`)
      return
    }
    const retriable = response.status >= 500 || response.status === 429
    if (retriable && !last) {
      const wait = Math.min(retryAfterMs(response.headers.get('retry-after')) ?? retryDelayMs, MAX_RETRY_AFTER_MS)
      log.debug?.(`${what}: HTTP ${response.status}; retrying once in ${wait} ms.`)
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

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
