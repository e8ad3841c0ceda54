/**
 * The shell commands the report hands to the people who resolve or roll back a sync: copy-paste ready, every path and
 * branch quoted so that a pasted command does exactly what it shows.
 */
import type { ConflictKind } from '../types.js'
import { codeSpan, fencedBlock, plural, shellQuote } from './markdown.js'
import { groupConflicts, type ConflictGroupRow } from './groups.js'
import type { AutoResolvedRow, ConflictRow } from './rows.js'

/** `git` with literal pathspecs when a path contains pathspec magic (`*`, `?`, `[`, `\`, a leading `:`). */
function gitFor(paths: readonly string[]): string {
  return paths.some((path) => /[*?[\]\\]/.test(path) || path.startsWith(':')) ? 'git --literal-pathspecs' : 'git'
}

/** Kinds where keeping one side also renames or removes paths: worth a look at `git status` before committing. */
const CHECK_STATUS: ReadonlySet<ConflictKind> = new Set([
  'rename/rename',
  'rename/delete',
  'rename involved in collision',
  'file/directory',
  'distinct types',
  'submodule'
])

/** Explicit paths the commands may still list (a budget shared by every command, so a cut list stays short). */
class PathBudget {
  constructor(private left: number) {}

  /** At most the budget's remaining paths; the rest counted. */
  take(paths: readonly string[]): { shown: string[]; rest: number } {
    const shown = paths.slice(0, Math.max(0, this.left))
    this.left -= shown.length
    return { shown, rest: paths.length - shown.length }
  }
}

function restNote(rest: number): string[] {
  return rest > 0 ? [`# …and ${plural(rest, 'more file')} of this group: see the full list in the run's job summary or report file`] : []
}

/** Groups this big are selected by their folder (a few files read better by name). */
const FOLDER_PATHSPEC_FROM = 4

/**
 * The pathspecs that select a group's files: its folder when nothing else that conflicts lives there (one short
 * pathspec for hundreds of files), otherwise the files themselves.
 */
function pathspecsOf(group: ConflictGroupRow, files: readonly string[], allPaths: readonly string[], budget: PathBudget): { shown: string[]; rest: number } {
  const folder = group.folder.endsWith('/') ? group.folder : ''
  if (folder && files.length >= FOLDER_PATHSPEC_FROM) {
    // Asked only of big groups, with a set: thousands of conflicts in hundreds of groups stay linear per group.
    const own = new Set(files)
    if (!allPaths.some((path) => path.startsWith(folder) && !own.has(path))) return { shown: [folder], rest: 0 }
  }
  return budget.take(files)
}

/** The command for the paths shown (none when the budget ran out) and a note on the rest. */
function sideLines(paths: { shown: string[]; rest: number }, side: 'ours' | 'theirs'): string[] {
  return [...(paths.shown.length ? [sideLine(paths.shown, side)] : []), ...restNote(paths.rest)]
}

/** One command that keeps `side` for every file a pathspec selects (deleting those the side has not got). */
function sideLine(specs: readonly string[], side: 'ours' | 'theirs'): string {
  const git = gitFor(specs)
  const quoted = specs.map(shellQuote).join(' ')
  return `${git} checkout --no-overlay --${side} -- ${quoted} && ${git} add -u -- ${quoted}`
}

export interface Branches {
  /** The sync branch, `<branch-prefix><tag>`. */
  syncBranch: string
  /** The fork's branch the PR targets. */
  targetBranch: string
}

/**
 * Copy-paste commands that redo the merge for this branch and target. The merge runs *from the target branch*, so
 * that "ours" is the fork and "theirs" upstream — exactly the rules' words — and the result is the merge commit the
 * action would have made (first parent: the target). It descends from the sync branch's tag commit, so the final
 * push is a fast-forward: no force needed, and a maintainer's earlier pushes to the branch are merged, not lost.
 * One command per group of conflicts (folder and rule, see groups.ts): `git checkout --no-overlay --<side>` over the
 * group's folder (or its files), which also deletes what that side deleted, then `git add -u`. Explicit path lists
 * share a budget of `maxPaths` paths to fit the body; what they leave out is counted with a note on where the full list is.
 */
export function resolveCommands(branches: Branches, conflicts: ConflictRow[], autoResolved: AutoResolvedRow[], maxPaths = Number.POSITIVE_INFINITY): string {
  const sync = shellQuote(branches.syncBranch)
  const lines = [
    'git fetch origin',
    `git switch --no-track -c ${sync} ${shellQuote(`origin/${branches.targetBranch}`)}`,
    `git merge --no-ff --no-edit ${shellQuote(`origin/${branches.syncBranch}`)}   # stops at the conflicts: expected`
  ]
  const settleable = conflicts.filter((c) => c.rule !== 'manual' && c.whyManual === '')
  const byHand = conflicts.filter((c) => c.rule === 'manual' || c.whyManual !== '')
  const groups = groupConflicts(settleable)
  const pathsOf = (rows: readonly { path: string }[]): string[] => rows.map((row) => row.path)
  const budget = new PathBudget(maxPaths)
  const allPaths = [...pathsOf(conflicts), ...pathsOf(autoResolved)]
  for (const rule of ['ours', 'theirs'] as const) {
    for (const group of groups.filter((g) => g.rule === rule)) {
      const files = pathsOf(group.conflicts)
      const what = rule === 'ours' ? "keep the fork's version" : "take upstream's version"
      lines.push('', `# rule ${rule}: ${what} of ${plural(group.count, 'file')} ${group.folder.endsWith('/') ? `under ${group.folder}` : 'at the top level'}`)
      lines.push(...sideLines(pathspecsOf(group, files, allPaths, budget), rule))
      const check = group.conflicts.filter((c) => CHECK_STATUS.has(c.kind))
      for (const c of check.slice(0, 10)) lines.push(`#   ${c.kind}: ${c.path.replace(/\n/g, '\\n')}: check git status before committing`)
      if (check.length > 10) lines.push(`#   …and ${check.length - 10} more renames, moves or submodules: check git status before committing`)
    }
  }
  for (const side of ['ours', 'theirs'] as const) {
    const files = pathsOf(autoResolved.filter((c) => c.side === side))
    if (files.length === 0) continue
    lines.push('', `# auto-resolved to ${side} in the action's merge: keep the same side here`, ...sideLines(budget.take(files), side))
  }
  if (byHand.length) {
    lines.push('', '# by hand: edit each file, remove the conflict markers, then mark it resolved')
    for (const c of byHand.filter((row) => row.whyManual !== '').slice(0, 20)) lines.push(`#   ${c.path.replace(/\n/g, '\\n')} (${c.kind}, rule ${c.rule}): ${c.whyManual}`)
    const { shown, rest } = budget.take(pathsOf(byHand))
    if (shown.length) lines.push(`${gitFor(shown)} add -- ${shown.map(shellQuote).join(' ')}`)
    lines.push(...restNote(rest))
  }
  lines.push('', 'git commit --no-edit', `git push origin ${sync}`)
  return fencedBlock(lines.join('\n'), 'sh')
}

/** Commands that revert the sync's merge commit on the target branch after the PR was merged (history intact). */
export function rollbackCommands(targetBranch: string): string {
  const target = shellQuote(targetBranch)
  return fencedBlock(
    [
      'git fetch origin',
      `git switch ${target}`,
      `git merge --ff-only ${shellQuote(`origin/${targetBranch}`)}`,
      'git revert -m 1 MERGE_SHA   # MERGE_SHA: the merge commit of this pull request',
      `git push origin ${target}`
    ].join('\n'),
    'sh'
  )
}

/** The force-push that puts the target branch back exactly at `targetSha`, as inline code. */
export function rollbackReset(targetBranch: string, targetSha: string): string {
  return codeSpan(`git push --force-with-lease origin ${shellQuote(`${targetSha}:refs/heads/${targetBranch}`)}`)
}
