/**
 * Optional upkeep of a mirror branch (`mirror-branch`): a branch of the fork kept equal to upstream's default branch,
 * for maintainers who like a reference copy. It is only ever fast-forwarded, never merged into the target, and a
 * mirror branch someone committed to is left alone.
 */
import { describeError } from '../errors.js'
import type { Git } from '../git/git.js'
import { GitError } from '../git/process.js'
import type { Log } from '../runner.js'

export interface MirrorRequest {
  forkUrl: string
  upstreamUrl: string
  upstreamBranch: string
  mirrorBranch: string
  dryRun: boolean
}

export type MirrorResult =
  | { status: 'created' | 'updated' | 'up-to-date' | 'dry-run'; sha: string }
  | { status: 'diverged'; sha: string; mirrorSha: string }

const FORK_COPY = 'refs/upstream-sync/mirror/fork'
const UPSTREAM_COPY = 'refs/upstream-sync/mirror/upstream'

/**
 * Fast-forwards `mirrorBranch` in the fork to upstream's `upstreamBranch`. The mirror's own history is fetched first
 * (commits and trees only), so the upstream fetch that follows transfers just the new commits, which the push needs.
 */
export async function updateMirror(git: Git, req: MirrorRequest): Promise<MirrorResult> {
  const mirrorRef = `refs/heads/${req.mirrorBranch}`
  const mirrorSha = (await git.lsRemote(req.forkUrl, [mirrorRef])).get(mirrorRef)
  if (mirrorSha) await git.fetchRefs(req.forkUrl, [`+${mirrorRef}:${FORK_COPY}`], { filter: 'blob:none' })
  await git.fetchRefs(req.upstreamUrl, [`+refs/heads/${req.upstreamBranch}:${UPSTREAM_COPY}`], req.dryRun ? { filter: 'blob:none' } : {})
  const upstreamSha = await git.revParse(UPSTREAM_COPY)
  if (!upstreamSha) throw new Error(`upstream branch ${req.upstreamBranch} was fetched but cannot be read`)

  if (mirrorSha === upstreamSha) return { status: 'up-to-date', sha: upstreamSha }
  if (mirrorSha && !(await git.isAncestor(mirrorSha, upstreamSha))) {
    return { status: 'diverged', sha: upstreamSha, mirrorSha }
  }
  if (req.dryRun) return { status: 'dry-run', sha: upstreamSha }
  // The lease makes this a compare-and-swap: a push to the mirror in between is never overwritten.
  const push = await git.push({ remote: req.forkUrl, ref: mirrorRef, sha: upstreamSha, expectedOldSha: mirrorSha ?? null, thin: true, negotiate: false })
  if (push.exitCode !== 0) throw new GitError(['push', req.forkUrl], push.exitCode, [push.ref?.summary, push.stderr.trim()].filter(Boolean).join('\n'), push.stdout)
  return { status: mirrorSha ? 'updated' : 'created', sha: upstreamSha }
}

/**
 * Keeps `mirror-branch` equal to upstream's default branch and says how it went. A problem there is a warning, never
 * a failure: the sync is what matters.
 */
export async function maintainMirror(
  git: () => Promise<Git>,
  upstreamDefaultBranch: () => Promise<string>,
  req: Omit<MirrorRequest, 'upstreamBranch'>,
  log: Log
): Promise<void> {
  try {
    const upstreamBranch = await upstreamDefaultBranch()
    const mirror = await updateMirror(await git(), { ...req, upstreamBranch })
    if (mirror.status === 'diverged') {
      log.warning(
        `Mirror branch ${req.mirrorBranch} has commits that are not on upstream's ${upstreamBranch} (${mirror.mirrorSha.slice(0, 12)}); it was left alone. Reset it to upstream or remove 'mirror-branch'.`
      )
    } else {
      log.info(`Mirror branch ${req.mirrorBranch}: ${mirror.status} (upstream ${upstreamBranch} at ${mirror.sha.slice(0, 12)}).`)
    }
  } catch (error) {
    log.warning(`Mirror branch ${req.mirrorBranch} not updated: ${describeError(error)}`)
  }
}
