/**
 * Conflicts grouped by folder and rule, so that a sync of hundreds of conflicts (most of them under one generated
 * folder) reads as a few groups: one line on the kind of work, one table row and one collapsible section per group,
 * and one resolution command per group.
 *
 * A group is every conflict under one top-level folder (or at the top level) with one rule; its folder is the
 * deepest folder all of its paths share (`ui/out/` when every file is under `ui/out/`).
 */
import type { ConflictKind, Resolution } from '../types.js'
import { codeSpan, plural } from './markdown.js'
import type { ConflictRow } from './rows.js'

/** One group of conflicts: one folder, one rule. */
export interface ConflictGroupRow {
  /** The folder with a trailing `/`, plain text; `(top level)` for files at the root. */
  folder: string
  /** The folder as inline code (or "*(top level)*"). */
  folderCode: string
  /** The same, safe in a table cell. */
  folderCell: string
  /** The folder as HTML, for a `<summary>` line (Markdown is not rendered there). */
  folderHtml: string
  /** The rule all of the group's files share. */
  rule: Resolution
  /** The rule in words: "upstream's", "the fork's" or "manual". */
  ruleLabel: string
  /** Files in the group. */
  count: number
  /** The group's conflict kinds with counts, most frequent first, e.g. "content 40, modify/delete 1". */
  kindsText: string
  /** The group's files shown here (all of them, unless the list was cut to fit). */
  conflicts: ConflictRow[]
  /** Files of the group shown in `conflicts` (0 when the list was cut before this group). */
  shown: number
  /** Files of the group left out of `conflicts` to fit (0 when none). */
  more: number
}

export const RULE_LABELS: Record<Resolution, string> = { theirs: "upstream's", ours: "the fork's", manual: 'manual' }
const RULE_ORDER: Record<Resolution, number> = { theirs: 0, ours: 1, manual: 2 }

/** The directory of a path with a trailing slash; '' at the top level. */
function folderOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? '' : path.slice(0, slash + 1)
}

/** The deepest folder (with a trailing `/`) that contains every path; '' when only the root does. */
export function commonFolder(paths: readonly string[]): string {
  let common = folderOf(paths[0] ?? '')
  for (const path of paths) {
    while (common !== '' && !path.startsWith(common)) common = folderOf(common.slice(0, -1))
  }
  return common
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Groups conflict rows by top-level folder and rule; biggest groups first. Rows keep their order inside a group. */
export function groupConflicts(rows: readonly ConflictRow[]): ConflictGroupRow[] {
  const byKey = new Map<string, ConflictRow[]>()
  for (const row of rows) {
    const top = row.path.includes('/') ? row.path.slice(0, row.path.indexOf('/') + 1) : ''
    const key = `${row.rule}\0${top}`
    byKey.set(key, [...(byKey.get(key) ?? []), row])
  }
  const groups = [...byKey.values()].map((members): ConflictGroupRow => {
    const folder = commonFolder(members.map((row) => row.path))
    const rule = (members[0] as ConflictRow).rule
    const kinds = new Map<ConflictKind, number>()
    for (const row of members) kinds.set(row.kind, (kinds.get(row.kind) ?? 0) + 1)
    const kindsText = [...kinds.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ')
    return {
      folder: folder || '(top level)',
      folderCode: folder ? codeSpan(folder) : '*(top level)*',
      folderCell: folder ? codeSpan(folder, { table: true }) : '*(top level)*',
      folderHtml: folder ? `<code>${escapeHtml(folder)}</code>` : '(top level)',
      rule,
      ruleLabel: RULE_LABELS[rule],
      count: members.length,
      kindsText,
      conflicts: members,
      shown: members.length,
      more: 0
    }
  })
  return groups.sort((a, b) => b.count - a.count || RULE_ORDER[a.rule] - RULE_ORDER[b.rule] || (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0))
}

/** The groups with only the rows in `shown` kept (the rest counted in `more`); groups and counts stay whole. */
export function limitGroups(groups: readonly ConflictGroupRow[], shown: ReadonlySet<string>): ConflictGroupRow[] {
  return groups.map((group) => {
    const conflicts = group.conflicts.filter((row) => shown.has(row.path))
    return { ...group, conflicts, shown: conflicts.length, more: group.count - conflicts.length }
  })
}

/**
 * One line on the kind of work, e.g. "41 files under `ui/out/` (rule: upstream's), 5 files under `src/` (rule: the
 * fork's), 1 manual": the three biggest groups by name, the rest counted by rule; manual files always last.
 */
export function workSummary(groups: readonly ConflictGroupRow[], autoResolved: number): string {
  const sided = groups.filter((group) => group.rule !== 'manual')
  const manual = groups.filter((group) => group.rule === 'manual').reduce((n, group) => n + group.count, 0)
  const parts: string[] = []
  const named = sided.slice(0, 3)
  for (const group of named) {
    const where = group.folder === '(top level)' ? 'at the top level' : `under ${group.folderCode}`
    parts.push(`${plural(group.count, 'file')} ${where} (rule: ${group.ruleLabel})`)
  }
  for (const rule of ['theirs', 'ours'] as const) {
    const rest = sided.slice(3).filter((group) => group.rule === rule).reduce((n, group) => n + group.count, 0)
    if (rest > 0) parts.push(`${plural(rest, named.length ? 'more file' : 'file')} elsewhere (rule: ${RULE_LABELS[rule]})`)
  }
  if (manual > 0) parts.push(`${manual} manual`)
  if (autoResolved > 0) parts.push(`${autoResolved} auto-resolved`)
  return parts.length ? `**To resolve:** ${parts.join(', ')}.` : ''
}

/** The same line for a run without conflicts left. */
export function cleanWorkSummary(autoResolved: number): string {
  return autoResolved > 0
    ? `**Nothing to resolve:** auto-resolve settled ${plural(autoResolved, 'conflict')} by the fork's rules; review them below.`
    : '**Nothing to resolve:** a clean merge.'
}
