/**
 * Everything the action asks of GitHub's REST API, as small operations on the fork and the upstream repository (the
 * upstream's in upstream-api.ts, with the upstream's own client). Every request goes through one helper,
 * `callGitHub`, which turns GitHub's failures into errors that say what to change (errors.ts) unless the operation
 * expects them (a 404 that means "absent", a 422 from a concurrent run).
 *
 * Writes are idempotent: create-or-update of the PR handles 422 "already exists" from a concurrent run, labels are
 * created only when missing, and nothing is written when it already has the desired value.
 */
import { UserError } from '../errors.js'
import type { RepoId } from '../types.js'
import type { Octokit } from './client.js'
import { errorText, FORK_SIDE, isRateLimited } from './errors.js'
import { callGitHub, onStatus, UNEXPECTED, type CallOptions } from './call-options.js'
import { toPull, type LabelSpec, type PullInfo, type RawPull } from './records.js'
import { UpstreamApi, type UpstreamClient } from './upstream-api.js'

export type { LabelSpec, PullInfo } from './records.js'
export type { UpstreamClient } from './upstream-api.js'

/**
 * The fork's operations; the upstream's reads come from UpstreamApi, with the upstream's own client (the same one
 * when the upstream is on the fork's server).
 */
export class GitHubApi extends UpstreamApi {
  constructor(
    readonly octokit: Octokit,
    readonly fork: RepoId,
    upstream: RepoId,
    upstreamClient: UpstreamClient = { octokit, side: FORK_SIDE }
  ) {
    super(upstream, upstreamClient)
  }

  /** One request to the fork's server, with the fork's token (failures name 'github-token'). */
  private call<T>(action: string, send: () => Promise<T>, options: CallOptions<T> = {}): Promise<T> {
    return callGitHub(action, send, options)
  }

  private forkRepository?: Promise<{ default_branch: string; allow_merge_commit?: boolean }>

  /** The fork's repository record, read once per run. */
  private readFork(): Promise<{ default_branch: string; allow_merge_commit?: boolean }> {
    this.forkRepository ??= this.call('read the fork repository', async () => (await this.octokit.rest.repos.get({ ...this.fork })).data, {
      notFound: () =>
        new UserError('permission', `Repository ${this.fork.owner}/${this.fork.repo} (GITHUB_REPOSITORY) not found or not visible to this token.`)
    })
    return this.forkRepository
  }

  /** The fork's default branch (one request). */
  async forkDefaultBranch(): Promise<string> {
    return (await this.readFork()).default_branch
  }

  /** Whether the fork allows merge commits; undefined when GitHub does not tell this token (no request if already read). */
  async forkAllowsMergeCommits(): Promise<boolean | undefined> {
    const allowed = (await this.readFork()).allow_merge_commit
    return typeof allowed === 'boolean' ? allowed : undefined
  }

  /** The commit a fork branch points at, or undefined when the branch does not exist. */
  forkBranchSha(branch: string): Promise<string | undefined> {
    return this.call(
      `read branch ${branch}`,
      async () => (await this.octokit.rest.git.getRef({ ...this.fork, ref: `heads/${branch}` })).data.object.sha,
      onStatus(404, () => undefined)
    )
  }

  /** A text file of the fork at `ref`, or undefined when it (or the ref) does not exist. */
  readForkFile(path: string, ref: string): Promise<string | undefined> {
    return this.call(
      `read ${path} from ${ref}`,
      async () => {
        const { data } = await this.octokit.rest.repos.getContent({ ...this.fork, path, ref })
        if (Array.isArray(data) || data.type !== 'file') {
          throw new UserError('config', `${path} in ${ref} is a ${Array.isArray(data) ? 'directory' : data.type}, not a file.`)
        }
        if (!('content' in data) || typeof data.content !== 'string') return ''
        return Buffer.from(data.content, 'base64').toString('utf8')
      },
      onStatus(404, () => undefined)
    )
  }

  /**
   * Upstream commits a compare asked about: for its 200, the root trees it named (the fork branch's and the merge
   * base's; none when the answer lacked them); false for its 404 "No commit found".
   */
  private readonly comparedOnForkServer = new Map<string, { trees?: [string, string] } | false>()

  /**
   * Whether the fork's server has `commitSha`, an upstream commit, as a compare already showed (no request of its
   * own); undefined when no compare asked (or one failed and the run fell back to git). A fork in the upstream's fork
   * network has all of the network's objects (GitHub keeps them in one store, which is why compare can answer at
   * all), so its push sends none of that commit's history: negotiation finds it. A private duplicate lacks it.
   */
  forkServerHas(commitSha: string): boolean | undefined {
    const compared = this.comparedOnForkServer.get(commitSha)
    return compared === undefined ? undefined : compared !== false
  }

  /**
   * The root trees a merge of `commitSha` (an upstream commit a compare found on the fork's server) into the compared
   * branch reads: the branch's and the merge base's, from that compare's answer, and the commit's own (one request).
   * Undefined when no compare answered 200 for it.
   */
  async mergeTreesOnFork(commitSha: string): Promise<string[] | undefined> {
    const compared = this.comparedOnForkServer.get(commitSha)
    return compared && compared.trees ? [...compared.trees, await this.upstreamCommitTree(commitSha)] : undefined
  }

  /** Branches a compare's 404 showed to exist: a later 404 on them means "unknown commit" without asking again. */
  private readonly knownBranches = new Set<string>()

  /**
   * Whether `commitSha` is reachable from the fork's `branch` (the tag is "already synced"). Compare answers 404 when
   * the fork does not know the commit at all (GitHub's OpenAPI lists 404 for compare; the answer is "No commit found
   * for SHA"), which means not contained: a branch cannot contain a commit its repository lacks. That is the usual
   * answer for an upstream on another server, whose commits the fork's server has only once a sync brought them. A
   * missing branch is told apart by looking it up, once per branch. A 5xx is not retried: on a big comparison it is
   * GitHub's "diff is taking too long" and would only repeat; the caller asks git's commit graph instead
   * (merge/containment.ts).
   */
  forkBranchContains(branch: string, commitSha: string): Promise<boolean> {
    return this.call(
      `compare ${branch} with upstream commit ${commitSha.slice(0, 12)}`,
      async () => {
        const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({ ...this.fork, basehead: `${branch}...${commitSha}`, per_page: 1, request: { retries: 0 } })
        // The trees are kept for the merge's early prefetch (mergeTreesOnFork); an answer without them only loses
        // that head start.
        const [branchTree, baseTree] = [data.base_commit?.commit?.tree?.sha, data.merge_base_commit?.commit?.tree?.sha]
        this.comparedOnForkServer.set(commitSha, branchTree && baseTree ? { trees: [branchTree, baseTree] } : {})
        return data.status === 'identical' || data.status === 'behind'
      },
      onStatus(404, async () => {
        if (!this.knownBranches.has(branch) && (await this.forkBranchSha(branch)) === undefined) {
          throw new UserError('input', `target branch ${branch} not found in ${this.fork.owner}/${this.fork.repo}. Check 'target-branch'.`)
        }
        this.knownBranches.add(branch)
        this.comparedOnForkServer.set(commitSha, false)
        return false
      })
    )
  }

  /** Pull requests from the fork's `branch`, newest first. */
  pullsForBranch(branch: string, state: 'open' | 'closed' | 'all'): Promise<PullInfo[]> {
    return this.call(`list pull requests for ${branch}`, async () => {
      const { data } = await this.octokit.rest.pulls.list({
        ...this.fork,
        head: `${this.fork.owner}:${branch}`,
        state,
        sort: 'created',
        direction: 'desc',
        per_page: 100
      })
      return (data as RawPull[]).map(toPull)
    })
  }

  /** Open PRs into `base` whose head branch starts with `prefix` (other sync PRs, for superseding). */
  openSyncPulls(base: string, prefix: string): Promise<PullInfo[]> {
    return this.call('list open sync pull requests', async () => {
      const pulls = await this.octokit.paginate(this.octokit.rest.pulls.list, { ...this.fork, state: 'open', base, per_page: 100 })
      return (pulls as RawPull[]).map(toPull).filter((pull) => pull.headRef.startsWith(prefix))
    })
  }

  /**
   * Opens the PR, or, when a concurrent run opened it first (422 "A pull request already exists"), returns that one
   * with `created: false` so the caller updates it instead of failing or duplicating.
   */
  createPull(args: { head: string; base: string; title: string; body: string }): Promise<{ pull: PullInfo; created: boolean }> {
    return this.call<{ pull: PullInfo; created: boolean }>(
      `open the sync pull request from ${args.head} into ${args.base}`,
      async () => {
        const { data } = await this.octokit.rest.pulls.create({ ...this.fork, ...args, maintainer_can_modify: false })
        return { pull: toPull(data as RawPull), created: true }
      },
      onStatus(422, async (error) => {
        if (!/already exists/i.test(errorText(error))) return UNEXPECTED
        const [existing] = await this.pullsForBranch(args.head, 'open')
        return existing ? { pull: existing, created: false } : UNEXPECTED
      })
    )
  }

  /** Updates only what differs, so an unchanged rerun writes nothing. */
  async updatePull(pull: PullInfo, changes: { title?: string; body?: string; state?: 'closed' }): Promise<boolean> {
    const patch: { title?: string; body?: string; state?: 'closed' } = {}
    if (changes.title !== undefined && changes.title !== pull.title) patch.title = changes.title
    if (changes.body !== undefined && changes.body !== pull.body) patch.body = changes.body
    if (changes.state !== undefined && changes.state !== pull.state) patch.state = changes.state
    if (Object.keys(patch).length === 0) return false
    await this.call(`update pull request #${pull.number}`, () => this.octokit.rest.pulls.update({ ...this.fork, pull_number: pull.number, ...patch }))
    return true
  }

  /** The fork's label names, lower-cased (GitHub compares them without case). */
  async labelNames(): Promise<ReadonlySet<string>> {
    const labels = await this.call('list labels', () => this.octokit.paginate(this.octokit.rest.issues.listLabelsForRepo, { ...this.fork, per_page: 100 }))
    return new Set(labels.map((label) => label.name.toLowerCase()))
  }

  /**
   * Creates the labels that do not exist yet, with colours; an "already exists" race is fine. Returns the labels that
   * could not be created because the token may not create labels (403: a `GITHUB_TOKEN` without `issues: write`), so
   * the caller applies the others and says once what to grant. Any other failure is reported. `listed`: the fork's
   * label names when the caller already asked for them (publishSync asks while the push runs).
   */
  async ensureLabels(specs: LabelSpec[], listed: Promise<ReadonlySet<string>> = this.labelNames()): Promise<{ refused: string[] }> {
    const existing = await listed
    const refused: string[] = []
    for (const spec of specs) {
      if (existing.has(spec.name.toLowerCase())) continue
      // One refusal answers for all: the others are not tried.
      if (refused.length > 0) {
        refused.push(spec.name)
        continue
      }
      const created = await this.call(
        `create label ${spec.name}`,
        async () => {
          await this.octokit.rest.issues.createLabel({ ...this.fork, ...spec })
          return true
        },
        {
          expected: (error) => {
            if (error.status === 403 && !isRateLimited(error)) return false
            if (error.status === 422 && /already_exists|already exists/i.test(JSON.stringify(error.response?.data ?? ''))) return true
            return UNEXPECTED
          }
        }
      )
      if (!created) refused.push(spec.name)
    }
    return { refused }
  }

  /** Adds `add` and removes `remove` from the PR's labels, touching only what differs. */
  async setPullLabels(pull: PullInfo, add: string[], remove: string[]): Promise<void> {
    const action = `label pull request #${pull.number}`
    const current = new Set(pull.labels.map((label) => label.toLowerCase()))
    const missing = add.filter((label) => !current.has(label.toLowerCase()))
    if (missing.length > 0) await this.call(action, () => this.octokit.rest.issues.addLabels({ ...this.fork, issue_number: pull.number, labels: missing }))
    for (const label of remove) {
      if (!current.has(label.toLowerCase())) continue
      await this.call(
        action,
        async () => {
          await this.octokit.rest.issues.removeLabel({ ...this.fork, issue_number: pull.number, name: label })
        },
        onStatus(404, () => undefined)
      )
    }
    pull.labels = [...pull.labels.filter((label) => !remove.includes(label)), ...missing]
  }

  /** The PR's conversation comments, oldest first (id and body). */
  pullComments(pull: PullInfo): Promise<Array<{ id: number; body: string }>> {
    return this.call(`list comments of pull request #${pull.number}`, async () => {
      const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { ...this.fork, issue_number: pull.number, per_page: 100 })
      return comments.map((comment) => ({ id: comment.id, body: comment.body ?? '' }))
    })
  }

  /** Rewrites one of the PR's conversation comments in place. */
  async updateComment(pull: PullInfo, id: number, body: string): Promise<void> {
    await this.call(`update a comment on pull request #${pull.number}`, () => this.octokit.rest.issues.updateComment({ ...this.fork, comment_id: id, body }))
  }

  async comment(pull: PullInfo, body: string): Promise<void> {
    await this.call(`comment on pull request #${pull.number}`, () => this.octokit.rest.issues.createComment({ ...this.fork, issue_number: pull.number, body }))
  }

  /** Deletes a fork branch; an already-deleted branch is fine. */
  async deleteBranch(branch: string): Promise<void> {
    await this.call(
      `delete branch ${branch}`,
      async () => {
        await this.octokit.rest.git.deleteRef({ ...this.fork, ref: `heads/${branch}` })
      },
      { expected: (error) => (error.status === 422 || error.status === 404 ? undefined : UNEXPECTED) }
    )
  }

  /** The fork's refs under `refs/<prefix>` (names in full, `refs/…`), in one request; none when there are none. */
  listForkRefs(prefix: string): Promise<string[]> {
    return this.call(`list refs ${prefix}`, async () => {
      const { data } = await this.octokit.rest.git.listMatchingRefs({ ...this.fork, ref: prefix })
      return data.map((ref) => ref.ref)
    })
  }

  /** Creates `ref` (in full, `refs/…`) at `sha` in the fork; one that already exists (a concurrent run) is fine. */
  async createForkRef(ref: string, sha: string): Promise<void> {
    await this.call(`create ref ${ref}`, async () => void (await this.octokit.rest.git.createRef({ ...this.fork, ref, sha })), onStatus(422, () => undefined))
  }

  /** Deletes `ref` (in full, `refs/…`) from the fork; one already gone is fine. */
  async deleteForkRef(ref: string): Promise<void> {
    await this.call(`delete ref ${ref}`, async () => void (await this.octokit.rest.git.deleteRef({ ...this.fork, ref: ref.replace(/^refs\//, '') })), {
      expected: (error) => (error.status === 422 || error.status === 404 ? undefined : UNEXPECTED)
    })
  }

  /** Runs `workflow` (file name or id) on `ref` with workflow_dispatch. */
  async dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void> {
    await this.call(
      `dispatch workflow ${workflow}`,
      () => this.octokit.rest.actions.createWorkflowDispatch({ ...this.fork, workflow_id: workflow, ref, inputs }),
      {
        notFound: () =>
          new UserError(
            'input',
            `dispatch-workflow: workflow "${workflow}" not found in ${this.fork.owner}/${this.fork.repo}, or it has no workflow_dispatch trigger.`
          )
      }
    )
  }
}
