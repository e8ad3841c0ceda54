/**
 * The shell commands the report hands to the people who resolve or roll back a sync: copy-paste ready, every path and
 * branch quoted so that a pasted command does exactly what it shows.
 */
import type { ConflictKind } from '../types.js'
import { codeSpan, fencedBlock, plural, shellQuote } from './markdown.js'
import type { AutoResolvedRow, ConflictRow } from './rows.js'

/** `git` with literal pathspecs when a path contains pathspec magic (`*`, `?`, `[`, `\`, a leading `:`). */
function gitFor(path: string): string {
  return /[*?[\]\\]/.test(path) || path.startsWith(':') ? 'git --literal-pathspecs' : 'git'
}

function sideCommand(path: string, side: 'ours' | 'theirs', kind: ConflictKind): string {
  const git = gitFor(path)
  const quoted = shellQuote(path)
  let line = `${git} checkout --${side} -- ${quoted} && ${git} add -- ${quoted}`
  if (kind === 'modify/delete' || kind === 'rename/delete') {
    line += `   # if ${side === 'ours' ? 'the fork' : 'upstream'} deleted it: ${git} rm -- ${quoted}`
  } else if (kind !== 'content' && kind !== 'add/add' && kind !== 'binary') {
    line += `   # ${kind}: check git status before committing`
  }
  return line
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
 * `omitted` counts the files left out of a cut list, which the commands then say they skip.
 */
export function resolveCommands(branches: Branches, conflicts: ConflictRow[], autoResolved: AutoResolvedRow[], omitted: number): string {
  const sync = shellQuote(branches.syncBranch)
  const lines = [
    'git fetch origin',
    `git switch --no-track -c ${sync} ${shellQuote(`origin/${branches.targetBranch}`)}`,
    `git merge --no-ff --no-edit ${shellQuote(`origin/${branches.syncBranch}`)}   # stops at the conflicts: expected`
  ]
  const ours = conflicts.filter((c) => c.rule === 'ours')
  const theirs = conflicts.filter((c) => c.rule === 'theirs')
  const manual = conflicts.filter((c) => c.rule === 'manual')
  if (ours.length) {
    lines.push('', "# rule ours: keep the fork's version")
    for (const c of ours) lines.push(sideCommand(c.path, 'ours', c.kind))
  }
  if (theirs.length) {
    lines.push('', "# rule theirs: take upstream's version")
    for (const c of theirs) lines.push(sideCommand(c.path, 'theirs', c.kind))
  }
  if (autoResolved.length) {
    lines.push('', '# auto-resolved in the action\'s merge: keep the same side here')
    for (const c of autoResolved) lines.push(sideCommand(c.path, c.side, c.kind))
  }
  if (manual.length) {
    lines.push('', '# rule manual: edit each file, remove the conflict markers, then mark it resolved')
    for (const c of manual) lines.push(`${gitFor(c.path)} add -- ${shellQuote(c.path)}`)
  }
  if (omitted > 0) {
    lines.push('', `# …and ${plural(omitted, 'more file')}: see the full list in the run's job summary or report file`)
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
