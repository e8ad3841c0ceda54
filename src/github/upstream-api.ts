/**
 * What the action reads from the upstream repository, through the upstream's own client: the fork's server and token
 * by default, or another server (github.com for an Enterprise fork) with `upstream-token` or no token at all. Nothing
 * here writes, and nothing here touches the fork.
 */
import { UserError } from '../errors.js'
import type { RepoId, ReleaseInfo, TagRef } from '../types.js'
import { callGitHub, onStatus, type CallOptions } from './call-options.js'
import type { Octokit } from './client.js'
import { FORK_SIDE, type RequestSide } from './errors.js'
import { toRelease } from './records.js'

/** Releases read in the one listing request (GitHub's maximum page). */
const RELEASES_PAGE = 100

/** The upstream's client and whose token and address it uses (for the fix a failure names). */
export interface UpstreamClient {
  octokit: Octokit
  side: RequestSide
}

export class UpstreamApi {
  readonly upstreamOctokit: Octokit
  private readonly upstreamSide: RequestSide

  constructor(
    readonly upstream: RepoId,
    client: UpstreamClient
  ) {
    this.upstreamOctokit = client.octokit
    this.upstreamSide = client.side
  }

  /** A request to the upstream repository, whose 404 says to check 'upstream-repository' and the token. */
  private callUpstream<T>(action: string, send: () => Promise<T>, options: CallOptions<T> = {}): Promise<T> {
    const token = this.upstreamSide.tokenInput
    const fix =
      token === undefined
        ? "Check 'upstream-repository' and 'upstream-server-url'; a private upstream needs 'upstream-token'."
        : token === FORK_SIDE.tokenInput
          ? "Check 'upstream-repository'; for a private upstream pass a token that can read it."
          : `Check 'upstream-repository', and that '${token}' can read it.`
    return callGitHub(action, send, { notFound: () => new UserError('input', `upstream repository ${this.upstream.owner}/${this.upstream.repo} not found or not visible to this token. ${fix}`), ...options }, this.upstreamSide)
  }

  /** Upstream's default branch, for the optional mirror branch. */
  upstreamDefaultBranch(): Promise<string> {
    return this.callUpstream('read the upstream repository', async () => (await this.upstreamOctokit.rest.repos.get({ ...this.upstream })).data.default_branch)
  }

  /** The commit an upstream branch points at (`channel: branch`); a missing branch names `upstream-branch`. */
  upstreamBranchHead(branch: string): Promise<string> {
    return this.callUpstream(
      `read upstream branch ${branch}`,
      async () => (await this.upstreamOctokit.rest.git.getRef({ ...this.upstream, ref: `heads/${branch}` })).data.object.sha,
      {
        notFound: () =>
          new UserError('input', `branch ${branch} not found in upstream ${this.upstream.owner}/${this.upstream.repo}. Check 'upstream-branch' (empty: upstream's default branch).`)
      }
    )
  }

  private readonly tagListings = new Map<string, Promise<TagRef[]>>()

  /**
   * Every upstream tag whose name starts with `prefix`, in one request (matching-refs is not paginated), memoised per
   * prefix: the release walk and the channel health check share one listing.
   */
  listUpstreamTags(prefix: string): Promise<TagRef[]> {
    let listing = this.tagListings.get(prefix)
    if (!listing) {
      listing = this.listTagsOnce(prefix)
      this.tagListings.set(prefix, listing)
    }
    return listing
  }

  private listTagsOnce(prefix: string): Promise<TagRef[]> {
    return this.callUpstream('list upstream tags', async () => {
      const { data } = await this.upstreamOctokit.rest.git.listMatchingRefs({ ...this.upstream, ref: `tags/${prefix}` })
      return data.map((ref): TagRef => ({
        name: ref.ref.replace(/^refs\/tags\//, ''),
        sha: ref.object.sha,
        type: ref.object.type === 'tag' ? 'tag' : 'commit'
      }))
    })
  }

  /** The commit an annotated tag points at (following tags of tags). */
  async peelUpstreamTag(tag: TagRef): Promise<string> {
    let object: { sha: string; type: string } = { sha: tag.sha, type: tag.type }
    for (let depth = 0; object.type === 'tag' && depth < 5; depth++) {
      const sha = object.sha
      object = await this.callUpstream(
        `read annotated tag ${tag.name}`,
        async () => (await this.upstreamOctokit.rest.git.getTag({ ...this.upstream, tag_sha: sha })).data.object
      )
    }
    if (object.type !== 'commit') throw new UserError('upstream', `Upstream tag ${tag.name} points at a ${object.type}, not a commit.`)
    return object.sha
  }

  /**
   * The upstream release for `tag`, drafts included when the token can see them. The first page of releases covers
   * recent tags in one request; older tags fall back to the by-tag lookup (which never returns drafts).
   */
  async upstreamRelease(tag: string): Promise<ReleaseInfo | undefined> {
    const recent = await this.upstreamReleases()
    const hit = recent.find((release) => release.tag === tag)
    if (hit) return hit
    // A listing shorter than a page is every release the token sees: the by-tag lookup could only answer 404.
    if (recent.length < RELEASES_PAGE) return undefined
    return this.callUpstream(
      `read the upstream release of ${tag}`,
      async () => toRelease((await this.upstreamOctokit.rest.repos.getReleaseByTag({ ...this.upstream, tag })).data),
      onStatus(404, () => undefined)
    )
  }

  private releasesPage?: Promise<ReleaseInfo[]>

  /** Tags of the first page of upstream's releases (drafts excluded): the listing `upstreamRelease` reads anyway. */
  async recentReleaseTags(): Promise<ReadonlySet<string>> {
    return new Set((await this.upstreamReleases()).filter((release) => !release.draft).map((release) => release.tag))
  }

  /** Upstream's recent releases, newest first (one page of 100, memoised). */
  upstreamReleases(): Promise<ReleaseInfo[]> {
    this.releasesPage ??= this.callUpstream('list upstream releases', async () =>
      (await this.upstreamOctokit.rest.repos.listReleases({ ...this.upstream, per_page: RELEASES_PAGE })).data.map(toRelease)
    )
    return this.releasesPage
  }

  /** Committer date of an upstream commit (for min-release-age when a tag has no release). */
  async upstreamCommitDate(sha: string): Promise<Date> {
    return new Date((await this.upstreamCommit(sha)).committer.date)
  }

  /** The root tree of an upstream commit. */
  async upstreamCommitTree(sha: string): Promise<string> {
    return (await this.upstreamCommit(sha)).tree.sha
  }

  private async upstreamCommit(sha: string): Promise<{ committer: { date: string }; tree: { sha: string } }> {
    return this.callUpstream(`read upstream commit ${sha.slice(0, 12)}`, async () => (await this.upstreamOctokit.rest.git.getCommit({ ...this.upstream, commit_sha: sha })).data)
  }
}
