/**
 * The sync branch in the fork: pushed only as a compare-and-swap on the head the run last saw, re-read and decided
 * again after a lost race, never overwritten when someone else's commit is on it.
 */
import { UserError } from '../errors.js'
import type { Git } from '../git/git.js'
import { fetchBranches, requireValidRef } from '../git/partial-clone.js'
import { GitError } from '../git/process.js'
import type { Log } from '../runner.js'
import type { MergeHead } from '../types.js'
import { classifySyncBranch } from './ownership.js'

export interface PushOptions {
  /** URL of the fork (authenticated through Git.configureAuth). */
  remoteUrl: string
  /** Branch name, not a full ref. */
  branch: string
  /** The commit the branch must point at. */
  sha: string
  /** The branch's head when the run read it, or null when it did not exist: the push succeeds only if it still is. */
  expectedOldSha: string | null
  /** `push.negotiate` (default true); see pushSyncBranch. */
  negotiate?: boolean
}

export interface PushResult {
  status: 'pushed' | 'unchanged' | 'rejected-stale'
  /** git's stderr, for the log. */
  stderr?: string
}

/** Rejections that mean "the branch moved since it was read": the caller re-reads the branch and decides again. */
const STALE_REASONS = /stale info|non-fast-forward|fetch first|already exists|cannot lock ref|incorrect old value|but expected|failed to lock/i

/**
 * Points the fork's `branch` at `sha`, but only if the branch is still where the run last saw it
 * (`--force-with-lease` with an explicit expected value, or "must not exist" for a new branch), so a concurrent
 * run's push or a maintainer's commit pushed in between is never overwritten. `push.negotiate` lets git find commits
 * the fork's server has but does not advertise as its refs (above all the tag's commit when the fork is in the
 * upstream's fork network, whose objects GitHub stores once), so only what the fork lacks is sent. Without it
 * (`negotiate: false`, for a fork a compare showed to lack the tag's commit: a private duplicate) git trusts the
 * server's advertised refs, saving the rounds: one HTTP request each, walking the tag's new commits, none found.
 *
 * A thin pack would delta new blobs against the fork's old versions, which this partial repository lacks, so git
 * would first download them (measured: 1,985 blobs for a release changing 2,000 files): hence `--no-thin`. Git
 * honours it over ssh and file://, but its HTTP transport always pushes thin packs: there the old versions of the
 * changed files are downloaded in one batch (4.5 MB on the 30,000-commit benchmark, where the thin pack halves the
 * upload).
 *
 * Returns `rejected-stale` when the lease or the server's ref update says the branch moved; throws a GitError with
 * git's message intact for anything else (authentication, permissions, a server-side refusal such as GitHub's
 * "refusing to allow a GitHub App to create or update workflow ... without `workflows` permission").
 */
export async function pushSyncBranch(git: Pick<Git, 'push'>, options: PushOptions): Promise<PushResult> {
  const ref = `refs/heads/${options.branch}`
  requireValidRef(ref, 'sync branch')
  const result = await git.push({ remote: options.remoteUrl, ref, sha: options.sha, expectedOldSha: options.expectedOldSha, thin: false, negotiate: options.negotiate ?? true })
  const flag = result.ref?.flag
  const summary = result.ref?.summary ?? ''
  const stderr = result.stderr.trim()

  if (result.exitCode === 0 && flag === '=') return { status: 'unchanged', ...(stderr ? { stderr } : {}) }
  if (result.exitCode === 0 && (flag === ' ' || flag === '+' || flag === '*')) return { status: 'pushed', ...(stderr ? { stderr } : {}) }
  if (flag === '!' && STALE_REASONS.test(summary)) return { status: 'rejected-stale', stderr: [summary, stderr].filter(Boolean).join('\n') }
  // Keep git's words: the ref's status line (which carries a server's refusal reason) first, then stderr (which
  // carries the server's "remote:" lines and connection or authentication errors).
  const details = [summary, stderr].filter(Boolean).join('\n')
  throw new GitError(['push', options.remoteUrl], result.exitCode === 0 ? 1 : result.exitCode, details, result.stdout)
}

export interface BranchRequest {
  git: Git
  log: Log
  forkUrl: string
  syncBranch: string
  tag: string
  /** The merge's head and sides: all the branch needs, known (without auto-resolve) before the rest of the merge. */
  merge: MergeHead
  /** The sync branch's commit when the run started (undefined: no branch yet). */
  branchSha?: string
  /**
   * Upstream commits the sync branch may stand on as the action's own work besides the tag's current commit: the
   * commit the open PR recorded, so a tag upstream re-cut onto another commit still counts as ours and gets refreshed.
   */
  upstreamShas?: readonly string[]
  /** Let the push negotiate (see pushSyncBranch); false when compare showed the fork's server lacks the tag's commit. */
  negotiate?: boolean
}

/** A concurrent run's merge of the same target and tag commits is as good as ours: keep it rather than churn. */
export async function isEquivalentMerge(git: Pick<Git, 'commits'>, branchSha: string, merge: MergeHead): Promise<boolean> {
  if (merge.status === 'conflicts') return branchSha === merge.tagSha
  const commits = await git.commits([branchSha, merge.headSha])
  const branch = commits.find((commit) => commit.sha === branchSha)
  const ours = commits.find((commit) => commit.sha === merge.headSha)
  const parents = branch?.parents ?? []
  if (parents.length !== 2 || parents[0] !== merge.targetSha || parents[1] !== merge.tagSha) return false
  return branch?.tree === ours?.tree
}

/** Result of bringing the sync branch to the merge result. */
export type BranchState = { kind: 'ready'; pushed: boolean } | { kind: 'human'; sha: string }

const MAX_BRANCH_ATTEMPTS = 3

/**
 * Points the sync branch at the merge result unless a human owns it. Retries on a lost race: re-reads the branch,
 * accepts an equivalent result pushed by a concurrent run, and never overwrites a commit it did not make.
 */
export async function updateSyncBranch(req: BranchRequest): Promise<BranchState> {
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
      if (await isEquivalentMerge(req.git, current, req.merge)) return { kind: 'ready', pushed: false }
    }
    const push = await pushOrRecheck(req, current)
    if (push.status !== 'rejected-stale') return { kind: 'ready', pushed: push.status === 'pushed' }
    req.log.info(`The sync branch ${req.syncBranch} changed while this run worked (a concurrent run or a push); reading it again.`)
    current = 'head' in push ? push.head : (await fetchBranches(req.git, req.forkUrl, [req.syncBranch]))[req.syncBranch]
  }
  throw new UserError(
    'conflict',
    `The sync branch ${req.syncBranch} kept changing under this run (${MAX_BRANCH_ATTEMPTS} attempts); another run is probably updating it. Nothing was overwritten; the next run will pick it up.`
  )
}

/**
 * Pushes the merge result with a lease on `current`. A refused push is not always worded as a lost race: when a
 * concurrent run creates the branch between our read and our push, the server's own ref lock fails ("failed to
 * update ref", "cannot lock ref ... reference already exists"). So on any push error the branch is read again: if it
 * moved, it was a race (the caller decides again from the new head); if not, the error is real and is explained.
 */
async function pushOrRecheck(req: BranchRequest, current: string | undefined): Promise<PushResult | { status: 'rejected-stale'; head: string | undefined }> {
  try {
    return await pushSyncBranch(req.git, { remoteUrl: req.forkUrl, branch: req.syncBranch, sha: req.merge.headSha, expectedOldSha: current ?? null, negotiate: req.negotiate ?? true })
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
 * Turns a refused push into a message that says what to change (a UserError of kind `permission`). GitHub's
 * refusals arrive as git output, not API errors, so they are recognised in git's stderr: the workflow-file rule
 * (which no `permissions:` can lift for GITHUB_TOKEN), a token without `contents: write`, a rejected token, and
 * branch protection on the sync branches. Anything else is returned as it is.
 */
export function explainPushError(error: unknown, req: Pick<BranchRequest, 'syncBranch' | 'tag'>): Error {
  if (!(error instanceof GitError)) return error instanceof Error ? error : new Error(String(error))
  const text = `${error.stderr}\n${error.stdout}`
  const where = `Could not push the sync branch ${req.syncBranch}`
  const refused = (message: string): UserError => new UserError('permission', message, undefined, { cause: error })
  const workflow = /refusing to allow an? (.+?) to create or update workflow `([^`]+)`[^)\n]*/i.exec(text)
  if (workflow) {
    return refused(
      `${where}: upstream ${req.tag} changes the workflow file ${workflow[2]}, and GitHub refuses workflow changes from this token (${workflow[1]}). ` +
        "A workflow's GITHUB_TOKEN can never push changes under .github/workflows/, whatever its permissions. " +
        "Pass another token as 'github-token': a GitHub App token with the 'Workflows: read and write' permission, or a fine-grained PAT with 'Workflows: read and write' (a classic PAT needs the 'workflow' scope). " +
        `Nothing was pushed. GitHub said: ${workflow[0]}`
    )
  }
  if (/GH006|GH013|protected branch|repository rule violations/i.test(text)) {
    return refused(
      `${where}: a branch protection rule or ruleset of the fork covers it. Exempt the sync branches (the 'branch-prefix' pattern) from the rule, or let the token's actor bypass it. ` +
        `Nothing was pushed. GitHub said: ${gitReason(text, /GH006|GH013|protected branch|rule violations/i)}`
    )
  }
  if (/\b403\b|Permission to .* denied|permission denied/i.test(text)) {
    return refused(
      `${where}: the token may not push to this repository (HTTP 403). It needs the 'contents: write' permission: add it under \`permissions:\` in the workflow (the example workflow uses contents: write and pull-requests: write), or grant it to the PAT/App. ` +
        `GitHub said: ${gitReason(text, /403|denied/i)}`
    )
  }
  if (/\b401\b|Authentication failed|could not read Username|Invalid username or password/i.test(text)) {
    return refused(`${where}: GitHub rejected the token for git (authentication failed). Check the 'github-token' input: the secret may be expired, revoked or empty.`)
  }
  return error
}
