/**
 * The resolution audit: for every path both sides changed since the merge base, conflicted or not, what a resolved
 * sync branch kept (the fork's version, upstream's, a combination, or nothing) against the path's rule. It reads
 * trees only, in two git processes (resolve the four names; one `diff-tree --stdin` from the base to ours, theirs and
 * the result), and never touches the branch.
 *
 * How a path counts as "changed on both sides": each side's version (mode and object id) differs from the base's and
 * from the other side's. A deletion is a change; a pure rename is not (the content is what a rule is about), but a
 * rename WITH changes is followed: the path's versions are compared where each side has it, and the row is named by
 * where the merge puts the file (upstream's new path when upstream renamed it, else the fork's). Both sides renaming
 * one file to different paths is listed too, judged by which of the two paths the result kept. Renames are detected
 * like `git merge` detects them (`-M`); similar-content renames read the blobs involved, which the merge read too.
 */
import type { Log } from '../runner.js'
import type { Resolution } from '../types.js'
import { byCodeUnit } from './conflicts.js'
import { classifyKept, diffTrees, resolveCommits, type GitReader, type Kept, type TreeChange, type Version } from './tree-diff.js'

/**
 * How the kept version stands against the rule:
 * - `rule-side-kept`: the result holds the side the rule names;
 * - `upstream-change-dropped`: rule `theirs`, but the result holds the fork's version or dropped upstream's file;
 * - `fork-customization-dropped`: rule `ours`, but the result holds upstream's version or dropped the fork's file;
 * - `differs-from-rule`: rule `ours` or `theirs`, but the result holds a version neither side had (a hand merge);
 * - `manual`: the rule leaves the path to a person, so any result is theirs to judge;
 * - `no-rule`: no rule matches the path (shown, not judged).
 */
export type Verdict = 'rule-side-kept' | 'upstream-change-dropped' | 'fork-customization-dropped' | 'differs-from-rule' | 'manual' | 'no-rule'

export interface AuditRow {
  /** The path as the merge places it. */
  path: string
  /** The path in the merge base, when a side renamed it. */
  from?: string
  /** The path's rule; null when none matches (kept in the JSON output). */
  rule: Resolution | null
  kept: Kept
  verdict: Verdict
}

export interface AuditOptions {
  /** The merge base of `ours` and `theirs`. */
  base: string
  /** The fork's side: the target branch the sync merges into. */
  ours: string
  /** Upstream's side: the tag's commit. */
  theirs: string
  /** The resolved sync branch's head. */
  result: string
  /** The path's rule, or undefined when no rule matches. */
  ruleOf: (path: string) => Resolution | undefined
  /** Detect renames (default true, like `git merge`). */
  renames?: boolean
  log?: Log
}

/** The audit's rows, sorted by path. */
export async function auditResolution(git: GitReader, options: AuditOptions): Promise<AuditRow[]> {
  const [base, ours, theirs, result] = (await resolveCommits(git, [options.base, options.ours, options.theirs, options.result])) as [string, string, string, string]
  const [ourChanges, theirChanges, resultChanges] = (await diffTrees(git, [ours, theirs, result].map((commit) => ({ commit, base })), {
    renames: options.renames ?? true
  })) as [TreeChange[], TreeChange[], TreeChange[]]

  const ourByBasePath = byBasePath(ourChanges)
  const theirByBasePath = byBasePath(theirChanges)
  const resultVersions = versionsInCommit(resultChanges)
  const baseVersions = new Map<string, Version>()
  for (const change of [...ourChanges, ...theirChanges, ...resultChanges]) baseVersions.set(change.from ?? change.path, change.before)
  const resultAt = (path: string): Version => (resultVersions.has(path) ? resultVersions.get(path) : baseVersions.get(path))

  const rows: AuditRow[] = []
  for (const [basePath, ourChange] of ourByBasePath) {
    const theirChange = theirByBasePath.get(basePath)
    if (!theirChange) continue
    const row = auditPath(basePath, ourChange, theirChange, resultAt)
    if (!row) continue
    const rule = options.ruleOf(row.path) ?? null
    rows.push({ ...row, rule, verdict: verdictFor(rule, row.kept) })
  }
  rows.sort((a, b) => byCodeUnit(a.path, b.path))
  options.log?.debug(`audit: ${rows.length} path(s) changed on both sides, ${rows.filter((row) => contradictsRule(row.verdict)).length} against their rule`)
  return rows
}

/** Changes keyed by the path they started from in the base (an added path by itself). */
function byBasePath(changes: readonly TreeChange[]): Map<string, TreeChange> {
  return new Map(changes.map((change) => [change.from ?? change.path, change]))
}

/** Each changed path's version in the commit; a rename's old path is gone from it. */
function versionsInCommit(changes: readonly TreeChange[]): Map<string, Version> {
  const versions = new Map<string, Version>()
  for (const change of changes) if (change.from !== undefined && !versions.has(change.from)) versions.set(change.from, undefined)
  for (const change of changes) versions.set(change.path, change.after)
  return versions
}

function auditPath(basePath: string, ourChange: TreeChange, theirChange: TreeChange, resultAt: (path: string) => Version): Pick<AuditRow, 'path' | 'from' | 'kept'> | undefined {
  const baseVersion = ourChange.before
  const ourPath = ourChange.after === undefined ? undefined : ourChange.path
  const theirPath = theirChange.after === undefined ? undefined : theirChange.path
  const ourMoved = ourPath !== undefined && ourPath !== basePath
  const theirMoved = theirPath !== undefined && theirPath !== basePath
  const path = theirMoved ? (theirPath as string) : ourMoved ? (ourPath as string) : basePath
  const from = path !== basePath && baseVersion !== undefined ? { from: basePath } : {}

  if (ourMoved && theirMoved && ourPath !== theirPath) {
    // rename/rename: judged by location. Keeping both copies is neither side's choice.
    const atOurs = resultAt(ourPath as string) !== undefined
    const atTheirs = resultAt(theirPath as string) !== undefined
    const kept: Kept = atOurs && atTheirs ? 'merged' : atOurs ? 'ours' : atTheirs ? 'theirs' : 'deleted'
    return { path, ...from, kept }
  }
  const bothChanged = ourChange.after !== baseVersion && theirChange.after !== baseVersion && ourChange.after !== theirChange.after
  if (!bothChanged) return undefined
  // Where the merge puts the file first; a maintainer may have kept it at the other side's path instead.
  const places = [...new Set([path, ourPath, theirPath, basePath].filter((place): place is string => place !== undefined))]
  const resultVersion = places.map(resultAt).find((version) => version !== undefined)
  return { path, ...from, kept: classifyKept(resultVersion, ourChange.after, theirChange.after) }
}

/** The verdict for a kept version under a rule (see Verdict). */
export function verdictFor(rule: Resolution | null | undefined, kept: Kept): Verdict {
  if (!rule) return 'no-rule'
  if (rule === 'manual') return 'manual'
  if (kept === rule) return 'rule-side-kept'
  if (kept === 'merged') return 'differs-from-rule'
  return rule === 'theirs' ? 'upstream-change-dropped' : 'fork-customization-dropped'
}

/** Verdicts where the result took the side the rule says NOT to take (what the `resolution-review` label is for). */
export function contradictsRule(verdict: Verdict): boolean {
  return verdict === 'upstream-change-dropped' || verdict === 'fork-customization-dropped'
}

/**
 * True when a rule that settles a path by itself (`ours` or `theirs`) would not have produced what the fork merged
 * last time for it: such a path is left for a person and flagged. `manual` and no rule never disagree.
 */
export function disagreesWithHistory(rule: Resolution | null | undefined, kept: Kept): boolean {
  return (rule === 'ours' || rule === 'theirs') && kept !== rule
}
