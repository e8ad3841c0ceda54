import { execFileSync, spawnSync } from 'node:child_process'
import { promises as fs, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import Mustache from 'mustache'
import { PR_BODY_TEMPLATE, REPORT_TEMPLATE, SUMMARY_TEMPLATE } from '../src/generated/templates.js'
import {
  buildReportView,
  DEFAULT_TEMPLATE,
  PR_BODY_MAX_CHARS,
  renderDryRunPreview,
  renderPrBody,
  renderReportFile,
  renderSummary,
  renderTitle,
  TEMPLATE_VARIABLES,
  templateVariablesMarkdown,
  TemplateError,
  validateTemplate,
  type ReportInput,
  type ReportView
} from '../src/report.js'
import type { Conflict, MergeResult } from '../src/types.js'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

const TARGET_SHA = '1'.repeat(40)
const TAG_SHA = '2'.repeat(40)

function merge(overrides: Partial<MergeResult> = {}): MergeResult {
  return {
    status: 'clean',
    targetSha: TARGET_SHA,
    tagSha: TAG_SHA,
    headSha: '3'.repeat(40),
    conflicts: [],
    autoResolved: [],
    changes: {
      commits: 42,
      files: 17,
      byFolder: [
        { folder: 'docs', added: 1, modified: 2, deleted: 0, renamed: 0 },
        { folder: 'litellm', added: 3, modified: 9, deleted: 1, renamed: 1 },
        { folder: '', added: 0, modified: 0, deleted: 0, renamed: 0 }
      ]
    },
    forkCustomizations: ['Dockerfile', 'litellm/proxy/server.py'],
    ...overrides
  }
}

function conflict(path: string, resolution: Conflict['resolution'], extra: Partial<Conflict> = {}): Conflict {
  return { path, kind: 'content', message: `CONFLICT (content): Merge conflict in ${path}`, resolution, ...extra }
}

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    upstream: { owner: 'BerriAI', repo: 'litellm' },
    fork: { owner: 'carto', repo: 'litellm' },
    serverUrl: 'https://github.example.com',
    tag: 'v1.81.9-stable',
    version: '1.81.9',
    previousVersion: '1.80.0',
    previousTag: 'v1.80.0-stable',
    targetBranch: 'carto/main',
    syncBranch: 'upstream-sync/v1.81.9-stable',
    release: {
      tag: 'v1.81.9-stable',
      name: 'Stable 1.81.9',
      body: "## What's Changed\n* Faster proxy by @alice in #123\n* Docs (GH-7) thanks @bob\n```\n@inside #9\n```",
      draft: false,
      prerelease: false
    },
    merge: merge(),
    runUrl: 'https://github.example.com/carto/litellm/actions/runs/99',
    checklist: ['Run `make test`', 'Check the `# CARTO:` sections\nof the Dockerfile'],
    dryRun: false,
    ...overrides
  }
}

function conflictsInput(): ReportInput {
  return input({
    merge: merge({
      status: 'conflicts',
      headSha: TAG_SHA,
      conflicts: [
        conflict('Dockerfile', 'manual', { note: 'check `# CARTO:` sections' }),
        conflict('.github/workflows/carto-ci.yml', 'ours', { note: 'the fork owns its workflows' }),
        conflict('litellm/router.py', 'theirs'),
        conflict('docs/old.md', 'theirs', { kind: 'modify/delete', message: 'CONFLICT (modify/delete): docs/old.md deleted in HEAD' })
      ],
      autoResolved: [conflict('tests/test_x.py', 'theirs', { autoResolved: 'theirs' })]
    })
  })
}

/** Cells of a GFM table row, split at unescaped pipes (as GFM does before parsing the cells). */
function cells(row: string): string[] {
  return row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/).map((cell) => cell.trim())
}

/** Every table in the text has the same number of cells in each row as in its header. */
function expectWellFormedTables(text: string): void {
  let width = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      width = 0
      continue
    }
    const count = cells(line).length
    if (width === 0) width = count
    expect({ line, count }).toEqual({ line, count: width })
  }
}

/** The sections a reviewer needs, whatever was cut. */
function expectEssentialSections(body: string): void {
  expect(body).toContain('## Upstream sync: BerriAI/litellm v1.81.9-stable')
  expect(body).toContain('never squash or rebase this pull request')
  expect(body).toContain('### Merge status')
  expect(body).toContain('### Rollback')
  expect(body).toContain(TARGET_SHA.slice(0, 12))
}

describe('the default PR body', () => {
  const body = renderPrBody(buildReportView(conflictsInput()))

  it('starts with the title line, previous → new version and the links', () => {
    expect(body).toContain('## Upstream sync: BerriAI/litellm v1.81.9-stable')
    expect(body).toContain('`1.80.0` → `1.81.9`')
    expect(body).toContain('[Release v1.81.9-stable](https://github.example.com/BerriAI/litellm/releases/tag/v1.81.9-stable)')
    expect(body).toContain(
      '[Compare v1.80.0-stable...v1.81.9-stable](https://github.example.com/BerriAI/litellm/compare/v1.80.0-stable...v1.81.9-stable)'
    )
    expect(body).toContain('[Workflow run](https://github.example.com/carto/litellm/actions/runs/99)')
  })

  it('shows the release notes with mentions and bare references neutralised, code blocks untouched', () => {
    expect(body).toContain('### Release notes: Stable 1.81.9')
    expect(body).toContain('> * Faster proxy by `@alice` in [#123](https://github.example.com/BerriAI/litellm/issues/123)')
    expect(body).toContain('> * Docs ([GH-7](https://github.example.com/BerriAI/litellm/issues/7)) thanks `@bob`')
    expect(body).toContain('> @inside #9')
    expect(body).not.toMatch(/[^`]@alice/)
  })

  it('says what changed: counts and a table by top-level folder, most changed first', () => {
    expect(body).toContain('42 new commits, 17 files changed')
    expect(body).toContain('| Folder | Added | Modified | Deleted | Renamed |')
    const litellm = body.indexOf('| `litellm` | 3 | 9 | 1 | 1 |')
    const docs = body.indexOf('| `docs` | 1 | 2 | 0 | 0 |')
    expect(litellm).toBeGreaterThan(0)
    expect(docs).toBeGreaterThan(litellm)
    expect(body).toContain('| *(top level)* | 0 | 0 | 0 | 0 |')
  })

  it('has the merge status and a conflict table with kind, rule and note', () => {
    expect(body).toContain('⚠️ **conflicts** in 4 files, 1 more auto-resolved')
    expect(body).toContain('| File | Conflict | Rule | Note |')
    expect(body).toContain('| `Dockerfile` | content | manual | check `# CARTO:` sections |')
    expect(body).toContain('| `.github/workflows/carto-ci.yml` | content | ours | the fork owns its workflows |')
    expect(body).toContain('| `docs/old.md` | modify/delete | theirs |  |')
    expectWellFormedTables(body)
  })

  it('lists auto-resolved files with the side kept', () => {
    expect(body).toContain('#### Auto-resolved (1)')
    expect(body).toContain('| `tests/test_x.py` | content | theirs (upstream) |  |')
  })

  it('lists the fork customizations upstream touched', () => {
    expect(body).toContain('### Fork customizations touched by upstream')
    expect(body).toContain('- `Dockerfile`\n- `litellm/proxy/server.py`')
  })

  it('warns against squash-merging and shows the checklist', () => {
    expect(body).toContain('**Merge with "Create a merge commit": never squash or rebase this pull request.**')
    expect(body).toContain('- [ ] Run `make test`\n- [ ] Check the `# CARTO:` sections of the Dockerfile')
  })

  it('gives copy-paste resolution commands for this branch and target', () => {
    expect(body).toContain('### Resolve the conflicts')
    expect(body).toContain('git fetch origin\n')
    expect(body).toContain('git switch --no-track -c upstream-sync/v1.81.9-stable origin/carto/main\n')
    expect(body).toContain('git merge --no-ff --no-edit origin/upstream-sync/v1.81.9-stable')
    expect(body).toContain('git checkout --ours -- .github/workflows/carto-ci.yml && git add -- .github/workflows/carto-ci.yml')
    expect(body).toContain('git checkout --theirs -- litellm/router.py && git add -- litellm/router.py')
    expect(body).toContain('git checkout --theirs -- docs/old.md && git add -- docs/old.md   # if upstream deleted it: git rm -- docs/old.md')
    // The auto-resolved file is not settled on the branch while conflicts remain (it points at the tag).
    expect(body).toContain('git checkout --theirs -- tests/test_x.py && git add -- tests/test_x.py')
    expect(body).toContain('git add -- Dockerfile\n')
    expect(body).toContain('git commit --no-edit\ngit push origin upstream-sync/v1.81.9-stable\n```')
  })

  it('has the rollback note with the target commit before merging', () => {
    expect(body).toContain('### Rollback')
    expect(body).toContain('`carto/main` is at `111111111111`')
    expect(body).toContain('git revert -m 1 MERGE_SHA')
    expect(body).toContain(`\`git push --force-with-lease origin ${TARGET_SHA}:refs/heads/carto/main\``)
  })

  it('has no leftover Mustache tags and no HTML-escaped entities', () => {
    expect(body).not.toMatch(/\{\{|\}\}/)
    expect(body).not.toMatch(/&#x2F;|&quot;|&#39;/)
  })
})

describe('PR body variants', () => {
  it('a clean merge says so and has no resolution section', () => {
    const body = renderPrBody(buildReportView(input()))
    expect(body).toContain('✅ **clean merge**')
    expect(body).toContain('Merges cleanly into `carto/main`: the branch holds the merge commit')
    expect(body).not.toContain('### Resolve the conflicts')
    expect(body).not.toContain('| File | Conflict |')
  })

  it('when auto-resolve settled everything, lists each file and the side kept', () => {
    const view = buildReportView(
      input({
        merge: merge({
          autoResolved: [
            conflict('litellm/a.py', 'theirs', { autoResolved: 'theirs' }),
            conflict('CARTO_README.md', 'ours', { autoResolved: 'ours', note: 'ours always' })
          ]
        })
      })
    )
    expect(view.allAutoResolved).toBe(true)
    const body = renderPrBody(view)
    expect(body).toContain('✅ **clean** after auto-resolving 2 conflicts')
    expect(body).toContain('after auto-resolve settled every conflict')
    expect(body).toContain('| `CARTO_README.md` | content | ours (fork) | ours always |')
    expect(body).toContain('| `litellm/a.py` | content | theirs (upstream) |  |')
    expect(body).not.toContain('### Resolve the conflicts')
  })

  it('without a previous version or release, says so instead of linking nowhere', () => {
    const body = renderPrBody(buildReportView(input({ previousVersion: undefined, previousTag: undefined, release: undefined })))
    expect(body).toContain('`1.81.9` (previous version unknown)')
    expect(body).not.toContain('/compare/')
    expect(body).toContain('[Tag v1.81.9-stable](https://github.example.com/BerriAI/litellm/tree/v1.81.9-stable) (no GitHub release)')
    expect(body).toContain('Upstream published no release notes for `v1.81.9-stable`.')
  })

  it('marks a dry run, a refreshed tag and superseded PRs', () => {
    const body = renderPrBody(
      buildReportView(
        input({
          dryRun: true,
          refreshedFrom: { oldSha: 'a'.repeat(40), newSha: 'b'.repeat(40) },
          supersedes: [
            { number: 5, url: 'https://github.example.com/carto/litellm/pull/5' },
            { number: 8, url: 'https://github.example.com/carto/litellm/pull/8' }
          ]
        })
      )
    )
    expect(body.startsWith('> [!NOTE]\n> **Dry run:**')).toBe(true)
    expect(body).toContain('Upstream moved the tag `v1.81.9-stable` from `aaaaaaaaaaaa` to `bbbbbbbbbbbb`')
    expect(body).toContain('Supersedes [#5](https://github.example.com/carto/litellm/pull/5), [#8](https://github.example.com/carto/litellm/pull/8)')
  })

  it('routes upstream links in the notes around back-links on github.com', () => {
    const body = renderPrBody(buildReportView(input({ serverUrl: 'https://github.com' })))
    expect(body).toContain('[#123](https://redirect.github.com/BerriAI/litellm/issues/123)')
    // The action's own links stay direct.
    expect(body).toContain('[Release v1.81.9-stable](https://github.com/BerriAI/litellm/releases/tag/v1.81.9-stable)')
  })
})

describe('hostile names', () => {
  const hostile = ['a|b.md', 'x`y.md', '<script>.md', '[link](x).md', '*bold*.md', 'new\nline.md', '_under_.md']
  const view = buildReportView(
    input({
      tag: 'v1.0_<b>*x*',
      release: { tag: 'v1.0_<b>*x*', name: '@everyone <img src=x> | #1', body: 'ok', draft: false, prerelease: false },
      merge: merge({
        status: 'conflicts',
        headSha: TAG_SHA,
        conflicts: hostile.map((p) => conflict(p, 'manual', { note: 'a | b\nc' })),
        forkCustomizations: hostile,
        changes: { commits: 1, files: 1, byFolder: [{ folder: 'a|b`c', added: 1, modified: 0, deleted: 0, renamed: 0 }] }
      })
    })
  )
  const body = renderPrBody(view)

  it('keeps every table row well-formed', () => {
    expectWellFormedTables(body)
    expectWellFormedTables(renderSummary(view))
    expectWellFormedTables(renderReportFile(view))
  })

  it('renders each path as exact inline code', () => {
    expect(body).toContain('| `a\\|b.md` |')
    expect(body).toContain('| ``x`y.md`` |')
    expect(body).toContain('| `<script>.md` |')
    expect(body).toContain('| `[link](x).md` |')
    expect(body).toContain('| `*bold*.md` |')
    expect(body).toContain('| `new\\nline.md` |')
    expect(body).toContain('- `a|b.md`')
    expect(body).toContain('| ``a\\|b`c`` |')
    expect(body).toContain('| `a\\|b.md` | content | manual | a \\| b<br>c |')
  })

  it('escapes tags and release names outside code, and defuses their mentions', () => {
    expect(body).toContain('## Upstream sync: BerriAI/litellm v1.0\\_\\<b\\>\\*x\\*')
    expect(body).toContain('### Release notes: @&#8203;everyone \\<img src=x\\> \\| #&#8203;1')
    // Raw HTML only ever appears inside code, where it is shown, not rendered.
    const outsideCode = body.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '').replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '')
    expect(outsideCode).not.toMatch(/(?<!\\)<(b|img|script)\b/)
    expect(outsideCode).toContain('\\<img src=x\\>')
    expect(body).toContain('releases/tag/v1.0_%3Cb%3E%2Ax%2A')
  })

  it('quotes the paths in the commands', () => {
    expect(body).toContain("git add -- 'a|b.md'\n")
    expect(body).toContain("git add -- 'x`y.md'\n")
    expect(body).toContain("git --literal-pathspecs add -- '*bold*.md'\n")
    expect(body).toContain("git add -- $'new\\nline.md'\n")
  })

  it('keeps the title plain and stable', () => {
    expect(renderTitle(view)).toBe('Upstream sync: BerriAI/litellm v1.0_<b>*x*')
  })
})

describe('renderTitle', () => {
  it('does not change with the merge status, so refreshing a PR does not churn its title', () => {
    expect(renderTitle(buildReportView(input()))).toBe('Upstream sync: BerriAI/litellm v1.81.9-stable')
    expect(renderTitle(buildReportView(conflictsInput()))).toBe('Upstream sync: BerriAI/litellm v1.81.9-stable')
  })

  it("stays within GitHub's 256 characters", () => {
    const title = renderTitle(buildReportView(input({ tag: `v1-${'x'.repeat(400)}` })))
    expect(title.length).toBeLessThanOrEqual(256)
    expect(title.endsWith('…')).toBe(true)
  })
})

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
    const body = renderPrBody(buildReportView(input()), template)
    expect(body.length).toBeLessThanOrEqual(PR_BODY_MAX_CHARS)
    expect(body).toContain("This description was cut at GitHub's size limit.")
    expect(body.startsWith('BerriAI/litellm\n')).toBe(true)
  })

  it('keeps the job summary under 1 MiB and the report file complete', () => {
    const view = buildReportView(huge())
    const summary = renderSummary(view)
    expect(Buffer.byteLength(summary)).toBeLessThan(1_048_576)
    expect(summary).toContain('### Conflicts (5000)')
    const report = renderReportFile(view)
    expect(report.split('\n').filter((line) => /^\| `pkg\d+\//.test(line))).toHaveLength(CONFLICTS)
    expect(report).not.toContain('…and')
    expect(report.match(/^> Line of notes by `@someone`/gm)).toHaveLength(3_000)
  })
})

describe('renderSummary and renderReportFile', () => {
  const view = buildReportView(conflictsInput())
  const outcome = { result: 'created', pullRequest: { number: 17, url: 'https://github.example.com/carto/litellm/pull/17' } }

  it('summary: a short table and the full conflict report', () => {
    const summary = renderSummary(view, outcome)
    expect(summary).toContain('| Upstream | [BerriAI/litellm](https://github.example.com/BerriAI/litellm)')
    expect(summary).toContain('| Version | `1.80.0` → `1.81.9` |')
    expect(summary).toContain('| Result | **created** |')
    expect(summary).toContain('| Merge status | ⚠️ **conflicts** in 4 files, 1 more auto-resolved |')
    expect(summary).toContain('| Conflicts | 4 |')
    expect(summary).toContain('| Pull request | [#17](https://github.example.com/carto/litellm/pull/17) |')
    expect(summary).toContain('| `docs/old.md` | modify/delete | theirs |  | CONFLICT (modify/delete): docs/old.md deleted in HEAD |')
    expect(summary).toContain('### Auto-resolved (1)')
    expect(summary).toContain('### Fork customizations touched by upstream (2)')
    expect(summary).toContain('### Upstream changes by folder')
    expect(summary).toContain('git merge --no-ff --no-edit origin/upstream-sync/v1.81.9-stable')
    expectWellFormedTables(summary)
  })

  it('summary without an outcome (a failed or early run) has no result row and no PR', () => {
    const summary = renderSummary(view)
    expect(summary).not.toContain('| Result |')
    expect(summary).toContain('| Pull request | none |')
  })

  it('summary from what main.ts hands over, with a view: the full report plus the message', () => {
    const summary = renderSummary({
      view,
      result: 'updated',
      message: 'Updated PR #17 for v1.81.9-stable (conflicts).',
      upstream: 'BerriAI/litellm',
      target: 'carto/main',
      tag: 'v1.81.9-stable',
      version: '1.81.9',
      previousVersion: '1.80.0',
      prUrl: 'https://github.example.com/carto/litellm/pull/17',
      prNumber: 17
    })
    expect(summary).toContain('| Result | **updated** |')
    expect(summary).toContain('| Pull request | [#17](https://github.example.com/carto/litellm/pull/17) |')
    expect(summary).toContain('\nUpdated PR #&#8203;17 for v1.81.9-stable (conflicts).\n')
    expect(summary).toContain('### Conflicts (4)')
  })

  it('summary of a run that merged nothing (up to date, skipped): a short table of what is known', () => {
    const upToDate = renderSummary({
      result: 'up-to-date',
      message: 'carto/main already contains v1.81.9-stable.',
      upstream: 'BerriAI/litellm',
      target: 'carto/main',
      previousVersion: '1.81.9'
    })
    expect(upToDate).toBe(
      [
        '## Upstream sync: BerriAI/litellm',
        '',
        '| | |',
        '| --- | --- |',
        '| Upstream | BerriAI/litellm |',
        '| Target branch | `carto/main` |',
        '| Version | `1.81.9` (current) |',
        '| Result | **up-to-date** |',
        '',
        'carto/main already contains v1.81.9-stable.',
        ''
      ].join('\n')
    )
    const skipped = renderSummary({
      result: 'skipped',
      message: 'The PR for v1.82.0-stable was closed without merging: skipping this release.',
      upstream: 'BerriAI/litellm',
      target: 'carto/main',
      tag: 'v1.82.0-stable',
      version: '1.82.0',
      previousVersion: '1.81.9',
      prUrl: 'https://github.example.com/carto/litellm/pull/30'
    })
    expect(skipped).toContain('## Upstream sync: BerriAI/litellm v1.82.0-stable')
    expect(skipped).toContain('| Version | `1.81.9` → `1.82.0` |')
    expect(skipped).toContain('| Pull request | [pull request](https://github.example.com/carto/litellm/pull/30) |')
    expectWellFormedTables(skipped)
  })

  it('summary lists every conflict of a large run in full', () => {
    const many = input({
      merge: merge({ status: 'conflicts', headSha: TAG_SHA, conflicts: Array.from({ length: 1_500 }, (_, i) => conflict(`src/f${i}.ts`, 'manual')) })
    })
    const summary = renderSummary(buildReportView(many))
    expect(summary.split('\n').filter((line) => line.startsWith('| `src/f'))).toHaveLength(1_500)
    expect(summary).not.toContain('…and')
  })

  it('report file: everything, with commits and the release notes', () => {
    const report = renderReportFile(view, outcome)
    expect(report).toContain('# Upstream sync report: BerriAI/litellm v1.81.9-stable')
    expect(report).toContain(`| Target before the merge | \`${TARGET_SHA}\` |`)
    expect(report).toContain('## Conflicts (4)')
    expect(report).toContain('## Release notes: Stable 1.81.9')
    expect(report).toContain('`@alice`')
    expect(report).toContain('git revert -m 1 MERGE_SHA')
    expectWellFormedTables(report)
  })

  it('dry-run preview shows title, labels and body', () => {
    const preview = renderDryRunPreview('Upstream sync: a/b v1', ['upstream-sync', 'conflicts'], 'Body\n')
    expect(preview).toContain('Dry run: the pull request that would be opened')
    expect(preview).toContain('Title:  Upstream sync: a/b v1')
    expect(preview).toContain('Labels: upstream-sync, conflicts')
    expect(preview).toContain('\nBody\n')
    expect(renderDryRunPreview('t', [], '')).toContain('Labels: (none)')
  })
})

describe('custom templates', () => {
  const view = buildReportView(conflictsInput())

  it('render with the same view', () => {
    const template = [
      '# {{upstream}} {{tag}} ({{mergeStatus}})',
      '{{#conflicts}}',
      '* {{{pathCode}}}: {{rule}}',
      '{{/conflicts}}',
      '{{^hasConflicts}}clean{{/hasConflicts}}',
      'notes: {{{releaseNotesMd}}}'
    ].join('\n')
    expect(validateTemplate(template, 'config key `template` (.github/pr.md)')).toEqual([])
    const body = renderPrBody(view, template)
    expect(body).toContain('# BerriAI/litellm v1.81.9-stable (conflicts)\n* `.github/workflows/carto-ci.yml`: ours\n* `Dockerfile`: manual\n')
    expect(body).toContain('notes: > ## What')
  })

  it('a bad template fails with the source, the line and Mustache’s message', () => {
    const bad = 'line one\n{{#conflicts}}\n* {{path}}\n'
    expect(() => validateTemplate(bad, 'input `template` (.github/sync-pr.md)')).toThrow(TemplateError)
    expect(() => validateTemplate(bad, 'input `template` (.github/sync-pr.md)')).toThrow(
      /^The PR body template from input `template` \(\.github\/sync-pr\.md\) is not valid Mustache \(line 2\): Unclosed section "conflicts" at \d+\. /
    )
    expect(() => renderPrBody(view, bad, { sourceName: 'config key `template`' })).toThrow(/config key `template`/)
  })

  it('warns about names that are no template variable, and partials', () => {
    const warnings = validateTemplate('{{tagg}} {{#conflicts}}{{pathCode}}{{notAField}}{{/conflicts}} {{> header}} {{refreshedFrom.oldSha}}', 'x.md')
    expect(warnings).toEqual([
      'x.md: {{tagg}} is not a template variable and renders as nothing (see the README\'s template variable reference).',
      'x.md: {{notAField}} is not a template variable and renders as nothing (see the README\'s template variable reference).',
      'x.md: partial {{> header}} renders nothing (the PR body template has no partials).'
    ])
  })
})

describe('template variable reference', () => {
  const conflicted = buildReportView(conflictsInput())
  const full: ReportView = {
    ...conflicted,
    supersedes: [{ number: 1, url: 'u', linkMd: 'l' }],
    refreshedFrom: { oldSha: 'a', newSha: 'b', oldShaCode: 'c', newShaCode: 'd' },
    pullRequest: { number: 1, url: 'u', linkMd: 'l' },
    folders: conflicted.folders
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
    for (const [name, template] of [['pr-body', DEFAULT_TEMPLATE], ['summary', SUMMARY_TEMPLATE], ['report', REPORT_TEMPLATE]] as const) {
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
})

describe('the shipped template', () => {
  it('is the generated constant, byte for byte (run `node scripts/copy-assets.mjs --generate` if this fails)', () => {
    expect(DEFAULT_TEMPLATE).toBe(PR_BODY_TEMPLATE)
    expect(PR_BODY_TEMPLATE).toBe(readFileSync(path.join(root, 'templates', 'pr-body.md'), 'utf8'))
    expect(SUMMARY_TEMPLATE).toBe(readFileSync(path.join(root, 'templates', 'summary.md'), 'utf8'))
    expect(REPORT_TEMPLATE).toBe(readFileSync(path.join(root, 'templates', 'report.md'), 'utf8'))
  })

  it('matches what the generator writes', () => {
    const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'copy-assets.mjs'), '--check'], { encoding: 'utf8' })
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' })
  })

  it('parses as Mustache', () => {
    expect(() => Mustache.parse(PR_BODY_TEMPLATE)).not.toThrow()
  })
})

describe('scripts/copy-assets.mjs', () => {
  let dir: string
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'copy-assets-'))
    await fs.mkdir(path.join(dir, 'scripts'))
    await fs.copyFile(path.join(root, 'scripts', 'copy-assets.mjs'), path.join(dir, 'scripts', 'copy-assets.mjs'))
    await fs.mkdir(path.join(dir, 'templates'))
    await fs.writeFile(path.join(dir, 'templates', 'pr-body.md'), 'Hello {{tag}}\r\n"quoted" `code`\n')
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })
  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'scripts', 'copy-assets.mjs'), ...args], { encoding: 'utf8' })

  it('detects a stale module, regenerates it, and fails a build bundled from the stale one', async () => {
    expect(run('--check').status).toBe(1)
    expect(run('--generate').status).toBe(0)
    expect(run('--check').status).toBe(0)
    const generated = await fs.readFile(path.join(dir, 'src', 'generated', 'templates.ts'), 'utf8')
    expect(generated).toContain('export const PR_BODY_TEMPLATE: string = [\n  "Hello {{tag}}",\n  "\\"quoted\\" `code`",\n  ""\n].join(\'\\n\')')

    // A build after the generated module is current copies the templates next to the bundle.
    const build = run()
    expect(build.status).toBe(0)
    expect(await fs.readFile(path.join(dir, 'dist', 'templates', 'pr-body.md'), 'utf8')).toBe('Hello {{tag}}\r\n"quoted" `code`\n')

    await fs.writeFile(path.join(dir, 'templates', 'pr-body.md'), 'Changed\n')
    const stale = run()
    expect(stale.status).toBe(1)
    expect(stale.stderr).toContain('was stale, so dist/index.js was bundled with old templates: run the build again')
    expect(run('--check').status).toBe(0)
  })
})

describe('the resolution commands, run with real git', () => {
  let dir: string
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com'
  }
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim()
  const write = async (cwd: string, files: Record<string, string>): Promise<void> => {
    for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(cwd, name), text)
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'report-git-'))
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('redo the merge, resolve every file by its rule and push a fast-forward merge commit', async () => {
    const names = ['keep.md', 'a|b.md', 'take.md', 'x`y.md', '*bold*.md', 'nl\nname.md', "it's.md", 'Dockerfile', 'gone.md', 'auto.py']
    const seed = path.join(dir, 'seed')
    const origin = path.join(dir, 'origin.git')
    await fs.mkdir(seed)
    git(dir, 'init', '--quiet', '--bare', origin)
    git(seed, 'init', '--quiet', '-b', 'main')
    await write(seed, Object.fromEntries([...names.map((n) => [n, 'base\n']), ['abold1.md', 'not conflicted\n']]))
    git(seed, 'add', '-A')
    git(seed, 'commit', '--quiet', '-m', 'base')
    git(seed, 'switch', '--quiet', '-c', 'upstream')
    await write(seed, Object.fromEntries([...names.map((n) => [n, 'upstream\n']), ['abold1.md', 'upstream touched\n']]))
    git(seed, 'commit', '--quiet', '-am', 'upstream release')
    const tagSha = git(seed, 'rev-parse', 'HEAD')
    git(seed, 'switch', '--quiet', 'main')
    await write(seed, Object.fromEntries(names.filter((n) => n !== 'gone.md').map((n) => [n, 'fork\n'])))
    git(seed, 'rm', '--quiet', 'gone.md')
    git(seed, 'commit', '--quiet', '-am', 'fork changes')
    const targetSha = git(seed, 'rev-parse', 'HEAD')
    git(seed, 'push', '--quiet', origin, 'main', `${tagSha}:refs/heads/upstream-sync/v2-stable`)

    const rules: Record<string, Conflict['resolution']> = {
      'keep.md': 'ours',
      'a|b.md': 'ours',
      'nl\nname.md': 'ours',
      'take.md': 'theirs',
      'x`y.md': 'theirs',
      '*bold*.md': 'theirs',
      "it's.md": 'manual',
      Dockerfile: 'manual'
    }
    const view = buildReportView(
      input({
        tag: 'v2-stable',
        targetBranch: 'main',
        syncBranch: 'upstream-sync/v2-stable',
        merge: merge({
          status: 'conflicts',
          targetSha,
          tagSha,
          headSha: tagSha,
          conflicts: [
            ...Object.entries(rules).map(([p, r]) => conflict(p, r)),
            conflict('gone.md', 'theirs', { kind: 'modify/delete', message: 'CONFLICT (modify/delete)' })
          ],
          autoResolved: [conflict('auto.py', 'theirs', { autoResolved: 'theirs' })]
        })
      })
    )
    const block = /```sh\n([\s\S]*?)\n```/.exec(renderPrBody(view))?.[1]
    expect(block).toBeDefined()

    const work = path.join(dir, 'work')
    git(dir, 'clone', '--quiet', origin, work)
    let editedManual = false
    for (const line of (block as string).split('\n')) {
      if (line.trim() === '' || line.startsWith('#')) continue
      if (line.startsWith('git add --') && !editedManual) {
        // What the human does for the manual files before marking them resolved.
        await write(work, { "it's.md": 'resolved by hand\n', Dockerfile: 'resolved by hand\n' })
        editedManual = true
      }
      const result = spawnSync('bash', ['-c', line], { cwd: work, env, encoding: 'utf8' })
      if (line.startsWith('git merge')) {
        expect(result.stdout).toContain('CONFLICT')
      } else {
        expect({ line, status: result.status, stderr: result.stderr }).toEqual({ line, status: 0, stderr: expect.any(String) })
      }
    }

    // The sync branch on origin moved forward to a merge of the target and the tag, resolved by the rules.
    const head = git(origin, 'rev-parse', 'refs/heads/upstream-sync/v2-stable')
    expect(git(origin, 'rev-parse', `${head}^1`)).toBe(targetSha)
    expect(git(origin, 'rev-parse', `${head}^2`)).toBe(tagSha)
    const show = (name: string): string => execFileSync('git', ['show', `${head}:${name}`], { cwd: origin, env, encoding: 'utf8' })
    for (const name of ['keep.md', 'a|b.md', 'nl\nname.md']) expect({ name, text: show(name) }).toEqual({ name, text: 'fork\n' })
    for (const name of ['take.md', 'x`y.md', '*bold*.md', 'gone.md', 'auto.py', 'abold1.md']) {
      expect({ name, text: show(name) }).toEqual({ name, text: 'upstream\n'.replace('upstream\n', name === 'abold1.md' ? 'upstream touched\n' : 'upstream\n') })
    }
    expect(show("it's.md")).toBe('resolved by hand\n')
    expect(show('Dockerfile')).toBe('resolved by hand\n')
  })
})
