/**
 * Superseding: open sync PRs for older tags are closed with a comment linking the new PR. They are found before the
 * new PR is written, so its body names them from the start (one write), and closed after it exists.
 */
import type { Git } from '../git/git.js'
import { fetchBranches } from '../git/partial-clone.js'
import type { GitHubApi, PullInfo } from '../github/api.js'
import type { Log } from '../runner.js'
import { classifySyncBranch } from './ownership.js'

export interface SupersedePlan {
  /** The sync branches' prefix: an open PR from `<prefix><tag>` into the target is a sync PR for `<tag>`. */
  branchPrefix: string
  /** Decides whether an open sync PR's tag (from its branch name) is older than the synced one. */
  isOlderTag: (tag: string) => boolean
}

/** Open sync PRs into `targetBranch` for tags older than the synced one (never the PR of `syncBranch` itself). */
export async function findOlderSyncPulls(api: Pick<GitHubApi, 'openSyncPulls'>, plan: SupersedePlan, targetBranch: string, syncBranch: string): Promise<PullInfo[]> {
  const open = await api.openSyncPulls(targetBranch, plan.branchPrefix)
  return open.filter((pull) => pull.headRef !== syncBranch && plan.isOlderTag(pull.headRef.slice(plan.branchPrefix.length)))
}

export interface CloseRequest {
  api: Pick<GitHubApi, 'comment' | 'updatePull' | 'deleteBranch'>
  git: Git
  log: Log
  forkUrl: string
  branchPrefix: string
  /** The PR just opened or updated. */
  newPull: PullInfo
}

/**
 * Closes `older` sync PRs with a comment linking the new PR. Their branches are deleted only when every commit on
 * them is the action's own; a branch with a maintainer's work stays, and the comment says so.
 */
export async function closeSuperseded(req: CloseRequest, older: readonly PullInfo[]): Promise<void> {
  if (older.length === 0) return
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
}
