/**
 * The generic JSON webhook body for an event: the event's fields, plus its name, a one-line summary and the time.
 * Pure: the clock is a parameter.
 */
import { describeEvent, prAgeMs, type SyncEvent, type SyncEventName } from './event.js'

/** The generic webhook body: the event's fields (camelCase), plus `event`, `summary`, `sentAt` and the PR's age. */
export interface WebhookPayload extends Omit<SyncEvent, 'name'> {
  /** Same names as the Slack messages: pr-created, pr-updated, pr-waiting, skipped, up-to-date, failed, channel-drift. */
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
