/**
 * The merge engine against real git: repositories are built by hand, served over file:// with partial clone
 * enabled, and every conflict list is compared with what a plain `git merge` of the same commits reports.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Git } from '../../../src/git/git.js'
import { prepareRepository } from '../../../src/merge/fetch.js'
import { SYNC_TAG_TRAILER, SYNC_TREE_TRAILER } from '../../../src/merge/trailers.js'
import { silentLog } from '../../../src/runner.js'
import type { HistoryLookup } from '../../../src/merge/last-time.js'
import type { MergeHead, MergeResult } from '../../../src/types.js'
import { AUTHOR, content, contentConflict, everything, merge, prepare, SharedScenarios, sidedRules, withForkCopy } from '../helpers/action-repo.js'
import { gitMergeOracle, runGit, type ScenarioSpec } from '../helpers/merge-repos.js'

const scenarios = new SharedScenarios()
afterAll(() => scenarios.cleanup())
const shared = (spec: ScenarioSpec) => scenarios.get(spec)
const oracleOf = (spec: ScenarioSpec) => scenarios.oracle(spec)
let localRepos = 0

const pairs = (result: MergeResult): Array<{ path: string; kind: string }> => result.conflicts.map(({ path: file, kind }) => ({ path: file, kind }))

/** Blob ids git lists as missing (promised, not fetched) among the objects of `revs`. */
function missingObjects(gitDir: string, revs: string[]): string[] {
  return runGit(gitDir, ['rev-list', '--objects', '--missing=print', ...revs])
    .stdout.split('\n')
    .filter((line) => line.startsWith('?'))
    .map((line) => line.slice(1))
}

/** `git ls-tree -r` of `paths` in `rev`, as `mode type oid\tpath` lines. */
function entries(gitDir: string, rev: string, paths: string[]): string[] {
  return runGit(gitDir, ['ls-tree', '-r', rev, '--', ...paths]).stdout.split('\n').filter(Boolean)
}

// --- One scenario per conflict kind ---------------------------------------------------------------------------

const kinds: Array<{ name: string; kind: string; spec: ScenarioSpec }> = [
  { name: 'content', kind: 'content', spec: contentConflict },
  {
    name: 'add/add',
    kind: 'add/add',
    spec: { base: content, ours: (w) => void w.write('new.txt', 'fork version\n'), theirs: (w) => void w.write('new.txt', 'upstream version\n') }
  },
  {
    name: 'modify/delete (fork modified, upstream deleted)',
    kind: 'modify/delete',
    spec: { base: content, ours: (w) => void w.editLine('app.py', 3, 'fork change'), theirs: (w) => void w.rm('app.py') }
  },
  {
    name: 'delete/modify (fork deleted, upstream modified)',
    kind: 'modify/delete',
    spec: { base: content, ours: (w) => void w.rm('app.py'), theirs: (w) => void w.editLine('app.py', 3, 'upstream change') }
  },
  {
    name: 'rename/delete',
    kind: 'rename/delete',
    spec: {
      base: (w) => void w.writeLines('lib/old_name.py').writeLines('keep.txt'),
      ours: (w) => void w.rm('lib/old_name.py'),
      theirs: (w) => void w.mv('lib/old_name.py', 'lib/new_name.py')
    }
  },
  {
    name: 'rename/rename (one file renamed to two names)',
    kind: 'rename/rename',
    spec: {
      base: (w) => void w.writeLines('utils.py').writeLines('keep.txt'),
      ours: (w) => void w.mv('utils.py', 'fork_utils.py'),
      theirs: (w) => void w.mv('utils.py', 'helpers/utils.py')
    }
  },
  {
    name: 'binary',
    kind: 'binary',
    spec: {
      base: (w) => void w.write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3])).writeLines('keep.txt'),
      ours: (w) => void w.write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 9, 9, 9])),
      theirs: (w) => void w.write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 7, 7, 7]))
    }
  },
  {
    name: 'rename/add (git reports the collision as add/add)',
    kind: 'add/add',
    spec: {
      base: (w) => void w.writeLines('model.py').writeLines('keep.txt'),
      ours: (w) => void w.writeLines('models/base.py', 30, 'fork'),
      theirs: (w) => void w.mv('model.py', 'models/base.py').editLine('models/base.py', 3, 'upstream edit')
    }
  },
  {
    name: 'file location (a file added in a folder the other side renamed: at git\'s suggested location)',
    kind: 'file location',
    spec: {
      base: (w) => void w.writeLines('olddir/a.txt').writeLines('olddir/b.txt').writeLines('keep.txt'),
      ours: (w) => void w.writeLines('olddir/forkfile.txt', 30, 'fork'),
      theirs: (w) => void w.mv('olddir/a.txt', 'newdir/a.txt').mv('olddir/b.txt', 'newdir/b.txt')
    }
  },
  {
    name: 'rename involved in collision (a rename with content conflicts onto a path the other side added)',
    kind: 'rename involved in collision',
    spec: {
      base: (w) => void w.writeLines('r.txt').writeLines('keep.txt'),
      ours: (w) => void w.mv('r.txt', 'c.txt').editLine('c.txt', 10, 'fork edit'),
      theirs: (w) => void w.editLine('r.txt', 10, 'upstream edit').writeLines('c.txt', 30, 'upstream c')
    }
  },
  {
    name: 'submodule (each side moved it to a different commit)',
    kind: 'submodule',
    spec: {
      base: (w) => void w.writeLines('keep.txt').submoduleCommit('vendor/lib', 'base'),
      ours: (w) => void w.submoduleCommit('vendor/lib', 'fork', 'HEAD'),
      theirs: (w) => void w.submoduleCommit('vendor/lib', 'upstream', 'HEAD~1')
    }
  },
  {
    name: 'mode (one file added on both sides, executable on one only)',
    kind: 'mode',
    spec: {
      base: (w) => void w.writeLines('keep.txt'),
      ours: (w) => void w.write('run.sh', 'echo run\n').chmod('run.sh', true),
      theirs: (w) => void w.write('run.sh', 'echo run\n').chmod('run.sh', false)
    }
  },
  {
    name: 'distinct types (a file on one side, a symlink on the other)',
    kind: 'distinct types',
    spec: {
      base: (w) => void w.writeLines('keep.txt'),
      ours: (w) => void w.symlink('current', 'keep.txt'),
      theirs: (w) => void w.write('current', 'a regular file\n')
    }
  },
  {
    name: 'file/directory',
    kind: 'file/directory',
    spec: {
      base: (w) => void w.writeLines('config').writeLines('keep.txt'),
      ours: (w) => void w.editLine('config', 3, 'fork setting'),
      theirs: (w) => void w.rm('config').writeLines('config/settings.yml')
    }
  }
]

describe('mergeTag: the conflict list equals git merge', () => {
  for (const { name, kind, spec } of kinds) {
    it(`${name}`, async () => {
      const s = shared(spec)
      const oracle = oracleOf(spec)
      const p = await prepare(s, { pushSendsUpstreamHistory: false })
      const result = await merge(p, s)

      expect(oracle.conflicts.length).toBeGreaterThan(0)
      expect(pairs(result)).toEqual(oracle.conflicts)
      expect(result.conflicts.map((c) => c.kind)).toContain(kind)
      // Labels are git merge's own (HEAD and the tag's name), so each message is one git merge printed.
      // A submodule's reason in parentheses depends on whether it is checked out (the oracle's work tree has it; the
      // action's bare repository never does): the rest of the message is git merge's.
      for (const conflict of result.conflicts) expect(oracle.output).toContain(conflict.kind === 'submodule' ? conflict.message.replace(/ \(.*\)$/, '') : conflict.message)
      expect(result.status).toBe('conflicts')
      expect(result.headSha).toBe(p.prepared.tagSha)
      expect(result.autoResolved).toEqual([])
      expect(result.conflicts.every((c) => c.resolution === 'manual')).toBe(true)
    })
  }

  it('the status codes of the oracle agree with the kinds (sanity check of the oracle itself)', () => {
    const oracle = oracleOf(everything)
    const byPath = Object.fromEntries(oracle.conflicts.map((c) => [c.path, c.kind]))
    expect(oracle.statusCodes['new.txt']).toBe('AA')
    expect(byPath['new.txt']).toBe('add/add')
    expect(oracle.statusCodes['app.py']).toBe('UU')
    expect(oracle.statusCodes['mod_del.py']).toBe('UD')
    expect(oracle.statusCodes['del_mod.py']).toBe('DU')
    expect(oracle.statusCodes['lib/new_name.py']).toBe('DU')
    expect(oracle.statusCodes['utils.py']).toBe('DD')
    expect(oracle.statusCodes['fork_utils.py']).toBe('AU')
    expect(oracle.statusCodes['helpers/utils.py']).toBe('UA')
    expect(byPath['config~HEAD']).toBe('file/directory')
  })

  for (const pushSendsUpstreamHistory of [false, true]) {
    it(`every kind in one merge (${pushSendsUpstreamHistory ? 'run that pushes: upstream blobs fetched' : 'dry run: no blobs fetched up front'})`, async () => {
      const s = shared(everything)
      const oracle = oracleOf(everything)
      const p = await prepare(s, { pushSendsUpstreamHistory })
      const result = await merge(p, s)
      expect(pairs(result)).toEqual(oracle.conflicts)
      expect(new Set(result.conflicts.map((c) => c.kind))).toEqual(
        new Set(['content', 'add/add', 'modify/delete', 'rename/delete', 'rename/rename', 'binary', 'file/directory'])
      )
      expect(result.headSha).toBe(s.tagSha)
      // Cleanly merged files are not conflicts, even though git printed "Auto-merging" for them.
      expect(result.conflicts.map((c) => c.path)).not.toContain('clean.py')
      expect(oracle.output).toContain('Auto-merging clean.py')
    })
  }

  it('a clean merge gives the same tree as git merge, committed with both parents and the sync trailers', async () => {
    const s = shared({
      base: (w) => void w.writeLines('a.py').writeLines('b.py').writeLines('c.py'),
      ours: (w) => void w.editLine('a.py', 2, 'fork edit').write('fork_only.md', 'ours\n'),
      theirs: (w) => void w.editLine('a.py', 28, 'upstream edit').editLine('b.py', 5, 'upstream').mv('c.py', 'pkg/c.py').write('new.py', 'new\n')
    })
    const oracle = gitMergeOracle(s)
    expect(oracle.conflicts).toEqual([])
    const p = await prepare(s, { pushSendsUpstreamHistory: true })
    const result = await merge(p, s, { message: 'Merge upstream v1.1.0-stable into main' })

    expect(result.status).toBe('clean')
    expect(result.conflicts).toEqual([])
    expect(result.mergeBase).toBe(s.baseSha)
    expect(result.headSha).not.toBe(s.tagSha)
    const [tree, parents, author, committer] = runGit(p.gitDir, ['show', '-s', '--format=%T%n%P%n%an <%ae> %at%n%cn <%ce> %ct', result.headSha]).stdout.trim().split('\n')
    expect(tree).toBe(oracle.cleanTree)
    expect(parents).toBe(`${s.targetSha} ${s.tagSha}`)
    expect(author).toBe(`upstream-sync <upstream-sync@example.com> ${Date.parse(AUTHOR.date) / 1000}`)
    expect(committer).toBe(author)
    const message = runGit(p.gitDir, ['show', '-s', '--format=%B', result.headSha]).stdout
    expect(message).toBe(`Merge upstream v1.1.0-stable into main\n\n${SYNC_TAG_TRAILER}: ${s.tag}\n${SYNC_TREE_TRAILER}: ${tree}\n\n`)
  })

  it('never creates a worktree or an index: the repository stays bare', async () => {
    const s = shared(everything)
    const p = await prepare(s, { pushSendsUpstreamHistory: true })
    await merge(p, s, { autoResolve: true, rules: [{ paths: ['**'], resolution: 'theirs' }] })
    expect(runGit(p.gitDir, ['rev-parse', '--is-bare-repository']).stdout.trim()).toBe('true')
    expect(existsSync(path.join(p.gitDir, 'index'))).toBe(false)
    expect(runGit(p.gitDir, ['worktree', 'list', '--porcelain']).stdout.trim()).toBe(`worktree ${p.gitDir}\nbare`)
    expect(runGit(p.gitDir, ['for-each-ref', '--format=%(refname)']).stdout.trim().split('\n').sort()).toEqual(
      ['refs/remotes/origin/main', `refs/tags/${s.tag}`].sort()
    )
  })
})

// --- Rules and auto-resolve ------------------------------------------------------------------------------------

describe('mergeTag: rules and auto-resolve', () => {
  it('attaches the first matching rule to each conflict and leaves unmatched files manual', async () => {
    const s = shared(everything)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const result = await merge(p, s, {
      rules: [{ paths: ['app.py'], resolution: 'ours', note: 'first' }, { paths: ['*.py'], resolution: 'theirs', note: 'second' }, ...sidedRules]
    })
    const byPath = Object.fromEntries(result.conflicts.map((c) => [c.path, c]))
    expect(byPath['app.py']).toMatchObject({ resolution: 'ours', note: 'first' })
    expect(byPath['mod_del.py']).toMatchObject({ resolution: 'theirs', note: 'second' })
    expect(byPath['new.txt']).toMatchObject({ resolution: 'theirs' })
    expect(byPath['new.txt']?.note).toBeUndefined()
    expect(result.status).toBe('conflicts')
    expect(result.autoResolved).toEqual([])
  })

  for (const pushSendsUpstreamHistory of [false, true]) {
    it(`resolves every conflict to its rule's side in the merge commit (${pushSendsUpstreamHistory ? 'with' : 'without'} upstream blobs)`, async () => {
      const s = shared(everything)
      const oracle = oracleOf(everything)
      const p = await prepare(s, { pushSendsUpstreamHistory })
      const result = await merge(p, s, { rules: sidedRules, autoResolve: true })

      expect(result.status).toBe('clean')
      expect(result.conflicts).toEqual([])
      expect(result.autoResolved.map(({ path: file, kind }) => ({ path: file, kind }))).toEqual(oracle.conflicts)
      const sides = Object.fromEntries(result.autoResolved.map((c) => [c.path, c.autoResolved]))
      expect(sides).toEqual({
        'app.py': 'ours',
        'config~HEAD': 'ours',
        'del_mod.py': 'ours',
        'fork_utils.py': 'ours',
        'helpers/utils.py': 'ours',
        'lib/new_name.py': 'theirs',
        'logo.png': 'theirs',
        'mod_del.py': 'theirs',
        'new.txt': 'theirs',
        'utils.py': 'ours'
      })
      expect(result.headSha).not.toBe(s.tagSha)
      expect(runGit(p.gitDir, ['show', '-s', '--format=%P', result.headSha]).stdout.trim()).toBe(`${s.targetSha} ${s.tagSha}`)

      // Each resolved path is exactly the kept side's: content, deletions and renames included.
      const head = result.headSha
      const ours = s.targetSha
      const theirs = s.tagSha
      expect(entries(p.gitDir, head, ['app.py'])).toEqual(entries(p.gitDir, ours, ['app.py']))
      expect(entries(p.gitDir, head, ['new.txt', 'logo.png'])).toEqual(entries(p.gitDir, theirs, ['new.txt', 'logo.png']))
      expect(entries(p.gitDir, head, ['mod_del.py'])).toEqual([]) // upstream deleted it, and upstream was kept
      expect(entries(p.gitDir, head, ['del_mod.py'])).toEqual([]) // the fork deleted it, and the fork was kept
      expect(entries(p.gitDir, head, ['lib'])).toEqual(entries(p.gitDir, theirs, ['lib'])) // the rename kept
      expect(entries(p.gitDir, head, ['utils.py', 'fork_utils.py', 'helpers'])).toEqual(entries(p.gitDir, ours, ['utils.py', 'fork_utils.py', 'helpers']))
      expect(entries(p.gitDir, head, ['config', 'config~HEAD'])).toEqual(entries(p.gitDir, ours, ['config'])) // the file, no directory
      // Clean merges elsewhere are untouched: both sides' edits of clean.py are in.
      const clean = runGit(p.gitDir, ['cat-file', '-p', `${head}:clean.py`]).stdout
      expect(clean).toContain('fork header')
      expect(clean).toContain('upstream footer')
      // Nothing with conflict markers is committed.
      expect(runGit(p.gitDir, ['grep', '-I', '-l', '-e', '^<<<<<<<', '-e', '^>>>>>>>', head], { allowFail: true }).code).toBe(1)
    })
  }

  it('with one conflict left manual, resolves nothing and commits nothing', async () => {
    const s = shared(everything)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const rules = sidedRules.map((rule) => (rule.paths.includes('app.py') ? { ...rule, resolution: 'manual' as const, note: 'check # CARTO: sections' } : rule))
    const result = await merge(p, s, { rules, autoResolve: true })
    expect(result.status).toBe('conflicts')
    expect(result.headSha).toBe(s.tagSha)
    expect(result.autoResolved).toEqual([])
    expect(result.conflicts).toHaveLength(10)
    expect(result.conflicts.find((c) => c.path === 'app.py')).toMatchObject({ resolution: 'manual', note: 'check # CARTO: sections' })
    expect(result.conflicts.find((c) => c.path === 'new.txt')).toMatchObject({ resolution: 'theirs' })
    expect(result.conflicts.every((c) => c.autoResolved === undefined)).toBe(true)
  })

  it('with auto-resolve off, rules are reported but never applied', async () => {
    const s = shared(everything)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const result = await merge(p, s, { rules: sidedRules, autoResolve: false })
    expect(result.status).toBe('conflicts')
    expect(result.headSha).toBe(s.tagSha)
    expect(result.conflicts.filter((c) => c.resolution !== 'manual')).toHaveLength(10)
  })

  it('does not resolve a group of linked conflicts whose rules disagree (rename/rename kept ours here, theirs there)', async () => {
    const s = shared(kinds.find((k) => k.kind === 'rename/rename')!.spec)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const result = await merge(p, s, {
      autoResolve: true,
      rules: [{ paths: ['fork_utils.py', 'utils.py'], resolution: 'ours' }, { paths: ['helpers/**'], resolution: 'theirs' }]
    })
    expect(result.status).toBe('conflicts')
    expect(result.conflicts.map((c) => [c.path, c.resolution])).toEqual([
      ['fork_utils.py', 'ours'],
      ['helpers/utils.py', 'theirs'],
      ['utils.py', 'ours']
    ])
  })

  it('resolves a rename/rename to theirs: upstream name kept, fork name gone', async () => {
    const s = shared(kinds.find((k) => k.kind === 'rename/rename')!.spec)
    const p = await prepare(s, { pushSendsUpstreamHistory: true })
    const result = await merge(p, s, { autoResolve: true, rules: [{ paths: ['**'], resolution: 'theirs' }] })
    expect(result.status).toBe('clean')
    expect(runGit(p.gitDir, ['ls-tree', '-r', '--name-only', result.headSha]).stdout.split('\n').filter(Boolean)).toEqual(['helpers/utils.py', 'keep.txt'])
  })

  it('resolves a file/directory conflict to theirs: the directory stays, the moved-aside file goes', async () => {
    const s = shared(kinds.find((k) => k.kind === 'file/directory')!.spec)
    const p = await prepare(s, { pushSendsUpstreamHistory: true })
    const result = await merge(p, s, { autoResolve: true, rules: [{ paths: ['config*', 'config/**'], resolution: 'theirs' }] })
    expect(result.status).toBe('clean')
    expect(result.autoResolved.map((c) => [c.path, c.kind, c.autoResolved])).toEqual([['config~HEAD', 'file/directory', 'theirs']])
    expect(runGit(p.gitDir, ['ls-tree', '-r', '--name-only', result.headSha]).stdout.split('\n').filter(Boolean)).toEqual(['config/settings.yml', 'keep.txt'])
  })

  for (const [kind, side] of [['rename involved in collision', 'theirs'], ['submodule', 'theirs'], ['submodule', 'ours'], ['mode', 'ours'], ['mode', 'theirs'], ['distinct types', 'theirs']] as const) {
    it(`resolves a ${kind} conflict to ${side}: every path of the conflict is exactly that side's`, async () => {
      const s = shared(kinds.find((k) => k.kind === kind)!.spec)
      const oracle = oracleOf(kinds.find((k) => k.kind === kind)!.spec)
      const p = await prepare(s, { pushSendsUpstreamHistory: true })
      const result = await merge(p, s, { autoResolve: true, rules: [{ paths: ['**'], resolution: side }] })
      expect(result.status).toBe('clean')
      expect(result.autoResolved.map((c) => ({ path: c.path, kind: c.kind }))).toEqual(oracle.conflicts)
      const paths = oracle.conflicts.map((c) => c.path)
      expect(entries(p.gitDir, result.headSha, paths)).toEqual(entries(p.gitDir, side === 'ours' ? s.targetSha : s.tagSha, paths))
      expect(entries(p.gitDir, result.headSha, paths).length).toBeGreaterThan(0)
    })
  }

  it("leaves a file location conflict for a person whatever the rule, and says why (git's suggested location)", async () => {
    const s = shared(kinds.find((k) => k.kind === 'file location')!.spec)
    const p = await prepare(s, { pushSendsUpstreamHistory: true })
    const result = await merge(p, s, { autoResolve: true, rules: [{ paths: ['**'], resolution: 'theirs' }] })
    expect(result.status).toBe('conflicts')
    expect(result.autoResolved).toEqual([])
    expect(result.conflicts).toEqual([
      expect.objectContaining({ path: 'newdir/forkfile.txt', kind: 'file location', resolution: 'theirs', addedAt: 'olddir/forkfile.txt' })
    ])
    expect(result.conflicts[0]?.whyManual).toMatch(/added at olddir\/forkfile\.txt, in a folder the other side renamed: git suggests newdir\/forkfile\.txt/)
  })

  it('rejects a bad rule before merging', async () => {
    const s = shared(contentConflict)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    await expect(merge(p, s, { rules: [{ paths: [], resolution: 'ours' }] })).rejects.toThrow('rules[0]: paths must list at least one glob')
  })
})

// --- What changed, and what is fetched ----------------------------------------------------------------------------

describe('mergeTag: the head before the history', () => {
  // A history lookup held until the test releases it: the walk of a large fork's history, still running.
  function heldHistory(): { lookup: HistoryLookup; asked: () => boolean; release: () => void } {
    let release: () => void = () => undefined
    let asked = false
    const answered = new Promise<void>((resolve) => (release = resolve))
    return { lookup: async () => ((asked = true), await answered, new Map()), asked: () => asked, release: () => release() }
  }

  it('tells the head of a merge with conflicts while the history is still being read (auto-resolve off): the push need not wait', async () => {
    const s = shared(everything)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const history = heldHistory()
    const heads: MergeHead[] = []
    let told!: () => void
    const headTold = new Promise<void>((resolve) => (told = resolve))
    const merging = merge(p, s, { rules: sidedRules, autoResolve: false, history: history.lookup, onHead: (head) => (heads.push(head), told()) })
    // Told while the history lookup is still held: the head came before its answer.
    await headTold
    expect(heads).toEqual([{ status: 'conflicts', headSha: s.tagSha, targetSha: s.targetSha, tagSha: s.tagSha }])
    history.release()
    const result = await merging
    expect(result).toMatchObject(heads[0] as MergeHead)
  })

  it('tells the merge commit of a clean merge before the history answers, and commits it once', async () => {
    const s = shared({ base: (w) => void w.writeLines('a.py'), ours: (w) => void w.editLine('a.py', 2, 'fork edit'), theirs: (w) => void w.editLine('a.py', 28, 'upstream edit') })
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const history = heldHistory()
    let told!: (head: MergeHead) => void
    const headTold = new Promise<MergeHead>((resolve) => (told = resolve))
    const merging = merge(p, s, { autoResolve: true, history: history.lookup, onHead: (head) => told(head) })
    const head = await headTold
    expect(head.status).toBe('clean')
    expect(runGit(p.gitDir, ['rev-list', '--parents', '-n', '1', head.headSha]).stdout.trim()).toBe(`${head.headSha} ${s.targetSha} ${s.tagSha}`)
    history.release()
    expect((await merging).headSha).toBe(head.headSha)
  })

  it('merges right even when told the blobs are here and they are not (merge-tree then fetches them itself)', async () => {
    const s = shared(everything)
    const oracle = oracleOf(everything)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    expect(p.prepared.blobsPrefetched).toBe(false)
    const result = await merge(p, s, { rules: sidedRules, autoResolve: false, blobsPrefetched: true })
    expect(result.conflicts.map((c) => [c.path, c.kind])).toEqual(oracle.conflicts.map((c) => [c.path, c.kind]))
  })

  it('with auto-resolve on and conflicts, tells no head early: the history may hold a path back (the caller pushes after the merge)', async () => {
    const s = shared(everything)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const history = heldHistory()
    const heads: MergeHead[] = []
    const merging = merge(p, s, { rules: sidedRules, autoResolve: true, history: history.lookup, onHead: (head) => heads.push(head) })
    // The merge reaches the history lookup (every git step before it done) without telling a head.
    while (!history.asked()) await new Promise((resolve) => setImmediate(resolve))
    expect(heads).toEqual([])
    history.release()
    const result = await merging
    expect(result.status).toBe('clean')
    expect(heads).toEqual([])
  })
})

describe('mergeTag: change summary without fetching blobs', () => {
  const spec: ScenarioSpec = {
    base: (w) => {
      w.writeLines('README.md').writeLines('src/a.py').writeLines('src/b.py').writeLines('docs/x.md').writeLines('lib/moved.py')
      w.writeLines('data/untouched.csv', 2000) // a file neither side changed: its blob must never be fetched
    },
    ours: (w) => void w.editLine('src/a.py', 1, 'fork header').write('fork_only.txt', 'fork\n').editLine('src/b.py', 2, 'fork only'),
    theirs: (w) => {
      w.editLine('src/a.py', 30, 'upstream footer').write('src/c.py', 'print("new upstream file")\n')
      w.commit('upstream: first commit of the release')
      w.rm('docs/x.md').mv('lib/moved.py', 'pkg/moved.py').editLine('README.md', 4, 'upstream readme')
    }
  }

  it('counts commits and files by top-level folder, and finds the fork customizations upstream touched', async () => {
    const s = shared(spec)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    const result = await merge(p, s)
    expect(result.status).toBe('clean')
    expect(result.changes).toEqual({
      commits: 2,
      files: 5,
      byFolder: [
        { folder: '(root)', added: 0, modified: 1, deleted: 0, renamed: 0 },
        { folder: 'docs', added: 0, modified: 0, deleted: 1, renamed: 0 },
        { folder: 'pkg', added: 0, modified: 0, deleted: 0, renamed: 1 },
        { folder: 'src', added: 1, modified: 1, deleted: 0, renamed: 0 }
      ]
    })
    // src/a.py merged cleanly but both sides changed it; src/b.py is the fork's alone.
    expect(result.forkCustomizations).toEqual(['src/a.py'])

    // Neither the summary nor the merge needed upstream's new files: their blobs were never fetched.
    const cPy = runGit(s.work.dir, ['rev-parse', `${s.tag}:src/c.py`]).stdout.trim()
    expect(missingObjects(p.gitDir, [s.tagSha, `^${s.targetSha}`])).toContain(cPy)
  })

  it('fetches only commits and trees from the fork, and only new upstream objects', async () => {
    const s = shared(spec)
    const dry = await prepare(s, { pushSendsUpstreamHistory: false, name: 'dry.git', debug: true })
    const real = await prepare(s, { pushSendsUpstreamHistory: true, name: 'real.git', debug: true })
    const count = (args: string[]): number => runGit(s.work.dir, ['rev-list', '--objects', ...args]).stdout.split('\n').filter(Boolean).length

    const forkCommits = count(['--filter=tree:0', s.target])
    // The trees the merge reads: the target's and the merge base's (the one boundary commit here), with subtrees.
    const mergeTrees = count(['--filter=blob:none', '--no-walk', s.target, s.baseSha]) - 2
    const newUpstreamNoBlobs = count(['--filter=blob:none', s.tag, `^${s.target}`]) // includes the annotated tag object
    const newUpstreamWithBlobs = count([s.tag, `^${s.target}`])
    // Commits only from the fork's history, then exactly the trees the merge reads: no other commit's trees.
    expect(dry.prepared.transfer!.fork.objects).toBe(forkCommits)
    expect(dry.prepared.transfer!.trees?.objects).toBe(mergeTrees)
    // Upstream's new commits, then their trees asked for by id: each with its whole hierarchy (no haves, so no thin
    // pack), which may repeat subtrees the merge base already has. Nothing else: no history before the merge base.
    const newCommits = runGit(s.work.dir, ['rev-list', s.tag, `^${s.target}`]).stdout.split('\n').filter(Boolean)
    const newCommitsWithTrees = count(['--filter=blob:none', '--no-walk', ...newCommits]) + 1 // + the annotated tag object
    expect(dry.prepared.transfer!.upstream.objects).toBeGreaterThanOrEqual(newUpstreamNoBlobs)
    expect(dry.prepared.transfer!.upstream.objects).toBeLessThanOrEqual(newCommitsWithTrees)
    // A run that pushes also gets exactly the new blobs (the moved file's blob is the fork's already), and the merge
    // base's versions of the files upstream modified: the bases of the push's thin-pack deltas.
    const pushBases = runGit(s.work.dir, ['diff-tree', '-r', '--no-renames', '--diff-filter=M', s.baseSha, s.tagSha]).stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ')[2] as string)
    expect(pushBases.length).toBeGreaterThan(0)
    expect(real.prepared.transfer!.upstream.objects).toBe(dry.prepared.transfer!.upstream.objects)
    expect((await real.prepared.pushObjects).objects).toBe(newUpstreamWithBlobs - newUpstreamNoBlobs + new Set(pushBases).size)
    expect((await dry.prepared.pushObjects).objects).toBe(0)
    for (const oid of pushBases) expect(missingObjects(real.gitDir, [s.targetSha])).not.toContain(oid)
    expect(real.logs.some((line) => /^fetch for the push: the [1-9]\d* blobs of upstream's new commits and [1-9]\d* older versions as delta bases/.test(line))).toBe(true)
    const untouched = runGit(s.work.dir, ['rev-parse', `${s.baseSha}:data/untouched.csv`]).stdout.trim()
    for (const gitDir of [dry.gitDir, real.gitDir]) expect(missingObjects(gitDir, [s.targetSha, s.tagSha])).toContain(untouched)
    expect(missingObjects(real.gitDir, [s.tagSha, `^${s.targetSha}`])).toEqual([])
    expect(dry.logs.some((line) => line.startsWith('fetch fork main (commits only)'))).toBe(true)
  })

  it('fetches a missing blob lazily from whichever remote has it', async () => {
    const s = shared(spec)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    // src/c.py exists only upstream; fork_only.txt only in the fork. Both are fetched on demand.
    expect(runGit(p.gitDir, ['cat-file', '-p', `${s.tagSha}:src/c.py`]).stdout).toBe('print("new upstream file")\n')
    expect(runGit(p.gitDir, ['cat-file', '-p', `${s.targetSha}:fork_only.txt`]).stdout).toBe('fork\n')
    expect(runGit(p.gitDir, ['config', 'extensions.partialClone']).stdout.trim()).toBe('upstream')
    expect(runGit(p.gitDir, ['config', 'remote.origin.promisor']).stdout.trim()).toBe('true')
  })
})

describe('prepareRepository', () => {
  it('fetches the sync branch when it exists and reports it', async () => {
    const s = withForkCopy(shared(contentConflict))
    runGit(s.forkDir, ['update-ref', `refs/heads/upstream-sync/${s.tag}`, s.targetSha])
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    expect(p.prepared.syncBranchSha).toBe(s.targetSha)
    expect(p.prepared.targetSha).toBe(s.targetSha)
    expect(p.prepared.tagSha).toBe(s.tagSha) // the annotated tag, peeled
  })

  it('fetches no upstream blobs and no push bases when the sync branch already holds the tag (a run that will not push them)', async () => {
    const s = withForkCopy(shared(contentConflict))
    runGit(s.forkDir, ['fetch', '--quiet', s.upstreamDir, `refs/tags/${s.tag}:refs/tags/${s.tag}`])
    runGit(s.forkDir, ['update-ref', `refs/heads/upstream-sync/${s.tag}`, s.tagSha])
    const p = await prepare(s, { pushSendsUpstreamHistory: true, debug: true })
    expect(p.prepared.syncBranchSha).toBe(s.tagSha)
    expect(p.logs.find((line) => line.startsWith('fetch for the push'))).toMatch(/the 0 blobs of upstream's new commits and 0 older versions as delta bases/)
    // The base's versions of the files upstream modified are the push's delta bases: a run that pushes the tag's
    // objects fetches them all; this one, which has nothing of upstream's to push, leaves them where they are.
    const bases = runGit(s.work.dir, ['diff-tree', '-r', '--no-renames', '--diff-filter=M', s.baseSha, s.tagSha]).stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ')[2] as string)
    const pushing = await prepare(withForkCopy(shared(contentConflict)), { pushSendsUpstreamHistory: true })
    // What each repository holds, read without any lazy fetch.
    const blobsIn = (gitDir: string): string[] =>
      runGit(gitDir, ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectname)']).stdout
        .split('\n')
        .filter((line) => line.startsWith('blob '))
        .map((line) => line.slice(5))
    expect(bases.filter((oid) => !blobsIn(pushing.gitDir).includes(oid))).toEqual([])
    expect(blobsIn(p.gitDir)).toEqual([])
  })

  it('leaves the authentication header removable (configureAuth before, removeAuth after)', async () => {
    const s = shared(contentConflict)
    const gitDir = s.tmp.join(`auth-${++localRepos}.git`)
    const git = await Git.init(gitDir)
    await git.configureAuth('https://github.example', 'secret-token-value')
    await prepareRepository(git, {
      forkUrl: s.forkUrl,
      upstreamUrl: s.upstreamUrl,
      targetBranch: s.target,
      tag: s.tag,
      syncBranch: 'upstream-sync/x',
      pushSendsUpstreamHistory: true,
      log: silentLog
    })
    await git.removeAuth()
    const config = readFileSync(path.join(gitDir, 'config'), 'utf8')
    expect(config).not.toContain('extraheader')
    expect(config).toContain('[remote "upstream"]')
  })

  it('reports an absent sync branch as undefined', async () => {
    const s = shared(contentConflict)
    const p = await prepare(s, { pushSendsUpstreamHistory: false })
    expect(p.prepared.syncBranchSha).toBeUndefined()
    // Debug off: no transfer figures, so no `git count-objects` around the fetches.
    expect(p.prepared.transfer).toBeUndefined()
  })

  it('names a missing target branch, a missing tag and an invalid tag name', async () => {
    const s = shared(contentConflict)
    const base = { forkUrl: s.forkUrl, upstreamUrl: s.upstreamUrl, syncBranch: 'upstream-sync/x', pushSendsUpstreamHistory: false, log: silentLog }
    await expect(prepareRepository(await Git.init(s.tmp.join(`missing-target-${++localRepos}.git`)), { ...base, targetBranch: 'production', tag: s.tag })).rejects.toThrow(
      'target branch "production" does not exist in the fork'
    )
    await expect(prepareRepository(await Git.init(s.tmp.join(`missing-tag-${++localRepos}.git`)), { ...base, targetBranch: 'main', tag: 'v9.9.9-stable' })).rejects.toThrow(
      'tag "v9.9.9-stable" does not exist in the upstream repository'
    )
    await expect(prepareRepository(await Git.init(s.tmp.join(`bad-tag-${++localRepos}.git`)), { ...base, targetBranch: 'main', tag: 'bad..tag' })).rejects.toThrow(
      'tag "bad..tag" is not a valid git ref name'
    )
  })
})

// --- The sync branch: classification and push --------------------------------------------------------------------
