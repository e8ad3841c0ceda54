import { describe, expect, it } from '@jest/globals'
import { buildReportView, renderPrBody } from '../../../src/report/index.js'
import { cleanWorkSummary, commonFolder, groupConflicts, workSummary } from '../../../src/report/groups.js'
import { conflictRow } from '../../../src/report/rows.js'
import { conflict, input, merge, TAG_SHA } from './fixtures.js'

describe('conflict groups', () => {
  it('names the deepest folder all paths share', () => {
    expect(commonFolder(['ui/out/a/x.js', 'ui/out/b/y.js'])).toBe('ui/out/')
    expect(commonFolder(['ui/out/a/x.js'])).toBe('ui/out/a/')
    expect(commonFolder(['src/x.py', 'README.md'])).toBe('')
    expect(commonFolder(['ui/outer/x.js', 'ui/out/y.js'])).toBe('ui/')
  })

  it('groups by top-level folder and rule, biggest first, with the kinds counted', () => {
    const rows = [
      conflict('ui/out/a.js', 'theirs'),
      conflict('ui/out/b.js', 'theirs', { kind: 'modify/delete' }),
      conflict('ui/out/c.js', 'theirs'),
      conflict('ui/custom.js', 'ours'),
      conflict('Makefile', 'manual')
    ].map((c) => conflictRow(c))
    const groups = groupConflicts(rows)
    expect(groups.map((g) => [g.folder, g.rule, g.count, g.kindsText])).toEqual([
      ['ui/out/', 'theirs', 3, 'content 2, modify/delete 1'],
      ['ui/', 'ours', 1, 'content 1'],
      ['(top level)', 'manual', 1, 'content 1']
    ])
    expect(groups[0]?.folderHtml).toBe('<code>ui/out/</code>')
    expect(workSummary(groups, 0)).toBe("**To resolve:** 3 files under `ui/out/` (rule: upstream's), 1 file under `ui/` (rule: the fork's), 1 manual.")
  })

  it('names the three biggest groups and counts the rest by rule', () => {
    const rows = ['a', 'b', 'c', 'd', 'e'].flatMap((top, i) => Array.from({ length: 10 - i }, (_, n) => conflictRow(conflict(`${top}/f${n}.py`, i % 2 ? 'ours' : 'theirs'))))
    expect(workSummary(groupConflicts(rows), 2)).toBe(
      "**To resolve:** 10 files under `a/` (rule: upstream's), 9 files under `b/` (rule: the fork's), 8 files under `c/` (rule: upstream's), 6 more files elsewhere (rule: upstream's), 7 more files elsewhere (rule: the fork's), 2 auto-resolved."
    )
    expect(cleanWorkSummary(0)).toBe('**Nothing to resolve:** a clean merge.')
  })

  it('lists the conflicts no rule can settle, with why, and leaves them out of the side commands', () => {
    const why = "a file added at lib/x.py, in a folder the other side renamed: git suggests pkg/x.py; where it belongs is a decision no side's version makes (one side has no such file at all)"
    const view = buildReportView(
      input({
        merge: merge({
          status: 'conflicts',
          headSha: TAG_SHA,
          conflicts: [conflict('pkg/x.py', 'theirs', { kind: 'file location', whyManual: why, addedAt: 'lib/x.py' }), conflict('pkg/y.py', 'theirs')]
        })
      })
    )
    const body = renderPrBody(view)
    expect(body).toContain(`**No rule can settle these by keeping one side**, so auto-resolve leaves them to a person:\n\n- \`pkg/x.py\` (file location, rule theirs): ${why}\n`)
    expect(body).toContain('git checkout --no-overlay --theirs -- pkg/y.py && git add -u -- pkg/y.py\n')
    expect(body).not.toContain('--theirs -- pkg/x.py')
    expect(body).toContain('git add -- pkg/x.py\n')
  })
})
