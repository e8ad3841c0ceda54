/**
 * Sync events shared by the notification tests: one example of each event, a fixed clock, and a log that records.
 */
import type { Log } from '../../../src/runner.js'
import type { SyncEvent, SyncEventName } from '../../../src/notify/event.js'

export const NOW = new Date('2026-03-10T12:00:00Z')

export const base: SyncEvent = {
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

export const examples: Record<SyncEventName, SyncEvent> = {
  'pr-created': base,
  'pr-updated': { ...base, name: 'pr-updated', prCreatedAt: '2026-03-09T12:00:00Z' },
  'pr-waiting': { ...base, name: 'pr-waiting', mergeStatus: 'conflicts', conflicts: 3, prCreatedAt: '2026-03-08T09:00:00Z' },
  skipped: { ...base, name: 'skipped', prUrl: undefined, prNumber: undefined, mergeStatus: undefined, reason: 'Sync PR #40 for this tag was closed without merging.' },
  'up-to-date': { name: 'up-to-date', upstream: 'BerriAI/litellm', fork: 'carto/litellm', tag: 'v1.81.9-stable' },
  failed: { name: 'failed', upstream: 'BerriAI/litellm', fork: 'carto/litellm', runUrl: base.runUrl, reason: 'upstream repository BerriAI/litellm not found or not visible to this token' },
  'channel-drift': {
    name: 'channel-drift',
    upstream: 'BerriAI/litellm',
    fork: 'carto/litellm',
    targetBranch: 'carto/main',
    tag: 'v1.85.0',
    releaseUrl: 'https://github.com/BerriAI/litellm/releases/tag/v1.85.0',
    runUrl: base.runUrl,
    reason: 'The channel last matched v1.83.14-stable.patch.3; to follow upstream set channel: releases'
  }
}

/** A Slack-like secret path: the part that must never be printed. */
export const SLACK_PATH = '/services/T0SECRET/B0SECRET/xoxSECRETxyz'
export const HOOK_PATH = '/hooks/generic-SECRET-123'
/** Delivery options that keep tests fast: a short time limit and retries ten milliseconds apart. */
export const fast = { timeoutMs: 500, retryUnitMs: 10, now: () => NOW }

export class RecordingLog implements Log {
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
  isDebug(): boolean {
    return true
  }
  all(): string {
    return [...this.warnings, ...this.infos, ...this.debugs].join('\n')
  }
}
