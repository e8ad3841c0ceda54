/**
 * The merge: the upstream tag merged into the target branch with `git merge-tree --write-tree` (no worktree, no
 * index, no checkout) and the merge commit written with `git commit-tree`, carrying the sync trailers.
 */
import { UserError } from '../errors.js'
import type { Git, Identity } from '../git/git.js'
import { isValidRefName } from '../git/refname.js'
import type { Log } from '../runner.js'
import type { Conflict, LastTime, MergeHead, MergeResult, PathRule, RebrandSummary } from '../types.js'
import { disagreesWithHistory } from './audit.js'
import { forkCustomizationsTouched, summarizeChanges } from './changes.js'
import { byCodeUnit, collectConflicts, parseMergeTree, type ConflictGroup, type RawConflict } from './conflicts.js'
import { measured, prefetchBlobs, prefetchContentMergeBlobs } from './fetch.js'
import { rebrandMerge, type RebrandResult } from './rebrand-merge.js'
import { compileRebrand, type RebrandRule } from './rebrand-rules.js'
import { resolveTree, type Side } from './resolve.js'
import type { HistoryLookup } from './last-time.js'
import { compileRules } from './rules.js'
import { withSyncTrailers } from './trailers.js'

export type MergeAuthor = Identity

export interface MergeOptions {
  targetSha: string
  tagSha: string
  /**
   * The upstream tag's name: recorded in the merge commit's `Upstream-Sync-Tag` trailer (how classifySyncBranch
   * recognises the action's own commits) and used as git's label for the upstream side, so conflict messages and
   * file/directory paths read exactly as `git merge <tag>` on the target branch prints them.
   */
  tag: string
  rules: readonly PathRule[]
  /** Resolve conflicted paths whose rule says `ours` or `theirs` inside the merge commit. */
  autoResolve: boolean
  /** The merge commit's message (default `Merge upstream tag <tag>`); the sync trailers are appended. */
  message?: string
  author: MergeAuthor
  /**
   * The fork's rebrand rules (rebrand-rules.ts): when there are any, upstream's side and the merge base are merged
   * rebranded (rebrand-merge.ts); the merge commit keeps the real parents, only its tree carries the rebrand.
   */
  rebrand?: readonly RebrandRule[]
  /**
   * What the fork did last time for the conflicted paths (last-time.ts): shown per conflict, and a path whose rule
   * disagrees with it is never auto-resolved.
   */
  history?: HistoryLookup
  /** The fork's server has upstream's objects too (PreparedRepository.upstreamOnFork): every blob comes from it. */
  upstreamOnFork?: boolean
  /** The content merge's blobs were fetched with the commits (PreparedRepository.blobsPrefetched). */
  blobsPrefetched?: boolean
  /**
   * Told the head as soon as it is decided, before the rest of the merge: without auto-resolve (or without
   * conflicts) what the fork did last time cannot change it, and the push need not wait for that walk of the whole
   * history (the longest part of a merge on a large fork: 0.2–0.4 s on the benchmark's 29,576 commits).
   */
  onHead?: (head: MergeHead) => void
  log: Log
}

/**
 * The commits of both sides and git's label for the upstream side, in one process: the tag's name when it
 * unambiguously names the tag's commit here (as in `git merge <tag>`), otherwise the commit id.
 */
async function resolveSides(git: Git, options: MergeOptions): Promise<string> {
  const { targetSha, tagSha, tag } = options
  const labelled = !tag.startsWith('-') && isValidRefName(`refs/tags/${tag}`)
  const [target, tagCommit, named] = await git.resolveCommits([targetSha, tagSha, ...(labelled ? [tag] : [])])
  for (const [found, sha, what] of [[target, targetSha, 'target commit'], [tagCommit, tagSha, 'tag commit']] as const) {
    if (!found) throw new Error(`${what} ${sha} is not a commit in the merge repository`)
  }
  return named === tagSha ? tag : tagSha
}

/**
 * A group is resolved as a whole, to one side, only when all of its conflicts' rules name that same side and taking
 * that side whole settles each of them (see whyManual).
 */
function sideOf(conflicts: readonly Conflict[]): Side | undefined {
  const first = conflicts[0]?.resolution
  if (first !== 'ours' && first !== 'theirs') return undefined
  if (conflicts.some((conflict) => conflict.resolution !== first || conflict.whyManual !== undefined || conflict.againstHistory)) return undefined
  return first
}

/**
 * Why keeping one side whole cannot settle a conflict of this kind, or undefined when it can. Every other kind is
 * settled by taking the rule's side at each path of the conflict's group: content, add/add, mode and binary files;
 * modify/delete and rename/delete (the side's file, or its deletion); rename/rename and rename involved in collision
 * (the side's names); file/directory and distinct types (the side's file or directory, the moved-aside copy goes);
 * submodule (the side's commit).
 */
export function whyManual(conflict: Pick<RawConflict, 'kind' | 'path' | 'addedAt'>): string | undefined {
  switch (conflict.kind) {
    case 'file location':
      return `a file added at ${conflict.addedAt ?? 'its old place'}, in a folder the other side renamed: git suggests ${conflict.path}; where it belongs is a decision no side's version makes (one side has no such file at all)`
    case 'directory rename':
      return "a directory rename sends paths where another path is (or splits a folder two ways): neither side's tree says where each file belongs"
    case 'other':
      return 'a conflict git reports that this action does not name: check it by hand'
    default:
      return undefined
  }
}

async function commitMerge(git: Git, tree: string, options: MergeOptions): Promise<string> {
  const message = await withSyncTrailers(git, options.message, options.tag, tree)
  return git.commitTree(tree, [options.targetSha, options.tagSha], message, options.author)
}

/**
 * Merges the upstream tag into the target branch's commit without touching any ref but the repository's own
 * detached HEAD (set to the target commit so git labels that side "HEAD", exactly as `git merge` on the target
 * branch does, which keeps conflict messages and moved-aside paths like `dir~HEAD` identical to a local merge).
 *
 * - Clean merge: a merge commit (parents: target, tag) is written and is `headSha`.
 * - Conflicts: the conflict list equals what `git merge <tag>` on the target reports (paths and kinds, see
 *   conflicts.ts). Each conflict carries its rule's resolution and note. `headSha` is the tag's commit: nothing
 *   with conflict markers is ever committed.
 * - Auto-resolve: when every conflict's rule says `ours` or `theirs` (and each group of linked conflicts agrees on
 *   one side), those paths are taken from that side in the merge commit, status is `clean` and `autoResolved` lists
 *   them with the side kept. If even one conflict is left for a human, nothing is resolved or committed: status is
 *   `conflicts`, every conflict stays in `conflicts` (the `resolution` field still says what the rules would do),
 *   and `autoResolved` is empty, because the human resolving the rest works from the tag's commit anyway.
 * - History (`options.history`): each conflict carries what the fork kept last time for its path; a conflict whose
 *   rule disagrees with it (`againstHistory`) is left for a human, so auto-resolve never settles a path against the
 *   fork's own history silently (`heldForHistory` names those paths for the PR).
 */
export async function mergeTag(git: Git, options: MergeOptions): Promise<MergeResult> {
  const { log, targetSha, tagSha } = options
  const started = Date.now()
  const rules = compileRules(options.rules)
  const rebrandRules = options.rebrand && options.rebrand.length > 0 ? options.rebrand : undefined
  // Three independent reads of the commits, side by side (each a process): the sides and git's label, the merge
  // base, and HEAD set to the target for merge-tree's labels (not needed by the rebranded merge, which names both).
  const reads = [resolveSides(git, options), git.mergeBase(targetSha, tagSha), rebrandRules ? Promise.resolve() : git.detachHead(targetSha)] as const
  await Promise.allSettled(reads)
  // Read in that order: a side that is not a commit explains a failing merge base.
  const label = await reads[0]
  const mergeBase = await reads[1]
  await reads[2]
  if (mergeBase === undefined) {
    throw new UserError(
      'input',
      `the target branch (${targetSha}) and the upstream tag (${tagSha}) share no history; the fork must have been created from the upstream repository`
    )
  }

  const changes = Promise.all([git.diffTree(mergeBase, targetSha, 'none'), git.diffTree(mergeBase, tagSha, 'exact'), git.countCommits(`${targetSha}..${tagSha}`)] as const)
  const prefetched = changes.then(([forkChanges, upstreamChanges]) => prefetchContentMergeBlobs(git, forkChanges, upstreamChanges, log, options.upstreamOnFork))
  // Awaited below; a merge-tree that fails first must not leave them unhandled.
  prefetched.catch(() => undefined)
  // The blobs a content merge reads are fetched before merge-tree runs, in one request (one by one otherwise), unless
  // they are here already (blobsPrefetched): then merge-tree runs beside the diffs that name them.
  if (!options.blobsPrefetched) await prefetched

  let run: { clean: boolean; output: string } = { clean: false, output: '' }
  let rebranded: RebrandResult | undefined
  const stats = await measured(git, log, async () => {
    if (rebrandRules) {
      const rebrand = compileRebrand(rebrandRules)
      const fetchBlobs = (oids: readonly string[], side: 'upstream' | 'fork'): Promise<void> => prefetchBlobs(git, oids, options.upstreamOnFork ? 'fork' : side, log)
      rebranded = await rebrandMerge(git.process, { mergeBase, targetSha, tagSha, label, rebrand, fetchBlobs, log })
      run = { clean: rebranded.merge.exitCode === 0, output: rebranded.merge.stdout }
    } else {
      run = await git.mergeTree('HEAD', label)
    }
  })
  if (log.isDebug()) {
    log.debug(`merge-tree: exit ${run.clean ? 0 : 1}, ${stats.ms} ms, ${stats.objects - stats.loose} objects fetched lazily, ${stats.loose} written`)
  }
  const [forkChanges, upstreamChanges, commitCount] = await changes
  await prefetched
  const output = parseMergeTree(run.output)
  const groups = collectConflicts(output)
  if (!run.clean && groups.length === 0) {
    throw new Error(`git merge-tree reported conflicts but listed none; refusing to commit. Output: ${run.output.replace(/\0/g, ' ').slice(0, 500)}`)
  }

  // The head, when the history cannot change it: the merge commit of a clean merge, else the tag's commit.
  let decided: Pick<MergeHead, 'status' | 'headSha'> | undefined
  if (!options.autoResolve || groups.length === 0) {
    decided = groups.length === 0 ? { status: 'clean', headSha: await commitMerge(git, output.tree, options) } : { status: 'conflicts', headSha: tagSha }
    options.onHead?.({ ...decided, targetSha, tagSha })
  }

  const lastTimes = (await options.history?.(groups.flatMap((group) => group.conflicts.map((raw) => raw.path)))) ?? new Map<string, LastTime>()
  const conflictsOf = (group: ConflictGroup): Conflict[] =>
    group.conflicts.map((raw) => {
      const rule = rules.match(raw.path)
      const lastTime = lastTimes.get(raw.path)
      const why = whyManual(raw)
      return {
        path: raw.path,
        kind: raw.kind,
        message: raw.message,
        resolution: rule.resolution,
        ...(rule.note !== undefined ? { note: rule.note } : {}),
        ...(lastTime ? { lastTime, ...(disagreesWithHistory(rule.resolution, lastTime.kept) ? { againstHistory: true } : {}) } : {}),
        ...(why !== undefined ? { whyManual: why } : {}),
        ...(raw.addedAt !== undefined ? { addedAt: raw.addedAt } : {})
      }
    })
  const grouped = groups.map((group) => ({ group, conflicts: conflictsOf(group) }))
  const resolvable = options.autoResolve && grouped.every(({ conflicts }) => sideOf(conflicts) !== undefined)
  // Auto-resolve never settles a path against what the fork did last time: those are named in the PR.
  const heldForHistory = options.autoResolve ? grouped.flatMap(({ conflicts: list }) => list.filter((c) => c.againstHistory).map((c) => c.path)).sort(byCodeUnit) : []

  let tree = output.tree
  let conflicts: Conflict[] = []
  let autoResolved: Conflict[] = []
  if (grouped.length > 0 && resolvable) {
    const resolutions = grouped.map(({ group, conflicts: list }) => ({ group, side: sideOf(list) as Side }))
    // The tag's tree as rebranded: a side kept whole stays rebranded.
    tree = await resolveTree(git, output.tree, resolutions, { ours: targetSha, theirs: rebranded?.theirsTree ?? tagSha })
    autoResolved = grouped.flatMap(({ conflicts: list }) => list.map((conflict) => ({ ...conflict, autoResolved: conflict.resolution as Side })))
  } else {
    conflicts = grouped.flatMap(({ conflicts: list }) => list)
  }
  conflicts.sort((a, b) => byCodeUnit(a.path, b.path))
  autoResolved.sort((a, b) => byCodeUnit(a.path, b.path))

  const status: MergeResult['status'] = decided?.status ?? (conflicts.length === 0 ? 'clean' : 'conflicts')
  const headSha = decided?.headSha ?? (status === 'clean' ? await commitMerge(git, tree, options) : tagSha)

  log.debug(`merge of ${options.tag} into ${targetSha}: ${status}, ${conflicts.length} conflicts, ${autoResolved.length} auto-resolved, ${Date.now() - started} ms`)
  return {
    status,
    targetSha,
    tagSha,
    mergeBase,
    headSha,
    conflicts,
    autoResolved,
    ...(heldForHistory.length > 0 ? { heldForHistory } : {}),
    changes: summarizeChanges(commitCount, upstreamChanges),
    forkCustomizations: forkCustomizationsTouched(forkChanges, upstreamChanges),
    ...(rebranded ? { rebrand: rebrandSummary(rebranded) } : {})
  }
}

/** What the report says about the rebrand: per rule, per file, and what it spared the reviewer. */
function rebrandSummary(result: RebrandResult): RebrandSummary {
  return {
    rules: result.rules.map(({ from, to, files, replacements }) => ({ from, to, files, replacements })),
    files: result.files,
    conflictsAvoided: result.conflictsAvoided,
    notRebranded: result.notRebranded,
    skipped: result.skipped
  }
}
