/**
 * `channel: branch`: follow an upstream branch (usually its main) instead of releases, for forks that track it (the
 * common `git merge upstream/main` into an update branch). One PR, from `<branch-prefix><branch>`, refreshed whenever
 * upstream's head moved; a PR closed without merging skips the head it was made from, until upstream moves on.
 *
 * Cost of a run with nothing new: the branch head (one request) and one compare.
 */
import type { Candidate, ReleaseDecision, ReleaseQueries, SyncPull } from './decision.js'
import { unversioned } from './version.js'

export interface BranchQueries<P extends SyncPull> extends Pick<ReleaseQueries<P>, 'targetContains' | 'findSyncPulls'> {
  /** The commit upstream's `branch` points at. */
  branchHead(branch: string): Promise<string>
}

export interface ChooseBranchOptions<P extends SyncPull> {
  /** The upstream branch followed. */
  branch: string
  /** `owner/name` of the upstream, for messages. */
  upstream: string
  /** The upstream commit a sync PR was made from (the PR body's sync marker), undefined when unknown. */
  madeFrom(pull: P): string | undefined
}

/** The head of the branch, as the candidate the rest of the run syncs (its name in place of a tag, no version). */
function headCandidate(branch: string, head: string): Candidate {
  return { tag: branch, sha: head, type: 'commit', version: unversioned(branch) }
}

export async function chooseBranch<P extends SyncPull>(deps: BranchQueries<P>, opts: ChooseBranchOptions<P>): Promise<ReleaseDecision<P>> {
  const { branch } = opts
  const head = await deps.branchHead(branch)
  const where = `${opts.upstream} ${branch} at ${head.slice(0, 7)}`
  const base = { passedOver: [], explicit: false }
  if (await deps.targetContains(head)) return { kind: 'up-to-date', ...base, reason: `the target branch already contains ${where}` }
  const candidate = headCandidate(branch, head)
  const pulls = await deps.findSyncPulls(branch)
  const openPull = pulls.find((pull) => pull.state === 'open')
  if (openPull) return { kind: 'sync', candidate, commitSha: head, openPull, ...base, reason: `${where} is not in the target branch; its sync PR #${openPull.number} is open and will be updated` }
  const declined = pulls.find((pull) => pull.state === 'closed' && !pull.merged)
  if (declined && opts.madeFrom(declined) === head) {
    return {
      kind: 'skipped',
      candidate,
      commitSha: head,
      skippedPull: declined,
      skippedPullUrl: declined.url,
      ...base,
      reason: `sync PR #${declined.number} for ${where} was closed without merging (${declined.url}): skipped until upstream's ${branch} moves on`
    }
  }
  return { kind: 'sync', candidate, commitSha: head, ...base, reason: `${where} is not in the target branch` }
}

/** The PR title for a branch sync: the short commit and how many upstream commits it brings. */
export function branchTitle(upstream: string, branch: string, head: string, newCommits: number): string {
  return `Upstream sync: ${upstream} ${branch} @ ${head.slice(0, 7)} (${newCommits} new commit${newCommits === 1 ? '' : 's'})`
}
