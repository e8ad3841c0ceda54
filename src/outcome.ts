/**
 * What a run ended with, as one type, and the one mapping from it to everything a run reports: the step outputs,
 * the job summary, annotations, the log line and the Slack / webhook event. `run()` builds an Outcome and calls
 * `reportOutcome`; nothing else decides what is said where.
 */
import { describeError } from './errors.js'
import type { PullInfo } from './github/records.js'
import { notify } from './notify/deliver.js'
import type { SyncEvent, SyncEventName } from './notify/event.js'
import type { ReleaseDecision, SyncDecision } from './releases/decision.js'
import type { ChannelDrift } from './releases/health.js'
import { describeDrift, renderDriftSection } from './report/channel-health.js'
import type { ActionInputs } from './settings/inputs.js'
import { renderSummary, type ReportView } from './report/index.js'
import type { ResolutionAudit } from './publish/audit.js'
import type { AnnotationProperties, Runner } from './runner.js'
import { timingFromEnv } from './timing.js'
import type { MergeResult } from './types.js'

/** Channel health of a run that found a drift (releases/health.ts), and whether the fork had not seen it before. */
export interface DriftReport {
  drift: ChannelDrift
  /** The channel in words, for the messages. */
  channel: string
  /** True the first run that sees this drift: the `channel-drift` notification goes out then only. */
  isNew: boolean
}

/** A run that synced (or, in a dry run, would have synced) a release: what it made. */
export interface SyncedOutcome {
  /** `up-to-date` when the sync branch holds a maintainer's commits and was left as it was. */
  result: 'created' | 'updated' | 'up-to-date' | 'dry-run'
  decision: SyncDecision<PullInfo>
  branch: string
  merge: MergeResult
  view: ReportView
  /** The full report in RUNNER_TEMP. */
  reportFile: string
  pull?: PullInfo
  /** False when an existing PR was left exactly as it was (nothing pushed, title, body and labels unchanged). */
  changed: boolean
  message: string
  /** The audit of a resolution found on the sync branch (publish/audit.ts), when there was one. */
  audit?: ResolutionAudit
  drift?: DriftReport
}

/** A run that found nothing to sync: the target is current, the release was declined, or it is not old enough yet. */
export interface IdleOutcome {
  result: 'up-to-date' | 'skipped'
  decision: ReleaseDecision<PullInfo>
  message: string
  drift?: DriftReport
}

export interface FailedOutcome {
  result: 'failed'
  error: unknown
  message: string
}

export type Outcome = SyncedOutcome | IdleOutcome | FailedOutcome

/** Where the run was pointed, for the summary and the notification (known once the settings are read). */
export interface OutcomeContext {
  upstream: string
  fork: string
  target?: string
  runUrl?: string
  dryRun: boolean
}

/** `waiting` (min-release-age) is reported as skipped: this run syncs nothing, and the message says until when. */
export function idleOutcome(decision: ReleaseDecision<PullInfo>): IdleOutcome {
  return { result: decision.kind === 'up-to-date' ? 'up-to-date' : 'skipped', decision, message: decision.reason }
}

export function failedOutcome(error: unknown): FailedOutcome {
  return { result: 'failed', error, message: describeError(error) }
}

/** The decision's view of a run that did not fail. */
function decisionOf(outcome: Outcome): ReleaseDecision<PullInfo> | undefined {
  return outcome.result === 'failed' ? undefined : outcome.decision
}

function pullUrlOf(outcome: Outcome): string | undefined {
  if (outcome.result === 'failed') return undefined
  if ('pull' in outcome && outcome.pull) return outcome.pull.url
  return outcome.decision.kind === 'skipped' ? outcome.decision.skippedPullUrl : undefined
}

function driftOf(outcome: Outcome): DriftReport | undefined {
  return outcome.result === 'failed' ? undefined : outcome.drift
}

function synced(outcome: Outcome): SyncedOutcome | undefined {
  return 'merge' in outcome ? outcome : undefined
}

/** The action's outputs, as action.yml documents them: every one set, empty when it does not apply; none on failure. */
export function outputsOf(outcome: Outcome): Record<string, string> {
  if (outcome.result === 'failed') return {}
  const decision = outcome.decision
  const sync = synced(outcome)
  return {
    result: outcome.result,
    tag: decision.candidate?.tag ?? '',
    version: decision.candidate?.version.text ?? '',
    'previous-version': decision.previous?.text ?? '',
    branch: sync?.branch ?? '',
    'pr-number': sync?.pull ? String(sync.pull.number) : '',
    'pr-url': pullUrlOf(outcome) ?? '',
    'merge-status': sync?.merge.status ?? '',
    conflicts: JSON.stringify(sync?.merge.conflicts.map((conflict) => conflict.path) ?? []),
    'auto-resolved': JSON.stringify(sync?.merge.autoResolved.map((conflict) => conflict.path) ?? []),
    'report-file': sync?.reportFile ?? '',
    'resolution-audit': JSON.stringify(sync?.audit?.rows.map(({ path, rule, kept, verdict }) => ({ path, rule, kept, verdict })) ?? []),
    'channel-drift': driftOf(outcome)?.drift.release.tag ?? ''
  }
}

export interface Annotation {
  level: 'warning' | 'error'
  message: string
  properties?: AnnotationProperties
}

/** A warning per conflicted file, pointing at it, so the conflicts show in the run's annotations; the failure itself. */
export function annotationsOf(outcome: Outcome): Annotation[] {
  if (outcome.result === 'failed') return []
  const conflicts = (synced(outcome)?.merge.conflicts ?? []).map((conflict): Annotation => ({
    level: 'warning',
    message: `${conflict.kind} conflict (${conflict.resolution}${conflict.note ? `: ${conflict.note}` : ''})`,
    properties: { title: 'upstream-sync conflict', file: conflict.path }
  }))
  const drift = driftOf(outcome)
  if (!drift) return conflicts
  return [...conflicts, { level: 'warning', message: describeDrift(drift.drift, drift.channel), properties: { title: 'upstream-sync channel drift' } }]
}

/**
 * A sync that passed over newer tags still waiting for their upstream release (`require-release: auto`) names them,
 * as a `waiting` run names the tag that waits for `min-release-age`. (An idle run's reason lists them already.)
 */
function withReleaseWaits(message: string, decision: ReleaseDecision<PullInfo>): string {
  const waiting = decision.passedOver.filter((passed) => passed.why === 'unreleased').map((passed) => passed.candidate.tag)
  if (waiting.length === 0) return message
  return `${message} Newer ${waiting.length === 1 ? `tag ${waiting[0]} waits` : `tags ${waiting.join(', ')} wait`} for ${waiting.length === 1 ? 'its' : 'their'} upstream release.`
}

/** The job summary's markdown. */
export function summaryOf(outcome: Outcome, context: OutcomeContext): string {
  if (outcome.result === 'failed') {
    return `### ❌ upstream-sync failed\n\n${outcome.message.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))}\n`
  }
  const decision = outcome.decision
  const url = pullUrlOf(outcome)
  const audit = synced(outcome)?.audit
  const drift = driftOf(outcome)
  const health = drift ? `\n${renderDriftSection(drift.drift, drift.channel)}` : ''
  const summary = renderSummary({
    view: synced(outcome)?.view,
    result: outcome.result,
    message: synced(outcome) ? withReleaseWaits(outcome.message, decision) : outcome.message,
    upstream: context.upstream,
    target: context.target ?? '',
    tag: decision.candidate?.tag,
    previousVersion: decision.previous?.text,
    version: decision.candidate?.version.text,
    pullRequest: { url: url ?? '', number: synced(outcome)?.pull?.number }
  }) + health
  return audit ? `${summary}\n${audit.markdown}` : summary
}

/** The `channel-drift` notification, for the first run that sees the drift only. */
export function driftEventOf(outcome: Outcome, context: OutcomeContext): SyncEvent | undefined {
  const drift = driftOf(outcome)
  if (!drift?.isNew) return undefined
  return {
    name: 'channel-drift',
    upstream: context.upstream,
    fork: context.fork,
    targetBranch: context.target,
    runUrl: context.runUrl,
    dryRun: context.dryRun,
    tag: drift.drift.release.tag,
    version: drift.drift.release.version.text,
    previousVersion: drift.drift.channelNewest?.version.text,
    releaseUrl: drift.drift.release.url,
    reason: describeDrift(drift.drift, drift.channel)
  }
}

function eventNameOf(outcome: Outcome): SyncEventName | undefined {
  switch (outcome.result) {
    case 'created':
    case 'dry-run':
      return 'pr-created'
    case 'updated':
      return synced(outcome)?.changed === false ? 'pr-waiting' : 'pr-updated'
    case 'skipped':
      return 'skipped'
    case 'failed':
      return 'failed'
    case 'up-to-date':
      return undefined
  }
}

/** The notification for Slack and webhooks, or undefined when the outcome is not an event (up to date). */
export function eventOf(outcome: Outcome, context: OutcomeContext): SyncEvent | undefined {
  const name = eventNameOf(outcome)
  if (!name) return undefined
  const where = { upstream: context.upstream, fork: context.fork, runUrl: context.runUrl, dryRun: context.dryRun }
  if (outcome.result === 'failed') return { name, ...where, reason: outcome.message }
  const decision = decisionOf(outcome)
  const sync = synced(outcome)
  return {
    name,
    ...where,
    targetBranch: context.target,
    releaseUrl: sync?.view.releaseUrl || undefined,
    prCreatedAt: sync?.pull?.createdAt,
    tag: decision?.candidate?.tag,
    version: decision?.candidate?.version.text,
    previousVersion: decision?.previous?.text,
    prUrl: pullUrlOf(outcome),
    prNumber: sync?.pull?.number,
    mergeStatus: sync?.merge.status,
    conflicts: sync?.merge.conflicts.length,
    autoResolved: sync?.merge.autoResolved.length,
    // The PR events carry their own headline; a reason is what skipped runs need.
    ...(name === 'skipped' ? { reason: outcome.message } : {})
  }
}

export interface NotifySettings {
  slackWebhookUrl?: string
  webhookUrl?: string
}

/**
 * Says what the run did, everywhere: outputs, annotations, the job summary, the log (or the step's failure) and the
 * notification. Never throws: a report that cannot be written must not hide the run's own result.
 */
export async function reportOutcome(runner: Runner, outcome: Outcome, context: OutcomeContext, targets: NotifySettings | undefined): Promise<void> {
  for (const [name, value] of Object.entries(outputsOf(outcome))) runner.setOutput(name, value)
  for (const annotation of annotationsOf(outcome)) runner.warning(annotation.message, annotation.properties)
  if (outcome.result === 'failed') runner.setFailed(outcome.message)
  await runner.appendSummary(summaryOf(outcome, context)).catch((error: unknown) => runner.warning(`Job summary not written: ${describeError(error)}`))
  if (outcome.result !== 'failed') runner.info(outcome.message)
  for (const event of [eventOf(outcome, context), driftEventOf(outcome, context)]) {
    if (event && targets && (targets.slackWebhookUrl || targets.webhookUrl)) {
      await notify(event, { slackWebhookUrl: targets.slackWebhookUrl, webhookUrl: targets.webhookUrl }, runner, {
        retryUnitMs: timingFromEnv(runner.env).retryUnitMs
      })
    }
  }
}

type OutcomeSettings = Pick<ActionInputs, 'upstream' | 'fork' | 'runUrl' | 'dryRun'>

/** The context of a run's report; before the settings are read, nothing is known (a failure says so itself). */
export function outcomeContext(settings: OutcomeSettings | undefined, target: string | undefined): OutcomeContext {
  if (!settings) return { upstream: '', fork: '', dryRun: false }
  return { upstream: `${settings.upstream.owner}/${settings.upstream.repo}`, fork: `${settings.fork.owner}/${settings.fork.repo}`, target, runUrl: settings.runUrl, dryRun: settings.dryRun }
}
