/**
 * Shared pieces of the release-detection and merge-report e2e tests: a scenario (stand-in + sample upstream and fork)
 * whose runs are cleaned up with it, readers for what a reviewer sees (pull requests, labels, comments, refs), writers
 * for what upstream and the fork's maintainers do between runs (new releases, moved tags, commits), and an oracle that
 * asks a plain `git merge` in a local clone which conflicts the same commits have.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { gitMergeOracle, runGit, TempDir, WorkTree, type OracleReport } from '../../engine/helpers/merge-repos.js'
import { REPO_ROOT, describeRun, type ActionRun, type RunActionOptions } from '../../../test/support/action.js'
import { gitTraffic, requestLog, resetLog, type GitTraffic, type RequestLogEntry } from '../../../test/support/control.js'
import {
  commitFiles,
  copyCommit,
  createTags,
  FORK_AUTHOR,
  git,
  mergeInto,
  revParse,
  type FileChanges,
  type Identity
} from '../../../test/support/repos.js'
import { createScenario, type Scenario, type ScenarioOptions } from '../../../test/support/scenario.js'

export const DAY_MS = 24 * 3600 * 1000

/** A pull request as the stand-in's REST API returns it (the fields these tests read). */
export interface Pull {
  number: number
  state: 'open' | 'closed'
  title: string
  body: string | null
  html_url: string
  merged_at: string | null
  labels: Array<{ name: string }>
  head: { ref: string; sha: string }
  base: { ref: string; sha: string }
}

export interface IssueComment {
  body: string
}

/** A release as upstream publishes it (`POST /repos/{upstream}/releases`); dates are the stand-in's test extras. */
export interface ReleaseSpec {
  tag: string
  name?: string
  body?: string
  draft?: boolean
  prerelease?: boolean
  publishedAt?: Date
}

export interface World {
  scenario: Scenario
  /** Runs the bundled action (scenario inputs preset); the run's folders are removed by close(). */
  run(inputs?: Record<string, string>, options?: Partial<Omit<RunActionOptions, 'standIn' | 'inputs'>>): Promise<ActionRun>
  /** Every pull request of the fork, any state, oldest first. */
  pulls(): Promise<Pull[]>
  pull(number: number | string): Promise<Pull>
  comments(number: number | string): Promise<IssueComment[]>
  /** Every ref of the fork's bare repository (name → sha): compare before/after to prove nothing was pushed. */
  forkRefs(): Promise<Record<string, string>>
  /** The fork branch's commit, or undefined when the branch does not exist. */
  forkBranch(branch: string): Promise<string | undefined>
  /** Upstream commits `files` on its default branch (or `branch`) and returns the commit. */
  upstreamCommit(files: FileChanges, message: string, options?: { date?: Date; branch?: string; parents?: string[] }): Promise<string>
  /** Creates (or moves) an upstream tag, annotated by default like the sample's stable tags. */
  upstreamTag(name: string, rev: string, options?: { annotated?: boolean; date?: Date }): Promise<string>
  /** Publishes an upstream GitHub release (draft, pre-release, notes, publication date). */
  release(spec: ReleaseSpec): Promise<void>
  /** A maintainer's commit on a fork branch. */
  forkCommit(branch: string, files: FileChanges, message: string, author?: Identity): Promise<string>
  /** The fork's target branch merges an upstream revision (as a maintainer syncing by hand would). */
  forkMerges(rev: string, message: string): Promise<string>
  /** Clears the stand-in's request log and git traffic counters. */
  resetLog(): Promise<void>
  /** API requests since the last resetLog(). */
  apiRequests(): Promise<RequestLogEntry[]>
  gitRequests(): Promise<RequestLogEntry[]>
  gitTraffic(): Promise<GitTraffic>
  close(): Promise<void>
}

/** Opens a scenario (see test/support/scenario.ts) with the helpers above. */
export async function openWorld(options: ScenarioOptions = {}): Promise<World> {
  const scenario = await createScenario(options)
  const runs: ActionRun[] = []
  const forkName = scenario.fork.fullName
  const upstreamName = scenario.upstream.fullName
  const ok = <T>(response: { status: number; data: T }, what: string): T => {
    if (response.status >= 300) throw new Error(`${what} failed with ${response.status}: ${JSON.stringify(response.data)}`)
    return response.data
  }
  return {
    scenario,
    run: async (inputs = {}, runOptions = {}) => {
      const run = await scenario.run(inputs, runOptions)
      runs.push(run)
      return run
    },
    pulls: async () => {
      const list = ok(await scenario.api<Pull[]>('GET', `/repos/${forkName}/pulls?state=all&per_page=100`), 'list pulls')
      return [...list].sort((a, b) => a.number - b.number)
    },
    pull: async (number) => ok(await scenario.api<Pull>('GET', `/repos/${forkName}/pulls/${number}`), `read PR #${number}`),
    comments: async (number) => ok(await scenario.api<IssueComment[]>('GET', `/repos/${forkName}/issues/${number}/comments`), `read comments of #${number}`),
    forkRefs: async () => {
      const out = await git(scenario.fork.dir, ['for-each-ref', '--format=%(refname) %(objectname)'])
      return Object.fromEntries(
        out
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' ') as [string, string])
      )
    },
    forkBranch: async (branch) => {
      const out = await git(scenario.fork.dir, ['for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`])
      return out === '' ? undefined : out
    },
    upstreamCommit: (files, message, commitOptions = {}) =>
      commitFiles(scenario.upstream.dir, commitOptions.branch ?? scenario.upstream.defaultBranch, files, message, {
        ...(commitOptions.date ? { date: commitOptions.date } : {}),
        ...(commitOptions.parents ? { parents: commitOptions.parents } : {})
      }),
    upstreamTag: async (name, rev, tagOptions = {}) => {
      await createTags(scenario.upstream.dir, [
        { name, rev, annotated: tagOptions.annotated ?? true, message: `Release ${name}\n`, ...(tagOptions.date ? { date: tagOptions.date } : {}) }
      ])
      return revParse(scenario.upstream.dir, `refs/tags/${name}`)
    },
    release: async (spec) => {
      const publishedAt = spec.publishedAt?.toISOString()
      ok(
        await scenario.api('POST', `/repos/${upstreamName}/releases`, {
          tag_name: spec.tag,
          name: spec.name ?? spec.tag,
          body: spec.body ?? '',
          draft: spec.draft ?? false,
          prerelease: spec.prerelease ?? false,
          ...(publishedAt ? { created_at: publishedAt, published_at: publishedAt } : {})
        }),
        `publish release ${spec.tag}`
      )
    },
    forkCommit: (branch, files, message, author = FORK_AUTHOR) => commitFiles(scenario.fork.dir, branch, files, message, { author }),
    forkMerges: async (rev, message) => {
      const sha = await copyCommit(scenario.upstream.dir, rev, scenario.fork.dir, 'upstream-import')
      const merge = await mergeInto(scenario.fork.dir, scenario.fork.targetBranch, sha, message)
      await git(scenario.fork.dir, ['update-ref', '-d', 'refs/heads/upstream-import'])
      return merge
    },
    resetLog: () => resetLog(scenario.standIn),
    apiRequests: () => requestLog(scenario.standIn, 'api'),
    gitRequests: () => requestLog(scenario.standIn, 'git'),
    gitTraffic: () => gitTraffic(scenario.standIn),
    close: async () => {
      await Promise.all(runs.map((run) => run.cleanup()))
      await scenario.cleanup()
    }
  }
}

export function labelNames(pull: Pull): string[] {
  return pull.labels.map((label) => label.name).sort()
}

/** The run's error annotations, for failure messages. */
export function errors(run: ActionRun): string[] {
  return run.annotations.filter((annotation) => annotation.level === 'error').map((annotation) => annotation.message)
}

export { describeRun }

/** Fails with the run's log unless the action exited as expected. */
export function expectExit(run: ActionRun, code: 0 | 1): void {
  if (run.exitCode !== code) throw new Error(`expected the action to exit ${code}\n${describeRun(run)}`)
}

/**
 * The real tag list of BerriAI/litellm: the shared fixture beside the repository, else the committed copy (the same
 * lookup as the unit tests), so these tests never skip.
 */
export function litellmTags(): string[] {
  const shared = path.resolve(REPO_ROOT, '../shared/fixtures/litellm-tags.txt')
  const file = existsSync(shared) ? shared : path.resolve(REPO_ROOT, 'test/fixtures/litellm-tags.txt')
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
}

/** A text file of `count` distinct lines, so three-way merges and rename detection behave as on real code. */
export function lines(name: string, count = 30, edits: Record<number, string> = {}): string {
  return Array.from({ length: count }, (_, i) => edits[i + 1] ?? `${name} line ${i + 1}`).join('\n') + '\n'
}

/**
 * What a plain `git merge <tag>` on the target branch reports for the commits the action merged: a work-tree clone
 * of the fork's target branch, the upstream tag fetched into it, then the CONFLICT lines parsed by the merge engine's
 * own test oracle (independently of the engine's parsing).
 */
export function mergeOracle(world: World, tag: string): OracleReport {
  const { fork, upstream } = world.scenario
  const tmp = new TempDir('upstream-sync-oracle-')
  try {
    runGit(tmp.path, ['clone', '--quiet', '--branch', fork.targetBranch, fork.dir, 'work'])
    const work = new WorkTree(tmp.join('work'))
    work.git(['fetch', '--quiet', '--no-tags', upstream.dir, `+refs/tags/${tag}:refs/tags/${tag}`])
    const targetSha = work.head()
    const tagSha = work.git(['rev-parse', `${tag}^{commit}`]).stdout.trim()
    return gitMergeOracle({
      tmp,
      work,
      tag,
      target: fork.targetBranch,
      upstreamDir: upstream.dir,
      forkDir: fork.dir,
      upstreamUrl: `file://${upstream.dir}`,
      forkUrl: `file://${fork.dir}`,
      baseSha: work.git(['merge-base', targetSha, tagSha]).stdout.trim(),
      targetSha,
      tagSha
    })
  } finally {
    tmp.cleanup()
  }
}

/** The rows of a Markdown table in `body` under the heading `heading` (cells trimmed, header and rule skipped). */
export function tableUnder(body: string, heading: string): string[][] {
  const start = body.indexOf(heading)
  if (start < 0) return []
  const rows: string[][] = []
  let inTable = false
  for (const line of body.slice(start + heading.length).split('\n')) {
    if (line.startsWith('|')) {
      inTable = true
      rows.push(
        line
          .slice(1, line.endsWith('|') ? -1 : undefined)
          .split(/(?<!\\)\|/)
          .map((cell) => cell.trim())
      )
    } else if (inTable) {
      break
    } else if (line.startsWith('#')) {
      break
    }
  }
  return rows.slice(2)
}

/** `` `path` `` → `path` (a table cell's code span). */
export function unCode(cell: string): string {
  return cell.replace(/^`+ ?/, '').replace(/ ?`+$/, '')
}
