/**
 * `dispatch-workflow`: runs the fork's CI on the sync branch, because a PR opened with GITHUB_TOKEN starts no workflow.
 *
 * GitHub runs the copy of the workflow file *at the dispatched ref* (and answers 422 "Workflow does not have
 * 'workflow_dispatch' trigger" when that copy lacks it). Only a clean or auto-resolved merge puts the fork's own files
 * on the sync branch; with conflicts the branch is upstream's tag itself, whose workflows are upstream's. So a
 * conflicted sync is not dispatched, and the PR body and the summary say why. A refused dispatch (403 without
 * `actions: write`, 422, 404, or GitHub failing) is a warning: the sync itself is done.
 */
import { describeError } from '../errors.js'
import type { GitHubApi } from '../github/api.js'
import { statusOf } from '../github/errors.js'
import type { Log } from '../runner.js'
import type { MergeResult } from '../types.js'

/** Why CI will not be dispatched for this merge (for the PR body and the summary), or undefined when it will be. */
export function ciNotDispatchedNote(workflow: string | undefined, merge: Pick<MergeResult, 'status'>): string | undefined {
  if (!workflow || merge.status === 'clean') return undefined
  return `CI (${workflow}) was not dispatched: with conflicts this branch is upstream's tag, which does not carry this fork's workflows. Push the resolution; the workflow then runs on the branch as usual, or start it by hand from the Actions tab.`
}

/**
 * Dispatches `workflow` on `branch` when the merge carries the fork's files. Returns a sentence for the run's message
 * when a dispatch was refused; undefined otherwise (dispatched, nothing asked, or a conflict the report explains).
 */
export async function dispatchCi(api: GitHubApi, workflow: string | undefined, branch: string, merge: Pick<MergeResult, 'status'>, log: Log): Promise<string | undefined> {
  if (!workflow) return undefined
  const note = ciNotDispatchedNote(workflow, merge)
  // The PR body and the summary already carry the note (ReportInput.ciNote).
  if (note) {
    log.info(note)
    return undefined
  }
  try {
    await api.dispatchWorkflow(workflow, branch, {})
    log.info(`Dispatched ${workflow} on ${branch}.`)
    return undefined
  } catch (error) {
    // The PR is open and the branch pushed: a dispatch that does not happen must not turn that into a failure.
    const status = statusOf(error) ?? statusOf((error as { cause?: unknown }).cause)
    const hint = status === 422 ? ` Check that ${workflow} on ${branch} has an \`on: workflow_dispatch\` trigger.` : ''
    log.warning(`CI (${workflow}) was not dispatched on ${branch}: ${describeError(error)}${hint}`)
    return `CI (${workflow}) was not dispatched${status ? ` (GitHub answered ${status})` : ''}; see the warning.`
  }
}
