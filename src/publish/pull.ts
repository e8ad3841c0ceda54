/**
 * Publishing a sync: the sync branch, the pull request, its labels, and superseding older sync PRs.
 *
 * Safety rules, in order of importance:
 * 1. The target branch is never written (nothing here pushes to it).
 * 2. A sync branch carrying a commit the action did not make is never force-pushed, reset or deleted.
 * 3. Every branch update is a compare-and-swap (`--force-with-lease` on the sha we last saw), so a concurrent run or a
 *    maintainer's push in between is never overwritten; we re-read and decide again instead (branch.ts).
 * 4. One PR per tag: a 422 "already exists" from a concurrent run turns into an update of that PR.
 * 5. Nothing is written twice: the PR's body names the PRs it supersedes from its first write.
 */
import { UserError } from '../errors.js'
import type { GitHubApi, LabelSpec, PullInfo } from '../github/api.js'
import { updateSyncBranch, type BranchRequest, type BranchState } from './branch.js'
import { closeSuperseded, findOlderSyncPulls, type SupersedePlan } from './supersede.js'

export interface LabelPlan {
  /** Labels every sync PR carries (`labels` input). */
  always: string[]
  /** The status labels that apply now (clean-merge or conflicts, plus auto-resolved). */
  status: string[]
  /** Status labels that no longer apply and are removed if present. */
  stale: string[]
  /** Colours and descriptions for labels the action creates. */
  specs: LabelSpec[]
}

/** A PR another one replaces, as the new PR's body names it. */
export interface SupersededPull {
  number: number
  url: string
}

export interface PublishRequest extends BranchRequest {
  api: GitHubApi
  targetBranch: string
  /** The open PR for this tag, if one exists. */
  openPull?: PullInfo
  title: string
  /**
   * Renders the PR body, naming the older sync PRs this one supersedes (none when `supersede` is off or finds none).
   * Called exactly once per publish, when the older PRs are known.
   */
  renderBody: (supersedes: SupersededPull[]) => string
  labels: LabelPlan
  /** Close open sync PRs of older tags once this one is published. */
  supersede?: SupersedePlan
}

export type PublishResult = 'created' | 'updated' | 'up-to-date'

export interface PublishOutcome {
  result: PublishResult
  pull?: PullInfo
  /** True when the branch was pushed by this run. */
  pushed: boolean
  /** Whether the run changed anything a reviewer sees: a new PR, a push, or the PR's title, body or status labels. */
  changed: boolean
  /** Set when the sync branch has commits by someone else: the run left branch and PR as they were. */
  humanCommitsOn?: string
  /** Older sync PRs this run closed. */
  superseded: PullInfo[]
}

/**
 * Every run links itself in the body; a PR that is otherwise unchanged keeps its old body, so a waiting PR is not
 * rewritten (and its watchers not notified) every eight hours.
 */
export function keepIfOnlyRunLinkDiffers(previous: string | undefined, next: string): string {
  if (previous === undefined) return next
  const withoutRun = (text: string) => text.replace(/\/actions\/runs\/\d+(\/attempts\/\d+)?/g, '/actions/runs/_')
  return withoutRun(previous) === withoutRun(next) ? previous : next
}

/** Whether publishing changes an existing PR: its title, body or status labels differ from what they are now. */
export function pullChanged(before: PullInfo | undefined, title: string, body: string, plan: LabelPlan): boolean {
  if (!before) return true
  const labels = new Set(before.labels.map((label) => label.toLowerCase()))
  const labelsDiffer =
    [...plan.always, ...plan.status].some((label) => !labels.has(label.toLowerCase())) || plan.stale.some((label) => labels.has(label.toLowerCase()))
  return before.title !== title || before.body !== body || labelsDiffer
}

/** Opens the PR, or updates the one a concurrent run opened first. */
async function openPull(req: PublishRequest, body: string): Promise<{ pull: PullInfo; created: boolean }> {
  let opened: { pull: PullInfo; created: boolean }
  try {
    opened = await req.api.createPull({ head: req.syncBranch, base: req.targetBranch, title: req.title, body })
  } catch (error) {
    // The branch is in place (pushed now or earlier): say so, so nobody cleans it up by hand. The next run finds
    // it equivalent to its own merge, pushes nothing and opens the PR.
    const message = `${(error instanceof Error ? error.message : String(error)).replace(/\.?\s*$/, '.')} The sync branch ${req.syncBranch} is in place; the next run opens the pull request for it.`
    if (error instanceof UserError) throw new UserError(error.kind, message, error.fix, { cause: error })
    throw new Error(message, { cause: error })
  }
  if (!opened.created) {
    req.log.info(`PR #${opened.pull.number} for ${req.syncBranch} was opened by a concurrent run; updating it.`)
    await req.api.updatePull(opened.pull, { title: req.title, body })
  }
  return opened
}

/**
 * What publishing needs before the PR's title and body exist: the push, and the reads that do not wait for it.
 * `after`: what the push waits for (the objects it sends, still arriving: PreparedRepository.pushObjects).
 */
export type PublishStartRequest = Omit<PublishRequest, 'title' | 'renderBody' | 'labels'> & { after?: Promise<unknown> }

/** Publishing under way: the push and the reads it started, awaited by publishSync. */
export interface PublishStart {
  /** What it was started with: publishSync's request adds the title, body and labels to it. */
  request: PublishStartRequest
  branch: Promise<BranchState>
  older: Promise<PullInfo[]>
  labelNames: Promise<ReadonlySet<string>>
}

/**
 * Starts publishing: the push of the sync branch, and beside it the reads of the older sync PRs and the fork's
 * labels. The caller renders the PR meanwhile (measured on the benchmark: the push's 80 ms and the report's 70 ms of
 * work used to follow each other) and hands both to publishSync.
 */
export function startPublish(req: PublishStartRequest): PublishStart {
  const started = {
    older: req.supersede ? findOlderSyncPulls(req.api, req.supersede, req.targetBranch, req.syncBranch) : Promise.resolve([]),
    labelNames: req.api.labelNames(),
    branch: (req.after ?? Promise.resolve()).then(() => updateSyncBranch(req))
  }
  // Awaited by publishSync; a run that fails before then must not end on an unhandled rejection.
  for (const pending of Object.values(started)) pending.catch(() => undefined)
  return { request: req, ...started }
}

/**
 * Pushes the branch (unless startPublish started it), then opens or updates the PR, sets its labels and closes the
 * older sync PRs it supersedes.
 */
export async function publishSync(req: PublishRequest, started: PublishStart = startPublish(req)): Promise<PublishOutcome> {
  // The body is rendered while the push runs: it needs the older PRs, not the push.
  const older = await started.older
  const body = req.renderBody(older.map(({ number, url }) => ({ number, url })))
  const branch = await started.branch
  if (branch.kind === 'human') {
    req.log.warning(
      `The sync branch ${req.syncBranch} has commits that upstream-sync did not make (head ${branch.sha.slice(0, 12)}), probably a maintainer's conflict resolution. It was left untouched${req.openPull ? ` and PR #${req.openPull.number} was not changed` : ''}.`
    )
    return {
      result: 'up-to-date',
      pushed: false,
      changed: pullChanged(req.openPull, req.title, older.length === 0 ? body : req.renderBody([]), req.labels),
      humanCommitsOn: branch.sha,
      superseded: [],
      ...(req.openPull ? { pull: req.openPull } : {})
    }
  }

  let pull = req.openPull
  let result: PublishResult = 'updated'
  if (pull) {
    await req.api.updatePull(pull, { title: req.title, body })
  } else {
    const opened = await openPull(req, body)
    pull = opened.pull
    if (opened.created) result = 'created'
  }
  const labels = [...req.labels.always, ...req.labels.status]
  const { refused } = await req.api.ensureLabels(
    req.labels.specs.filter((spec) => labels.includes(spec.name)),
    started.labelNames
  )
  if (refused.length > 0) {
    req.log.warning(
      `The token may not create labels, so PR #${pull.number} does not carry ${refused.map((label) => `"${label}"`).join(', ')}. Add \`issues: write\` to the workflow's \`permissions:\` (or create the labels once by hand); the sync itself is done.`
    )
  }
  const applied = { ...req.labels, always: req.labels.always.filter((label) => !refused.includes(label)), status: req.labels.status.filter((label) => !refused.includes(label)) }
  await req.api.setPullLabels(pull, [...applied.always, ...applied.status], req.labels.stale)
  if (req.supersede) await closeSuperseded({ ...req, branchPrefix: req.supersede.branchPrefix, newPull: pull }, older)
  const changed = result === 'created' || branch.pushed || pullChanged(req.openPull, req.title, body, applied)
  return { result, pull, pushed: branch.pushed, changed, superseded: older }
}

/** The run's one line on what publishing did. */
export function publishedMessage(published: PublishOutcome, branch: string, tag: string, status: string): string {
  const number = published.pull?.number
  if (published.humanCommitsOn) return `Sync branch ${branch} has a maintainer's commits; left as is.`
  if (published.result === 'created') return `Opened PR #${number} for ${tag} (${status}).`
  if (published.changed) return `Updated PR #${number} for ${tag} (${status}).`
  return `PR #${number} for ${tag} is up to date and waiting for review (${status}).`
}
