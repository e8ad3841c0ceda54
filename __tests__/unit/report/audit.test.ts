import { describe, expect, it } from '@jest/globals'
import type { AuditRow } from '../../../src/merge/audit.js'
import { AUDIT_MARKER, auditComment, auditMarkdown, contradictionCount } from '../../../src/report/audit.js'
import { expectWellFormedTables } from './fixtures.js'

const rows: AuditRow[] = [
  { path: 'Dockerfile', rule: null, kept: 'merged', verdict: 'no-rule' },
  { path: 'a|b.py', rule: 'ours', kept: 'theirs', verdict: 'fork-customization-dropped' },
  { path: 'ui/out/app.js', from: 'ui/old/app.js', rule: 'theirs', kept: 'ours', verdict: 'upstream-change-dropped' },
  { path: 'z.py', rule: 'theirs', kept: 'theirs', verdict: 'rule-side-kept' }
]
const facts = { rows, syncBranch: 'upstream-sync/v1.2.0', head: 'a'.repeat(40), forkUrl: 'https://github.example.com/carto/fork' }

describe('the resolution audit as people read it', () => {
  it('counts the contradictions and lists them first, each with its rule, what was kept and the verdict', () => {
    expect(contradictionCount(rows)).toBe(2)
    const text = auditMarkdown(facts)
    expect(text).toContain('**2 files contradict their rule**')
    expect(text).toContain(`at [\`aaaaaaaaaaaa\`](https://github.example.com/carto/fork/commit/${'a'.repeat(40)})`)
    const table = text.split('\n').filter((line) => line.startsWith('| `'))
    expect(table).toEqual([
      "| `a\\|b.py` | ours | upstream's (theirs) | ❌ fork customization dropped |",
      "| `ui/out/app.js` (from `ui/old/app.js`) | theirs | fork's (ours) | ❌ upstream's change dropped |",
      '| `Dockerfile` | — | a combination | no rule (not judged) |',
      "| `z.py` | theirs | upstream's (theirs) | ✅ the rule's side kept |"
    ])
    expectWellFormedTables(text)
  })

  it('makes the comment: the marker first, the table cut (contradictions kept) with a pointer to the rest', () => {
    const comment = auditComment({ ...facts, rows: [...rows, ...Array.from({ length: 300 }, (_, i): AuditRow => ({ path: `f${i}`, rule: null, kept: 'merged', verdict: 'no-rule' }))] })
    expect(comment.startsWith(`${AUDIT_MARKER}\n### Resolution audit`)).toBe(true)
    expect(comment).toContain('| `a\\|b.py` |')
    expect(comment).toContain('| …and 104 more: see the job summary of the run | | | |')
    expect(auditMarkdown({ ...facts, rows: rows.slice(2) })).toContain('**1 file contradicts its rule**')
    expect(auditMarkdown({ ...facts, rows: rows.slice(3) })).toContain('✅ No file contradicts its rule.')
  })
})
