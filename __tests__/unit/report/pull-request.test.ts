import { describe, expect, it } from '@jest/globals'
import { buildReportView, renderDryRunPreview, renderPrBody, renderReportFile, renderSummary, renderTitle } from '../../../src/report/index.js'
import { conflict, conflictsInput, expectWellFormedTables, factsOf, input, merge, TAG_SHA, TARGET_SHA } from './fixtures.js'

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
    expect(body).toContain('| File | Conflict | Rule | Last time | Note |')
    expect(body).toContain('| `Dockerfile` | content | manual | — | check `# CARTO:` sections |')
    expect(body).toContain('| `.github/workflows/carto-ci.yml` | content | ours | — | the fork owns its workflows |')
    expect(body).toContain('| `docs/old.md` | modify/delete | theirs | — |  |')
    expectWellFormedTables(body)
  })

  it('lists auto-resolved files with the side kept', () => {
    expect(body).toContain('#### Auto-resolved (1)')
    expect(body).toContain('| `tests/test_x.py` | content | theirs (upstream) |  |')
  })

  it('lists the fork customizations upstream touched', () => {
    expect(body).toContain('### Fork customizations touched by upstream')
    // Only the files that merged cleanly: the conflicted Dockerfile is in the conflict table, not here.
    expect(body).toContain('Review them first:\n\n- `litellm/proxy/server.py`\n')
    expect(body).not.toContain('- `Dockerfile`')
  })

  it('opens with one line on the kind of work', () => {
    expect(body.split('\n').slice(0, 4).join('\n')).toContain(
      "**To resolve:** 1 file under `docs/` (rule: upstream's), 1 file under `litellm/` (rule: upstream's), 1 file under `.github/workflows/` (rule: the fork's), 1 manual, 1 auto-resolved."
    )
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
    // One command per group of files (folder and rule): here each group holds one file, named.
    expect(body).toContain('git checkout --no-overlay --ours -- .github/workflows/carto-ci.yml && git add -u -- .github/workflows/carto-ci.yml\n')
    expect(body).toContain('git checkout --no-overlay --theirs -- litellm/router.py && git add -u -- litellm/router.py\n')
    // --no-overlay: where upstream deleted the file, taking upstream's version deletes it.
    expect(body).toContain('git checkout --no-overlay --theirs -- docs/old.md && git add -u -- docs/old.md\n')
    // The auto-resolved file is not settled on the branch while conflicts remain (it points at the tag).
    expect(body).toContain("# auto-resolved to theirs in the action's merge: keep the same side here\ngit checkout --no-overlay --theirs -- tests/test_x.py && git add -u -- tests/test_x.py\n")
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

  it('links upstream pages on the upstream server and fork pages on the fork server (an Enterprise fork of a github.com project)', () => {
    const view = buildReportView(input({ serverUrl: 'https://ghe.example.com', upstreamServerUrl: 'https://github.com' }))
    expect(view.upstreamUrl).toBe('https://github.com/BerriAI/litellm')
    expect(view.releaseUrl).toBe('https://github.com/BerriAI/litellm/releases/tag/v1.81.9-stable')
    expect(view.compareUrl).toBe('https://github.com/BerriAI/litellm/compare/v1.80.0-stable...v1.81.9-stable')
    expect(view.tagUrl).toBe('https://github.com/BerriAI/litellm/tree/v1.81.9-stable')
    expect(view.forkUrl).toBe('https://ghe.example.com/carto/litellm')
    expect(view.syncBranchUrl).toBe('https://ghe.example.com/carto/litellm/tree/upstream-sync/v1.81.9-stable')
    const body = renderPrBody(view)
    // Upstream's issue numbers link to github.com directly: a page on the Enterprise server leaves no back-link there.
    expect(body).toContain('[#123](https://github.com/BerriAI/litellm/issues/123)')
    expect(body).not.toContain('https://ghe.example.com/BerriAI')
    expect(body).toContain('`@alice`')
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
    expectWellFormedTables(renderSummary(factsOf(view)))
    expectWellFormedTables(renderReportFile(view))
  })

  it('renders each path as exact inline code', () => {
    expect(body).toContain('| `a\\|b.md` |')
    expect(body).toContain('| ``x`y.md`` |')
    expect(body).toContain('| `<script>.md` |')
    expect(body).toContain('| `[link](x).md` |')
    expect(body).toContain('| `*bold*.md` |')
    expect(body).toContain('| `new\\nline.md` |')
    expect(body).not.toContain('- `a|b.md`') // conflicted: in the table, not in "customizations touched"
    expect(body).toContain('| ``a\\|b`c`` |')
    expect(body).toContain('| `a\\|b.md` | content | manual | — | a \\| b<br>c |')
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
    // The manual files are marked resolved in one command; one path has pathspec magic, so all are literal.
    expect(body).toContain("git --literal-pathspecs add -- '*bold*.md' '<script>.md' '[link](x).md' _under_.md 'a|b.md' $'new\\nline.md' 'x`y.md'\n")
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

describe('renderDryRunPreview', () => {
  it('dry-run preview shows title, labels and body', () => {
    const preview = renderDryRunPreview('Upstream sync: a/b v1', ['upstream-sync', 'conflicts'], 'Body\n')
    expect(preview).toContain('Dry run: the pull request that would be opened')
    expect(preview).toContain('Title:  Upstream sync: a/b v1')
    expect(preview).toContain('Labels: upstream-sync, conflicts')
    expect(preview).toContain('\nBody\n')
    expect(renderDryRunPreview('t', [], '')).toContain('Labels: (none)')
  })
})

describe('what the fork did last time', () => {
  const lastTime = { kept: 'ours' as const, merge: 'c'.repeat(40), pullRequest: 12, date: '2026-01-02T03:04:05Z' }
  const view = buildReportView(
    input({
      merge: merge({
        status: 'conflicts',
        headSha: TAG_SHA,
        conflicts: [
          conflict('ui/out/app.js', 'theirs', { lastTime, againstHistory: true }),
          conflict('Dockerfile', 'manual', { lastTime: { kept: 'merged', merge: 'd'.repeat(40), date: '2026-01-02T03:04:05Z' } }),
          conflict('new.py', 'ours')
        ],
        heldForHistory: ['ui/out/app.js']
      })
    })
  )
  const body = renderPrBody(view)

  it('shows what each row kept last time, linked to its PR or merge commit, flagged where the rule disagrees', () => {
    expect(body).toContain("| `ui/out/app.js` | content | theirs | ⚠️ fork's ([#12](https://github.example.com/carto/litellm/pull/12)) |")
    expect(body).toContain(`| \`Dockerfile\` | content | manual | a combination ([\`dddddddddddd\`](https://github.example.com/carto/litellm/commit/${'d'.repeat(40)})) |`)
    expect(body).toContain('| `new.py` | content | ours | — |')
    expectWellFormedTables(body)
  })

  it('counts the disagreements and names the paths auto-resolve left for a person', () => {
    expect(view.historyDisagreementCount).toBe(1)
    expect(body).toContain('**1 files (⚠️) where the rule disagrees with what the fork did last time.**')
    expect(body).toMatch(/Auto-resolve left these for a person, because their rule would undo what the fork kept in its last sync:\n- `ui\/out\/app.js`/)
    expect(renderSummary(factsOf(view))).toContain('| Rule disagrees with last time | ⚠️ 1 |')
  })
})
