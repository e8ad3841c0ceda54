import { describe, expect, it } from '@jest/globals'
import { buildReportView, renderPrBody, renderReportFile, renderSummary } from '../../../src/report/index.js'
import type { RebrandSummary } from '../../../src/types.js'
import { conflict, expectWellFormedTables, factsOf, input, merge } from './fixtures.js'

function summary(fileCount: number): RebrandSummary {
  const files = Array.from({ length: fileCount }, (_, i) => ({ path: i % 2 === 0 ? `ui/page${i}.tsx` : `README${i}.md`, replacements: i + 1 }))
  return {
    rules: [
      { from: 'LiteLLM', to: 'OrizonLLM', files: fileCount, replacements: files.reduce((sum, file) => sum + file.replacements, 0) },
      { from: 'a|b', to: 'c', files: 0, replacements: 0 }
    ],
    files: files.sort((a, b) => (a.path < b.path ? -1 : 1)),
    conflictsAvoided: ['README1.md'],
    notRebranded: ['docs/keep.md'],
    skipped: [{ path: 'logo.png', reason: 'binary' }]
  }
}

describe('the rebrand section', () => {
  it('is absent for a fork without rebrand rules', () => {
    const view = buildReportView(input())
    expect(view.hasRebrand).toBe(false)
    expect(renderPrBody(view)).not.toContain('### Rebrand')
  })

  it('lists each rule with its counts, the files, what would have conflicted, what was left alone', () => {
    const view = buildReportView(input({ merge: merge({ rebrand: summary(3) }) }))
    const body = renderPrBody(view)
    expectWellFormedTables(body)
    expect(body).toContain('3 upstream files arrive rebranded (6 replacements)')
    expect(body).toContain('| `LiteLLM` → `OrizonLLM` | 3 | 6 |')
    // A `|` in a rule is escaped in its table cell.
    expect(body).toContain('| `a\\|b` → `c` | 0 | 0 |')
    expect(body).toContain('would have conflicted:\n\n- `README1.md`\n')
    expect(body).toContain('- `README1.md` (2 replacements)\n- `ui/page0.tsx` (1 replacement)\n- `ui/page2.tsx` (3 replacements)')
    expect(body).not.toContain('<details>')
    expect(body).toContain("the merge commit's second parent is `v1.81.9-stable` itself")
    expect(body).not.toContain('redo a plain `git merge`')
    expect(body).toMatch(/check them by hand\.\n\n- `docs\/keep.md`/)
    expect(body).toContain('- `logo.png` (binary)')
    for (const text of [renderSummary(factsOf(view)), renderReportFile(view)]) expect(text).toContain('- `ui/page2.tsx` (3 replacements)')
  })

  it('folds a long file list into a collapsible block grouped by top-level folder', () => {
    const view = buildReportView(input({ merge: merge({ rebrand: summary(12) }) }))
    const body = renderPrBody(view)
    expect(body).toContain('<details>\n<summary>12 rebranded files</summary>\n\n**`README1.md`'.slice(0, 45))
    expect(body).toMatch(/\*\*\*\(top level\)\*\*\* \(6\)\n\n- `README1.md` \(2 replacements\)/)
    expect(body).toMatch(/\*\*`ui`\*\* \(6\)\n\n- `ui\/page0.tsx` \(1 replacement\)/)
    expect(body.indexOf('*(top level)*')).toBeLessThan(body.indexOf('**`ui`**'))
    expect(body).toContain('\n</details>')
    expect(view.rebrandFiles).toHaveLength(12)
  })

  it('warns, while conflicts remain, that the plain git merge of the resolve commands does not rebrand', () => {
    const body = renderPrBody(buildReportView(input({ merge: merge({ status: 'conflicts', conflicts: [conflict('src/server.py', 'manual')], rebrand: summary(2) }) })))
    expect(body).toContain('redo a plain `git merge`, which does not rebrand')
    expect(body).not.toContain('second parent')
  })
})

describe('a big rename', () => {
  it('folds a long list of spared conflicts too, and caps what it lists', () => {
    const many = summary(400)
    const view = buildReportView(input({ merge: merge({ rebrand: { ...many, conflictsAvoided: many.files.map((file) => file.path) } }) }))
    const body = renderPrBody(view)
    expect(body).toContain('would have conflicted:\n\n<details>\n<summary>400 files</summary>')
    expect(body).toContain('- …and 100 more: see the report file')
    expect(view.rebrandConflictsAvoided).toHaveLength(400)
    expect(body.length).toBeLessThan(65_536)
  })
})
