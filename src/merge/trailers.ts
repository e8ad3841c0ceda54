/**
 * The trailers this action writes into every merge commit it makes: how publish/ownership.ts tells the action's own
 * commits from a maintainer's.
 */
import type { Git } from '../git/git.js'

/** Trailer naming the upstream tag. */
export const SYNC_TAG_TRAILER = 'Upstream-Sync-Tag'
/**
 * Trailer holding the merge commit's own tree id. A commit whose tree no longer matches (a maintainer amended the
 * action's merge commit to resolve something) is no longer the action's, so it is never overwritten.
 */
export const SYNC_TREE_TRAILER = 'Upstream-Sync-Tree'

/** The merge commit's message (default `Merge upstream tag <tag>`) with the sync trailers (git's trailer rules place them). */
export function withSyncTrailers(git: Git, message: string | undefined, tag: string, tree: string): Promise<string> {
  const body = message === undefined || message.trim() === '' ? `Merge upstream tag ${tag}` : message
  return git.addTrailers(body, [
    [SYNC_TAG_TRAILER, tag],
    [SYNC_TREE_TRAILER, tree]
  ])
}
