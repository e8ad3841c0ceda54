/**
 * The minimum git this action runs with: `git merge-tree --write-tree` (the merge without a worktree) arrived in
 * git 2.38. Checked once, first thing in a run, so an old runner image fails with a message that says so instead of
 * a usage error from merge-tree halfway through.
 */
import { UserError } from '../errors.js'
import { runGit } from './process.js'

export const MIN_GIT_VERSION = { major: 2, minor: 38 } as const

export interface GitVersion {
  major: number
  minor: number
  patch: number
  /** As git printed it, e.g. `2.39.5` or `2.42.0.windows.2`. */
  text: string
}

/** Reads `git --version` output (`git version 2.39.5`, `git version 2.37.1 (Apple Git-137.1)`). */
export function parseGitVersion(output: string): GitVersion | undefined {
  const match = /git version (\d+)\.(\d+)(?:\.(\d+))?(\S*)/.exec(output)
  if (!match) return undefined
  const [, major, minor, patch, rest] = match
  return { major: Number(major), minor: Number(minor), patch: Number(patch ?? 0), text: `${major}.${minor}${patch !== undefined ? `.${patch}` : ''}${rest ?? ''}` }
}

export function isSupportedGitVersion(version: Pick<GitVersion, 'major' | 'minor'>): boolean {
  return version.major > MIN_GIT_VERSION.major || (version.major === MIN_GIT_VERSION.major && version.minor >= MIN_GIT_VERSION.minor)
}

const NEEDED = `${MIN_GIT_VERSION.major}.${MIN_GIT_VERSION.minor}`
const FIX = `Use a runner with git ${NEEDED} or newer (GitHub's hosted runners have it), or install a newer git in a step before this one.`

/** The git on PATH as `git --version` prints it; rejects when git cannot be started. */
async function installedGitVersion(): Promise<string> {
  return (await runGit(undefined, ['--version'])).stdout
}

/**
 * Throws a UserError of kind `environment` naming the found and the needed version when git is missing, unreadable
 * or older than 2.38; returns the version otherwise. `readVersion` is for tests.
 */
export async function requireGitVersion(readVersion: () => Promise<string> = installedGitVersion): Promise<GitVersion> {
  let output: string
  try {
    output = await readVersion()
  } catch (error) {
    throw new UserError('environment', `git could not be started (${error instanceof Error ? error.message : String(error)}); upstream-sync needs git ${NEEDED} or newer on PATH.`, FIX, { cause: error })
  }
  const version = parseGitVersion(output)
  if (!version) throw new UserError('environment', `Could not read the git version from ${JSON.stringify(output.trim().slice(0, 80))}; upstream-sync needs git ${NEEDED} or newer.`, FIX)
  if (!isSupportedGitVersion(version)) {
    throw new UserError('environment', `git ${version.text} is too old: upstream-sync needs git ${NEEDED} or newer (it merges with \`git merge-tree --write-tree\`).`, FIX)
  }
  return version
}
