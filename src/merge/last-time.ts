/**
 * What the fork did last time, for the run: the fork's earlier syncs (history.ts) looked up in the run's partial
 * repository. The fork's history arrives as commits only (`--filter=tree:0`, fetch.ts), so before each round of
 * lastResolutions the trees it reads are fetched by id from the fork, in ONE batched request per round (the fork has
 * every commit of its earlier syncs, upstream's included). Trees only: no blob is ever fetched for this.
 *
 * The lookup is guidance, not the merge: when it fails (a fetch refused, a history git cannot walk), the run warns
 * and goes on without it, and nothing is left to a person on its account.
 */
import type { Git } from '../git/git.js'
import { fetchObjectsOrFail, FORK_REMOTE } from '../git/partial-clone.js'
import type { Log } from '../runner.js'
import type { LastTime } from '../types.js'
import { findEarlierSyncs, lastResolutions } from './history.js'

/** At most this many earlier syncs are looked at (newest first). */
export const HISTORY_LIMIT = 10

/** For each of `paths`, what the fork's most recent earlier sync that changed it on both sides kept. */
export type HistoryLookup = (paths: readonly string[]) => Promise<Map<string, LastTime>>

/** One fetch of the trees (with their subtrees, no blobs) of `commits`; ids already present are skipped by git. */
export async function ensureTrees(git: Git, commits: readonly string[]): Promise<void> {
  if (commits.length === 0) return
  await fetchObjectsOrFail(git, FORK_REMOTE, await git.treesOf(commits))
}

/** The lookup for a merge of `tagSha` into `targetSha`; it starts walking the history at once. */
export function historyLookup(git: Git, options: { targetSha: string; tagSha: string; log: Log }): HistoryLookup {
  const { log } = options
  // The walk starts now, so it runs while the run fetches trees and blobs; a failure surfaces in the lookup.
  const earlier = findEarlierSyncs(git.process, { target: options.targetSha, upstreamTip: options.tagSha, limit: HISTORY_LIMIT, log })
  earlier.catch(() => undefined)
  return async (paths) => {
    const answers = new Map<string, LastTime>()
    if (paths.length === 0) return answers
    try {
      const syncs = await earlier
      if (syncs.length === 0) return answers
      const found = await lastResolutions(git.process, syncs, paths, { ensureTrees: (commits) => ensureTrees(git, commits), log })
      for (const [path, { sync, kept }] of found) {
        answers.set(path, { kept, merge: sync.merge, date: sync.date, ...(sync.pullRequest !== undefined ? { pullRequest: sync.pullRequest } : {}) })
      }
    } catch (error) {
      log.warning(`Could not read what the fork did in its earlier syncs (the conflict table shows no history this time): ${error instanceof Error ? error.message : String(error)}`)
      answers.clear()
    }
    return answers
  }
}
