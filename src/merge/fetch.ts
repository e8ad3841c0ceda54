/**
 * What the merge needs, fetched into the action's own bare repository, in five requests (four in a dry run), none of
 * them a thin pack:
 * - the fork's target branch (and the sync branch, if it exists) with `--filter=tree:0`: commits only. A fork of a
 *   big project has tens of thousands of commits, and their trees are most of what a blob-less clone transfers
 *   (measured on a 30,000-commit fork: 25 MB of trees against 6.8 MB of commits), yet a merge reads the trees of a
 *   handful of commits;
 * - the upstream tag alone (no other tags, no branches), commits only. The fork's history already holds the older
 *   upstream commits, so negotiation leaves only the commits since the last sync to transfer;
 * - from the fork, by id: the trees of the target, the sync branch and the boundary commits where the new upstream
 *   history meets the fork's (the merge base among them), each with its subtrees, no blobs;
 * - from upstream, by id: the new commits' trees, then, when the push will send upstream's new history, their new
 *   blobs (a partial repository would otherwise fetch them back while packing) and in the same request the merge
 *   base's versions of the files upstream modified, which the push's thin pack deltas against (they arrive while
 *   the merge runs: `pushObjects`, awaited before the push).
 * A fork in the upstream's fork network (GitHub keeps a network's objects in one store; the run's compare found the
 * tag's commit on the fork's server: `tagCommitOnFork`) needs only the fork: the tag's commit rides along with the
 * branches (by id); the merge's three root trees (`mergeTrees`, ids from the API) and the content merge's blobs
 * arrive while those commits do (prefetchByTreeIds), and the boundary request asks only for what that missed. Its
 * push negotiates, finds the tag's commit on the server and sends only the merge's own objects. If the fork will not
 * serve the commit by id, the run falls back to upstream as above.
 * Both remotes are promisor remotes (git/partial-clone.ts), so any other object the merge reads is fetched on demand
 * from whichever remote has it. Before the merge, the blobs of paths both sides changed are fetched explicitly, each
 * from the side that has it (prefetchContentMergeBlobs): git's own batched lazy fetch asks one remote for the whole
 * batch and fails when no single remote has all of it. The walk for the fork's earlier syncs (last-time.ts) starts
 * as soon as the commits are in, and runs while the trees and blobs arrive.
 */
import { UserError } from '../errors.js'
import type { Git } from '../git/git.js'
import type { RawChange } from '../git/parse.js'
import { configurePartialClone, fetchObjectsOrFail, fetchTargetAndSyncBranch, FORK_REMOTE, requireValidRef, UPSTREAM_REMOTE } from '../git/partial-clone.js'
import type { Log } from '../runner.js'
import { historyLookup, type HistoryLookup } from './last-time.js'

/** Objects and bytes a fetch added to the repository (`git count-objects`, loose + packed). */
export interface TransferStats {
  objects: number
  kib: number
  ms: number
}

export interface PrepareOptions {
  /** Fetch URL of the fork (the repository the action runs for). */
  forkUrl: string
  upstreamUrl: string
  /** The fork's branch the tag is merged into (a branch name, not a full ref). */
  targetBranch: string
  /** The upstream tag to merge (a tag name, not a full ref). */
  tag: string
  /**
   * The upstream ref to fetch as `refs/tags/<tag>` (full), when it is not that tag: `refs/heads/main` for
   * `channel: branch`, so everything after the fetch reads the branch head like a tag.
   */
  upstreamRef?: string
  /** The sync branch's name (e.g. `upstream-sync/v1.2.3`); fetched when it exists. */
  syncBranch: string
  /**
   * True when the push will send the tag's new upstream commits (the fork's server lacks them): they are fetched
   * with their blobs, so the push has them. False for a dry run (no push) and for a fork whose server has the tag's
   * commit (its fork network): everything is fetched without blobs.
   */
  pushSendsUpstreamHistory: boolean
  /**
   * The tag's commit, when a compare showed the fork's server has it (a fork in the upstream's network, whose objects
   * GitHub keeps in one store): its commits then come in the fork's request, and every tree and blob from the fork.
   */
  tagCommitOnFork?: string
  /**
   * With `tagCommitOnFork`: the root trees the merge reads (target, merge base, tag; GitHubApi.mergeTreesOnFork),
   * known before any commit arrives. They and the blobs a content merge reads are fetched while the fork's commits
   * arrive (prefetchByTreeIds).
   */
  mergeTrees?: Promise<string[] | undefined>
  log: Log
}

export interface PreparedRepository {
  targetSha: string
  /** The tag's commit (annotated tags are peeled). */
  tagSha: string
  /** The sync branch's head in the fork, or undefined when the branch does not exist. */
  syncBranchSha?: string
  /** True when the fork served the tag's commits (tagCommitOnFork): it has every object the merge reads. */
  upstreamOnFork: boolean
  /**
   * True when the merge's trees and the content merge's blobs arrived with the commits (the early prefetch, from the
   * compare's merge base): the merge need not fetch before merge-tree (should git's merge base differ, merge-tree
   * fetches what it misses itself).
   */
  blobsPrefetched: boolean
  /** What the fork did in its earlier syncs, for the conflicts the merge meets (its walk already started). */
  history: HistoryLookup
  /**
   * What each fetch added: measured only with debug logging on (it costs two processes per fetch). `trees` is absent
   * when their check ran beside the merge (it logs its own figures).
   */
  transfer?: { fork: TransferStats; trees?: TransferStats; upstream: TransferStats }
  /**
   * What the push will send and this repository lacks, still arriving while the merge runs: upstream's new blobs and
   * the old versions the push's thin pack deltas against (see pushSendsUpstreamHistory). Await it before pushing; it
   * rejects when that fetch failed. Resolves at once to zero when nothing is needed.
   */
  pushObjects: Promise<TransferStats>
}

/**
 * Runs `work` and, with debug logging on, measures what it added to the repository. Fetched objects arrive as packs
 * (fetch.unpackLimit=1); objects git writes itself are loose, so the two counts tell fetched from written.
 */
export async function measured(git: Git, log: Log, work: () => Promise<unknown>): Promise<TransferStats & { loose: number }> {
  const before = log.isDebug() ? await git.objectStats() : undefined
  const started = Date.now()
  await work()
  const ms = Date.now() - started
  if (!before) return { objects: 0, kib: 0, loose: 0, ms }
  const after = await git.objectStats()
  return { objects: after.packed - before.packed + (after.loose - before.loose), kib: after.kib - before.kib, loose: after.loose - before.loose, ms }
}

function sum(...stats: TransferStats[]): TransferStats {
  return { objects: stats.reduce((n, s) => n + s.objects, 0), kib: stats.reduce((n, s) => n + s.kib, 0), ms: stats.reduce((n, s) => n + s.ms, 0) }
}

const transferOf = ({ objects, kib, ms }: TransferStats): TransferStats => ({ objects, kib, ms })

/**
 * The fork's history arrives as commits only (`tree:0`). The trees the rest of the run reads are those of `known`
 * (the target and the sync branch) and of the boundary commits where `tip`'s new history meets them (the merge
 * base among them): the merge reads the base's and the target's, the change summary diffs them, and marking what
 * the push need not send walks the boundary's. They are asked for by id in one request; each comes with all its
 * subtrees (lazy fetches use `blob:none`), and the pack shares the subtrees they have in common.
 */
async function fetchBoundaryTrees(git: Git, tip: string, known: readonly string[], withTip: boolean, log: Log): Promise<void> {
  const boundary = await git.boundaryCommits(tip, known)
  // No presence check first: on git before 2.44 looking an object up in a partial clone fetches it if missing, one
  // by one. Trees an earlier fetch by id brought (the early prefetch) are left out without one.
  const trees = git.notFetchedYet(await git.treesOf([...new Set([...known, ...boundary, ...(withTip ? [tip] : [])])]))
  log.debug(`asking the fork for ${trees.length} trees (of the target, the sync branch, ${boundary.length} boundary commit(s)${withTip ? ', the tag' : ''}; not those already here)`)
  await fetchObjectsOrFail(git, FORK_REMOTE, trees)
}

/**
 * Creates what the merge needs in `git` (an empty bare repository made with `Git.init`, under RUNNER_TEMP): the
 * fork's target branch and sync branch as `refs/remotes/origin/*` and the upstream tag as `refs/tags/<tag>`.
 */
export async function prepareRepository(git: Git, options: PrepareOptions): Promise<PreparedRepository> {
  const { log } = options
  // Awaited by the early prefetch below; a run that fails before then must not end on an unhandled rejection.
  options.mergeTrees?.catch(() => undefined)
  const tagRef = `refs/tags/${options.tag}`
  requireValidRef(`refs/heads/${options.targetBranch}`, 'target branch')
  requireValidRef(`refs/heads/${options.syncBranch}`, 'sync branch')
  requireValidRef(tagRef, 'tag', 'upstream')
  await configurePartialClone(git, options.forkUrl, options.upstreamUrl)
  // Starts before the commits fetch and runs beside it; a failure only loses the head start.
  const early = options.tagCommitOnFork && options.mergeTrees ? prefetchByTreeIds(git, options.mergeTrees, log) : Promise.resolve(false)

  // One fetch of both branches, commits only (fetchTargetAndSyncBranch: no listing first), and from a fork in the
  // upstream's network the tag's commit by id in the same request.
  let heads: { target?: string; sync?: string } = {}
  let upstreamOnFork = options.tagCommitOnFork !== undefined
  const fork = await measured(git, log, async () => {
    const branches = { target: options.targetBranch, sync: options.syncBranch }
    try {
      heads = await fetchTargetAndSyncBranch(git, options.forkUrl, branches, options.tagCommitOnFork ? [`+${options.tagCommitOnFork}:${tagRef}`] : [])
    } catch (error) {
      if (!options.tagCommitOnFork) throw error
      // A server that will not serve the commit by id (not GitHub's network store after all): upstream serves it.
      log.debug(`the fork did not serve the tag's commit ${options.tagCommitOnFork} (${(error as Error).message.split('\n')[0]}); fetching it from upstream`)
      upstreamOnFork = false
      heads = await fetchTargetAndSyncBranch(git, options.forkUrl, branches)
    }
  })
  const targetSha = heads.target
  if (!targetSha) {
    throw new UserError(
      'input',
      `target branch ${JSON.stringify(options.targetBranch)} does not exist in the fork (${options.forkUrl}); set target-branch to an existing branch`
    )
  }
  const syncBranchSha = heads.sync
  log.debug(`fetch fork ${options.targetBranch}${syncBranchSha ? ` + ${options.syncBranch}` : ''} (commits only): ${fork.objects} objects, ${fork.kib} KiB, ${fork.ms} ms`)

  // Upstream (unless the fork served the tag above) in three requests, none of which can be a thin pack (whose deltas
  // would lean on trees this repository does not have, which git would then fetch back one hierarchy at a time): the
  // tag's new commits; after the fork's boundary trees, the new commits' trees by id; for a run that will push, their
  // new blobs by id.
  let tagSha: string | undefined
  const tagFetch = await measured(git, log, async () => {
    if (!upstreamOnFork && (await git.fetchRefs(UPSTREAM_REMOTE, [`+${options.upstreamRef ?? tagRef}:${tagRef}`], { filter: 'tree:0', missingOk: true })) === 'missing-ref') {
      throw new UserError('upstream', `${options.upstreamRef ? 'branch' : 'tag'} ${JSON.stringify(options.tag)} does not exist in the upstream repository (${options.upstreamUrl})`)
    }
    // The fork served the commit the API named (a commit: the API peeled the tag) under the tag's name.
    tagSha = upstreamOnFork && options.tagCommitOnFork ? options.tagCommitOnFork : await git.revParse(`${tagRef}^{commit}`)
  })
  if (!tagSha) throw new UserError('upstream', `tag ${JSON.stringify(options.tag)} does not point at a commit`)
  const tagCommit = tagSha
  // Finding the fork's earlier syncs reads commits only: that walk runs while the trees and blobs arrive.
  const history = historyLookup(git, { targetSha, tagSha: tagCommit, log })
  const known = [targetSha, ...(syncBranchSha ? [syncBranchSha] : [])]
  // From a fork that has upstream's objects, the tag's own tree comes in the same request: the merge reads it, and
  // nothing reads the trees of the commits in between (the push finds them on the server). Usually the early
  // prefetch has brought them all, and git asks for none again: then the check runs beside the merge (which reads
  // the trees the early prefetch brought) and only the push waits for it, as for pushObjects.
  const besideMerge = upstreamOnFork && (await early)
  const boundaryTrees = measured(git, log, () => fetchBoundaryTrees(git, tagCommit, known, upstreamOnFork, log)).then((stats) => {
    log.debug(`fetch the trees the merge reads: ${stats.objects} objects, ${stats.kib} KiB, ${stats.ms} ms`)
    return stats
  })
  boundaryTrees.catch(() => undefined)
  const trees = besideMerge ? undefined : await boundaryTrees

  // With the boundary trees present, what is still missing of the new commits is their own trees.
  const treeFetch = upstreamOnFork ? sum() : await measured(git, log, async () => fetchObjectsOrFail(git, UPSTREAM_REMOTE, await git.missingObjects(tagCommit, known)))
  const upstream = sum(tagFetch, treeFetch)
  if (!upstreamOnFork) log.debug(`fetch upstream ${options.tag} (commits and trees): ${upstream.objects} objects, ${upstream.kib} KiB, ${upstream.ms} ms`)
  const pushObjects = boundaryTrees.then(() => (options.pushSendsUpstreamHistory ? fetchPushObjects(git, targetSha, tagCommit, known, log) : sum()))
  // Awaited before the push; a run that fails before then must not end on an unhandled rejection.
  pushObjects.catch(() => undefined)
  return {
    targetSha,
    tagSha: tagCommit,
    ...(syncBranchSha ? { syncBranchSha } : {}),
    upstreamOnFork,
    blobsPrefetched: besideMerge,
    history,
    ...(log.isDebug() ? { transfer: { fork: transferOf(fork), ...(trees ? { trees: transferOf(trees) } : {}), upstream } } : {}),
    pushObjects
  }
}

/**
 * For a push that will send upstream's new history (a fork whose server lacks it), the blobs of the new commits and
 * the versions the push's thin pack deltas against (pushBases), in one request to upstream, which has the bases too
 * (the merge base is in its history). In one pack the new versions travel as deltas against the old ones (measured
 * on the benchmark: 10.0 MB instead of 14.9 MB from two servers at once, in 1.2 s instead of 1.45 s). It runs while
 * the merge does: the merge reads trees and the few blobs it prefetches itself. With debug logging on, the figures
 * may include the merge's own prefetches, which land meanwhile.
 */
async function fetchPushObjects(git: Git, targetSha: string, tagSha: string, known: readonly string[], log: Log): Promise<TransferStats> {
  let blobCount = 0
  let baseCount = 0
  const stats = await measured(git, log, async () => {
    const [missing, bases] = await Promise.all([git.missingObjects(tagSha, known), pushBases(git, targetSha, tagSha)])
    blobCount = missing.length
    // Nothing missing: the sync branch already holds the tag, so no push will send upstream's objects.
    if (missing.length === 0) return
    baseCount = bases.length
    await fetchObjectsOrFail(git, UPSTREAM_REMOTE, [...new Set([...missing, ...bases])])
  })
  log.debug(`fetch for the push: the ${blobCount} blobs of upstream's new commits and ${baseCount} older versions as delta bases: ${stats.objects} objects, ${stats.kib} KiB, ${stats.ms} ms`)
  return transferOf(stats)
}

/**
 * For a fork whose server has the tag: the merge's root trees (ids from the API, each with its subtrees), then the
 * blobs of the paths both sides changed since the merge base, all from the fork and while the fork's commits arrive.
 * After the commits only `merge-tree` (and the walk for earlier syncs) is left, instead of two more round trips
 * first. Best effort: git's merge base can differ from the compare's (several merge bases), and what this misses the
 * regular tree request and the merge's own prefetch fetch (Git.fetchObjects leaves out what this brought).
 */
async function prefetchByTreeIds(git: Git, mergeTrees: Promise<string[] | undefined>, log: Log): Promise<boolean> {
  try {
    const [target, base, tag] = (await mergeTrees) ?? []
    if (!target || !base || !tag) return false
    const stats = await measured(git, log, async () => {
      await fetchObjectsOrFail(git, FORK_REMOTE, [target, base, tag])
      const [forkChanges, upstreamChanges] = await Promise.all([git.diffTree(base, target, 'none'), git.diffTree(base, tag, 'exact')])
      await prefetchContentMergeBlobs(git, forkChanges, upstreamChanges, log, true)
    })
    log.debug(`fetch the merge's trees and blobs while the commits arrive: ${stats.objects} objects, ${stats.kib} KiB, ${stats.ms} ms`)
    return true
  } catch (error) {
    log.debug(`the early fetch of the merge's trees failed; the regular requests get them: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
    return false
  }
}

/** Runs `work` (the merge) while the push's objects arrive; settles once both have, failing with the first error. */
export async function whilePushObjectsArrive<T>(prepared: Pick<PreparedRepository, 'pushObjects'>, work: () => Promise<T>): Promise<T> {
  const [result, arrived] = await Promise.allSettled([work(), prepared.pushObjects])
  if (result.status === 'rejected') throw result.reason
  if (arrived.status === 'rejected') throw arrived.reason
  return result.value
}

/**
 * Over HTTP git pushes a thin pack, whose deltas lean on the fork's versions of the files upstream changed; a
 * partial repository lacks them, so the push would first download them, one more round trip before the upload.
 * They are the merge base's versions of the paths upstream modified.
 */
async function pushBases(git: Git, targetSha: string, tagSha: string): Promise<string[]> {
  const base = await git.mergeBase(targetSha, tagSha)
  if (!base) return []
  const modified = (await git.diffTree(base, tagSha, 'none')).filter((change) => change.status === 'M' && isBlobMode(change.srcMode))
  return [...new Set(modified.map((change) => change.srcOid))]
}

function isBlobMode(mode: string): boolean {
  return mode !== '000000' && mode !== '160000' && mode !== '040000'
}

/** Best-effort prefetch: on failure the merge's own lazy fetch still gets the blobs, one remote at a time. */
async function prefetch(git: Git, remote: string, oids: readonly string[], log: Log): Promise<void> {
  if (oids.length === 0) return
  // All brought by an earlier fetch by id (the early prefetch): no request, and no figures to measure.
  if (git.notFetchedYet(oids).length === 0) return log.debug(`prefetch ${oids.length} blobs from ${remote}: all here already`)
  let failure: string | undefined
  const stats = await measured(git, log, async () => {
    const result = await git.fetchObjects(remote, oids)
    if (result && result.exitCode !== 0) failure = result.stderr.trim()
  })
  if (failure !== undefined) log.debug(`prefetch of ${oids.length} blobs from ${remote} failed, leaving it to lazy fetch: ${failure}`)
  else log.debug(`prefetch ${oids.length} blobs from ${remote}: ${stats.objects} objects, ${stats.kib} KiB, ${stats.ms} ms`)
}

/** The rebranded merge's blob prefetch (rebrand-merge.ts `fetchBlobs`): `oids` from one side's remote, in one request. */
export function prefetchBlobs(git: Git, oids: readonly string[], side: 'upstream' | 'fork', log: Log): Promise<void> {
  return prefetch(git, side === 'upstream' ? UPSTREAM_REMOTE : FORK_REMOTE, oids, log)
}

/**
 * Gets the blobs a three-way content merge will read, each from the remote that has it: the merge base's and the
 * fork's versions from the fork, the tag's versions from upstream (already local when the tag was fetched with
 * blobs). Only paths both sides changed need a content merge.
 */
export async function prefetchContentMergeBlobs(git: Git, forkChanges: RawChange[], upstreamChanges: RawChange[], log: Log, upstreamOnFork = false): Promise<void> {
  const ours = new Map(forkChanges.map((change) => [change.path, change]))
  const fromFork = new Set<string>()
  const fromUpstream = new Set<string>()
  for (const theirs of upstreamChanges) {
    if (theirs.status === 'R') continue // exact renames: identical content, nothing to merge at this path
    const mine = ours.get(theirs.path)
    if (!mine || mine.dstOid === theirs.dstOid) continue
    if (isBlobMode(theirs.srcMode)) fromFork.add(theirs.srcOid)
    if (isBlobMode(mine.dstMode)) fromFork.add(mine.dstOid)
    if (isBlobMode(theirs.dstMode)) fromUpstream.add(theirs.dstOid)
  }
  // A fork with upstream's objects serves all of them in one request; otherwise two servers, asked at once.
  if (upstreamOnFork) return prefetch(git, FORK_REMOTE, [...new Set([...fromFork, ...fromUpstream])], log)
  await Promise.all([prefetch(git, UPSTREAM_REMOTE, [...fromUpstream], log), prefetch(git, FORK_REMOTE, [...fromFork], log)])
}
