/** Shared inputs and table checks for the report's unit tests. */
import { expect } from '@jest/globals'
import type { ReportInput, ReportView, SummaryFacts } from '../../../src/report/index.js'
import type { Conflict, MergeResult } from '../../../src/types.js'

export const TARGET_SHA = '1'.repeat(40)
export const TAG_SHA = '2'.repeat(40)

export function merge(overrides: Partial<MergeResult> = {}): MergeResult {
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

export function conflict(path: string, resolution: Conflict['resolution'], extra: Partial<Conflict> = {}): Conflict {
  return { path, kind: 'content', message: `CONFLICT (content): Merge conflict in ${path}`, resolution, ...extra }
}

export function input(overrides: Partial<ReportInput> = {}): ReportInput {
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

export function conflictsInput(): ReportInput {
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
export function cells(row: string): string[] {
  return row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/).map((cell) => cell.trim())
}

/** Every table in the text has the same number of cells in each row as in its header. */
export function expectWellFormedTables(text: string): void {
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
export function expectEssentialSections(body: string): void {
  expect(body).toContain('## Upstream sync: BerriAI/litellm v1.81.9-stable')
  expect(body).toContain('never squash or rebase this pull request')
  expect(body).toContain('### Merge status')
  expect(body).toContain('### Rollback')
  expect(body).toContain(TARGET_SHA.slice(0, 12))
}

/** The summary facts of a run that merged `view`; `run` adds its result, message and PR. */
export function factsOf(view: ReportView, run: Partial<SummaryFacts> = {}): SummaryFacts {
  return { view, result: '', message: '', upstream: view.upstream, target: view.targetBranch, ...run }
}
