/**
 * What a run reports once it knows its outcome: the step outputs, the job summary, a warning annotation per
 * conflicted file, the report file and the Slack / webhook notification. Rendering lives in report.ts and notify.ts;
 * this module decides what to say where.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { PullInfo } from './github/api.js'
import { notify } from './notify/deliver.js'
import type { SyncEvent } from './notify/event.js'
import type { ReleaseDecision } from './releases/decision.js'
import { renderReportFile, renderSummary, type ReportView } from './report/index.js'
import type { Runner } from './runner.js'
import type { ActionInputs } from './settings/inputs.js'
import { timingFromEnv } from './timing.js'
import type { MergeResult } from './types.js'

export type RunResult = 'created' | 'updated' | 'up-to-date' | 'skipped' | 'dry-run'

/** Everything a finished run knows, for its outputs, summary and notification. */
export interface Outcome {
  result: RunResult
  decision: ReleaseDecision<PullInfo>
  syncBranch?: string
  merge?: MergeResult
  pull?: PullInfo
  view?: ReportView
  reportFile?: string
  /** One line on what the run did, for the log, the summary and skipped-release notifications. */
  message: string
  /** False when an existing PR was left exactly as it was (nothing pushed, body and labels unchanged). */
  changed?: boolean
}

function skippedPullUrl(decision: ReleaseDecision): string | undefined {
  return decision.kind === 'skipped' ? decision.skippedPullUrl : undefined
}

/** The action's outputs, as action.yml documents them; every one is set, empty when it does not apply. */
export function setOutputs(runner: Runner, outcome: Outcome): void {
  const candidate = outcome.decision.candidate
  runner.setOutput('result', outcome.result)
  runner.setOutput('tag', candidate?.tag ?? '')
  runner.setOutput('version', candidate?.version.text ?? '')
  runner.setOutput('previous-version', outcome.decision.previous?.text ?? '')
  runner.setOutput('branch', outcome.syncBranch ?? '')
  runner.setOutput('pr-number', outcome.pull ? String(outcome.pull.number) : '')
  runner.setOutput('pr-url', outcome.pull?.url ?? skippedPullUrl(outcome.decision) ?? '')
  runner.setOutput('merge-status', outcome.merge?.status ?? '')
  runner.setOutput('conflicts', JSON.stringify(outcome.merge?.conflicts.map((conflict) => conflict.path) ?? []))
  runner.setOutput('auto-resolved', JSON.stringify(outcome.merge?.autoResolved.map((conflict) => conflict.path) ?? []))
  runner.setOutput('report-file', outcome.reportFile ?? '')
}

/** The full report (no list cut) beside the run's other files in RUNNER_TEMP, for upload as an artifact. */
export async function writeReport(inputs: ActionInputs, tag: string, view: ReportView): Promise<string> {
  const file = path.join(inputs.runnerTemp, `upstream-sync-report-${tag.replace(/[^A-Za-z0-9._-]/g, '_')}.md`)
  await fs.writeFile(file, renderReportFile(view))
  return file
}


/** Sets the outputs, writes the summary and annotations, and notifies, for a run that reached its end. */
export async function reportOutcome(runner: Runner, inputs: ActionInputs, outcome: Outcome, target: string): Promise<void> {
  const log = runner
  setOutputs(runner, outcome)
  const merge = outcome.merge
  for (const conflict of merge?.conflicts ?? []) {
    runner.warning(`${conflict.kind} conflict (${conflict.resolution}${conflict.note ? `: ${conflict.note}` : ''})`, {
      title: 'upstream-sync conflict',
      file: conflict.path
    })
  }
  await runner.appendSummary(
      renderSummary({
        view: outcome.view,
        result: outcome.result,
        message: outcome.message,
        upstream: `${inputs.upstream.owner}/${inputs.upstream.repo}`,
        target,
        tag: outcome.decision.candidate?.tag,
        previousVersion: outcome.decision.previous?.text,
        version: outcome.decision.candidate?.version.text,
        pullRequest: { url: outcome.pull?.url ?? skippedPullUrl(outcome.decision) ?? '', number: outcome.pull?.number }
      })
    )
  runner.info(outcome.message)
  const event: SyncEvent['name'] | undefined =
    outcome.result === 'created'
      ? 'pr-created'
      : outcome.result === 'updated'
        ? outcome.changed === false
          ? 'pr-waiting'
          : 'pr-updated'
        : outcome.result === 'skipped'
          ? 'skipped'
          : outcome.result === 'dry-run'
            ? 'pr-created'
            : undefined
  if (event) {
    await notifyEvent(inputs, log, {
      name: event,
      targetBranch: target,
      releaseUrl: outcome.view?.releaseUrl || undefined,
      prCreatedAt: outcome.pull?.createdAt,
      tag: outcome.decision.candidate?.tag,
      version: outcome.decision.candidate?.version.text,
      previousVersion: outcome.decision.previous?.text,
      prUrl: outcome.pull?.url ?? skippedPullUrl(outcome.decision),
      prNumber: outcome.pull?.number,
      mergeStatus: merge?.status,
      conflicts: merge?.conflicts.length,
      autoResolved: merge?.autoResolved.length,
      // The PR events carry their own headline; a reason is what skipped runs need.
      ...(event === 'skipped' ? { reason: outcome.message } : {})
    })
  }
}

/** Sends `event` to the configured Slack and webhook URLs (a no-op when none is set; never throws). */
export async function notifyEvent(inputs: ActionInputs, runner: Runner, event: Omit<SyncEvent, 'upstream' | 'fork' | 'runUrl'>): Promise<void> {
  if (!inputs.slackWebhookUrl && !inputs.webhookUrl) return
  await notify(
    {
      ...event,
      upstream: `${inputs.upstream.owner}/${inputs.upstream.repo}`,
      fork: `${inputs.fork.owner}/${inputs.fork.repo}`,
      runUrl: inputs.runUrl,
      dryRun: inputs.dryRun
    } as SyncEvent,
    { slackWebhookUrl: inputs.slackWebhookUrl, webhookUrl: inputs.webhookUrl },
    runner,
    { retryUnitMs: timingFromEnv(runner.env).retryUnitMs }
  )
}

/** The end of a failed run: the one clear message as the step's failure, in the summary, and to the notification URLs. */
export async function reportFailure(runner: Runner, inputs: ActionInputs | undefined, message: string): Promise<void> {
  runner.setFailed(message)
  await runner
    .appendSummary(`### ❌ upstream-sync failed\n\n${message.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))}\n`)
    .catch(() => undefined)
  if (inputs) await notifyEvent(inputs, runner, { name: 'failed', reason: message })
}
