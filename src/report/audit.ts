/**
 * The resolution audit as people read it: one Markdown section, used as the PR comment (behind a hidden marker that
 * finds it again) and in the job summary. Deterministic for the same findings, so a rerun leaves the comment as it is.
 */
import { contradictsRule, type AuditRow, type Verdict } from '../merge/audit.js'
import type { Kept } from '../merge/tree-diff.js'
import { codeSpan, plural, safeUrl } from './markdown.js'
import { shortSha } from './rows.js'

/** The hidden marker that identifies the audit comment on a sync PR. */
export const AUDIT_MARKER = '<!-- upstream-sync:resolution-audit -->'

/** At most this many rows in the comment's table (contradictions first); the job summary shows them all. */
export const AUDIT_COMMENT_ROWS = 200

export interface AuditFacts {
  rows: readonly AuditRow[]
  syncBranch: string
  /** The sync branch's head that was audited. */
  head: string
  /** The fork's page, for the commit link; empty for none. */
  forkUrl: string
}

const KEPT: Record<Kept, string> = { ours: "fork's (ours)", theirs: "upstream's (theirs)", merged: 'a combination', deleted: 'deleted' }

const VERDICT: Record<Verdict, string> = {
  'rule-side-kept': "✅ the rule's side kept",
  'upstream-change-dropped': "❌ upstream's change dropped",
  'fork-customization-dropped': '❌ fork customization dropped',
  'differs-from-rule': '⚠️ a combination where the rule names one side',
  manual: 'manual: a person decides',
  'no-rule': 'no rule (not judged)'
}

/** How many rows take the side the rule says not to take. */
export function contradictionCount(rows: readonly AuditRow[]): number {
  return rows.filter((row) => contradictsRule(row.verdict)).length
}

/** The audit section; `limit` cuts the table (contradictions first) and says where the rest is. */
export function auditMarkdown(facts: AuditFacts, limit = Number.POSITIVE_INFINITY): string {
  const { rows } = facts
  const contradictions = contradictionCount(rows)
  const base = safeUrl(facts.forkUrl)
  const head = base ? `[${codeSpan(shortSha(facts.head))}](${base}/commit/${facts.head})` : codeSpan(shortSha(facts.head))
  const lines = [
    '### Resolution audit',
    '',
    `The sync branch ${codeSpan(facts.syncBranch)} at ${head} holds a resolution made after upstream-sync's merge. ` +
      `For each of the ${plural(rows.length, 'file')} both sides changed since the merge base: what the branch kept, against the fork's rule.`,
    '',
    contradictions > 0
      ? `**${contradictions === 1 ? '1 file contradicts its rule' : `${contradictions} files contradict their rule`}** (labelled \`resolution-review\`): check them before merging.`
      : '✅ No file contradicts its rule.'
  ]
  if (rows.length > 0) {
    const ordered = [...rows].sort((a, b) => Number(contradictsRule(b.verdict)) - Number(contradictsRule(a.verdict)))
    const shown = ordered.slice(0, limit)
    lines.push('', '| File | Rule | Kept | Verdict |', '| --- | --- | --- | --- |')
    for (const row of shown) {
      const path = codeSpan(row.path, { table: true }) + (row.from ? ` (from ${codeSpan(row.from, { table: true })})` : '')
      lines.push(`| ${path} | ${row.rule ?? '—'} | ${KEPT[row.kept]} | ${VERDICT[row.verdict]} |`)
    }
    if (shown.length < rows.length) lines.push(`| …and ${rows.length - shown.length} more: see the job summary of the run | | | |`)
  }
  return lines.join('\n') + '\n'
}

/** The PR comment: the marker, then the section. */
export function auditComment(facts: AuditFacts): string {
  return `${AUDIT_MARKER}\n${auditMarkdown(facts, AUDIT_COMMENT_ROWS)}`
}
