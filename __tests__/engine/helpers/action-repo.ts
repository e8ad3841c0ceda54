/**
 * The action's side of the engine tests: its own repository prepared from a built scenario (as a run does), the
 * merge, and the scenarios several test files share. Building repositories is most of these tests' time, so a file
 * builds each scenario once and gives each test a copy of the fork when it pushes.
 */
import { cpSync } from 'node:fs'
import { Git } from '../../../src/git/git.js'
import { prepareRepository, type PreparedRepository } from '../../../src/merge/fetch.js'
import { mergeTag } from '../../../src/merge/merge.js'
import { silentLog, type Log } from '../../../src/runner.js'
import type { HistoryLookup } from '../../../src/merge/last-time.js'
import type { MergeHead, MergeResult, PathRule } from '../../../src/types.js'
import { buildScenario, gitMergeOracle, type OracleReport, type Scenario, type ScenarioSpec, type WorkTree } from './merge-repos.js'

export const AUTHOR = { name: 'upstream-sync', email: 'upstream-sync@example.com', date: '2024-02-01T12:00:00Z' }

/**
 * A log that keeps the debug lines. With `debug` on, the fetch figures are measured as in a run with RUNNER_DEBUG
 * (two `git count-objects` per fetch): only the tests that check those figures turn it on.
 */
export const debugLog = (lines: string[], debug = false): Log => ({ ...silentLog, debug: (line) => void lines.push(line), isDebug: () => debug })

export interface Prepared {
  git: Git
  gitDir: string
  prepared: PreparedRepository
  logs: string[]
  log: Log
}

let repoCounter = 0

/** A new action repository with what the merge needs fetched from the scenario's fork and upstream. */
export async function prepare(s: Scenario, options: { pushSendsUpstreamHistory: boolean; name?: string; debug?: boolean; tagCommitOnFork?: string; mergeTrees?: string[]; upstreamUrl?: string }): Promise<Prepared> {
  const gitDir = s.tmp.join(options.name ?? `action-${++repoCounter}.git`)
  const git = await Git.init(gitDir)
  const logs: string[] = []
  const log = debugLog(logs, options.debug)
  const prepared = await prepareRepository(git, {
    forkUrl: s.forkUrl,
    upstreamUrl: options.upstreamUrl ?? s.upstreamUrl,
    targetBranch: s.target,
    tag: s.tag,
    syncBranch: `upstream-sync/${s.tag}`,
    pushSendsUpstreamHistory: options.pushSendsUpstreamHistory,
    ...(options.tagCommitOnFork ? { tagCommitOnFork: options.tagCommitOnFork } : {}),
    ...(options.mergeTrees ? { mergeTrees: Promise.resolve(options.mergeTrees) } : {}),
    log
  })
  // The push's objects arrive in the background (while the action merges): tests look at a finished repository.
  await prepared.pushObjects
  return { git, gitDir, prepared, logs, log }
}

export async function merge(p: Prepared, s: Scenario, options: { rules?: PathRule[]; autoResolve?: boolean; message?: string; history?: HistoryLookup; onHead?: (head: MergeHead) => void; blobsPrefetched?: boolean } = {}): Promise<MergeResult> {
  return mergeTag(p.git, {
    targetSha: p.prepared.targetSha,
    tagSha: p.prepared.tagSha,
    tag: s.tag,
    rules: options.rules ?? [],
    autoResolve: options.autoResolve ?? false,
    message: options.message ?? `Merge upstream ${s.tag}`,
    author: AUTHOR,
    upstreamOnFork: p.prepared.upstreamOnFork,
    blobsPrefetched: options.blobsPrefetched ?? p.prepared.blobsPrefetched,
    ...(options.history ? { history: options.history } : {}),
    ...(options.onHead ? { onHead: options.onHead } : {}),
    log: p.log
  })
}

/**
 * The scenario with a fresh copy of its fork (a plain copy of the bare repository: same objects, refs, config and
 * hooks), for a test that pushes to the fork or changes it.
 */
export function withForkCopy(s: Scenario): Scenario {
  const forkDir = s.tmp.join(`fork-copy-${++repoCounter}.git`)
  cpSync(s.forkDir, forkDir, { recursive: true })
  return { ...s, forkDir, forkUrl: `file://${forkDir}` }
}

/**
 * Repositories shared by the tests of a file that only read them (each test still gets its own action repository),
 * so the file builds each history once. `git merge`'s report is computed once too, on first use.
 */
export class SharedScenarios {
  private readonly built = new Map<ScenarioSpec, { scenario: Scenario; oracle?: OracleReport }>()

  get(spec: ScenarioSpec): Scenario {
    let entry = this.built.get(spec)
    if (!entry) {
      entry = { scenario: buildScenario(spec) }
      this.built.set(spec, entry)
    }
    return entry.scenario
  }

  oracle(spec: ScenarioSpec): OracleReport {
    const scenario = this.get(spec)
    const entry = this.built.get(spec) as { scenario: Scenario; oracle?: OracleReport }
    entry.oracle ??= gitMergeOracle(scenario)
    return entry.oracle
  }

  cleanup(): void {
    for (const { scenario } of this.built.values()) scenario.tmp.cleanup()
    this.built.clear()
  }
}

/** One content conflict in app.py. */
export const content = (w: WorkTree): void => void w.writeLines('app.py')
export const contentConflict: ScenarioSpec = {
  base: content,
  ours: (w) => void w.editLine('app.py', 10, 'fork line 10'),
  theirs: (w) => void w.editLine('app.py', 10, 'upstream line 10')
}

/** Every kind above in one merge, plus clean changes around them. */
export const everything: ScenarioSpec = {
  base: (w) => {
    w.writeLines('app.py').writeLines('mod_del.py').writeLines('del_mod.py').writeLines('lib/old_name.py')
    w.writeLines('utils.py').writeLines('config').writeLines('clean.py').writeLines('docs/guide.md')
    w.write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]))
  },
  ours: (w) => {
    w.editLine('app.py', 10, 'fork line 10').write('new.txt', 'fork version\n').editLine('mod_del.py', 3, 'fork change')
    w.rm('del_mod.py').rm('lib/old_name.py').mv('utils.py', 'fork_utils.py').editLine('config', 3, 'fork setting')
    w.write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 9, 9, 9])).editLine('clean.py', 1, 'fork header')
  },
  theirs: (w) => {
    w.editLine('app.py', 10, 'upstream line 10').write('new.txt', 'upstream version\n').rm('mod_del.py')
    w.editLine('del_mod.py', 3, 'upstream change').mv('lib/old_name.py', 'lib/new_name.py').mv('utils.py', 'helpers/utils.py')
    w.rm('config').writeLines('config/settings.yml').write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 7, 7, 7]))
    w.editLine('clean.py', 30, 'upstream footer').editLine('docs/guide.md', 5, 'upstream docs')
  }
}

/** Rules that give every conflict of `everything` a side. */
export const sidedRules: PathRule[] = [
  { paths: ['app.py'], resolution: 'ours', note: 'the fork owns the app entry point' },
  { paths: ['new.txt', 'logo.png'], resolution: 'theirs' },
  { paths: ['mod_del.py'], resolution: 'theirs', note: 'upstream removed it' },
  { paths: ['del_mod.py'], resolution: 'ours' },
  { paths: ['lib/**'], resolution: 'theirs' },
  { paths: ['utils.py', 'fork_utils.py', 'helpers/**'], resolution: 'ours' },
  { paths: ['config*'], resolution: 'ours' }
]
