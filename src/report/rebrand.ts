/**
 * The rebrand's part of the report view (merge/rebrand-merge.ts did the work): each rule with its counts, the files
 * carried rebranded (a collapsible list grouped by top-level folder when long), and the upstream files that would
 * have conflicted without it. All escaping happens here, as in view.ts.
 */
import type { RebrandSummary } from '../types.js'
import { codeSpan, plural } from './markdown.js'
import { byPath, pathRow, type PathRow } from './rows.js'

/** One rebrand rule and what it did in this merge. */
export interface RebrandRuleRow {
  from: string
  to: string
  fromCode: string
  toCode: string
  /** `from` and `to` as inline code, safe in a table cell. */
  fromCell: string
  toCell: string
  files: number
  replacements: number
}

/** One upstream file the merge carries rebranded. */
export interface RebrandFileRow extends PathRow {
  replacements: number
}

/** One upstream file under the globs left as it is. */
export interface RebrandSkippedRow extends PathRow {
  /** `binary` or `not UTF-8`. */
  reason: string
}

export interface RebrandView {
  hasRebrand: boolean
  rebrandFileCount: number
  rebrandReplacementCount: number
  rebrandRules: RebrandRuleRow[]
  rebrandFiles: RebrandFileRow[]
  rebrandFilesMd: string
  rebrandConflictsAvoided: PathRow[]
  rebrandConflictsAvoidedMd: string
  hasRebrandConflictsAvoided: boolean
  rebrandNotRebranded: PathRow[]
  hasRebrandNotRebranded: boolean
  rebrandSkipped: RebrandSkippedRow[]
  hasRebrandSkipped: boolean
}

/** Up to this many files the list is shown as is; longer lists fold into a `<details>` block, grouped by folder. */
const OPEN_LIST = 10
/** Most files listed in `rebrandFilesMd`: the rest are counted (the full list is in `rebrandFiles`). */
const LISTED = 300

function fileLine(file: RebrandFileRow): string {
  return `- ${file.pathCode} (${plural(file.replacements, 'replacement')})`
}

/** A path list: plain when short; when long, folded (`summary` names it) and grouped by top-level folder. */
function foldedList<Row extends PathRow>(rows: readonly Row[], line: (row: Row) => string, summary: string): string {
  if (rows.length === 0) return ''
  const listed = rows.slice(0, LISTED)
  const more = rows.length > listed.length ? [`- …and ${rows.length - listed.length} more: see the report file`] : []
  if (rows.length <= OPEN_LIST) return [...listed.map(line), ...more].join('\n')
  const groups = new Map<string, Row[]>()
  for (const row of listed) {
    const slash = row.path.indexOf('/')
    const folder = slash === -1 ? '' : row.path.slice(0, slash)
    groups.set(folder, [...(groups.get(folder) ?? []), row])
  }
  const sections = [...groups].map(([folder, list]) => [`**${folder === '' ? '*(top level)*' : codeSpan(folder)}** (${list.length})`, '', ...list.map(line)].join('\n'))
  return ['<details>', `<summary>${summary}</summary>`, '', sections.join('\n\n'), ...(more.length ? ['', ...more] : []), '', '</details>'].join('\n')
}

export function rebrandView(summary: RebrandSummary | undefined): RebrandView {
  const rules = (summary?.rules ?? []).map((rule) => ({
    from: rule.from,
    to: rule.to,
    fromCode: codeSpan(rule.from),
    toCode: codeSpan(rule.to),
    fromCell: codeSpan(rule.from, { table: true }),
    toCell: codeSpan(rule.to, { table: true }),
    files: rule.files,
    replacements: rule.replacements
  }))
  const files = (summary?.files ?? []).map((file) => ({ ...pathRow(file.path), replacements: file.replacements })).sort(byPath)
  const avoided = (summary?.conflictsAvoided ?? []).map(pathRow).sort(byPath)
  const notRebranded = (summary?.notRebranded ?? []).map(pathRow)
  const skipped = (summary?.skipped ?? []).map((file) => ({ ...pathRow(file.path), reason: file.reason }))
  return {
    hasRebrand: summary !== undefined,
    rebrandFileCount: files.length,
    rebrandReplacementCount: files.reduce((sum, file) => sum + file.replacements, 0),
    rebrandRules: rules,
    rebrandFiles: files,
    rebrandFilesMd: foldedList(files, fileLine, plural(files.length, 'rebranded file')),
    rebrandConflictsAvoided: avoided,
    rebrandConflictsAvoidedMd: foldedList(avoided, (row) => `- ${row.pathCode}`, plural(avoided.length, 'file')),
    hasRebrandConflictsAvoided: avoided.length > 0,
    rebrandNotRebranded: notRebranded,
    hasRebrandNotRebranded: notRebranded.length > 0,
    rebrandSkipped: skipped,
    hasRebrandSkipped: skipped.length > 0
  }
}
