/**
 * Real git repositories for the merge engine's tests: a work tree where history is written by hand, an "upstream"
 * and a "fork" bare repository served over file:// with partial clone enabled (the same protocol path as a real
 * server: upload-pack with filters), and an oracle that runs a plain `git merge` to say what the conflicts are.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { moreSpecificKind } from '../../../src/merge/conflicts.js'
import type { ConflictKind } from '../../../src/types.js'

/** Environment for every git run by the tests: no user config, fixed identity and dates, plain English. */
export const TEST_GIT_ENV: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
  LANG: 'C',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z'
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs git in `cwd`; throws on a non-zero exit unless `allowFail`. */
export function runGit(cwd: string, args: string[], options: { input?: string; allowFail?: boolean; env?: Record<string, string> } = {}): RunResult {
  const env: NodeJS.ProcessEnv = { ...process.env, ...TEST_GIT_ENV, ...options.env }
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_CONFIG_COUNT']) delete env[key]
  const result = spawnSync('git', args, { cwd, env, input: options.input ?? '', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const run = { code: result.status ?? 128, stdout: result.stdout, stderr: result.stderr }
  if (run.code !== 0 && !options.allowFail) {
    throw new Error(`git ${args.join(' ')} failed in ${cwd} (exit ${run.code}): ${run.stderr || run.stdout}`)
  }
  return run
}

/** A temporary directory removed by `cleanup()`. */
export class TempDir {
  readonly path: string
  constructor(prefix = 'upstream-sync-merge-') {
    this.path = mkdtempSync(path.join(os.tmpdir(), prefix))
  }
  join(...parts: string[]): string {
    return path.join(this.path, ...parts)
  }
  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true })
  }
}

/** A non-bare repository with a work tree, for writing history by hand. */
export class WorkTree {
  constructor(readonly dir: string) {}

  static create(dir: string, branch = 'main'): WorkTree {
    mkdirSync(dir, { recursive: true })
    runGit(dir, ['init', '--quiet', `--initial-branch=${branch}`])
    return new WorkTree(dir)
  }

  git(args: string[], options: { input?: string; allowFail?: boolean } = {}): RunResult {
    return runGit(this.dir, args, options)
  }

  write(file: string, content: string | Buffer): this {
    const full = path.join(this.dir, file)
    mkdirSync(path.dirname(full), { recursive: true })
    writeFileSync(full, content)
    return this
  }

  /** A text file of `lines` distinct lines, so rename detection and three-way merges behave as on real code. */
  writeLines(file: string, lines = 30, tag = file): this {
    return this.write(file, Array.from({ length: lines }, (_, i) => `${tag} line ${i + 1}\n`).join(''))
  }

  /** Replaces line `n` (1-based) of a file written by writeLines. */
  editLine(file: string, n: number, text: string): this {
    const content = this.git(['show', `:${file}`]).stdout.split('\n')
    content[n - 1] = text
    return this.write(file, content.join('\n'))
  }

  symlink(file: string, target: string): this {
    const full = path.join(this.dir, file)
    mkdirSync(path.dirname(full), { recursive: true })
    rmSync(full, { force: true })
    symlinkSync(target, full)
    return this
  }

  /** Sets or clears the executable bit of a file in the work tree (committed as mode 100755 / 100644). */
  chmod(file: string, executable: boolean): this {
    chmodSync(path.join(this.dir, file), executable ? 0o755 : 0o644)
    return this
  }

  /**
   * Commits in the nested repository at `dir` (created on first use), starting from `from` when given, so that the
   * next commit of this work tree records it as a submodule (a gitlink) at that commit. Returns the commit.
   */
  submoduleCommit(dir: string, message: string, from?: string): string {
    const full = path.join(this.dir, dir)
    if (!existsSync(path.join(full, '.git'))) {
      mkdirSync(full, { recursive: true })
      runGit(full, ['init', '--quiet', '--initial-branch=main'])
    }
    if (from !== undefined) runGit(full, ['checkout', '--quiet', '--detach', from])
    runGit(full, ['commit', '--quiet', '--allow-empty', '-m', message])
    return runGit(full, ['rev-parse', 'HEAD']).stdout.trim()
  }

  rm(file: string): this {
    this.git(['rm', '-r', '--quiet', '--', file])
    return this
  }

  mv(from: string, to: string): this {
    mkdirSync(path.dirname(path.join(this.dir, to)), { recursive: true })
    this.git(['mv', '--', from, to])
    return this
  }

  commit(message: string): string {
    this.git(['add', '--all'])
    this.git(['commit', '--quiet', '--allow-empty', '-m', message])
    return this.head()
  }

  head(): string {
    return this.git(['rev-parse', 'HEAD']).stdout.trim()
  }
}

/** Creates a bare repository that serves partial clones and any object by id, like GitHub does. */
export function createServedRepo(dir: string): string {
  mkdirSync(dir, { recursive: true })
  runGit(dir, ['init', '--bare', '--quiet'])
  runGit(dir, ['config', 'uploadpack.allowFilter', 'true'])
  runGit(dir, ['config', 'uploadpack.allowAnySHA1InWant', 'true'])
  return `file://${dir}`
}

/** Objects stored in a repository (loose + packed), to count what a fetch or push moved. */
export function objectCount(gitDir: string): number {
  const out = runGit(gitDir, ['count-objects', '-v']).stdout
  const value = (key: string): number => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(out)?.[1] ?? 0)
  return value('count') + value('in-pack')
}

export interface ScenarioSpec {
  /** Files of the common ancestor (upstream's last commit the fork already merged). */
  base: (w: WorkTree) => void
  /** The fork's own change on its target branch. */
  ours: (w: WorkTree) => void
  /** Upstream's change, tagged. */
  theirs: (w: WorkTree) => void
  tag?: string
}

export interface Scenario {
  tmp: TempDir
  work: WorkTree
  tag: string
  /** Target branch in work tree and fork. */
  target: string
  upstreamDir: string
  forkDir: string
  upstreamUrl: string
  forkUrl: string
  baseSha: string
  targetSha: string
  tagSha: string
}

/**
 * Builds base → (fork: ours) and base → (upstream: theirs, tagged), then serves upstream (its line and the tag only)
 * and the fork (its target branch only) as separate bare repositories, so neither holds the other's new objects.
 */
export function buildScenario(spec: ScenarioSpec): Scenario {
  const tmp = new TempDir()
  const tag = spec.tag ?? 'v1.1.0-stable'
  const target = 'main'
  const work = WorkTree.create(tmp.join('work'), target)
  spec.base(work)
  const baseSha = work.commit('base')
  work.git(['branch', 'upstream-line'])
  spec.ours(work)
  const targetSha = work.commit('fork: customize')
  work.git(['checkout', '--quiet', 'upstream-line'])
  spec.theirs(work)
  const tagSha = work.commit('upstream: release')
  work.git(['tag', '-a', '-m', `release ${tag}`, tag])
  work.git(['checkout', '--quiet', target])

  const upstreamDir = tmp.join('upstream.git')
  const forkDir = tmp.join('fork.git')
  const upstreamUrl = createServedRepo(upstreamDir)
  const forkUrl = createServedRepo(forkDir)
  work.git(['push', '--quiet', upstreamDir, 'upstream-line:refs/heads/main', `refs/tags/${tag}`])
  work.git(['push', '--quiet', forkDir, `${target}:refs/heads/${target}`])
  return { tmp, work, tag, target, upstreamDir, forkDir, upstreamUrl, forkUrl, baseSha, targetSha, tagSha }
}

export interface OracleConflict {
  path: string
  kind: ConflictKind
}

export interface OracleReport {
  conflicts: OracleConflict[]
  /** `git status --porcelain` codes of unmerged paths (AA, UU, UD, DU, AU, UA, DD). */
  statusCodes: Record<string, string>
  /** The merge's tree when it was clean. */
  cleanTree?: string
  output: string
}

/**
 * What a plain `git merge <tag>` on the target branch reports, parsed from its English CONFLICT lines (independently
 * of the engine's structured parsing) and `git diff --diff-filter=U`. The work tree is restored afterwards.
 */
export function gitMergeOracle(scenario: Scenario): OracleReport {
  const { work, tag } = scenario
  work.git(['checkout', '--quiet', scenario.target])
  const merge = work.git(['merge', '--no-commit', '--no-ff', tag], { allowFail: true })
  const output = merge.stdout + merge.stderr
  const unmerged = work.git(['diff', '--name-only', '-z', '--diff-filter=U']).stdout.split('\0').filter(Boolean)
  const statusCodes: Record<string, string> = {}
  for (const record of work.git(['status', '--porcelain', '-z']).stdout.split('\0')) {
    const code = record.slice(0, 2)
    if (/^(AA|UU|UD|DU|AU|UA|DD)$/.test(code)) statusCodes[record.slice(3)] = code
  }

  const lines: Array<{ kind: ConflictKind; paths: string[] }> = []
  for (const line of output.split('\n')) {
    let m: RegExpExecArray | null
    if ((m = /^CONFLICT \(content\): Merge conflict in (.+)$/.exec(line))) lines.push({ kind: 'content', paths: [m[1] as string] })
    else if ((m = /^CONFLICT \(add\/add\): Merge conflict in (.+)$/.exec(line))) lines.push({ kind: 'add/add', paths: [m[1] as string] })
    else if ((m = /^warning: Cannot merge binary files: (.+) \(HEAD vs\. .+\)$/.exec(line))) lines.push({ kind: 'binary', paths: [m[1] as string] })
    else if ((m = /^CONFLICT \(modify\/delete\): (.+) deleted in .+ and modified in .+\.\s+Version .+ left in tree\.$/.exec(line))) lines.push({ kind: 'modify/delete', paths: [m[1] as string] })
    else if ((m = /^CONFLICT \(rename\/delete\): (.+) renamed to (.+) in .+, but deleted in .+\.$/.exec(line))) lines.push({ kind: 'rename/delete', paths: [m[2] as string, m[1] as string] })
    else if ((m = /^CONFLICT \(rename\/rename\): (.+) renamed to (.+) in .+ and to (.+) in .+\.$/.exec(line))) lines.push({ kind: 'rename/rename', paths: [m[1] as string, m[2] as string, m[3] as string] })
    else if ((m = /^CONFLICT \(file\/directory\): directory in the way of (.+) from .+; moving it to (.+) instead\.$/.exec(line))) lines.push({ kind: 'file/directory', paths: [m[2] as string, m[1] as string] })
    else if ((m = /^CONFLICT \(distinct types\): (.+) had different types on each side; renamed (?:one|both) of them so each can be recorded somewhere\.$/.exec(line))) lines.push({ kind: 'distinct types', paths: [m[1] as string] })
    else if ((m = /^CONFLICT \(file location\): (.+) added in .+ inside a directory that was renamed in .+, suggesting it should perhaps be moved to (.+)\.$/.exec(line))) lines.push({ kind: 'file location', paths: [m[2] as string, m[1] as string] })
    else if ((m = /^CONFLICT \(rename involved in collision\): rename of (.+) -> (.+) has content conflicts AND collides with another path; this may result in nested conflict markers\.$/.exec(line))) lines.push({ kind: 'rename involved in collision', paths: [m[2] as string, m[1] as string] })
    else if ((m = /^CONFLICT \(submodule\): Merge conflict in (.+)$/.exec(line))) lines.push({ kind: 'submodule', paths: [m[1] as string] })
    else if (line.startsWith('CONFLICT')) throw new Error(`oracle does not know this CONFLICT line yet: ${line}`)
  }

  // A distinct-types line names the path; the copy git moved aside (`path~<side>`) belongs to the same conflict.
  for (const entry of lines) {
    if (entry.kind === 'distinct types') entry.paths.push(...unmerged.filter((file) => file.startsWith(`${entry.paths[0] as string}~`)))
  }

  // The index's stages: an add/add whose two sides hold one blob in two modes is a mode conflict.
  const stages = new Map<string, Map<string, string>>()
  for (const record of work.git(['ls-files', '-u', '-z']).stdout.split('\0').filter(Boolean)) {
    const [info, file] = record.split('\t') as [string, string]
    const [mode, oid, stage] = info.split(' ') as [string, string, string]
    stages.set(file, (stages.get(file) ?? new Map()).set(stage, `${mode} ${oid}`))
  }
  const modeOnly = (file: string): boolean => {
    const [ours, theirs] = [stages.get(file)?.get('2')?.split(' '), stages.get(file)?.get('3')?.split(' ')]
    return ours !== undefined && theirs !== undefined && ours[1] === theirs[1] && ours[0] !== theirs[0]
  }

  const conflicts: OracleConflict[] = []
  const covered = new Set<string>()
  for (const file of unmerged) {
    let kind: ConflictKind | undefined
    for (const entry of lines) if (entry.paths.includes(file)) kind = kind ? moreSpecificKind(kind, entry.kind) : entry.kind
    if (kind === 'add/add' && modeOnly(file)) kind = 'mode'
    conflicts.push({ path: file, kind: kind ?? 'other' })
    covered.add(file)
  }
  for (const entry of lines) {
    if (entry.paths.some((file) => covered.has(file))) continue
    conflicts.push({ path: entry.paths[0] as string, kind: entry.kind })
    covered.add(entry.paths[0] as string)
  }

  let cleanTree: string | undefined
  if (merge.code === 0) cleanTree = work.git(['write-tree']).stdout.trim()
  work.git(['merge', '--abort'], { allowFail: true })
  work.git(['reset', '--quiet', '--hard', scenario.target])
  work.git(['clean', '-fdq'])
  conflicts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { conflicts, statusCodes, ...(cleanTree ? { cleanTree } : {}), output }
}

/** Installs a server-side hook in a bare repository (e.g. a pre-receive that refuses pushes). */
export function installHook(bareDir: string, name: string, script: string): void {
  const file = path.join(bareDir, 'hooks', name)
  writeFileSync(file, script)
  chmodSync(file, 0o755)
}
