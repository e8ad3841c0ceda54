/**
 * Real git repositories for the rebrand engine's tests (the parts of merge-repos.ts they need, with its git
 * environment): a work tree where history is written by hand, an "upstream" and a "fork" bare
 * repository served over file:// with partial clone enabled, and a plain `git merge` oracle for the conflict list.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TEST_GIT_ENV } from './merge-repos.js'

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export function git(cwd: string, args: string[], options: { input?: string; allowFail?: boolean } = {}): RunResult {
  const env: NodeJS.ProcessEnv = { ...process.env, ...TEST_GIT_ENV }
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_CONFIG_COUNT']) delete env[key]
  const result = spawnSync('git', args, { cwd, env, input: options.input ?? '', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const run = { code: result.status ?? 128, stdout: result.stdout, stderr: result.stderr }
  if (run.code !== 0 && !options.allowFail) throw new Error(`git ${args.join(' ')} failed in ${cwd} (exit ${run.code}): ${run.stderr || run.stdout}`)
  return run
}

/** Files of one commit: path → content (`null` deletes the path). */
export type Files = Record<string, string | Buffer | null>

export interface RebrandScenario {
  root: string
  work: string
  tag: string
  baseSha: string
  targetSha: string
  tagSha: string
  upstreamUrl: string
  forkUrl: string
  cleanup(): void
}

function writeFiles(dir: string, files: Files): void {
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(dir, file)
    if (content === null) {
      rmSync(full, { force: true })
      continue
    }
    mkdirSync(path.dirname(full), { recursive: true })
    writeFileSync(full, content)
  }
}

function commit(dir: string, files: Files, message: string): string {
  writeFiles(dir, files)
  git(dir, ['add', '--all'])
  git(dir, ['commit', '--quiet', '--allow-empty', '-m', message])
  return git(dir, ['rev-parse', 'HEAD']).stdout.trim()
}

function servedRepo(dir: string): string {
  mkdirSync(dir, { recursive: true })
  git(dir, ['init', '--bare', '--quiet'])
  git(dir, ['config', 'uploadpack.allowFilter', 'true'])
  git(dir, ['config', 'uploadpack.allowAnySHA1InWant', 'true'])
  return `file://${dir}`
}

/** base → fork's `ours` on main; base → upstream's `theirs`, tagged; served as separate bare repositories. */
export function buildRebrandScenario(spec: { base: Files; ours: Files; theirs: Files; tag?: string }): RebrandScenario {
  const root = mkdtempSync(path.join(os.tmpdir(), 'upstream-sync-rebrand-test-'))
  const tag = spec.tag ?? 'v1.80.0-stable'
  const work = path.join(root, 'work')
  mkdirSync(work)
  git(work, ['init', '--quiet', '--initial-branch=main'])
  const baseSha = commit(work, spec.base, 'base')
  git(work, ['branch', 'upstream-line'])
  const targetSha = commit(work, spec.ours, 'fork: rebrand')
  git(work, ['checkout', '--quiet', 'upstream-line'])
  const tagSha = commit(work, spec.theirs, 'upstream: release')
  git(work, ['tag', '-a', '-m', `release ${tag}`, tag])
  git(work, ['checkout', '--quiet', 'main'])
  const upstreamUrl = servedRepo(path.join(root, 'upstream.git'))
  const forkUrl = servedRepo(path.join(root, 'fork.git'))
  git(work, ['push', '--quiet', path.join(root, 'upstream.git'), 'upstream-line:refs/heads/main', `refs/tags/${tag}`])
  git(work, ['push', '--quiet', path.join(root, 'fork.git'), 'main:refs/heads/main'])
  return { root, work, tag, baseSha, targetSha, tagSha, upstreamUrl, forkUrl, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

/** The paths a plain `git merge <tag>` on main leaves unmerged; the work tree is restored afterwards. */
export function plainMergeConflicts(scenario: RebrandScenario): string[] {
  const { work, tag } = scenario
  git(work, ['merge', '--no-commit', '--no-ff', tag], { allowFail: true })
  const unmerged = git(work, ['diff', '--name-only', '-z', '--diff-filter=U']).stdout.split('\0').filter(Boolean)
  git(work, ['merge', '--abort'], { allowFail: true })
  git(work, ['reset', '--quiet', '--hard', 'main'])
  return unmerged.sort()
}

/** Promisor packs in a repository: each fetch from a promisor remote (explicit or lazy) adds one. */
export function promisorPacks(gitDir: string): number {
  return readdirSync(path.join(gitDir, 'objects', 'pack')).filter((name) => name.endsWith('.promisor')).length
}
