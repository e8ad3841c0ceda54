/**
 * What the fork did last time: its earlier syncs with upstream, and for a path, what the merged result of the most
 * recent sync that changed it on both sides kept.
 *
 * An earlier sync is a merge commit on the target branch's first-parent history that brought in upstream commits the
 * target did not have yet, whatever made it:
 * - this action's flow: the sync branch's `Merge upstream tag vX` commit, merged into the target by a pull request
 *   (the pull request's merge commit is the sync; a fast-forward makes the action's merge commit the sync itself);
 * - a conflict flow: a sync branch made of upstream's tag commit plus a maintainer's or a bot's resolution commits
 *   (often a merge of the target into it), merged by a pull request;
 * - a hand-made `git merge <tag>` on the target, GitHub's "Sync fork" button (`Merge branch 'acme:main' into main`).
 * Feature-branch merges bring in no upstream commit, so they are not syncs. "Upstream commits" are the ancestors of
 * the upstream tips given (the tag being synced): a sync of an upstream commit that is not an ancestor of them (a
 * release branch upstream never merged back) is not seen.
 *
 * Limits: a squash-merged or rebase-merged sync pull request leaves no merge commit (its upstream commits are not
 * ancestors of the target) and cannot be found; a merge of unrelated histories has no merge base and is skipped.
 * The history is compared path by path: a path renamed since that sync is not followed.
 *
 * Cost: for findEarlierSyncs, one process to resolve the names and one to ask whether the fork's line has a merge at
 * all (without one it has no sync, and nothing more is read: a fork's first sync when it squash-merges its own
 * work), else one `rev-list --parents` of the whole graph and one `log --no-walk` of the syncs found. For
 * lastResolutions, one `diff-tree --stdin` per round, rounds of 1, 2, 4, … syncs until every path is answered (at most
 * 4 rounds for 10 syncs), each preceded by one `ensureTrees` call.
 */
import type { Log } from '../runner.js'
import { CommitGraph } from './commit-graph.js'
import { byPath, classifyKept, diffTrees, resolveCommits, type GitReader, type Kept } from './tree-diff.js'

/** One earlier sync of the fork with upstream. */
export interface EarlierSync {
  /** The merge commit on the target's first-parent history that brought upstream's commits in. */
  merge: string
  /** Its fork-side parent: the target branch as it was just before. */
  forkParent: string
  /**
   * The newest upstream commit it brought in: reachable from `merge`, not from `forkParent` (the tag's commit).
   * When it brought in two unrelated upstream heads, the one with the longest history.
   */
  upstream: string
  /** The best common ancestor of `forkParent` and `upstream` (of several, the one with the longest history). */
  mergeBase: string
  /** The merge commit's committer date, ISO 8601. */
  date: string
  /** The merge commit's subject line. */
  subject: string
  /** The pull request that merged it, when the subject names one (`Merge pull request #N from …`). */
  pullRequest?: number
}

export interface FindSyncsOptions {
  /** The fork's target branch (a commit id or a name git resolves). */
  target: string
  /** Upstream's tip(s) whose ancestors are upstream's commits: the tag being synced. */
  upstreamTip: string | readonly string[]
  /** At most this many syncs, newest first. */
  limit?: number
  log?: Log
}

const PULL_REQUEST_SUBJECT = /^Merge pull request #(\d+) from /

/** The fork's earlier syncs on the target's first-parent history, newest first. */
export async function findEarlierSyncs(git: GitReader, options: FindSyncsOptions): Promise<EarlierSync[]> {
  const limit = options.limit ?? 10
  const tipNames = typeof options.upstreamTip === 'string' ? [options.upstreamTip] : [...options.upstreamTip]
  const [target, ...tips] = (await resolveCommits(git, [options.target, ...tipNames])) as [string, ...string[]]
  const started = Date.now()
  // Every sync is a merge on the fork's line (a commit with one parent brings in nothing but itself), and the line's
  // commits are those of the target's first-parent history that upstream's tips do not reach. git answers whether
  // one of them is a merge from the newest commits alone (it stops at the first; upstream's side is only painted
  // down to the fork's commits), where the graph below costs a read of every commit: 0.2-0.4 s on 29,576.
  if ((await git.output(['rev-list', '--first-parent', '--merges', '--max-count=1', target, '--not', ...tips, '--'])) === '') {
    options.log?.debug(`history: no merge on the fork's line since upstream's history (${Date.now() - started} ms): no earlier sync, the commit graph is not read`)
    return []
  }
  const graph = await CommitGraph.load(git, [target, ...tips])
  const found = findSyncMerges(graph, graph.numberOf(target) as number, tips.map((tip) => graph.numberOf(tip) as number), limit)
  options.log?.debug(`history: ${graph.size} commits loaded and walked in ${Date.now() - started} ms, ${found.length} earlier sync(s) found`)
  if (found.length === 0) return []

  const details = await git.output(['log', '--no-walk=unsorted', '--format=%H%x1f%cI%x1f%s', ...found.map((sync) => sync.merge), '--'])
  const byId = new Map(details.split('\n').map((line) => line.split('\x1f') as [string, string, string]).map(([id, date, subject]) => [id, { date, subject }]))
  return found.map((sync) => {
    const { date, subject } = byId.get(sync.merge) ?? { date: '', subject: '' }
    const number = PULL_REQUEST_SUBJECT.exec(subject)?.[1]
    return { ...sync, date, subject, ...(number ? { pullRequest: Number(number) } : {}) }
  })
}

type FoundSync = Pick<EarlierSync, 'merge' | 'forkParent' | 'upstream' | 'mergeBase'>

/**
 * The walk itself, in memory. The fork's line is the target's first-parent chain down to the first upstream commit
 * (everything older is upstream's own history, whose merges are not syncs). Where the first parent is upstream's and
 * another parent is the fork's (someone merged the target INTO the tag and fast-forwarded the target to it), the line
 * follows the fork's parent. Each commit of the line, oldest first, then claims its ancestors no older commit of the
 * line reaches: what a merge claims is exactly what it brought in, so a merge that claims upstream commits is a sync.
 */
function findSyncMerges(graph: CommitGraph, target: number, tips: number[], limit: number): FoundSync[] {
  const upstreamMarks = new Int32Array(graph.size).fill(-1)
  graph.markAncestors(tips, upstreamMarks, 1)
  const isUpstream = (n: number): boolean => upstreamMarks[n] === 1

  const line: number[] = []
  let next: number | undefined = target
  while (next !== undefined && !isUpstream(next)) {
    line.push(next)
    const parents = graph.parents[next] as number[]
    next = parents[0]
    if (next !== undefined && isUpstream(next)) next = parents.find((p) => !isUpstream(p)) ?? next
  }
  const forkPoint = next

  // owner[n] = position on the line of the commit that brought n in; older commits have higher positions.
  const owner = new Int32Array(graph.size).fill(-1)
  if (forkPoint !== undefined) graph.markAncestors([forkPoint], owner, line.length)
  const broughtIn = new Map<number, number[]>()
  for (let k = line.length - 1; k >= 0; k--) {
    const claimed: number[] = []
    graph.markAncestors([line[k] as number], owner, k, claimed)
    const upstream = claimed.filter(isUpstream)
    if (upstream.length > 0) broughtIn.set(k, upstream)
  }

  const syncs: FoundSync[] = []
  for (let k = 0; k < line.length && syncs.length < limit; k++) {
    const upstream = broughtIn.get(k)
    const forkParent = k + 1 < line.length ? line[k + 1] : forkPoint
    if (!upstream || forkParent === undefined) continue
    const newest = graph.newest(headsOf(graph, upstream)) as number
    const mergeBase = bestCommonAncestor(graph, owner, k, newest)
    if (mergeBase === undefined) continue
    syncs.push({ merge: graph.idOf(line[k] as number), forkParent: graph.idOf(forkParent), upstream: graph.idOf(newest), mergeBase: graph.idOf(mergeBase) })
  }
  return syncs
}

/**
 * The commits of a set that no other member has as a parent. For the upstream commits one merge brought in this is
 * the set's newest commits: any commit between two members is itself brought in by the same merge.
 */
function headsOf(graph: CommitGraph, members: readonly number[]): number[] {
  const set = new Set(members)
  const parentsOfMembers = new Set<number>()
  for (const n of members) for (const p of graph.parents[n] as number[]) if (set.has(p)) parentsOfMembers.add(p)
  return members.filter((n) => !parentsOfMembers.has(n))
}

/**
 * The merge base of the line's commit at position `k`'s fork-side parent and `upstream`: walking down from upstream
 * through what merge k brought in, the first commits owned by an older position are common ancestors, and every
 * common ancestor is an ancestor of one of them; of those not below another, the newest.
 */
function bestCommonAncestor(graph: CommitGraph, owner: Int32Array, k: number, upstream: number): number | undefined {
  const candidates: number[] = []
  const seen = new Set<number>([upstream])
  const stack = [upstream]
  while (stack.length > 0) {
    const n = stack.pop() as number
    if ((owner[n] as number) > k) {
      candidates.push(n)
      continue
    }
    for (const p of graph.parents[n] as number[]) {
      if (seen.has(p)) continue
      seen.add(p)
      stack.push(p)
    }
  }
  const best = candidates.length <= 1 ? candidates : candidates.filter((n) => !candidates.some((other) => other !== n && graph.isAncestor(n, other)))
  return graph.newest(best)
}

/** For one path, the most recent earlier sync that changed it on both sides, and what its merged result kept. */
export interface LastResolution {
  sync: EarlierSync
  kept: Kept
}

export interface LastResolutionOptions {
  /**
   * Makes the trees of these commits (with their subtrees) present, e.g. with one batched fetch by id into a
   * `--filter=tree:0` clone. Called once per round, before any of them is read; not needed in a full clone.
   */
  ensureTrees?: (commits: string[]) => Promise<void>
  log?: Log
}

/**
 * For each path, the most recent of `syncs` (newest first, as findEarlierSyncs returns them) in which both sides had
 * changed it since that sync's merge base, differently, and what the merge kept. Paths no sync changed on both sides
 * are absent from the answer. Reads trees only: mode and object ids, never a file's content.
 */
export async function lastResolutions(git: GitReader, syncs: readonly EarlierSync[], paths: readonly string[], options: LastResolutionOptions = {}): Promise<Map<string, LastResolution>> {
  const answers = new Map<string, LastResolution>()
  const remaining = new Set(paths)
  let rounds = 0
  // Rounds of 1, 2, 4, … syncs: the latest sync often answers most paths, and each round's trees are fetched only if
  // an earlier round left paths unanswered.
  for (let start = 0, size = 1; start < syncs.length && remaining.size > 0; start += size, size *= 2) {
    rounds++
    const round = syncs.slice(start, start + size)
    await options.ensureTrees?.([...new Set(round.flatMap((sync) => [sync.mergeBase, sync.forkParent, sync.upstream, sync.merge]))])
    const pairs = round.flatMap((sync) => [sync.forkParent, sync.upstream, sync.merge].map((commit) => ({ commit, base: sync.mergeBase })))
    const diffs = (await diffTrees(git, pairs, { paths: [...remaining] })).map(byPath)
    round.forEach((sync, i) => {
      const [ours, theirs, result] = diffs.slice(3 * i, 3 * i + 3) as [ReturnType<typeof byPath>, ReturnType<typeof byPath>, ReturnType<typeof byPath>]
      for (const path of [...remaining]) {
        const ourChange = ours.get(path)
        const theirChange = theirs.get(path)
        if (!ourChange || !theirChange || ourChange.after === theirChange.after) continue
        const resultVersion = result.has(path) ? result.get(path)?.after : ourChange.before
        answers.set(path, { sync, kept: classifyKept(resultVersion, ourChange.after, theirChange.after) })
        remaining.delete(path)
      }
    })
  }
  options.log?.debug(`history: ${answers.size} of ${paths.length} path(s) were changed on both sides in an earlier sync (${rounds} round(s))`)
  return answers
}
