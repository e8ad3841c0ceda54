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
import { GitError, type Git } from './git.js'
import type { GitHubApi, LabelSpec, PullInfo } from './github/api.js'
import type { Log } from './runner.js'
import { classifySyncBranch, fetchBranches, pushSyncBranch, type PushResult } from './merge.js'
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
  /**
   * Upstream commits the sync branch may stand on as the action's own work besides the tag's current commit: the commit
   * the open PR recorded, so a tag upstream re-cut onto another commit still counts as ours and gets refreshed.
   */
  upstreamShas?: readonly string[]
  log: Log
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
      const owner = await classifySyncBranch(req.git, {
        branchSha: current,
        tag: req.tag,
        tagSha: req.merge.tagSha,
        targetSha: req.merge.targetSha,
        ...(req.upstreamShas ? { upstreamShas: req.upstreamShas } : {})
      })
      if (owner === 'human') return { kind: 'human', sha: current }
      if (await isEquivalent(req.git, current, req.merge)) return { kind: 'ready', pushed: false }
    }
    const push = await pushOrRecheck(req, current)
    if (push.status !== 'rejected-stale') return { kind: 'ready', pushed: push.status === 'pushed' }
    req.log.info(`The sync branch ${req.syncBranch} changed while this run worked (a concurrent run or a push); reading it again.`)
    current = 'head' in push ? push.head : (await fetchBranches(req.git, req.forkUrl, [req.syncBranch]))[req.syncBranch]
  }
  throw new Error(
    `The sync branch ${req.syncBranch} kept changing under this run (${MAX_BRANCH_ATTEMPTS} attempts); another run is probably updating it. Nothing was overwritten; the next run will pick it up.`
  )
}

/**
 * Pushes the merge result with a lease on `current`. A refused push is not always worded as a lost race: when a
 * concurrent run creates the branch between our read and our push, the server's own ref lock fails ("failed to
 * update ref", "cannot lock ref ... reference already exists"). So on any push error the branch is read again: if it
 * moved, it was a race (the caller decides again from the new head); if not, the error is real and is explained.
 */
async function pushOrRecheck(req: PublishRequest, current: string | undefined): Promise<PushResult | { status: 'rejected-stale'; head: string | undefined }> {
  try {
    return await pushSyncBranch(req.git, { remoteUrl: req.forkUrl, branch: req.syncBranch, sha: req.merge.headSha, expectedOldSha: current ?? null })
  } catch (error) {
    let head: string | undefined
    try {
      head = (await fetchBranches(req.git, req.forkUrl, [req.syncBranch]))[req.syncBranch]
    } catch {
      throw explainPushError(error, req)
    }
    if (head !== current) return { status: 'rejected-stale', head }
    throw explainPushError(error, req)
  }
}

/** The first line of git's output that says what the server refused, for quoting in a message. */
function gitReason(text: string, pattern: RegExp): string {
  return (
    text
      .split('\n')
      .map((line) => line.replace(/^remote:\s*/, '').trim())
      .find((line) => pattern.test(line)) ?? ''
  )
}

/**
 * Turns a refused push into a message that says what to change. GitHub's refusals arrive as git output, not API
 * errors, so they are recognised by their wording: the workflow-file rule (which no `permissions:` can lift for
 * GITHUB_TOKEN), a token without `contents: write`, a rejected token, and branch protection on the sync branches.
 */
export function explainPushError(error: unknown, req: Pick<PublishRequest, 'syncBranch' | 'tag'>): Error {
  if (!(error instanceof GitError)) return error instanceof Error ? error : new Error(String(error))
  const text = `${error.stderr}\n${error.stdout}`
  const where = `Could not push the sync branch ${req.syncBranch}`
  const workflow = /refusing to allow an? (.+?) to create or update workflow `([^`]+)`[^)\n]*/i.exec(text)
  if (workflow) {
    return new Error(
      `${where}: upstream ${req.tag} changes the workflow file ${workflow[2]}, and GitHub refuses workflow changes from this token (${workflow[1]}). ` +
        "A workflow's GITHUB_TOKEN can never push changes under .github/workflows/, whatever its permissions. " +
        "Pass another token as 'github-token': a GitHub App token with the 'Workflows: read and write' permission, or a fine-grained PAT with 'Workflows: read and write' (a classic PAT needs the 'workflow' scope). " +
        `Nothing was pushed. GitHub said: ${workflow[0]}`
    )
  }
  if (/GH006|GH013|protected branch|repository rule violations/i.test(text)) {
    return new Error(
      `${where}: a branch protection rule or ruleset of the fork covers it. Exempt the sync branches (the 'branch-prefix' pattern) from the rule, or let the token's actor bypass it. ` +
        `Nothing was pushed. GitHub said: ${gitReason(text, /GH006|GH013|protected branch|rule violations/i)}`
    )
  }
  if (/\b403\b|Permission to .* denied|permission denied/i.test(text)) {
    return new Error(
      `${where}: the token may not push to this repository (HTTP 403). It needs the 'contents: write' permission: add it under \`permissions:\` in the workflow (the example workflow uses contents: write and pull-requests: write), or grant it to the PAT/App. ` +
        `GitHub said: ${gitReason(text, /403|denied/i)}`
    )
  }
  if (/\b401\b|Authentication failed|could not read Username|Invalid username or password/i.test(text)) {
    return new Error(
      `${where}: GitHub rejected the token for git (authentication failed). Check the 'github-token' input: the secret may be expired, revoked or empty.`
    )
  }
  return error
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
    let opened: Awaited<ReturnType<GitHubApi['createPull']>>
    try {
      opened = await req.api.createPull({ head: req.syncBranch, base: req.targetBranch, title: req.title, body: req.body })
    } catch (error) {
      // The branch is in place (pushed now or earlier): say so, so nobody cleans it up by hand. The next run finds
      // it equivalent to its own merge, pushes nothing and opens the PR.
      const message = error instanceof Error ? error.message : String(error)
      throw new Error(`${message.replace(/\.?\s*$/, '.')} The sync branch ${req.syncBranch} is in place; the next run opens the pull request for it.`, { cause: error })
    }
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
  log: Log
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
