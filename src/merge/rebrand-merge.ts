/**
 * The rebranded merge: upstream's tag merged into the fork's target as if upstream had always used the fork's
 * names. The same rebrand (rebrand-rules.ts) is applied to upstream's side and to the merge base, so the fork's own
 * renamed lines equal the base's and no longer conflict, and upstream's new lines arrive renamed.
 *
 * Git 2.39 has no `merge-tree --merge-base` (2.40+), so the merge runs on synthetic commits:
 *   B' = the base's tree with transformed blobs, no parent
 *   T' = the tag's tree with transformed blobs, parent B'
 *   O' = the target's tree as it is, parent B'
 * and `git merge-tree --write-tree -z --messages HEAD <label>` runs exactly as the plain merge does (HEAD at the
 * target, `<label>` the tag's name), with replace refs (`refs/upstream-sync-rebrand-<random>/<O>` → O', `…/<T>` →
 * T') visible only to that one process through GIT_REPLACE_REF_BASE. Git therefore reads O' and T' (and finds B' as
 * their base) while every message and every moved-aside path (`file~HEAD`, `file~v1.2.3`) names the real sides,
 * exactly as `git merge <tag>` prints them; no other command ever sees the replacements. The merge commit the
 * caller writes keeps the real parents (target, tag); only its tree carries the transformation.
 *
 * What is transformed is decided per path in rebrand-transform.ts: text files under the rules' globs that upstream
 * changed; the base's version only where the fork renamed in that file. Paths upstream did not change are never
 * read. The rebrand never adds a conflict: a path that conflicts only in the rebranded merge is merged again
 * untransformed (`notRebranded`), so the conflicts left are a subset of the plain merge's (renames aside). The merge base is the one `git merge-base` names (a fork that
 * merges upstream's tags has exactly one; with criss-cross history the plain merge's virtual base is not rebuilt).
 */
import { randomBytes } from 'node:crypto'
import { byCodeUnit, collectConflicts, parseMergeTree, type MergeTreeOutput } from './conflicts.js'
import { GitError } from '../git/process.js'
import type { Log } from '../runner.js'
import { changedPaths, readBlobs, syntheticCommit, treeWithBlobs, writeBlobs, type GitRunner } from './rebrand-objects.js'
import type { CompiledRebrand } from './rebrand-rules.js'
import { blobsToRead, planRebrand, rewriteBlobs, sumOf, type BlobAt, type RewrittenBlob } from './rebrand-transform.js'

export type { GitRunner } from './rebrand-objects.js'

export interface RebrandMergeOptions {
  /** `git merge-base <target> <tag>`, as the merge step computes it. */
  mergeBase: string
  /** The fork's target commit (ours). */
  targetSha: string
  /** The tag's commit (theirs, peeled). */
  tagSha: string
  /** git's label for the upstream side, the one the plain merge passes to merge-tree (the tag's name, or tagSha). */
  label: string
  rebrand: CompiledRebrand
  /**
   * Makes `oids` present in a partial repository with one batched fetch from `remote`: `upstream` for blobs of the
   * base and the tag (both reachable from the tag), `fork` for the target's. Called at most once per remote, never
   * with an empty list. The fork's blobs are those of paths both sides changed, which the merge step prefetches
   * for the content merge anyway.
   */
  fetchBlobs?: (oids: readonly string[], remote: 'upstream' | 'fork') => Promise<void>
  log: Log
}

/** One run of merge-tree, as the merge step consumes it (conflicts.ts parses `output`). */
export interface MergeTreeRun {
  exitCode: 0 | 1
  stdout: string
  output: MergeTreeOutput
}

export interface RebrandRuleStats {
  /** Index in the rebrand list. */
  rule: number
  from: string
  to: string
  /** Upstream files this rule changed in the merge, and how many replacements it made in them. */
  files: number
  replacements: number
}

export interface RebrandResult {
  /** The transformed merge (the plain one itself when the rules changed nothing upstream brings). */
  merge: MergeTreeRun
  /** Today's merge, untransformed: what `git merge <tag>` would report. */
  plain: MergeTreeRun
  /** The tag's tree as transformed (T'): the `theirs` side for auto-resolution, so a kept side stays rebranded. */
  theirsTree: string
  rules: RebrandRuleStats[]
  /** Upstream files the merge carries rebranded, with their replacement counts, in path order. */
  files: Array<{ path: string; replacements: number }>
  /** Upstream files under the globs left as they are, and why. */
  skipped: Array<{ path: string; reason: 'binary' | 'not UTF-8' }>
  /**
   * Files the rebrand made conflict although the plain merge merges them cleanly (the fork kept some of the old
   * names next to upstream's edits): merged untransformed, exactly as without a rebrand. In path order.
   */
  notRebranded: string[]
  /** Paths the plain merge reports as conflicts and the rebranded one does not, in path order. */
  conflictsAvoided: string[]
}

async function runMergeTree(git: GitRunner, label: string, env?: Record<string, string>): Promise<MergeTreeRun> {
  const args = ['merge-tree', '--write-tree', '-z', '--messages', 'HEAD', label]
  const run = await git.tryExec(args, env ? { env } : {})
  if (run.exitCode !== 0 && run.exitCode !== 1) throw new GitError(args, run.exitCode, run.stderr, run.stdout)
  return { exitCode: run.exitCode, stdout: run.stdout, output: parseMergeTree(run.stdout) }
}

function conflictPaths(run: MergeTreeRun): Set<string> {
  return new Set(collectConflicts(run.output).flatMap((group) => group.conflicts.map((conflict) => conflict.path)))
}

/**
 * Merges with the base's and the tag's blobs swapped as given (see the file comment): builds B', T', O', points
 * replace refs for the target and the tag at O' and T' in a namespace of their own, and runs merge-tree seeing them.
 */
async function mergeSwapped(git: GitRunner, options: RebrandMergeOptions, swaps: { base: BlobAt[]; theirs: BlobAt[] }): Promise<{ run: MergeTreeRun; theirsTree: string }> {
  const [baseTree, theirsTree, oursTree] = await Promise.all([
    treeWithBlobs(git, options.mergeBase, swaps.base),
    treeWithBlobs(git, options.tagSha, swaps.theirs),
    treeWithBlobs(git, options.targetSha, [])
  ])
  const base = await syntheticCommit(git, baseTree, [], 'upstream-sync: rebranded merge base')
  const [theirs, ours] = await Promise.all([
    syntheticCommit(git, theirsTree, [base], 'upstream-sync: rebranded upstream side'),
    syntheticCommit(git, oursTree, [base], 'upstream-sync: target side')
  ])
  const namespace = `refs/upstream-sync-rebrand-${randomBytes(6).toString('hex')}/`
  const refs = [`${namespace}${options.targetSha} ${ours}`, `${namespace}${options.tagSha} ${theirs}`]
  await git.output(['update-ref', '--stdin'], { input: refs.map((line) => `create ${line}\n`).join('') })
  try {
    return { run: await runMergeTree(git, options.label, { GIT_REPLACE_REF_BASE: namespace }), theirsTree }
  } finally {
    await git.output(['update-ref', '--stdin'], { input: refs.map((line) => `delete ${line.split(' ')[0]}\n`).join('') })
  }
}

function ruleStats(rebrand: CompiledRebrand, theirs: readonly RewrittenBlob[]): RebrandRuleStats[] {
  return rebrand.rules.map((rule, index) => {
    const counts = theirs.map((file) => file.replacements[index] ?? 0)
    return { rule: index, from: rule.from, to: rule.to, files: counts.filter((count) => count > 0).length, replacements: sumOf(counts) }
  })
}

/**
 * Merges the tag into the target with the rebrand applied (see the file comment). Moves the repository's HEAD to
 * the target commit, as the plain merge does. Throws a config UserError when the rules turn out not to be
 * idempotent on upstream's text, and a GitError when git fails.
 */
export async function rebrandMerge(git: GitRunner, options: RebrandMergeOptions): Promise<RebrandResult> {
  const { mergeBase, targetSha, tagSha, label, rebrand, log } = options
  const started = Date.now()
  await git.output(['update-ref', '--no-deref', 'HEAD', targetSha])
  const noRules = rebrand.rules.length === 0
  const [upstream, fork] = noRules ? [[], []] : await Promise.all([changedPaths(git, mergeBase, tagSha), changedPaths(git, mergeBase, targetSha)])
  const plan = planRebrand(upstream, fork, rebrand)
  const wanted = blobsToRead(plan)
  // Before the plain merge, which reads the same blobs of the paths both sides changed: one batched fetch per
  // remote instead of git's lazy fetches.
  if (options.fetchBlobs && wanted.upstream.length > 0) await options.fetchBlobs(wanted.upstream, 'upstream')
  if (options.fetchBlobs && wanted.fork.length > 0) await options.fetchBlobs(wanted.fork, 'fork')
  const plain = await runMergeTree(git, label)
  const plainConflicts = conflictPaths(plain)
  const result = async (rewritten: readonly RewrittenBlob[], rest: Partial<RebrandResult> = {}): Promise<RebrandResult> => ({
    merge: plain,
    plain,
    theirsTree: rest.theirsTree ?? (await git.output(['rev-parse', '--verify', '--end-of-options', `${tagSha}^{tree}`])),
    rules: ruleStats(rebrand, rewritten),
    files: rewritten.map((file) => ({ path: file.path, replacements: sumOf(file.replacements) })).sort((a, b) => byCodeUnit(a.path, b.path)),
    skipped: [],
    notRebranded: [],
    conflictsAvoided: [],
    ...rest
  })
  if (wanted.upstream.length === 0) {
    if (!noRules) log.debug(`rebrand: none of upstream's ${upstream.length} changed paths is a file under the rebrand globs`)
    return result([])
  }

  const rewrites = rewriteBlobs(plan, await readBlobs(git, [...wanted.upstream, ...wanted.fork]), rebrand)
  const skipped = rewrites.skipped.sort((a, b) => byCodeUnit(a.path, b.path))
  const all = [...rewrites.theirs, ...rewrites.base]
  if (all.length === 0) {
    log.debug(`rebrand: read ${wanted.upstream.length} blobs under the globs, none holds text the rules replace`)
    return result([], { skipped })
  }
  const oids = await writeBlobs(git, all.map((file) => Buffer.from(file.text, 'utf8')))
  const swapsOf = (files: readonly RewrittenBlob[], offset: number, keep: (path: string) => boolean): BlobAt[] =>
    files.flatMap((file, index) => (keep(file.path) ? [{ path: file.path, mode: file.mode, oid: oids[offset + index] as string }] : []))
  const merged = (keep: (path: string) => boolean): ReturnType<typeof mergeSwapped> =>
    mergeSwapped(git, options, { theirs: swapsOf(rewrites.theirs, 0, keep), base: swapsOf(rewrites.base, rewrites.theirs.length, keep) })

  let attempt = await merged(() => true)
  // A conflict the plain merge does not have, at a path the rebrand rewrote, is the rebrand's own doing: merge
  // that path untransformed instead (once; the rest stays rebranded).
  const rewrittenPaths = new Set(all.map((file) => file.path))
  const notRebranded = [...conflictPaths(attempt.run)].filter((path) => !plainConflicts.has(path) && rewrittenPaths.has(path)).sort(byCodeUnit)
  const dropped = new Set(notRebranded)
  if (dropped.size > 0) attempt = await merged((path) => !dropped.has(path))

  const remaining = conflictPaths(attempt.run)
  const carried = rewrites.theirs.filter((file) => !dropped.has(file.path))
  log.debug(
    `rebrand: ${carried.length} upstream files and ${rewrites.base.length} merge-base files rewritten (${wanted.upstream.length + wanted.fork.length} blobs read), ` +
      `${skipped.length} skipped, ${notRebranded.length} merged untransformed; conflicts ${plainConflicts.size} → ${remaining.size}; ${Date.now() - started} ms`
  )
  return result(carried, {
    merge: attempt.run,
    theirsTree: attempt.theirsTree,
    skipped,
    notRebranded,
    conflictsAvoided: [...plainConflicts].filter((path) => !remaining.has(path)).sort(byCodeUnit)
  })
}
