import { describe, expect, it } from '@jest/globals'
import { PARTIALS, PR_BODY_TEMPLATE, REPORT_TEMPLATE, SUMMARY_TEMPLATE } from '../../../src/generated/templates.js'
import { buildReportView, TEMPLATE_VARIABLES, templateVariablesMarkdown, validateTemplate, type ReportView } from '../../../src/report/index.js'
import { rebrandView } from '../../../src/report/rebrand.js'
import { conflictsInput, expectWellFormedTables } from './fixtures.js'

describe('template variable reference', () => {
  const conflicted = buildReportView(conflictsInput())
  const full: ReportView = {
    ...conflicted,
    supersedes: [{ number: 1, url: 'u', linkMd: 'l' }],
    refreshedFrom: { oldSha: 'a', newSha: 'b', oldShaCode: 'c', newShaCode: 'd' },
    pullRequest: { number: 1, url: 'u', linkMd: 'l' },
    folders: conflicted.folders,
    ...rebrandView({
      rules: [{ from: 'LiteLLM', to: 'OrizonLLM', files: 1, replacements: 2 }],
      files: [{ path: 'README.md', replacements: 2 }],
      conflictsAvoided: ['README.md'],
      notRebranded: ['docs/old.md'],
      skipped: [{ path: 'logo.png', reason: 'binary' }]
    }),
    heldForHistory: [{ path: 'p', pathCode: 'c', pathCell: 'c' }],
    notSettleable: conflicted.conflicts
  }

  it('documents exactly the fields of the view and of its rows', () => {
    const actual = new Set<string>()
    for (const [key, value] of Object.entries(full)) {
      actual.add(key)
      const sample = Array.isArray(value) ? value[0] : value
      if (sample && typeof sample === 'object') for (const field of Object.keys(sample)) actual.add(`${key}.${field}`)
    }
    expect([...actual].sort()).toEqual(TEMPLATE_VARIABLES.map((v) => v.name).sort())
  })

  it('covers everything the built-in templates use', () => {
    for (const [name, template] of [['pr-body', PR_BODY_TEMPLATE], ['summary', SUMMARY_TEMPLATE], ['report', REPORT_TEMPLATE]] as const) {
      expect({ name, warnings: validateTemplate(template, name) }).toEqual({ name, warnings: [] })
    }
    for (const [name, template] of Object.entries(PARTIALS)) {
      expect({ name, warnings: validateTemplate(template, name) }).toEqual({ name, warnings: [] })
    }
  })

  it('renders as a Markdown table for the README', () => {
    const table = templateVariablesMarkdown()
    expect(table.split('\n')).toHaveLength(TEMPLATE_VARIABLES.length + 2)
    expect(table).toContain('| `releaseNotesMd` | md | `{{{releaseNotesMd}}}` |')
    expect(table).toContain('| `conflicts.pathCell` | md | `{{{pathCell}}}` |')
    expect(table).toContain('| `hasConflicts` | bool | `{{#hasConflicts}}…{{/hasConflicts}}` |')
    expectWellFormedTables(table)
  })

  it("lists each list's row fields right after the list, in the view's order", () => {
    const names = TEMPLATE_VARIABLES.map((v) => v.name)
    expect(names.slice(0, 3)).toEqual(['upstream', 'fork', 'tag'])
    const conflicts = names.indexOf('conflicts')
    expect(names.slice(conflicts, conflicts + 3)).toEqual(['conflicts', 'conflicts.path', 'conflicts.pathCode'])
    expect(names[names.length - 1]).toBe('hasPullRequest')
    expect(TEMPLATE_VARIABLES.find((v) => v.name === 'checklist')?.kind).toBe('list')
    expect(TEMPLATE_VARIABLES.find((v) => v.name === 'refreshedFrom.oldShaCode')?.kind).toBe('md')
  })
})
