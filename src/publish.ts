/**
 * Publishing a sync: the sync branch, the pull request, its labels, and superseding older sync PRs.
 *
 * Safety rules, in order of importance:
 * 1. The target branch is never written (nothing here pushes to it).
 * 2. A sync branch carrying a commit the action did not make is never force-pushed, reset or deleted.
 * 3. Every branch update is a compare-and-swap (`--force-with-lease` on the sha we last saw), so a concurrent run or a
 *    maintainer's push in between is never overwritten; we re-read and decide again instead.
 * 4. One PR per tag: a 422 "already exists" from a concurrent run turns into an update of that PR.
 */
import type { Git } from './git.js'
import type { GitHubApi, LabelSpec, Logger, PullInfo } from './github.js'
import { classifySyncBranch, fetchBranches, pushSyncBranch } from './merge.js'
import type { MergeResult } from './types.js'

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

export interface PublishRequest {
  api: GitHubApi
  git: Git
  log: Logger
  forkUrl: string
  targetBranch: string
  syncBranch: string
  tag: string
  merge: MergeResult
  /** The sync branch's commit when the run started (undefined: no branch yet). */
  branchSha?: string
  /** The open PR for this tag, if one exists. */
  openPull?: PullInfo
  title: string
  body: string
  labels: LabelPlan
}

export type PublishResult = 'created' | 'updated' | 'up-to-date'

export interface PublishOutcome {
  result: PublishResult
  pull?: PullInfo
  /** True when the branch was pushed by this run. */
  pushed: boolean
  /** Set when the sync branch has commits by someone else: the run left branch and PR as they were. */
  humanCommitsOn?: string
}

const MAX_BRANCH_ATTEMPTS = 3

/** Result of bringing the sync branch to the merge result. */
type BranchState = { kind: 'ready'; pushed: boolean } | { kind: 'human'; sha: string }

/**
 * Points the sync branch at the merge result unless a human owns it. Retries on a lost race: re-reads the branch,
 * accepts an equivalent result pushed by a concurrent run, and never overwrites a commit it did not make.
 */
async function updateBranch(req: PublishRequest): Promise<BranchState> {
  let current = req.branchSha
  for (let attempt = 1; attempt <= MAX_BRANCH_ATTEMPTS; attempt++) {
    if (current === req.merge.headSha) return { kind: 'ready', pushed: false }
    if (current !== undefined) {
      const owner = await classifySyncBranch(req.git, { branchSha: current, tag: req.tag, tagSha: req.merge.tagSha, targetSha: req.merge.targetSha })
      if (owner === 'human') return { kind: 'human', sha: current }
      if (await isEquivalent(req.git, current, req.merge)) return { kind: 'ready', pushed: false }
    }
    const push = await pushSyncBranch(req.git, {
      remoteUrl: req.forkUrl,
      branch: req.syncBranch,
      sha: req.merge.headSha,
      expectedOldSha: current ?? null
    })
    if (push.status !== 'rejected-stale') return { kind: 'ready', pushed: push.status === 'pushed' }
    req.log.info(`The sync branch ${req.syncBranch} changed while this run worked (a concurrent run or a push); reading it again.`)
    const fetched = await fetchBranches(req.git, req.forkUrl, [req.syncBranch])
    current = fetched[req.syncBranch]
  }
  throw new Error(
    `The sync branch ${req.syncBranch} kept changing under this run (${MAX_BRANCH_ATTEMPTS} attempts); another run is probably updating it. Nothing was overwritten; the next run will pick it up.`
  )
}

/** A concurrent run's merge of the same target and tag commits is as good as ours: keep it rather than churn. */
async function isEquivalent(git: Git, branchSha: string, merge: MergeResult): Promise<boolean> {
  if (merge.status === 'conflicts') return branchSha === merge.tagSha
  const parents = (await git.output(['rev-list', '--parents', '-n', '1', branchSha])).split(' ').slice(1)
  if (parents.length !== 2 || parents[0] !== merge.targetSha || parents[1] !== merge.tagSha) return false
  const [theirs, ours] = await Promise.all([git.output(['rev-parse', `${branchSha}^{tree}`]), git.output(['rev-parse', `${merge.headSha}^{tree}`])])
  return theirs === ours
}

/** Pushes the branch, then opens or updates the PR and sets its labels. */
export async function publishSync(req: PublishRequest): Promise<PublishOutcome> {
  const branch = await updateBranch(req)
  if (branch.kind === 'human') {
    req.log.warning(
      `The sync branch ${req.syncBranch} has commits that upstream-sync did not make (head ${branch.sha.slice(0, 12)}), probably a maintainer's conflict resolution. It was left untouched${req.openPull ? ` and PR #${req.openPull.number} was not changed` : ''}.`
    )
    return { result: 'up-to-date', pushed: false, humanCommitsOn: branch.sha, ...(req.openPull ? { pull: req.openPull } : {}) }
  }

  let pull = req.openPull
  let result: PublishResult = 'updated'
  if (pull) {
    await req.api.updatePull(pull, { title: req.title, body: req.body })
  } else {
    const opened = await req.api.createPull({ head: req.syncBranch, base: req.targetBranch, title: req.title, body: req.body })
    pull = opened.pull
    if (opened.created) {
      result = 'created'
    } else {
      req.log.info(`PR #${pull.number} for ${req.syncBranch} was opened by a concurrent run; updating it.`)
      await req.api.updatePull(pull, { title: req.title, body: req.body })
    }
  }

  await req.api.ensureLabels(req.labels.specs.filter((spec) => [...req.labels.always, ...req.labels.status].includes(spec.name)))
  await req.api.setPullLabels(pull, [...req.labels.always, ...req.labels.status], req.labels.stale)
  return { result, pull, pushed: branch.pushed }
}

export interface SupersedeRequest {
  api: GitHubApi
  git: Git
  log: Logger
  forkUrl: string
  branchPrefix: string
  targetBranch: string
  /** The PR just opened or updated. */
  newPull: PullInfo
  /** Decides whether an open sync PR's tag (from its branch name) is older than the synced one. */
  isOlderTag: (tag: string) => boolean
}

/**
 * Closes open sync PRs for older tags with a comment linking the new PR. Their branches are deleted only when every
 * commit on them is the action's own; a branch with a maintainer's work stays, and the comment says so.
 */
export async function supersedeOlder(req: SupersedeRequest): Promise<PullInfo[]> {
  const open = await req.api.openSyncPulls(req.targetBranch, req.branchPrefix)
  const older = open.filter(
    (pull) => pull.number !== req.newPull.number && req.isOlderTag(pull.headRef.slice(req.branchPrefix.length))
  )
  if (older.length === 0) return []
  const heads = await fetchBranches(
    req.git,
    req.forkUrl,
    older.map((pull) => pull.headRef)
  )
  for (const pull of older) {
    const tag = pull.headRef.slice(req.branchPrefix.length)
    const sha = heads[pull.headRef]
    const owner = sha === undefined ? 'gone' : await classifySyncBranch(req.git, { branchSha: sha, tag })
    const keep = owner === 'human'
    await req.api.comment(
      pull,
      `Superseded by #${req.newPull.number} (${req.newPull.url}), which syncs a newer upstream release. ` +
        (keep
          ? `The branch \`${pull.headRef}\` has commits that upstream-sync did not make, so it was kept.`
          : `The branch \`${pull.headRef}\` only held upstream-sync's own commits and was deleted.`)
    )
    await req.api.updatePull(pull, { state: 'closed' })
    if (!keep && owner !== 'gone') await req.api.deleteBranch(pull.headRef)
    req.log.info(`Closed PR #${pull.number} (${tag}), superseded by #${req.newPull.number}.`)
  }
  return older
}
