/**
 * Optional upkeep of a mirror branch (`mirror-branch`): a branch of the fork kept equal to upstream's default branch,
 * for maintainers who like a reference copy. It is only ever fast-forwarded, never merged into the target, and a
 * mirror branch someone committed to is left alone.
 */
import type { Git } from './git.js'

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

function remoteSha(lsRemoteOutput: string): string | undefined {
  const line = lsRemoteOutput.split('\n').find((entry) => entry.trim() !== '')
  return line?.split('\t')[0]
}

/**
 * Fast-forwards `mirrorBranch` in the fork to upstream's `upstreamBranch`. The mirror's own history is fetched first
 * (commits and trees only), so the upstream fetch that follows transfers just the new commits, which the push needs.
 */
export async function updateMirror(git: Git, req: MirrorRequest): Promise<MirrorResult> {
  const mirrorRef = `refs/heads/${req.mirrorBranch}`
  const mirrorSha = remoteSha(await git.output(['ls-remote', '--', req.forkUrl, mirrorRef]))
  if (mirrorSha) {
    await git.exec(['fetch', '--quiet', '--no-tags', '--filter=blob:none', req.forkUrl, `+${mirrorRef}:refs/upstream-sync/mirror/fork`])
  }
  const fetchArgs = ['fetch', '--quiet', '--no-tags', ...(req.dryRun ? ['--filter=blob:none'] : [])]
  await git.exec([...fetchArgs, req.upstreamUrl, `+refs/heads/${req.upstreamBranch}:refs/upstream-sync/mirror/upstream`])
  const upstreamSha = await git.output(['rev-parse', 'refs/upstream-sync/mirror/upstream'])

  if (mirrorSha === upstreamSha) return { status: 'up-to-date', sha: upstreamSha }
  if (mirrorSha && !(await git.isAncestor(mirrorSha, upstreamSha))) {
    return { status: 'diverged', sha: upstreamSha, mirrorSha }
  }
  if (req.dryRun) return { status: 'dry-run', sha: upstreamSha }
  // The lease makes this a compare-and-swap: a push to the mirror in between is never overwritten.
  await git.exec([
    'push',
    '--quiet',
    '--no-verify',
    `--force-with-lease=${mirrorRef}:${mirrorSha ?? ''}`,
    req.forkUrl,
    `${upstreamSha}:${mirrorRef}`
  ])
  return { status: mirrorSha ? 'updated' : 'created', sha: upstreamSha }
}
