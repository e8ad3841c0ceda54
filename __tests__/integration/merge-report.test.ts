/**
 * The merge engine and the resolution-guide pull request end to end (issue 4): the bundled action against the GitHub
 * stand-in and real git. Conflicts are checked against what a plain `git merge` of the same commits reports in a
 * local clone; rules, auto-resolve, labels, templates, bad config, huge changes and release notes are checked on the
 * pull request a reviewer would open.
 */
import { describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import { git, gitRaw, readFile, SAMPLE, type FileChanges } from '../../test/support/repos.js'
import { errors, expectExit, labelNames, lines, mergeOracle, openWorld, tableUnder, unCode, type World } from './helpers/releases-world.js'

const TAG = 'v1.3.0-stable'
const BINARY_BASE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3])

/** One `git ls-tree` entry (`mode type oid`), or '' when the path does not exist at `rev`. */
async function entry(repoDir: string, rev: string, file: string): Promise<string> {
  const out = await git(repoDir, ['ls-tree', '--full-tree', rev, '--', file])
  return out.split('\t')[0] ?? ''
}

async function parents(repoDir: string, sha: string): Promise<string[]> {
  return (await git(repoDir, ['rev-list', '--parents', '-n', '1', sha])).split(' ').slice(1)
}

/** Files holding conflict markers at `rev` (git grep exits 1 when there are none). */
async function filesWithMarkers(repoDir: string, rev: string): Promise<string[]> {
  const result = await gitRaw(repoDir, ['grep', '-I', '-l', '-E', '^(<<<<<<<|>>>>>>>) ', rev])
  if (result.code > 1) throw new Error(`git grep failed: ${result.stderr}`)
  return result.stdout.toString('utf8').split('\n').filter(Boolean)
}

/**
 * A fork that synced upstream's `v1.2.0-stable` (which added plugins/), then both sides changed plugins/ in every way
 * git can conflict on before upstream released `v1.3.0-stable`; plus one file each side edits cleanly.
 */
async function everyConflictKind(forkConfig: string): Promise<World> {
  const world = await openWorld()
  const base = await world.upstreamCommit(
    {
      'plugins/app.py': lines('app'),
      'plugins/mod_del.py': lines('mod_del'),
      'plugins/del_mod.py': lines('del_mod'),
      'plugins/lib/old_name.py': lines('old_name'),
      'plugins/utils.py': lines('utils'),
      'plugins/config': lines('config'),
      'plugins/clean.py': lines('clean'),
      'plugins/logo.png': BINARY_BASE
    },
    'Add plugins\n'
  )
  await world.upstreamTag('v1.2.0-stable', base)
  await world.forkMerges(base, 'Merge upstream v1.2.0-stable')
  const ours: FileChanges = {
    'plugins/app.py': lines('app', 30, { 10: 'fork line 10  # CARTO: tuned' }),
    'plugins/new.txt': 'fork version\n',
    'plugins/mod_del.py': lines('mod_del', 30, { 3: 'fork change' }),
    'plugins/del_mod.py': null,
    'plugins/lib/old_name.py': null,
    'plugins/utils.py': null,
    'plugins/fork_utils.py': lines('utils'),
    'plugins/config': lines('config', 30, { 3: 'fork setting' }),
    'plugins/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 9, 9, 9]),
    'plugins/clean.py': lines('clean', 30, { 1: 'fork header' }),
    '.github/upstream-sync.yml': forkConfig
  }
  await world.forkCommit(world.scenario.fork.targetBranch, ours, 'CARTO: plugin customizations\n')
  const theirs: FileChanges = {
    'plugins/app.py': lines('app', 30, { 10: 'upstream line 10' }),
    'plugins/new.txt': 'upstream version\n',
    'plugins/mod_del.py': null,
    'plugins/del_mod.py': lines('del_mod', 30, { 3: 'upstream change' }),
    'plugins/lib/old_name.py': null,
    'plugins/lib/new_name.py': lines('old_name'),
    'plugins/utils.py': null,
    'plugins/helpers/utils.py': lines('utils'),
    'plugins/config': null,
    'plugins/config/settings.yml': lines('settings'),
    'plugins/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 7, 7, 7]),
    'plugins/clean.py': lines('clean', 30, { 30: 'upstream footer' })
  }
  const release = await world.upstreamCommit(theirs, 'Release 1.3.0\n')
  await world.upstreamTag(TAG, release)
  return world
}

const KINDS_CONFIG = `# The fork's rules: first match wins, unmatched files are manual.
rules:
  - paths: ['plugins/app.py']
    resolution: manual
    note: 'Check \`# CARTO:\` sections'
  - paths: ['plugins/logo.png', 'plugins/new.txt']
    resolution: theirs
    note: 'Upstream assets: take theirs'
  - paths: 'plugins/mod_del.py'
    resolution: ours
    note: 'The fork still needs it'
checklist:
  - 'Plugins load with our config'
`

describe('every conflict kind, as git merge reports it', () => {
  it('lists the same conflicts and kinds as git merge, with the rules; auto-resolve settles them only when no manual conflict is left', async () => {
    const world = await everyConflictKind(KINDS_CONFIG)
    try {
      const { fork, upstream } = world.scenario
      const tagSha = (await git(upstream.dir, ['rev-parse', `${TAG}^{commit}`])) as string
      const targetSha = (await world.forkBranch(fork.targetBranch)) as string
      const oracle = mergeOracle(world, TAG)
      expect(new Set(oracle.conflicts.map((conflict) => conflict.kind))).toEqual(
        new Set(['content', 'add/add', 'modify/delete', 'rename/delete', 'rename/rename', 'binary', 'file/directory'])
      )
      const expectedPaths = oracle.conflicts.map((conflict) => conflict.path).sort()

      const run = await world.run()
      expectExit(run, 0)
      expect(run.outputs).toMatchObject({ result: 'created', tag: TAG, 'merge-status': 'conflicts', 'auto-resolved': '[]' })
      expect((JSON.parse(run.outputs.conflicts as string) as string[]).sort()).toEqual(expectedPaths)
      // One warning annotation per conflicted file, pointing at it.
      expect(run.annotations.filter((a) => a.level === 'warning').map((a) => a.properties.file).sort()).toEqual(expectedPaths)

      const pull = await world.pull(run.outputs['pr-number'] as string)
      expect(labelNames(pull)).toEqual(['automated', 'conflicts', 'upstream-sync'])
      const rows = tableUnder(pull.body ?? '', '### Merge status')
      const table = Object.fromEntries(rows.map(([file = '', kind, rule, , note]) => [unCode(file), { kind, rule, note }]))
      expect(Object.keys(table).sort()).toEqual(expectedPaths)
      for (const conflict of oracle.conflicts) expect(table[conflict.path]?.kind).toBe(conflict.kind)
      // Each row carries the fork's rule and note (unmatched files are manual without a note).
      expect(table['plugins/app.py']).toMatchObject({ rule: 'manual', note: 'Check `# CARTO:` sections' })
      expect(table['plugins/logo.png']).toMatchObject({ rule: 'theirs', note: 'Upstream assets: take theirs' })
      expect(table['plugins/new.txt']).toMatchObject({ rule: 'theirs', note: 'Upstream assets: take theirs' })
      expect(table['plugins/mod_del.py']).toMatchObject({ rule: 'ours', note: 'The fork still needs it' })
      expect(table['plugins/del_mod.py']).toMatchObject({ rule: 'manual', note: '' })
      expect(pull.body).toContain('- [ ] Plugins load with our config')
      expect(pull.body).toContain('never squash or rebase this pull request')
      // The sync branch is upstream's tag itself: GitHub shows its conflict banner, nothing with markers is committed.
      expect(await world.forkBranch('upstream-sync/v1.3.0-stable')).toBe(tagSha)
      expect(await filesWithMarkers(fork.dir, tagSha)).toEqual([])
      // The target branch is never written.
      expect(await world.forkBranch(fork.targetBranch)).toBe(targetSha)

      // auto-resolve with a manual conflict left: nothing is resolved, the PR stays a conflicts PR.
      const partial = await world.run({ 'auto-resolve': 'true' })
      expectExit(partial, 0)
      expect(partial.outputs).toMatchObject({ result: 'updated', 'merge-status': 'conflicts', 'auto-resolved': '[]', 'pr-number': pull.number.toString() })
      expect((JSON.parse(partial.outputs.conflicts as string) as string[]).sort()).toEqual(expectedPaths)
      const stillConflicted = await world.pull(pull.number)
      expect(labelNames(stillConflicted)).toEqual(['automated', 'conflicts', 'upstream-sync'])
      expect(stillConflicted.body).not.toContain('#### Auto-resolved')
      expect(await world.forkBranch('upstream-sync/v1.3.0-stable')).toBe(tagSha)

      // Inline rules (replacing the file's) that give every conflict a side: all settled in the merge commit.
      const rules = [
        "- paths: ['plugins/app.py', 'plugins/mod_del.py', 'plugins/logo.png', 'plugins/utils.py', 'plugins/fork_utils.py', 'plugins/helpers/**']",
        '  resolution: ours',
        "  note: 'Fork version wins'",
        "- paths: ['plugins/**']",
        '  resolution: theirs',
        "  note: 'Upstream version wins'"
      ].join('\n')
      const resolved = await world.run({ 'auto-resolve': 'true', rules })
      expectExit(resolved, 0)
      expect(resolved.outputs).toMatchObject({ result: 'updated', 'merge-status': 'clean', conflicts: '[]' })
      const settled = (JSON.parse(resolved.outputs['auto-resolved'] as string) as string[]).sort()
      expect(settled).toEqual(expectedPaths)
      const cleanPull = await world.pull(pull.number)
      // Labels follow the state: conflicts removed, clean-merge and auto-resolved added.
      expect(labelNames(cleanPull)).toEqual(['auto-resolved', 'automated', 'clean-merge', 'upstream-sync'])
      const head = (await world.forkBranch('upstream-sync/v1.3.0-stable')) as string
      expect(await parents(fork.dir, head)).toEqual([targetSha, tagSha])
      expect(await filesWithMarkers(fork.dir, head)).toEqual([])

      // The body lists each auto-resolved file, its kind and the side kept; the merge commit has exactly that side.
      const autoRows = tableUnder(cleanPull.body ?? '', '#### Auto-resolved')
      expect(autoRows.map(([file = '']) => unCode(file)).sort()).toEqual(expectedPaths)
      const oursPaths = new Set(['plugins/app.py', 'plugins/mod_del.py', 'plugins/logo.png', 'plugins/utils.py', 'plugins/fork_utils.py', 'plugins/helpers/utils.py'])
      for (const [file = '', kind, side, note] of autoRows) {
        const path = unCode(file)
        const isOurs = oursPaths.has(path)
        expect({ path, kind, side, note }).toEqual({
          path,
          kind: oracle.conflicts.find((conflict) => conflict.path === path)?.kind,
          side: isOurs ? 'ours (fork)' : 'theirs (upstream)',
          note: isOurs ? 'Fork version wins' : 'Upstream version wins'
        })
        expect({ path, entry: await entry(fork.dir, head, path) }).toEqual({ path, entry: await entry(fork.dir, isOurs ? targetSha : tagSha, path) })
      }
      // Spot checks a reviewer would make: the fork's rename kept, upstream's directory kept, clean edits merged.
      expect(await readFile(fork.dir, head, 'plugins/fork_utils.py')).toBe(lines('utils'))
      expect(await entry(fork.dir, head, 'plugins/helpers/utils.py')).toBe('')
      expect(await readFile(fork.dir, head, 'plugins/config/settings.yml')).toBe(lines('settings'))
      expect(await readFile(fork.dir, head, 'plugins/lib/new_name.py')).toBe(lines('old_name'))
      expect(await readFile(fork.dir, head, 'plugins/clean.py')).toBe(lines('clean', 30, { 1: 'fork header', 30: 'upstream footer' }))
      expect(await world.forkBranch(fork.targetBranch)).toBe(targetSha)
    } finally {
      await world.close()
    }
  })
})

describe('labels, customizations and release notes', () => {
  it('moves a refreshed PR from conflicts to clean-merge when the fork fixes its side, lists clean-merged fork customizations, and defuses mentions in the notes', async () => {
    const world = await openWorld({ conflict: true })
    try {
      const { fork } = world.scenario
      await world.release({
        tag: 'v1.1.0-stable',
        body: 'Thanks @alice and @acme/maintainers!\n\n* Longer timeouts (#123, GH-7)\n* See acme/gateway#99 and https://github.com/acme/gateway/pull/5\n'
      })
      const first = await world.run()
      expectExit(first, 0)
      expect(first.outputs).toMatchObject({ result: 'created', 'merge-status': 'conflicts', conflicts: '["gateway/server.py"]' })
      const pull = await world.pull(first.outputs['pr-number'] as string)
      expect(labelNames(pull)).toEqual(['automated', 'conflicts', 'upstream-sync'])
      const body = pull.body ?? ''
      const server = world.scenario.standIn.url
      expect(body).toContain('> Thanks `@alice` and `@acme/maintainers`!')
      expect(body).toContain(`> * Longer timeouts ([#123](${server}/acme/gateway/issues/123), [GH-7](${server}/acme/gateway/issues/7))`)
      expect(body).toContain(`[acme/gateway#99](${server}/acme/gateway/issues/99)`)
      const prose = body.replace(/`[^`\n]*`/g, '').replace(/\[[^\]\n]*\]\([^)\n]*\)/g, '')
      expect(prose).not.toMatch(/(?<![\w.])@[A-Za-z0-9]/)
      expect(prose).not.toMatch(/(?<![\w&])#\d/)

      // The fork gives up its TIMEOUT change; the next run merges cleanly and the labels follow.
      const fixed = await world.forkCommit(fork.targetBranch, { 'gateway/server.py': SAMPLE.server(30) }, 'CARTO: back to upstream timeout\n')
      const second = await world.run()
      expectExit(second, 0)
      expect(second.outputs).toMatchObject({ result: 'updated', 'merge-status': 'clean', conflicts: '[]', 'pr-number': String(pull.number) })
      const refreshed = await world.pull(pull.number)
      expect(labelNames(refreshed)).toEqual(['automated', 'clean-merge', 'upstream-sync'])
      const head = (await world.forkBranch('upstream-sync/v1.1.0-stable')) as string
      expect(await parents(fork.dir, head)).toEqual([fixed, world.scenario.upstream.tags['v1.1.0-stable']])
      expect(await readFile(fork.dir, head, 'gateway/server.py')).toBe(SAMPLE.server(60))
      // The fork's Dockerfile section merged cleanly with upstream's base image change: still listed for review.
      const customizations = (refreshed.body ?? '').split('### Fork customizations touched by upstream')[1]?.split('###')[0] ?? ''
      expect(customizations).toContain('- `Dockerfile`')
      expect(customizations).not.toContain('gateway/server.py')
      const dockerfile = (await readFile(fork.dir, head, 'Dockerfile')) ?? ''
      expect(dockerfile).toContain('FROM python:3.12-slim')
      expect(dockerfile).toContain('# CARTO: begin')
    } finally {
      await world.close()
    }
  })
})

/** A fork's own PR body template: a few fields, a section over the conflicts. */
const CUSTOM_TEMPLATE = [
  '## {{upstream}} {{tag}}',
  '',
  'Version: {{{versionChangeMd}}}',
  'Status: {{mergeStatus}}, {{conflictCount}} conflicted',
  '{{#conflicts}}',
  '- {{{pathCode}}}: {{kind}} ({{rule}})',
  '{{/conflicts}}',
  ''
].join('\n')

describe('custom templates', () => {
  it('renders the template file named by the config and an inline template input; a broken inline template fails the run before anything is pushed', async () => {
    const world = await openWorld({
      conflict: true,
      fork: { extraFiles: { '.github/upstream-sync.yml': 'template: .github/sync-pr.md\n', '.github/sync-pr.md': CUSTOM_TEMPLATE } }
    })
    try {
      const fromFile = await world.run()
      expectExit(fromFile, 0)
      const pull = await world.pull(fromFile.outputs['pr-number'] as string)
      // The body is the template's rendering, then the action's hidden record of the upstream commit synced.
      const marker = `\n\n<!-- upstream-sync: tag=v1.1.0-stable commit=${world.scenario.upstream.tags['v1.1.0-stable']} -->\n`
      expect(pull.body).toBe('## acme/gateway v1.1.0-stable\n\nVersion: `1.0.0-stable` → `1.1.0-stable`\nStatus: conflicts, 1 conflicted\n- `gateway/server.py`: content (manual)' + marker)

      // An inline template input replaces the file's.
      const inline = await world.run({ template: 'Inline sync of {{tag}} into {{{targetBranchCode}}}: {{conflictCount}} to resolve.\n' })
      expectExit(inline, 0)
      expect(inline.outputs.result).toBe('updated')
      // (The runner's inputs are trimmed, so the inline template's final newline is gone.)
      const inlineBody = 'Inline sync of v1.1.0-stable into `carto/main`: 1 to resolve.' + marker
      expect((await world.pull(pull.number)).body).toBe(inlineBody)

      const before = await world.forkRefs()
      await world.resetLog()
      const broken = await world.run({ template: 'Sync {{tag}}\n{{#conflicts}}\n- {{path}}\n' })
      expectExit(broken, 1)
      const message = errors(broken).join('\n')
      expect(message).toContain("The PR body template from Input 'template' is not valid Mustache (line 2)")
      expect(message).toContain('Unclosed section "conflicts"')
      expect(await world.forkRefs()).toEqual(before)
      expect((await world.gitTraffic()).total.requests).toBe(0)
      expect((await world.pull(pull.number)).body).toBe(inlineBody)
    } finally {
      await world.close()
    }
  })

  it('a broken template file fails the run with a message naming the config key and the template file', async () => {
    const broken = CUSTOM_TEMPLATE.replace('{{#conflicts}}\n', '')
    const world = await openWorld({
      conflict: true,
      fork: { extraFiles: { '.github/upstream-sync.yml': 'template: .github/sync-pr.md\n', '.github/sync-pr.md': broken } }
    })
    try {
      const before = await world.forkRefs()
      const run = await world.run()
      expectExit(run, 1)
      const message = errors(run).join('\n')
      expect(message).toContain('config file .github/upstream-sync.yml (branch carto/main)')
      expect(message).toContain('Unopened section "conflicts"')
      expect(message).toContain('not valid Mustache (line 6)')
      // "line 6" of which file: the message must name the template file itself, not only the config key.
      expect(message).toContain('.github/sync-pr.md')
      expect(await world.forkRefs()).toEqual(before)
      expect(await world.pulls()).toEqual([])
    } finally {
      await world.close()
    }
  })
})

describe('bad config', () => {
  it('fails naming the exact key and reason, before fetching anything: no push, no PR', async () => {
    const world = await openWorld()
    try {
      const { fork } = world.scenario
      const cases: Array<{ config: string; expected: string }> = [
        {
          config: 'rules: []\nauto_resolve: true\n',
          expected: "config file .github/upstream-sync.yml (branch carto/main): unknown key 'auto_resolve' (allowed: rules, template, checklist, auto-resolve, rebrand)"
        },
        {
          config: "rules:\n  - paths: ['Dockerfile']\n    resolution: manual\n  - paths: ['litellm/**']\n    resolution: mine\n",
          expected: 'config file .github/upstream-sync.yml (branch carto/main): rules[1].resolution:'
        },
        {
          config: "rules:\n  - paths: ['tests/**']\n    resolution: theirs\n    notes: 'typo'\n",
          expected: "rules[0]: unknown key 'notes' (allowed: paths, resolution, note)"
        }
      ]
      for (const { config, expected } of cases) {
        await world.forkCommit(fork.targetBranch, { '.github/upstream-sync.yml': config }, 'Sync config\n')
        const before = await world.forkRefs()
        await world.resetLog()
        const run = await world.run()
        expectExit(run, 1)
        expect(errors(run).join('\n')).toContain(expected)
        expect(run.outputs.result).toBeUndefined()
        expect(await world.forkRefs()).toEqual(before)
        expect((await world.gitTraffic()).total.requests).toBe(0)
        expect((await world.apiRequests()).filter((request) => request.method !== 'GET')).toEqual([])
      }
      expect(await world.pulls()).toEqual([])
    } finally {
      await world.close()
    }
  })
})

describe('a 20,000-file upstream change', () => {
  it('keeps the PR body under 65,536 characters with "…and N more", the full lists in the job summary and the report file', async () => {
    const world = await openWorld()
    try {
      const { fork, upstream } = world.scenario
      const FOLDERS = 2000
      const CONFLICTED = 1500
      const folder = (i: number): string => `svc${String(i).padStart(4, '0')}`
      const changes: FileChanges = {}
      for (let i = 0; i < FOLDERS; i++) for (let f = 0; f < 10; f++) changes[`${folder(i)}/mod_${f}.py`] = `# ${folder(i)} module ${f}\nVALUE = ${i * 10 + f}\n`
      const release = await world.upstreamCommit(changes, 'Vendor 2,000 services\n')
      await world.upstreamTag('v1.2.0-stable', release)
      // The fork added its own version of one module in 1,500 of those folders: 1,500 add/add conflicts.
      const forkChanges: FileChanges = {}
      const conflicted: string[] = []
      for (let i = 0; i < CONFLICTED; i++) {
        const file = `${folder(i)}/mod_0.py`
        forkChanges[file] = `# CARTO: ${folder(i)} patched\nVALUE = -1\n`
        conflicted.push(file)
      }
      await world.forkCommit(fork.targetBranch, forkChanges, 'CARTO: patch service modules\n')
      const changedFolders = new Set(
        (await git(upstream.dir, ['diff-tree', '-r', '--name-only', '--no-renames', fork.baseSha, release]))
          .split('\n')
          .filter(Boolean)
          .map((file) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '(root)'))
      )
      expect(changedFolders.size).toBeGreaterThan(FOLDERS)

      const run = await world.run()
      expectExit(run, 0)
      expect(run.outputs).toMatchObject({ result: 'created', tag: 'v1.2.0-stable', 'merge-status': 'conflicts' })
      expect((JSON.parse(run.outputs.conflicts as string) as string[]).sort()).toEqual(conflicted.sort())

      const body = (await world.pull(run.outputs['pr-number'] as string)).body ?? ''
      expect(body.length).toBeLessThan(65_536)
      // Grouped by folder and rule (one group per service folder here): group rows + "…and N more groups" account
      // for every group, and the groups shown list their files in collapsible sections.
      const groupRows = tableUnder(body, '### Merge status')
      const more = /^…and (\d+) more groups$/.exec(groupRows[groupRows.length - 1]?.[0] ?? '')
      expect(more).not.toBeNull()
      expect(groupRows.length - 1 + Number(more?.[1])).toBe(CONFLICTED)
      expect(groupRows.length).toBeGreaterThan(10)
      expect(groupRows[0]).toEqual(['`svc0000/`', 'manual', '1', 'add/add 1'])
      expect(body.match(/^\| `svc\d{4}\/mod_0\.py` \|/gm)?.length ?? 0).toBeGreaterThan(10)
      const folderRows = tableUnder(body, '### What changed upstream')
      const moreFolders = /^…and (\d+) more folders$/.exec(folderRows[folderRows.length - 1]?.[0] ?? '')
      expect(moreFolders).not.toBeNull()
      expect(folderRows.length - 1 + Number(moreFolders?.[1])).toBe(changedFolders.size)
      expect(body).toContain(`${CONFLICTED} conflicted files`)
      expect(body).toContain("The full lists are in the [workflow run]")

      // The job summary has every conflict and folder.
      expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024)
      const summaryConflicts = tableUnder(run.summary, `### Conflicts (${CONFLICTED})`)
      expect(summaryConflicts.map(([file = '']) => unCode(file)).sort()).toEqual(conflicted.sort())
      expect(tableUnder(run.summary, '### Upstream changes by folder')).toHaveLength(changedFolders.size)
      // So does the report file.
      const report = await fs.readFile(run.outputs['report-file'] as string, 'utf8')
      expect(conflicted.filter((file) => !report.includes(`\`${file}\``))).toEqual([])
      expect([...changedFolders].filter((name) => !report.includes(`\`${name}\``))).toEqual([])
    } finally {
      await world.close()
    }
  })
})
