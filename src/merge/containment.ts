/**
 * "Is this upstream commit already in the target branch?" answered by git's commit graph, for when GitHub's compare
 * fails. Compare builds the file diff of its first page whatever `per_page` asks, and on a large comparison answers
 * 500 "Sorry, this diff is taking too long to generate." (github-changelog-generator/github-changelog-generator#920):
 * a fork far behind a big upstream would then fail every scheduled run before doing anything.
 *
 * Git needs no diff: the target branch's history and the upstream commit are fetched as commits only
 * (`--filter=tree:0`, what the merge fetches anyway, into the same work repository), and `merge-base --is-ancestor`
 * answers from the graph.
 */
import { isUserError, UserError } from '../errors.js'
import type { Git } from '../git/git.js'
import { configurePartialClone, fetchBranches, UPSTREAM_REMOTE } from '../git/partial-clone.js'
import { statusOf } from '../github/errors.js'
import type { Log } from '../runner.js'

export interface ContainmentSource {
  /** The work repository (created on first use). */
  git: () => Promise<Git>
  forkUrl: string
  upstreamUrl: string
  target: string
}

/** Whether the fork's `target` branch contains upstream commit `sha`, from the commit graph alone. */
export async function targetContainsByGit(source: ContainmentSource, sha: string): Promise<boolean> {
  const git = await source.git()
  await configurePartialClone(git, source.forkUrl, source.upstreamUrl)
  const heads = await fetchBranches(git, source.forkUrl, [source.target])
  const targetSha = heads[source.target]
  if (!targetSha) throw new UserError('input', `target branch ${source.target} not found in the fork (${source.forkUrl}). Check 'target-branch'.`)
  // By id, commits only; nothing is transferred when the fork's history already has it.
  await git.fetchRefs(UPSTREAM_REMOTE, [sha], { filter: 'tree:0' })
  return git.isAncestor(sha, targetSha)
}

/**
 * A failure GitHub made (5xx), as opposed to an answer about the request. A request that never reached GitHub (an
 * untrusted certificate, a refused connection: Octokit calls those 500 too) is not one: git would meet the same wall.
 */
function isServerFailure(error: unknown): boolean {
  if (isUserError(error) && error.kind !== 'transient') return false
  const status = statusOf(error) ?? statusOf((error as { cause?: unknown } | undefined)?.cause)
  return status !== undefined && status >= 500
}

/**
 * `viaApi`, falling back to the commit graph when GitHub fails to compute the comparison (5xx): the containment
 * check never fails a run because GitHub could not build a diff.
 */
export function containmentWithFallback(viaApi: (sha: string) => Promise<boolean>, source: ContainmentSource, log: Log): (sha: string) => Promise<boolean> {
  return async (sha) => {
    try {
      return await viaApi(sha)
    } catch (error) {
      if (!isServerFailure(error)) throw error
      log.info(`GitHub could not compare ${source.target} with ${sha.slice(0, 12)} (${error instanceof Error ? error.message : String(error)}); asking git's commit graph instead.`)
      return targetContainsByGit(source, sha)
    }
  }
}

/**
 * Containment for the search for the fork's previous release (releases/choose.ts `previousContains`), answered by
 * the run's own repository once the merge's fetch has brought the target's and the tag's commits: the older tags
 * the search probes are usually in that history, so it costs no compare request. Until `answerLocally` it waits
 * (only a sync awaits the search, after its fetch); for a commit not in the repository, or when git fails, `viaApi`
 * answers as before.
 */
export class LocalContainment {
  private settle: (local: { git: Git; targetSha: string }) => void = () => undefined
  private readonly local = new Promise<{ git: Git; targetSha: string }>((resolve) => (this.settle = resolve))

  constructor(private readonly viaApi: (sha: string) => Promise<boolean>) {}

  readonly contains = async (sha: string): Promise<boolean> => {
    const { git, targetSha } = await this.local
    // A commit the fetch did not bring (a tag off upstream's main line) is asked of the API as before: fetching it
    // on demand would bring its whole history.
    return (await git.reachableLocally(sha, targetSha).catch(() => undefined)) ?? this.viaApi(sha)
  }

  answerLocally(git: Git, targetSha: string): void {
    this.settle({ git, targetSha })
  }
}
