/**
 * The fork's earlier syncs and what they kept, on real merge-heavy histories: feature-branch pull requests between
 * syncs (never syncs), upstream's own pull-request merges (never syncs), and one sync of each flow: this action's
 * pull request, a conflict flow where a bot merged the target INTO the tag and took the fork's side, a hand-made
 * `git merge <tag>`, GitHub's "Sync fork". Answers are checked against plain git commands where possible.
 */
import { Git } from '../../../src/git/git.js'
import { GitProcess } from '../../../src/git/process.js'
import { historyLookup } from '../../../src/merge/last-time.js'
import { silentLog } from '../../../src/runner.js'
import { findEarlierSyncs, lastResolutions, type EarlierSync } from '../../../src/merge/history.js'
import type { GitReader } from '../../../src/merge/tree-diff.js'
import { blobCount, buildLargeHistory, HistoryWork, lines, upstreamCommitsBroughtIn, versionsOf } from '../helpers/history-repos.js'
import { createServedRepo, objectCount, runGit, TempDir } from '../helpers/merge-repos.js'

interface Fork {
  work: HistoryWork
  /** The sync merges on main, newest first, with what each brought in. */
  syncs: Array<{ merge: string; upstream: string; pullRequest?: number }>
}

/** Counts the git processes a call runs. */
function counting(git: GitReader): GitReader & { calls: string[][] } {
  const calls: string[][] = []
  return {
    calls,
    output: (args, options) => {
      calls.push(args)
      return git.output(args, options)
    }
  }
}

function buildFork(dir: string): Fork {
  const w = HistoryWork.create(dir)
  w.git(['symbolic-ref', 'HEAD', 'refs/heads/upstream'])
  for (const file of ['src/core.ts', 'src/custom.ts', 'src/removed.ts', 'ui/out/app.js', 'ui/out/vendor.js', 'config/settings.yaml', 'README.md']) {
    w.lines(file, file)
  }
  w.commit('upstream: initial')
  w.featurePullRequest(1, 'upstream', (x) => x.editLine('README.md', 1, 'readme upstream pr 1'))
  w.tag('v1.0')

  // The fork starts at v1.0 and customizes through pull requests.
  w.checkout('v1.0', 'main')
  w.featurePullRequest(101, 'main', (x) => x.editLine('src/core.ts', 2, 'core fork 101'))
  w.featurePullRequest(102, 'main', (x) => x.editLine('ui/out/app.js', 1, 'app fork build 102').editLine('config/settings.yaml', 1, 'settings fork 102'))

  // Sync 1, this action's flow: `Merge upstream tag v1.1` on the sync branch, merged by pull request #103.
  w.checkout('upstream')
  w.featurePullRequest(2, 'upstream', (x) => x.editLine('src/core.ts', 10, 'core upstream 1.1').editLine('ui/out/app.js', 1, 'app upstream build 1.1'))
  const v11 = w.tag('v1.1')
  w.checkout('main', 'upstream-sync/v1.1')
  expect(w.merge('v1.1', 'Merge upstream tag v1.1')).toBe(true)
  w.take('theirs', 'ui/out/app.js').conclude()
  w.checkout('main')
  w.merge('upstream-sync/v1.1', 'Merge pull request #103 from acme/upstream-sync/v1.1')
  const sync1 = w.rev('HEAD')

  // Sync 2, the incident: the sync branch is v1.2's commit plus a bot's merge of main INTO it, where `--theirs` is
  // the fork: the generated files keep the fork's old build. The settings file is merged by hand.
  w.featurePullRequest(104, 'main', (x) =>
    x.editLine('ui/out/app.js', 2, 'app fork build 104').editLine('ui/out/vendor.js', 1, 'vendor fork 104').editLine('config/settings.yaml', 2, 'settings fork 104').editLine('src/removed.ts', 1, 'removed fork 104')
  )
  w.checkout('upstream')
  w.editLine('ui/out/app.js', 2, 'app upstream build 1.2').editLine('ui/out/vendor.js', 1, 'vendor upstream 1.2').editLine('config/settings.yaml', 2, 'settings upstream 1.2')
  w.commit('upstream 1.2')
  const v12 = w.tag('v1.2')
  w.checkout('v1.2', 'upstream-sync/v1.2')
  expect(w.merge('main', 'Merge branch main into upstream-sync/v1.2')).toBe(true)
  w.take('theirs', 'ui/out/app.js', 'ui/out/vendor.js')
  w.lines('config/settings.yaml', 'settings merged by hand 1.2')
  w.conclude()
  w.checkout('main')
  w.merge('upstream-sync/v1.2', 'Merge pull request #105 from acme/upstream-sync/v1.2')
  const sync2 = w.rev('HEAD')

  // Sync 3, by hand: `git merge v1.3` on main; upstream deleted a file the fork changed, both changed custom.ts.
  w.featurePullRequest(106, 'main', (x) => x.editLine('src/custom.ts', 3, 'custom fork 106').editLine('src/core.ts', 3, 'core fork 106'))
  w.checkout('upstream')
  w.rm('src/removed.ts').editLine('src/custom.ts', 3, 'custom upstream 1.3').editLine('src/core.ts', 11, 'core upstream 1.3')
  w.commit('upstream 1.3')
  const v13 = w.tag('v1.3')
  w.checkout('main')
  expect(w.merge('v1.3', "Merge tag 'v1.3'")).toBe(true)
  w.take('theirs', 'src/removed.ts').take('ours', 'src/custom.ts')
  const sync3 = w.conclude()

  // Sync 4, GitHub's "Sync fork": upstream's main (past v1.3, untagged, with its own pull request merge).
  w.checkout('upstream')
  w.editLine('ui/out/app.js', 6, 'app upstream main')
  w.commit('upstream: rebuild ui')
  const upstreamMain = w.featurePullRequest(3, 'upstream', (x) => x.lines('docs/guide.md', 'guide'))
  w.featurePullRequest(107, 'main', (x) => x.editLine('ui/out/app.js', 10, 'app fork 107'))
  expect(w.merge('upstream', "Merge branch 'acme:main' into main")).toBe(false)
  const sync4 = w.rev('HEAD')
  w.featurePullRequest(108, 'main', (x) => x.lines('fork/notes.md', 'notes'))

  // The release being synced now.
  w.checkout('upstream')
  w.editLine('ui/out/app.js', 5, 'app upstream 1.4').editLine('config/settings.yaml', 3, 'settings upstream 1.4')
  w.commit('upstream 1.4')
  w.tag('v1.4')
  w.checkout('main')
  return {
    work: w,
    syncs: [
      { merge: sync4, upstream: upstreamMain },
      { merge: sync3, upstream: v13 },
      { merge: sync2, upstream: v12, pullRequest: 105 },
      { merge: sync1, upstream: v11, pullRequest: 103 }
    ]
  }
}

describe('findEarlierSyncs and lastResolutions on a merge-heavy fork', () => {
  const tmp = new TempDir('upstream-sync-history-')
  let fork: Fork
  let git: GitProcess
  let syncs: EarlierSync[]
  const paths = ['README.md', 'config/settings.yaml', 'docs/guide.md', 'src/core.ts', 'src/custom.ts', 'src/removed.ts', 'ui/out/app.js', 'ui/out/vendor.js']

  beforeAll(async () => {
    fork = buildFork(tmp.join('work'))
    git = new GitProcess(tmp.join('work', '.git'))
    syncs = await findEarlierSyncs(git, { target: 'main', upstreamTip: 'v1.4' })
  })
  afterAll(() => tmp.cleanup())

  it('finds exactly the four syncs, newest first, whatever flow made them', () => {
    expect(syncs.map(({ merge, upstream, pullRequest }) => ({ merge, upstream, ...(pullRequest ? { pullRequest } : {}) }))).toEqual(fork.syncs)
    expect(syncs.map((sync) => sync.subject)).toEqual([
      "Merge branch 'acme:main' into main",
      "Merge tag 'v1.3'",
      'Merge pull request #105 from acme/upstream-sync/v1.2',
      'Merge pull request #103 from acme/upstream-sync/v1.1'
    ])
  })

  it('agrees with plain git: parents, merge bases, dates, and no other first-parent merge brings upstream commits in', () => {
    const dir = fork.work.dir
    const upstream = new Set(lines(runGit(dir, ['rev-list', 'v1.4']).stdout))
    for (const sync of syncs) {
      expect(sync.forkParent).toBe(fork.work.rev(`${sync.merge}^1`))
      expect(sync.mergeBase).toBe(runGit(dir, ['merge-base', sync.forkParent, sync.upstream]).stdout.trim())
      expect(sync.date).toBe(runGit(dir, ['show', '-s', '--format=%cI', sync.merge]).stdout.trim())
      expect(upstreamCommitsBroughtIn(dir, sync.merge, sync.forkParent, upstream)).toContain(sync.upstream)
    }
    const found = new Set(syncs.map((sync) => sync.merge))
    const forkMerges = lines(runGit(dir, ['rev-list', '--first-parent', '--merges', 'main']).stdout).filter((id) => !upstream.has(id) && !found.has(id))
    expect(forkMerges.length).toBe(6) // pull requests #101, #102, #104, #106, #107, #108
    for (const merge of forkMerges) expect(upstreamCommitsBroughtIn(dir, merge, `${merge}^1`, upstream)).toEqual([])
  })

  it('keeps the newest `limit` syncs', async () => {
    const limited = await findEarlierSyncs(git, { target: 'main', upstreamTip: 'v1.4', limit: 2 })
    expect(limited.map((sync) => sync.merge)).toEqual(fork.syncs.slice(0, 2).map((sync) => sync.merge))
  })

  it('runs four git processes, whatever the history size', async () => {
    const reader = counting(git)
    await findEarlierSyncs(reader, { target: 'main', upstreamTip: 'v1.4' })
    // The names; is there a merge on the fork's line at all; the whole graph; the syncs' dates and subjects.
    expect(reader.calls.map((args) => args[0])).toEqual(['rev-parse', 'rev-list', 'rev-list', 'log'])
  })

  it('says, per path, the latest sync that changed it on both sides and what its result kept', async () => {
    const requested: string[][] = []
    const answers = await lastResolutions(git, syncs, paths, { ensureTrees: async (commits) => void requested.push(commits) })
    const [sync4, sync3, sync2] = syncs as [EarlierSync, EarlierSync, EarlierSync]
    expect(Object.fromEntries([...answers].map(([path, answer]) => [path, [answer.sync.merge, answer.kept]]))).toEqual({
      'ui/out/app.js': [sync4.merge, 'merged'],
      'ui/out/vendor.js': [sync2.merge, 'ours'], // the bot's `--theirs` in the reversed merge kept the fork's build
      'config/settings.yaml': [sync2.merge, 'merged'],
      'src/core.ts': [sync3.merge, 'merged'],
      'src/custom.ts': [sync3.merge, 'ours'],
      'src/removed.ts': [sync3.merge, 'theirs'] // upstream deleted it and so did the merge
    })
    // Round 1 (the latest sync) answers app.js; round 2 (the next two) the rest but README.md and docs/guide.md,
    // which only upstream changed, so round 3 reads the last sync too.
    const sync1 = syncs[3] as EarlierSync
    expect(requested).toEqual([
      [sync4.mergeBase, sync4.forkParent, sync4.upstream, sync4.merge],
      [...new Set([sync3.mergeBase, sync3.forkParent, sync3.upstream, sync3.merge, sync2.mergeBase, sync2.forkParent, sync2.upstream, sync2.merge])],
      [sync1.mergeBase, sync1.forkParent, sync1.upstream, sync1.merge]
    ])
  })

  it('agrees with an oracle built on git ls-tree', async () => {
    const answers = await lastResolutions(git, syncs, paths)
    const trees = new Map<string, Map<string, string>>()
    const versionOf = (commit: string, path: string): string | undefined => {
      if (!trees.has(commit)) trees.set(commit, versionsOf(fork.work.dir, commit))
      return trees.get(commit)?.get(path)
    }
    for (const path of paths) {
      let expected: [string, string] | undefined
      for (const sync of syncs) {
        const [base, ours, theirs, result] = [sync.mergeBase, sync.forkParent, sync.upstream, sync.merge].map((commit) => versionOf(commit, path))
        if (ours === base || theirs === base || ours === theirs) continue
        expected = [sync.merge, result === ours ? 'ours' : result === theirs ? 'theirs' : result === undefined ? 'deleted' : 'merged']
        break
      }
      const answer = answers.get(path)
      expect(answer ? [answer.sync.merge, answer.kept] : undefined).toEqual(expected)
    }
  })

  it('answers nothing for no paths or no syncs, without running git', async () => {
    const reader = counting(git)
    expect((await lastResolutions(reader, syncs, [])).size).toBe(0)
    expect((await lastResolutions(reader, [], paths)).size).toBe(0)
    expect(reader.calls).toEqual([])
  })

  /** The fork's main and v1.4, pushed to a served bare repository (filters and fetch by id allowed). */
  const serveFork = (name: string): string => {
    const served = tmp.join(name)
    createServedRepo(served)
    runGit(fork.work.dir, ['push', '--quiet', served, 'main:refs/heads/main', 'refs/tags/v1.4'])
    return served
  }

  it('reads no blob in a partial clone: blob-less, and commits-only with trees fetched by ensureTrees', async () => {
    const served = serveFork('fork.git')
    const blobless = tmp.join('blobless.git')
    runGit(tmp.path, ['clone', '--quiet', '--bare', '--filter=blob:none', `file://${served}`, blobless])
    const before = objectCount(blobless)
    const clone = new GitProcess(blobless)
    const found = await findEarlierSyncs(clone, { target: 'main', upstreamTip: 'v1.4' })
    expect(found).toEqual(syncs)
    const answers = await lastResolutions(clone, found, paths)
    expect(answers).toEqual(await lastResolutions(git, syncs, paths))
    expect(objectCount(blobless)).toBe(before)
    expect(blobCount(blobless)).toBe(0)

    const commitsOnly = tmp.join('commits-only.git')
    runGit(tmp.path, ['clone', '--quiet', '--bare', '--filter=tree:0', `file://${served}`, commitsOnly])
    const bare = new GitProcess(commitsOnly)
    const start = objectCount(commitsOnly)
    expect(await findEarlierSyncs(bare, { target: 'main', upstreamTip: 'v1.4' })).toEqual(syncs)
    expect(objectCount(commitsOnly)).toBe(start) // commits only: nothing fetched
    const ensureTrees = async (commits: string[]): Promise<void> => {
      // What the action does (src/merge.ts): the commits' root trees by id, with their subtrees and no blobs.
      const trees = (await bare.output(['log', '--no-walk=unsorted', '--format=%T', ...commits])).split('\n')
      await bare.exec(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--filter=blob:none', '--stdin', 'origin'], { input: trees.join('\n') + '\n' })
    }
    expect(await lastResolutions(bare, syncs, paths, { ensureTrees })).toEqual(answers)
    expect(blobCount(commitsOnly)).toBe(0)
  })

  it("the action's lookup (merge/last-time.ts): one batched tree fetch per round from the fork, no blob", async () => {
    const served = serveFork('fork-for-lookup.git')
    const clone = tmp.join('lookup.git')
    runGit(tmp.path, ['clone', '--quiet', '--bare', '--filter=tree:0', `file://${served}`, clone])
    const action = new Git(clone)
    const fetches: string[][] = []
    const fetchObjects = action.fetchObjects.bind(action)
    action.fetchObjects = async (remote, oids) => {
      fetches.push([remote, ...oids])
      return fetchObjects(remote, oids)
    }
    const lookup = historyLookup(action, { targetSha: fork.work.rev('main'), tagSha: fork.work.rev('v1.4^{commit}'), log: silentLog })
    const found = await lookup(paths)
    const expected = await lastResolutions(git, syncs, paths)
    expect(Object.fromEntries(found)).toEqual(
      Object.fromEntries(
        [...expected].map(([path, { sync, kept }]) => [path, { kept, merge: sync.merge, date: sync.date, ...(sync.pullRequest ? { pullRequest: sync.pullRequest } : {}) }])
      )
    )
    expect(found.get('ui/out/vendor.js')).toMatchObject({ kept: 'ours' })
    // Three rounds (see above), each one fetch from the fork (`origin`), of root trees only.
    expect(fetches.length).toBe(3)
    expect(fetches.every(([remote]) => remote === 'origin')).toBe(true)
    expect(blobCount(clone)).toBe(0)
  })
})

describe('findEarlierSyncs on unusual shapes', () => {
  const tmp = new TempDir('upstream-sync-history-shapes-')
  afterAll(() => tmp.cleanup())

  it('follows the fork when the target was fast-forwarded to a merge of the target INTO the tag', async () => {
    const w = HistoryWork.create(tmp.join('reversed'))
    w.git(['symbolic-ref', 'HEAD', 'refs/heads/upstream'])
    w.lines('a.txt', 'a').lines('b.txt', 'b').commit('upstream: initial')
    w.featurePullRequest(1, 'upstream', (x) => x.editLine('a.txt', 1, 'a upstream pr 1'))
    w.tag('v1')
    w.checkout('v1', 'main')
    w.featurePullRequest(10, 'main', (x) => x.editLine('b.txt', 1, 'b fork 10'))
    const forkBefore = w.featurePullRequest(11, 'main', (x) => x.editLine('a.txt', 5, 'a fork 11'))
    w.checkout('upstream')
    const v2 = w.featurePullRequest(2, 'upstream', (x) => x.editLine('a.txt', 9, 'a upstream 2'))
    w.tag('v2')
    w.checkout('v2', 'tmp')
    w.merge('main', 'Merge branch main into tmp')
    const reversed = w.rev('HEAD')
    w.checkout('main').git(['merge', '--quiet', '--ff-only', 'tmp'])
    w.featurePullRequest(12, 'main', (x) => x.editLine('b.txt', 2, 'b fork 12'))
    w.checkout('upstream').editLine('a.txt', 10, 'a upstream 3')
    w.commit('upstream 3')
    w.tag('v3')

    const syncs = await findEarlierSyncs(new GitProcess(tmp.join('reversed', '.git')), { target: 'main', upstreamTip: 'v3' })
    expect(syncs.map(({ merge, forkParent, upstream }) => ({ merge, forkParent, upstream }))).toEqual([{ merge: reversed, forkParent: forkBefore, upstream: v2 }])
    expect(syncs[0]?.mergeBase).toBe(w.rev('v1'))
  })

  /** Upstream with one merged pull request, tagged v1, and the fork's `main` branched from it. */
  function forkedAtV1(name: string): HistoryWork {
    const w = HistoryWork.create(tmp.join(name))
    w.git(['symbolic-ref', 'HEAD', 'refs/heads/upstream'])
    w.lines('a.txt', 'a').commit('upstream: initial')
    // Upstream's own merges lie below the fork's line: they are not the fork's.
    w.featurePullRequest(1, 'upstream', (x) => x.editLine('a.txt', 1, 'a upstream 1'))
    w.tag('v1')
    w.checkout('v1', 'main')
    return w
  }

  it('finds nothing for a fork that never synced, or that is upstream itself', async () => {
    const w = forkedAtV1('never')
    w.featurePullRequest(10, 'main', (x) => x.editLine('a.txt', 3, 'a fork'))
    const git = counting(new GitProcess(tmp.join('never', '.git')))
    // The fork's pull request is a merge on its line: the graph is read, and it brought in no upstream commit.
    expect(await findEarlierSyncs(git, { target: 'main', upstreamTip: 'v1' })).toEqual([])
    expect(git.calls.map((args) => args[0])).toEqual(['rev-parse', 'rev-list', 'rev-list'])
    expect(await findEarlierSyncs(git, { target: 'v1', upstreamTip: 'v1' })).toEqual([])
  })

  it('reads no commit graph for a fork whose line has no merge (squash-merged work, never synced): two processes', async () => {
    const w = forkedAtV1('linear')
    w.lines('b.txt', 'b').commit('fork: squash-merged feature (#10)')
    w.editLine('a.txt', 3, 'a fork').commit('fork: squash-merged fix (#11)')
    w.checkout('upstream')
    w.featurePullRequest(2, 'upstream', (x) => x.editLine('a.txt', 5, 'a upstream 2'))
    w.tag('v2')
    const git = counting(new GitProcess(tmp.join('linear', '.git')))
    const logs: string[] = []
    const log = { debug: (m: string) => void logs.push(m), info: () => undefined, warning: () => undefined, isDebug: () => true }
    expect(await findEarlierSyncs(git, { target: 'main', upstreamTip: 'v2', log })).toEqual([])
    expect(git.calls.map((args) => args[0])).toEqual(['rev-parse', 'rev-list'])
    expect(logs.join('\n')).toContain('no merge on the fork')
  })
})

describe('on a big history (fast-import: 12 syncs, 80 pull requests between each)', () => {
  const tmp = new TempDir('upstream-sync-history-big-')
  afterAll(() => tmp.cleanup())

  it('finds the last 10 syncs and answers every generated file, in few processes and little time', async () => {
    const big = buildLargeHistory(tmp.join('big.git'), { syncs: 12, features: 80, upstreamCommits: 60 })
    expect(big.commits).toBeGreaterThan(2500)
    const git = counting(new GitProcess(tmp.join('big.git')))
    let started = Date.now()
    const syncs = await findEarlierSyncs(git, { target: 'main', upstreamTip: big.nextTag })
    const findMs = Date.now() - started
    expect(syncs.map((sync) => sync.merge)).toEqual(big.syncs.slice(-10).reverse().map((sync) => sync.merge))
    expect(syncs.map((sync) => sync.upstream)).toEqual(big.syncs.slice(-10).reverse().map((sync) => sync.upstream))
    expect(git.calls.length).toBe(4)

    const paths = [...big.lastKept.keys()]
    started = Date.now()
    const answers = await lastResolutions(git, syncs, paths)
    const lastMs = Date.now() - started
    const byTag = new Map(big.syncs.map((sync) => [sync.merge, sync.tag]))
    expect(Object.fromEntries([...answers].map(([path, answer]) => [path, { tag: byTag.get(answer.sync.merge), kept: answer.kept }]))).toEqual(Object.fromEntries(big.lastKept))
    expect(git.calls.length).toBeLessThanOrEqual(4 + 4)
    // Generous bounds for a shared 2-core machine.
    expect(findMs + lastMs).toBeLessThan(5000)
  })
})
