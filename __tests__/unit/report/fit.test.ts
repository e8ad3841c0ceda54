import { describe, expect, it } from '@jest/globals'
import { buildReportView, compileTemplate, PR_BODY_MAX_CHARS, renderPrBody, renderReportFile, renderSummary, type ReportInput } from '../../../src/report/index.js'
import { conflict, expectEssentialSections, expectWellFormedTables, factsOf, input, merge, TAG_SHA } from './fixtures.js'

describe('size limits', () => {
  const FILES = 20_000
  const CONFLICTS = 5_000
  const huge = (notes = 'Line of notes by @someone for #1.\n'.repeat(3_000)): ReportInput =>
    input({
      release: { tag: 'v1.81.9-stable', body: notes, draft: false, prerelease: false },
      merge: merge({
        status: 'conflicts',
        headSha: TAG_SHA,
        conflicts: Array.from({ length: CONFLICTS }, (_, i) =>
          conflict(`pkg${i % 50}/module_${String(i).padStart(5, '0')}/implementation.py`, i % 3 === 0 ? 'manual' : i % 3 === 1 ? 'ours' : 'theirs', {
            note: i % 3 === 0 ? 'check `# CARTO:` sections' : undefined
          })
        ),
        autoResolved: Array.from({ length: 1_000 }, (_, i) => conflict(`auto/file_${i}.py`, 'theirs', { autoResolved: 'theirs' })),
        forkCustomizations: Array.from({ length: 3_000 }, (_, i) => `custom/dir_${i}/file.py`),
        changes: {
          commits: 30_000,
          files: FILES,
          byFolder: Array.from({ length: 2_000 }, (_, i) => ({ folder: `folder_${i}`, added: 4, modified: 4, deleted: 1, renamed: 1 }))
        }
      })
    })

  it(`keeps a ${FILES}-file, ${CONFLICTS}-conflict body under GitHub's limit with the essential sections`, () => {
    const view = buildReportView(huge())
    const body = renderPrBody(view)
    expect(body.length).toBeLessThan(PR_BODY_MAX_CHARS)
    expectEssentialSections(body)
    expect(body).toContain('### Resolve the conflicts')
    expect(body).toContain('git push origin upstream-sync/v1.81.9-stable')
    expect(body).toContain("The full lists are in the [workflow run](https://github.example.com/carto/litellm/actions/runs/99)'s job summary")
    expectWellFormedTables(body)

    // Shown rows + "…and N more" account for every conflict; the commands cover the same files.
    const shown = body.split('\n').filter((line) => /^\| `pkg\d+\//.test(line)).length
    const more = Number(/\| …and (\d+) more \|/.exec(body)?.[1])
    expect(shown).toBeGreaterThanOrEqual(20)
    expect(shown + more).toBe(CONFLICTS)
    expect(body).toMatch(/# …and \d+ more files: see the full list/)
    expect(body).toMatch(/- …and \d+ more\n/)
    expect(body).toMatch(/\| …and \d+ more folders \|/)
  })

  it('cuts the release notes only as a last resort, with a link to them', () => {
    const small = input({ release: { tag: 'v1.81.9-stable', body: 'x'.repeat(50) + '\n' + 'Notes line.\n'.repeat(20_000), draft: false, prerelease: false } })
    const body = renderPrBody(buildReportView(small))
    expect(body.length).toBeLessThan(PR_BODY_MAX_CHARS)
    expect(body).toContain('- `Dockerfile`\n- `litellm/proxy/server.py`')
    expect(body).toContain(
      "> *…release notes cut to fit GitHub's size limit: [read them in full](https://github.example.com/BerriAI/litellm/releases/tag/v1.81.9-stable).*"
    )
    expect(body).toContain('---\n<sub>Opened by upstream-sync')
  })

  it('shrinks lists before the notes, and grows them back to fill the budget', () => {
    const view = buildReportView(huge('Short notes.'))
    const body = renderPrBody(view)
    expect(body).toContain('> Short notes.')
    expect(body.length).toBeGreaterThan(PR_BODY_MAX_CHARS * 0.75)
  })

  it('hard-cuts a body that cannot shrink enough (a huge custom template)', () => {
    const template = `{{upstream}}\n${'static text line\n'.repeat(10_000)}`
    const body = renderPrBody(buildReportView(input()), compileTemplate(template, 'a huge template'))
    expect(body.length).toBeLessThanOrEqual(PR_BODY_MAX_CHARS)
    expect(body).toContain("This description was cut at GitHub's size limit.")
    expect(body.startsWith('BerriAI/litellm\n')).toBe(true)
  })

  it('keeps the job summary under 1 MiB and the report file complete', () => {
    const view = buildReportView(huge())
    const summary = renderSummary(factsOf(view))
    expect(Buffer.byteLength(summary)).toBeLessThan(1_048_576)
    expect(summary).toContain('### Conflicts (5000)')
    const report = renderReportFile(view)
    expect(report.split('\n').filter((line) => /^\| `pkg\d+\//.test(line))).toHaveLength(CONFLICTS)
    expect(report).not.toContain('…and')
    expect(report.match(/^> Line of notes by `@someone`/gm)).toHaveLength(3_000)
  })
})
