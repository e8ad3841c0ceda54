import { describe, expect, it } from '@jest/globals'
import { buildReportView, renderReportFile, renderSummary } from '../../../src/report/index.js'
import { conflict, conflictsInput, expectWellFormedTables, factsOf, input, merge, TAG_SHA, TARGET_SHA } from './fixtures.js'

describe('renderSummary and renderReportFile', () => {
  const view = buildReportView(conflictsInput())
  const run = { result: 'created', message: '', pullRequest: { number: 17, url: 'https://github.example.com/carto/litellm/pull/17' } }

  it('summary: a short table and the full conflict report', () => {
    const summary = renderSummary(factsOf(view, run))
    expect(summary).toContain('| Upstream | [BerriAI/litellm](https://github.example.com/BerriAI/litellm)')
    expect(summary).toContain('| Version | `1.80.0` → `1.81.9` |')
    expect(summary).toContain('| Result | **created** |')
    expect(summary).toContain('| Merge status | ⚠️ **conflicts** in 4 files, 1 more auto-resolved |')
    expect(summary).toContain('| Conflicts | 4 |')
    expect(summary).toContain('| Pull request | [#17](https://github.example.com/carto/litellm/pull/17) |')
    expect(summary).toContain('| `docs/old.md` | modify/delete | theirs | — |  | CONFLICT (modify/delete): docs/old.md deleted in HEAD |')
    expect(summary).toContain('### Auto-resolved (1)')
    expect(summary).toContain('### Fork customizations touched by upstream (1)')
    expect(summary).toContain("**To resolve:** 1 file under `docs/` (rule: upstream's)")
    expect(summary).toContain('### Upstream changes by folder')
    expect(summary).toContain('git merge --no-ff --no-edit origin/upstream-sync/v1.81.9-stable')
    expectWellFormedTables(summary)
  })

  it('summary without a result (a failed or early run) has no result row and no PR', () => {
    const summary = renderSummary(factsOf(view))
    expect(summary).not.toContain('| Result |')
    expect(summary).toContain('| Pull request | none |')
  })

  it('summary of a run that merged, as the run hands it over: the full report plus the message', () => {
    const summary = renderSummary({
      view,
      result: 'updated',
      message: 'Updated PR #17 for v1.81.9-stable (conflicts).',
      upstream: 'BerriAI/litellm',
      target: 'carto/main',
      tag: 'v1.81.9-stable',
      version: '1.81.9',
      previousVersion: '1.80.0',
      pullRequest: { url: 'https://github.example.com/carto/litellm/pull/17', number: 17 }
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
      pullRequest: { url: 'https://github.example.com/carto/litellm/pull/30' }
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
    const summary = renderSummary(factsOf(buildReportView(many)))
    expect(summary.split('\n').filter((line) => line.startsWith('| `src/f'))).toHaveLength(1_500)
    expect(summary).not.toContain('…and')
  })

  it('report file: everything, with commits and the release notes', () => {
    const report = renderReportFile(view, run)
    expect(report).toContain('# Upstream sync report: BerriAI/litellm v1.81.9-stable')
    expect(report).toContain(`| Target before the merge | \`${TARGET_SHA}\` |`)
    expect(report).toContain('## Conflicts (4)')
    expect(report).toContain('## Release notes: Stable 1.81.9')
    expect(report).toContain('`@alice`')
    expect(report).toContain('git revert -m 1 MERGE_SHA')
    expectWellFormedTables(report)
  })

  it('an empty pull request URL names no pull request', () => {
    expect(renderSummary(factsOf(view, { result: 'dry-run', pullRequest: { url: '' } }))).toContain('| Pull request | none |')
    const short = renderSummary({ result: 'up-to-date', message: '', upstream: 'BerriAI/litellm', target: 'carto/main', pullRequest: { url: '' } })
    expect(short).not.toContain('Pull request')
  })

  it('report file written before the PR exists: no result row, no PR, no message', () => {
    const report = renderReportFile(view)
    expect(report).not.toContain('| Result |')
    expect(report).toContain('| Pull request | none |')
    expect(report).toContain("| Upstream changes | 42 commits, 17 files |\n\n**To resolve:** 1 file under `docs/` (rule: upstream's)")
    expect(report).toContain('1 auto-resolved.\n\n## Conflicts (4)')
  })

  it('caps the summary at the byte budget, with a notice naming the report file', () => {
    const many = input({
      merge: merge({ status: 'conflicts', headSha: TAG_SHA, conflicts: Array.from({ length: 1_500 }, (_, i) => conflict(`src/f${i}.ts`, 'manual')) })
    })
    const summary = renderSummary(factsOf(buildReportView(many)), { maxBytes: 20_000 })
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(20_000)
    expect(summary).toMatch(/\| …and \d+ more: see the report file \|/)
    expectWellFormedTables(summary)
  })
})
