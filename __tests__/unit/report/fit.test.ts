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

    // Grouped: the group table's rows + "…and N more groups" account for every group (50 folders × 3 rules); each
    // group shown with files has its rows + "…and N more" = its count; the commands say what they leave out.
    const groupRows = body.split('\n').filter((line) => /^\| `pkg\d+\/` \|/.test(line)).length
    expect(groupRows + Number(/\| …and (\d+) more groups \|/.exec(body)?.[1] ?? 0)).toBe(150)
    const fileRows = body.split('\n').filter((line) => /^\| `pkg\d+\/module/.test(line)).length
    expect(fileRows).toBeGreaterThanOrEqual(20)
    for (const section of body.split('<details>').slice(1)) {
      const count = Number(/ · (\d+) files<\/summary>/.exec(section)?.[1])
      const rows = section.split('</details>')[0]!.split('\n').filter((line) => /^\| `pkg\d+\/module/.test(line)).length
      expect(rows + Number(/\| …and (\d+) more: see the job summary/.exec(section)?.[1] ?? 0)).toBe(count)
    }
    expect(body).toMatch(/# …and \d+ more files? of this group: see the full list/)
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
    expect(report.split('\n').filter((line) => /^\| `pkg\d+\/module/.test(line))).toHaveLength(CONFLICTS)
    expect(report).not.toContain('…and')
    expect(report.match(/^> Line of notes by `@someone`/gm)).toHaveLength(3_000)
  })

  it('renders an 850-conflict sync (most under one generated folder) grouped, within limits, one command per group', () => {
    const generated = Array.from({ length: 800 }, (_, i) => conflict(`ui/out/_next/static/chunks/${String(i).padStart(4, '0')}.js`, 'theirs'))
    const source = Array.from({ length: 40 }, (_, i) => conflict(`litellm/proxy/mod_${i}.py`, i % 4 === 0 ? 'ours' : 'theirs'))
    const manual = Array.from({ length: 10 }, (_, i) => conflict(`deploy/config_${i}.yaml`, 'manual'))
    const view = buildReportView(
      input({
        merge: merge({
          status: 'conflicts',
          headSha: TAG_SHA,
          conflicts: [...generated, ...source, ...manual],
          forkCustomizations: ['ui/out/_next/static/chunks/0001.js', 'litellm/proxy/mod_0.py', 'README.md', 'litellm/proxy/server.py']
        })
      })
    )
    const body = renderPrBody(view)
    expect(body.length).toBeLessThan(PR_BODY_MAX_CHARS)
    expectEssentialSections(body)
    expectWellFormedTables(body)
    // The body opens with the kind of work.
    expect(body.split('\n').slice(0, 4).join('\n')).toContain(
      "**To resolve:** 800 files under `ui/out/_next/static/chunks/` (rule: upstream's), 30 files under `litellm/proxy/` (rule: upstream's), 10 files under `litellm/proxy/` (rule: the fork's), 10 manual."
    )
    expect(body).toContain("| `ui/out/_next/static/chunks/` | upstream's | 800 | content 800 |")
    expect(body).toContain("<details><summary><code>ui/out/_next/static/chunks/</code> · rule: upstream's · 800 files</summary>")
    // One command for the 800 generated files: their folder as the pathspec (nothing else conflicts there).
    expect(body).toContain('git checkout --no-overlay --theirs -- ui/out/_next/static/chunks/ && git add -u -- ui/out/_next/static/chunks/')
    const block = /```sh\n([\s\S]*?)\n```/.exec(body)?.[1] ?? ''
    expect(block.split('\n').filter((line) => line.startsWith('git checkout'))).toHaveLength(3)
    expect(block.split('\n').filter((line) => line.startsWith('git add --'))).toHaveLength(1)
    expect(block.split('\n').length).toBeLessThan(25)
    // "Customizations touched" holds only the files that merged cleanly.
    expect(body).toContain('- `README.md`\n- `litellm/proxy/server.py`\n')
    expect(body).not.toContain('- `litellm/proxy/mod_0.py`')
    // The job summary and the report file keep every row.
    expect(renderReportFile(view).split('\n').filter((line) => /^\| `(ui|litellm|deploy)\/.+\.(js|py|yaml)` \|/.test(line))).toHaveLength(850)
    expect(Buffer.byteLength(renderSummary(factsOf(view)))).toBeLessThan(1_048_576)
  })
})
