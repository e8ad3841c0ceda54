/**
 * Whose is the sync branch? The action's own commits (upstream commits, merge commits carrying the sync trailers
 * with their own tree) may be moved or deleted; anything else is a human's and is left alone.
 */
import type { Git } from '../git/git.js'
import type { PullInfo } from '../github/api.js'
import { UPSTREAM_REMOTE } from '../git/partial-clone.js'
import { isValidRefName } from '../git/refname.js'
import { SYNC_TAG_TRAILER, SYNC_TREE_TRAILER } from '../merge/trailers.js'
import type { MergeResult } from '../types.js'

export interface ClassifyOptions {
  /** The sync branch's head in the fork (fetched into the repository, e.g. by fetchBranches). */
  branchSha: string
  /**
   * The tag the branch syncs. When `tagSha` is not given, the tag's current commit is read from the upstream remote
   * (`git ls-remote`, no objects transferred); a merge commit's `Upstream-Sync-Tag` trailer must name this tag.
   */
  tag?: string
  /** The upstream tag's commit, when known (it is for the tag being synced). */
  tagSha?: string
  /** The target branch's head: a branch head it already contains carries nothing of its own. */
  targetSha?: string
  /**
   * Other commits known to be upstream's, e.g. the commit a tag pointed at before upstream moved it: a merge of
   * that commit made by this action is still the action's own.
   */
  upstreamShas?: readonly string[]
}

/** The commit upstream's `tag` points at now (peeled), or undefined when the tag or the remote cannot be read. */
async function upstreamTagCommit(git: Git, tag: string): Promise<string | undefined> {
  const ref = `refs/tags/${tag}`
  if (!isValidRefName(ref)) return undefined
  try {
    const shas = await git.lsRemote(UPSTREAM_REMOTE, [ref, `${ref}^{}`])
    return shas.get(`${ref}^{}`) ?? shas.get(ref)
  } catch {
    return undefined
  }
}

/** The upstream commits a sync branch may legitimately point at or merge (and their ancestors). */
async function knownUpstreamCommits(git: Git, options: ClassifyOptions): Promise<string[]> {
  const known = [...(options.tagSha ? [options.tagSha] : []), ...(options.upstreamShas ?? [])]
  if (!options.tagSha && options.tag) {
    const current = await upstreamTagCommit(git, options.tag)
    if (current) known.push(current)
  }
  return known
}

async function isAncestorOfAny(git: Git, sha: string, known: readonly string[]): Promise<boolean> {
  if (known.includes(sha)) return true
  // A commit that is not in the repository (a tag read with ls-remote and never fetched) has no ancestors here.
  const present = await git.resolveCommits(known)
  for (const [i, candidate] of known.entries()) {
    if (present[i] && (await git.isAncestor(sha, candidate))) return true
  }
  return false
}

/**
 * True when `sha` is a merge commit this action wrote: two parents, the second one an upstream commit (one of
 * `upstream` or an ancestor), an `Upstream-Sync-Tag` trailer (naming `tag` when given), and an
 * `Upstream-Sync-Tree` trailer naming the commit's own tree, so a merge commit a maintainer amended is not the
 * action's any more.
 */
export async function isActionCommit(git: Git, sha: string, upstream: readonly string[], tag?: string): Promise<boolean> {
  const commit = await git.commitTrailers(sha, [SYNC_TAG_TRAILER, SYNC_TREE_TRAILER])
  if (commit.parents.length !== 2) return false
  const tags = commit.trailers[SYNC_TAG_TRAILER]
  if (tags.length === 0 || (tag !== undefined && !tags.includes(tag))) return false
  if (commit.trailers[SYNC_TREE_TRAILER].pop() !== commit.tree) return false
  return isAncestorOfAny(git, commit.parents[1] as string, upstream)
}

/**
 * Whose the sync branch's head is. `action` when moving or deleting the branch loses nothing a human made: the head
 * is an upstream commit (the tag or one of its ancestors), a merge commit this action wrote (isActionCommit), or a
 * commit the target branch already contains. Anything else (a maintainer's resolution, a merge of the target into
 * the branch, an amended merge commit, or a head that cannot be checked) is `human`: the caller leaves it alone.
 */
export async function classifySyncBranch(git: Git, options: ClassifyOptions): Promise<'action' | 'human'> {
  const { branchSha } = options
  const upstream = await knownUpstreamCommits(git, options)
  if (await isAncestorOfAny(git, branchSha, upstream)) return 'action'
  if (await isActionCommit(git, branchSha, upstream, options.tag)) return 'action'
  if (options.targetSha && (await git.isAncestor(branchSha, options.targetSha))) return 'action'
  return 'human'
}

/**
 * When the open PR's branch was made from another commit of the same tag, the tag was moved upstream: the refreshed
 * PR says so. `recordedCommit` is the upstream commit the PR's body recorded (the sync marker), the best witness.
 */
export async function tagMovedSince(
  git: Pick<Git, 'commits'>,
  branchSha: string | undefined,
  merge: Pick<MergeResult, 'tagSha' | 'targetSha'>,
  openPull: PullInfo | undefined,
  recordedCommit?: string
): Promise<{ oldSha: string; newSha: string } | undefined> {
  if (!openPull || !branchSha) return undefined
  if (recordedCommit) return recordedCommit === merge.tagSha ? undefined : { oldSha: recordedCommit, newSha: merge.tagSha }
  const [branch] = await git.commits([branchSha])
  const parents = branch?.parents ?? []
  const previousTagSha = parents.length === 2 ? parents[1] : branchSha
  if (!previousTagSha || previousTagSha === merge.tagSha) return undefined
  // Only an ancestor-unrelated upstream commit means the tag moved; a branch at the target means nothing.
  if (previousTagSha === merge.targetSha) return undefined
  return { oldSha: previousTagSha, newSha: merge.tagSha }
}
