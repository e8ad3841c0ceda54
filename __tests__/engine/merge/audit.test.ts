/**
 * The resolution audit on real resolutions of one sync: a maintainer's resolution on the action's sync branch, and
 * the real incident, a bot that merged the fork INTO the tag and ran `git checkout --theirs` (the fork's side there)
 * on generated files whose rule is `theirs`. Checked against an oracle built on plain `git diff`.
 */
import { GitProcess } from '../../../src/git/process.js'
import { auditResolution, type AuditRow } from '../../../src/merge/audit.js'
import type { GitReader } from '../../../src/merge/tree-diff.js'
import type { Resolution } from '../../../src/types.js'
import { HistoryWork, lines } from '../helpers/history-repos.js'
import { runGit, TempDir } from '../helpers/merge-repos.js'

const RULES: Array<[RegExp, Resolution]> = [
  [/^ui\/out\//, 'theirs'],
  [/^config\//, 'manual'],
  [/^src\/(custom|dropped)\.ts$/, 'ours'],
  [/^src\/removed\.ts$/, 'theirs']
]
const ruleOf = (path: string): Resolution | undefined => RULES.find(([pattern]) => pattern.test(path))?.[1]

interface Sync {
  work: HistoryWork
  base: string
  ours: string
  theirs: string
  /** The action's sync branch resolved by a maintainer. */
  maintainer: string
  /** The tag's commit plus a bot's merge of the fork into it. */
  bot: string
}

function buildSync(dir: string): Sync {
  const w = HistoryWork.create(dir)
  w.git(['symbolic-ref', 'HEAD', 'refs/heads/upstream'])
  for (const file of ['ui/out/app.js', 'ui/out/vendor.js', 'ui/out/index.html', 'config/settings.yaml', 'src/custom.ts', 'src/core.ts', 'src/removed.ts', 'src/dropped.ts', 'src/only-fork.ts', 'lib/old.ts', 'docs/same.md']) {
    w.lines(file, file, 20)
  }
  const base = w.commit('upstream: initial')
  w.tag('v1')

  w.checkout('v1', 'main')
  w.featurePullRequest(101, 'main', (x) =>
    x.editLine('ui/out/app.js', 1, 'app fork build').editLine('ui/out/vendor.js', 1, 'vendor fork build').editLine('ui/out/index.html', 2, 'index fork build')
  )
  w.featurePullRequest(102, 'main', (x) => x.editLine('config/settings.yaml', 1, 'settings fork').editLine('src/custom.ts', 1, 'custom fork').editLine('src/core.ts', 2, 'core fork'))
  w.featurePullRequest(103, 'main', (x) => x.editLine('src/removed.ts', 1, 'removed fork').rm('src/dropped.ts').editLine('src/only-fork.ts', 1, 'only fork'))
  w.featurePullRequest(104, 'main', (x) => x.editLine('lib/old.ts', 2, 'old fork').editLine('docs/same.md', 1, 'same change').write('added/both.txt', 'fork adds\n'))
  const ours = w.rev('main')

  w.checkout('upstream')
  w.editLine('ui/out/app.js', 1, 'app upstream build').editLine('ui/out/vendor.js', 1, 'vendor upstream build').editLine('ui/out/index.html', 15, 'index upstream build')
  w.editLine('config/settings.yaml', 1, 'settings upstream').editLine('src/custom.ts', 1, 'custom upstream').editLine('src/core.ts', 15, 'core upstream')
  w.rm('src/removed.ts').editLine('src/dropped.ts', 1, 'dropped upstream')
  w.editLine('lib/old.ts', 18, 'old upstream').mv('lib/old.ts', 'lib/new.ts').editLine('docs/same.md', 1, 'same change').write('added/both.txt', 'upstream adds\n')
  w.commit('upstream: release 2')
  const theirs = w.tag('v2')

  // A maintainer resolves the action's sync branch (main + `git merge v2`) against two rules.
  w.checkout('main', 'upstream-sync/v2')
  expect(w.merge('v2', 'Merge upstream tag v2')).toBe(true)
  w.take('ours', 'ui/out/app.js', 'src/dropped.ts').take('theirs', 'ui/out/vendor.js', 'src/custom.ts', 'src/removed.ts', 'added/both.txt')
  w.lines('config/settings.yaml', 'settings merged by hand', 20)
  const maintainer = w.conclude()

  // The incident: a bot merges main INTO the tag; its `--theirs` is the fork.
  w.checkout('v2', 'upstream-sync/v2-bot')
  expect(w.merge('main', 'Merge branch main into upstream-sync/v2-bot')).toBe(true)
  w.take('theirs', 'ui/out/app.js', 'ui/out/vendor.js', 'src/custom.ts', 'src/dropped.ts').take('ours', 'src/removed.ts', 'added/both.txt')
  w.lines('config/settings.yaml', 'settings merged by the bot', 20)
  const bot = w.conclude()
  return { work: w, base, ours, theirs, maintainer, bot }
}

/** Independent answer for the paths no side renamed: plain `git diff` between the commits, path by path. */
function oracle(sync: Sync, result: string): Array<Pick<AuditRow, 'path' | 'kept'>> {
  const dir = sync.work.dir
  const changed = (from: string, to: string): Set<string> => new Set(lines(runGit(dir, ['diff', '--name-only', '--no-renames', from, to]).stdout))
  const same = (a: string, b: string, path: string): boolean => runGit(dir, ['diff', '--quiet', '--no-renames', a, b, '--', path], { allowFail: true }).code === 0
  const ourChanges = changed(sync.base, sync.ours)
  const rows: Array<Pick<AuditRow, 'path' | 'kept'>> = []
  for (const path of changed(sync.base, sync.theirs)) {
    if (!ourChanges.has(path) || same(sync.ours, sync.theirs, path) || path.startsWith('lib/')) continue
    const present = runGit(dir, ['cat-file', '-e', `${result}:${path}`], { allowFail: true }).code === 0
    const kept = same(result, sync.ours, path) ? 'ours' : same(result, sync.theirs, path) ? 'theirs' : present ? 'merged' : 'deleted'
    rows.push({ path, kept })
  }
  return rows.sort((a, b) => (a.path < b.path ? -1 : 1))
}

describe('auditResolution', () => {
  const tmp = new TempDir('upstream-sync-audit-')
  let sync: Sync
  let git: GitProcess
  beforeAll(() => {
    sync = buildSync(tmp.join('work'))
    git = new GitProcess(tmp.join('work', '.git'))
  })
  afterAll(() => tmp.cleanup())

  const audit = (result: string, reader: GitReader = git, renames?: boolean): Promise<AuditRow[]> =>
    auditResolution(reader, { base: sync.base, ours: sync.ours, theirs: sync.theirs, result, ruleOf, ...(renames === undefined ? {} : { renames }) })

  it("judges a maintainer's resolution path by path against the rules", async () => {
    expect(await audit(sync.maintainer)).toEqual([
      { path: 'added/both.txt', rule: null, kept: 'theirs', verdict: 'no-rule' },
      { path: 'config/settings.yaml', rule: 'manual', kept: 'merged', verdict: 'manual' },
      { path: 'lib/new.ts', from: 'lib/old.ts', rule: null, kept: 'merged', verdict: 'no-rule' },
      { path: 'src/core.ts', rule: null, kept: 'merged', verdict: 'no-rule' },
      { path: 'src/custom.ts', rule: 'ours', kept: 'theirs', verdict: 'fork-customization-dropped' },
      { path: 'src/dropped.ts', rule: 'ours', kept: 'ours', verdict: 'rule-side-kept' },
      { path: 'src/removed.ts', rule: 'theirs', kept: 'theirs', verdict: 'rule-side-kept' },
      { path: 'ui/out/app.js', rule: 'theirs', kept: 'ours', verdict: 'upstream-change-dropped' },
      { path: 'ui/out/index.html', rule: 'theirs', kept: 'merged', verdict: 'differs-from-rule' },
      { path: 'ui/out/vendor.js', rule: 'theirs', kept: 'theirs', verdict: 'rule-side-kept' }
    ])
  })

  it("flags the bot's reversed `--theirs`: upstream's generated files dropped for the fork's old build", async () => {
    const rows = await audit(sync.bot)
    expect(rows.filter((row) => row.verdict === 'upstream-change-dropped').map((row) => row.path)).toEqual(['ui/out/app.js', 'ui/out/vendor.js'])
    expect(Object.fromEntries(rows.map((row) => [row.path, row.kept]))).toEqual({
      'added/both.txt': 'theirs',
      'config/settings.yaml': 'merged',
      'lib/new.ts': 'merged',
      'src/core.ts': 'merged',
      'src/custom.ts': 'ours',
      'src/dropped.ts': 'ours',
      'src/removed.ts': 'theirs',
      'ui/out/app.js': 'ours',
      'ui/out/index.html': 'merged',
      'ui/out/vendor.js': 'ours'
    })
  })

  it('agrees with plain git diff on every path no side renamed, and leaves out one-sided and identical changes', async () => {
    for (const result of [sync.maintainer, sync.bot]) {
      const rows = (await audit(result)).filter((row) => !row.path.startsWith('lib/'))
      expect(rows.map(({ path, kept }) => ({ path, kept }))).toEqual(oracle(sync, result))
      expect(rows.map((row) => row.path)).not.toContain('src/only-fork.ts')
      expect(rows.map((row) => row.path)).not.toContain('docs/same.md')
    }
  })

  it('without rename detection, sees the renamed file as deleted by upstream', async () => {
    const rows = await audit(sync.maintainer, git, false)
    expect(rows.filter((row) => row.path.startsWith('lib/'))).toEqual([{ path: 'lib/old.ts', rule: null, kept: 'theirs', verdict: 'no-rule' }])
  })

  it('runs two git processes and accepts names as well as ids', async () => {
    const calls: string[][] = []
    const reader: GitReader = { output: (args, options) => (calls.push(args), git.output(args, options)) }
    const rows = await auditResolution(reader, { base: 'v1', ours: 'main', theirs: 'v2', result: 'upstream-sync/v2', ruleOf })
    expect(rows).toEqual(await audit(sync.maintainer))
    expect(calls.map((args) => args[0])).toEqual(['rev-parse', '--literal-pathspecs'])
  })

  it('finds nothing to audit when the result is the action merge of a sync where only one side changed things', async () => {
    expect(await auditResolution(git, { base: sync.base, ours: sync.base, theirs: sync.theirs, result: sync.theirs, ruleOf })).toEqual([])
  })
})
