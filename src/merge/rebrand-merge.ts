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
 * What is transformed: text files under the rules' globs that upstream changed between the base and the tag. The
 * tag's version always; the base's version only where the fork changed the path too. Where the fork left a path as
 * the base had it, the base stays as it is, so the merge takes upstream's (transformed) version whole: transforming
 * it would make the fork look as if it had un-renamed every word, and those words would come back un-renamed.
 * Paths upstream did not change are never read. The merge base is the one `git merge-base` names (a fork that
 * merges upstream's tags has exactly one; with criss-cross history the plain merge's virtual base is not rebuilt).
 */
import { randomBytes } from 'node:crypto'
import { collectConflicts, parseMergeTree, byCodeUnit, type MergeTreeOutput } from '../conflicts.js'
import { configError } from '../errors.js'
import { GitError } from '../git.js'
import type { Log } from '../runner.js'
import { changedPaths, isRegularFileMode, readBlobs, syntheticCommit, treeWithBlobs, writeBlobs, type GitRunner, type PathChange } from './rebrand-objects.js'
import { isBinary, type CompiledRebrand } from './rebrand-rules.js'

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
   * Makes `oids` present in a partial repository, in one batched fetch. Every one is a blob of the base or of the
   * tag, both reachable from the tag, so upstream has them all. Called at most once, never with an empty list.
   */
  fetchBlobs?: (oids: readonly string[]) => Promise<void>
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
  /** Upstream files this rule changed, and how many replacements it made in them. */
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
  /** Upstream files the rebrand changed, with their replacement counts, in path order. */
  files: Array<{ path: string; replacements: number }>
  /** Upstream files under the globs left as they are, and why. */
  skipped: Array<{ path: string; reason: 'binary' | 'not UTF-8' }>
  /** Paths the plain merge reports as conflicts and the rebranded one does not, in path order. */
  conflictsAvoided: string[]
}

/** The blobs to transform: each side's version of each path. */
interface Plan {
  theirs: Array<{ path: string; mode: string; oid: string }>
  base: Array<{ path: string; mode: string; oid: string }>
}

function plan(upstream: readonly PathChange[], fork: readonly PathChange[], rebrand: CompiledRebrand): Plan {
  const forkChanged = new Set(fork.map((change) => change.path))
  const result: Plan = { theirs: [], base: [] }
  for (const change of upstream) {
    if (!rebrand.covers(change.path)) continue
    if (isRegularFileMode(change.dstMode)) result.theirs.push({ path: change.path, mode: change.dstMode, oid: change.dstOid })
    if (isRegularFileMode(change.srcMode) && forkChanged.has(change.path)) result.base.push({ path: change.path, mode: change.srcMode, oid: change.srcOid })
  }
  return result
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

interface Transformed {
  /** New content per (side, path), only where the rules changed something. */
  theirs: Array<{ path: string; mode: string; content: string; replacements: number[] }>
  base: Array<{ path: string; mode: string; content: string }>
  skipped: RebrandResult['skipped']
}

/** Applies the rules to every planned blob, refusing rules whose output a second pass would change again. */
function transform(work: Plan, blobs: Map<string, string | undefined>, rebrand: CompiledRebrand): Transformed {
  const result: Transformed = { theirs: [], base: [], skipped: [] }
  const apply = (entry: { path: string; oid: string }, side: 'theirs' | 'base'): { content: string; replacements: number[] } | undefined => {
    const text = blobs.get(entry.oid)
    const reason = text === undefined ? 'not UTF-8' : isBinary(Buffer.from(text, 'utf8')) ? 'binary' : undefined
    if (reason || text === undefined) {
      if (side === 'theirs' && reason) result.skipped.push({ path: entry.path, reason })
      return undefined
    }
    const applied = rebrand.applyRebrand(text, entry.path)
    if (applied.total === 0) return undefined
    const again = rebrand.secondPass(applied.text, entry.path)
    if (again !== undefined) {
      throw configError(
        `rebrand[${again}]: applying the rebrand twice changes ${entry.path} again (its output holds text the rules replace), ` +
          'so the rules are not idempotent; make the pattern exclude the renamed form'
      )
    }
    return { content: applied.text, replacements: applied.replacements }
  }
  for (const entry of work.theirs) {
    const done = apply(entry, 'theirs')
    if (done) result.theirs.push({ path: entry.path, mode: entry.mode, ...done })
  }
  for (const entry of work.base) {
    const done = apply(entry, 'base')
    if (done) result.base.push({ path: entry.path, mode: entry.mode, content: done.content })
  }
  return result
}

function ruleStats(rebrand: CompiledRebrand, theirs: Transformed['theirs']): RebrandRuleStats[] {
  return rebrand.rules.map((rule, index) => {
    const counts = theirs.map((file) => file.replacements[index] ?? 0)
    return {
      rule: index,
      from: rule.from,
      to: rule.to,
      files: counts.filter((count) => count > 0).length,
      replacements: counts.reduce((sum, count) => sum + count, 0)
    }
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
  const [upstream, fork] = rebrand.rules.length === 0 ? [[], []] : await Promise.all([changedPaths(git, mergeBase, tagSha), changedPaths(git, mergeBase, targetSha)])
  const work = plan(upstream, fork, rebrand)
  const oids = [...new Set([...work.theirs, ...work.base].map((entry) => entry.oid))]
  // Before the plain merge, which reads the same base and tag blobs of the paths both sides changed: one batched
  // fetch instead of git's lazy fetches.
  if (oids.length > 0 && options.fetchBlobs) await options.fetchBlobs(oids)
  const plain = await runMergeTree(git, label)
  const unchanged = async (skipped: RebrandResult['skipped'] = []): Promise<RebrandResult> => ({
    merge: plain,
    plain,
    theirsTree: await git.output(['rev-parse', '--verify', '--end-of-options', `${tagSha}^{tree}`]),
    rules: ruleStats(rebrand, []),
    files: [],
    skipped,
    conflictsAvoided: []
  })
  if (oids.length === 0) {
    if (rebrand.rules.length > 0) log.debug(`rebrand: none of upstream's ${upstream.length} changed paths is a file under the rebrand globs`)
    return unchanged()
  }
  const transformed = transform(work, await readBlobs(git, oids), rebrand)
  transformed.skipped.sort((a, b) => byCodeUnit(a.path, b.path))
  if (transformed.theirs.length === 0 && transformed.base.length === 0) {
    log.debug(`rebrand: read ${oids.length} blobs under the globs, none holds text the rules replace`)
    return unchanged(transformed.skipped)
  }

  const written = await writeBlobs(git, [...transformed.theirs, ...transformed.base].map((file) => Buffer.from(file.content, 'utf8')))
  const swapped = [...transformed.theirs, ...transformed.base].map((file, index) => ({ path: file.path, mode: file.mode, oid: written[index] as string }))
  const [baseTree, theirsTree, oursTree] = await Promise.all([
    treeWithBlobs(git, mergeBase, swapped.slice(transformed.theirs.length)),
    treeWithBlobs(git, tagSha, swapped.slice(0, transformed.theirs.length)),
    treeWithBlobs(git, targetSha, [])
  ])
  const base = await syntheticCommit(git, baseTree, [], 'upstream-sync: rebranded merge base')
  const [theirs, ours] = await Promise.all([
    syntheticCommit(git, theirsTree, [base], 'upstream-sync: rebranded upstream side'),
    syntheticCommit(git, oursTree, [base], 'upstream-sync: target side')
  ])

  const namespace = `refs/upstream-sync-rebrand-${randomBytes(6).toString('hex')}/`
  const replacements = [`${namespace}${targetSha} ${ours}`, `${namespace}${tagSha} ${theirs}`]
  await git.output(['update-ref', '--stdin'], { input: replacements.map((line) => `create ${line}\n`).join('') })
  let merge: MergeTreeRun
  try {
    merge = await runMergeTree(git, label, { GIT_REPLACE_REF_BASE: namespace })
  } finally {
    await git.output(['update-ref', '--stdin'], { input: replacements.map((line) => `delete ${line.split(' ')[0]}\n`).join('') })
  }

  const remaining = conflictPaths(merge)
  const conflictsAvoided = [...conflictPaths(plain)].filter((path) => !remaining.has(path)).sort(byCodeUnit)
  const files = transformed.theirs.map((file) => ({ path: file.path, replacements: file.replacements.reduce((sum, count) => sum + count, 0) }))
  files.sort((a, b) => byCodeUnit(a.path, b.path))
  log.debug(
    `rebrand: ${files.length} upstream files and ${transformed.base.length} merge-base files transformed (${oids.length} blobs read), ` +
      `${transformed.skipped.length} skipped; conflicts ${conflictPaths(plain).size} → ${remaining.size}; ${Date.now() - started} ms`
  )
  return { merge, plain, theirsTree, rules: ruleStats(rebrand, transformed.theirs), files, skipped: transformed.skipped, conflictsAvoided }
}
