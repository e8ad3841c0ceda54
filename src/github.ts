/**
 * Everything the action asks of GitHub's REST API: one Octokit client (retry + throttling), and small operations with
 * GitHub's failure modes translated into messages that say what to change (a permission, a setting, a token).
 *
 * Writes are idempotent: create-or-update of the PR handles 422 "already exists" from a concurrent run, labels are
 * created only when missing, and nothing is written when it already has the desired value.
 */
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'
import type { RepoId, ReleaseInfo, TagRef } from './types.js'

export type Octokit = ReturnType<typeof getOctokit>

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
}

/** A failure GitHub reported, with a message a maintainer can act on. */
export class GitHubError extends Error {
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message)
    this.name = 'GitHubError'
  }
}

interface RequestErrorLike {
  status: number
  message: string
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown }
  request?: { method?: string; url?: string }
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
}

export function statusOf(error: unknown): number | undefined {
  return isRequestError(error) ? error.status : undefined
}

/** GitHub's error text: the message plus each `errors[].message`, which is where 422 puts the real reason. */
export function errorText(error: unknown): string {
  if (!isRequestError(error)) return error instanceof Error ? error.message : String(error)
  const data = error.response?.data as { message?: string; errors?: Array<{ message?: string; code?: string; field?: string }> } | undefined
  const parts = [data?.message ?? error.message]
  for (const item of data?.errors ?? []) {
    const text = item.message ?? [item.code, item.field].filter(Boolean).join(' ')
    if (text) parts.push(text)
  }
  return parts.join(': ')
}

/** Which token permission an endpoint needs, for the 403 "Resource not accessible by integration" message. */
function permissionFor(method: string, url: string): string {
  if (/\/actions\//.test(url)) return 'actions: write'
  if (/\/pulls/.test(url)) return 'pull-requests: write'
  if (/\/(issues|labels)/.test(url)) return 'pull-requests: write (labels and comments on PRs) or issues: write'
  if (/\/(git|contents)\//.test(url) || method !== 'GET') return 'contents: write'
  return 'contents: read'
}

/** GitHub's sentence without its final period, so the advice that follows it does not start after "..". */
function withoutFinalPeriod(text: string): string {
  return text.replace(/\.\s*$/, '')
}

/**
 * Turns a request error into a GitHubError that names the fix. `action` says what was being done ("open the sync
 * PR"), so the message reads as a sentence.
 */
export function explain(error: unknown, action: string): Error {
  if (error instanceof GitHubError) return error
  if (!isRequestError(error)) return error instanceof Error ? error : new Error(String(error))
  const text = errorText(error)
  const method = (error.request?.method ?? 'GET').toUpperCase()
  const url = error.request?.url ?? ''
  const headers = error.response?.headers ?? {}
  if (error.status === 401) {
    return new GitHubError(
      `Could not ${action}: GitHub rejected the token (401 ${text}). Check the 'github-token' input: the secret may be expired, revoked or empty.`,
      401
    )
  }
  if ((error.status === 403 || error.status === 429) && String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset'])
    const when = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : 'later'
    return new GitHubError(
      `Could not ${action}: the GitHub API rate limit for this token is exhausted; it resets at ${when}. The next scheduled run will continue, or use a token with its own quota (a GitHub App token).`,
      error.status
    )
  }
  if (error.status === 403 && /not permitted to create or approve pull requests/i.test(text)) {
    return new GitHubError(
      `Could not ${action}: ${withoutFinalPeriod(text)}. Enable it in the fork's Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests" (or in the organization's settings), or pass a PAT or GitHub App token as 'github-token'.`,
      403
    )
  }
  if (error.status === 403 && /resource not accessible by (integration|personal access token)/i.test(text)) {
    return new GitHubError(
      `Could not ${action}: ${withoutFinalPeriod(text)}. The token lacks the '${permissionFor(method, url)}' permission: add it under \`permissions:\` in the workflow (the example workflow uses contents: write and pull-requests: write), or grant it to the PAT/App.`,
      403
    )
  }
  if (error.status === 403 && /secondary rate limit/i.test(text)) {
    return new GitHubError(`Could not ${action}: GitHub's secondary rate limit persisted after retries (${text}). Re-run later.`, 403)
  }
  return new GitHubError(`Could not ${action}: GitHub answered ${error.status} ${text}`, error.status)
}

export interface ClientOptions {
  token: string
  apiUrl: string
  log: Logger
  /**
   * Minimum spacing of write requests. GitHub asks integrations to wait a second between content-creating requests
   * (secondary rate limits), which is the default; a GitHub Enterprise Server without such limits, or the local
   * stand-in, may lower it with UPSTREAM_SYNC_WRITE_INTERVAL_MS. Writes that trigger notifications (a new PR, a
   * comment) are spaced three times as much.
   */
  writeIntervalMs?: number
}

/** The write spacing from the environment, defaulting to GitHub's recommended one second. */
export function writeIntervalFromEnv(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.UPSTREAM_SYNC_WRITE_INTERVAL_MS)
  return env.UPSTREAM_SYNC_WRITE_INTERVAL_MS !== undefined && Number.isFinite(value) && value >= 0 ? value : 1000
}

/**
 * Octokit with retries of transient failures (5xx, network) and GitHub's rate-limit rules. 4xx answers that describe
 * the request itself (400, 401, 403 without rate limit, 404, 409, 422) are never retried: repeating them cannot help,
 * and for 409/422 it could do a write twice.
 */
export function createClient({ token, apiUrl, log, writeIntervalMs = 1000 }: ClientOptions): Octokit {
  const octokit = getOctokit(
    token,
    {
      baseUrl: apiUrl,
      userAgent: 'upstream-sync-action',
      log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log.debug(m), error: (m: string) => log.debug(m) },
      // `retries` belongs here, in the plugin's own options. Given as `request: { retries }` it would be copied into
      // every request, and the plugin retries any failed request that carries a retry count, whatever its status:
      // a 404 would be asked four times and a 422 or 409 write repeated.
      retry: { doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451], retries: 3 },
      throttle: {
        write: new Bottleneck.Group({ id: 'upstream-sync-write', maxConcurrent: 1, minTime: writeIntervalMs }),
        // Writes that notify people (opening a PR, commenting) get the plugin's three-fold spacing, scaled with the
        // write interval: 3 s on GitHub as Octokit does by default, none where the interval is lowered (the stand-in).
        notifications: new Bottleneck.Group({ id: 'upstream-sync-notifications', maxConcurrent: 1, minTime: writeIntervalMs * 3 }),
        onRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          // Waiting for the primary limit to reset can take up to an hour: only wait when it is short.
          if (retryCount < 1 && retryAfter <= 60) {
            log.warning(`GitHub API rate limit hit on ${describeRequest(options)}; retrying in ${retryAfter}s.`)
            return true
          }
          return false
        },
        onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          if (retryCount < 3 && retryAfter <= 120) {
            log.warning(`GitHub secondary rate limit on ${describeRequest(options)}; waiting ${retryAfter}s as GitHub asks.`)
            return true
          }
          return false
        }
      }
    },
    retry,
    throttling
  )
  // Octokit hands every request the client's default `request` object itself, not a copy, and the retry and
  // throttling plugins count attempts in it (`request.retryCount`). Shared, one failed request (even a 404 that is
  // never retried) raised the count for all later ones, so the first retry of a 500 waited 4 s instead of 1 s and
  // the back-off kept growing over a run. A copy per request keeps each request's count its own.
  octokit.hook.before('request', (options) => {
    options.request = { ...options.request }
  })
  return octokit
}

/** `POST /repos/carto/fork/pulls` from a request's route template and parameters, for log lines. */
function describeRequest(options: { method: string; url: string } & Record<string, unknown>): string {
  const url = options.url.replace(/\{(\w+)\}/g, (whole: string, name: string) => {
    const value = options[name]
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole
  })
  return `${options.method} ${url}`
}

export interface PullInfo {
  number: number
  url: string
  state: 'open' | 'closed'
  merged: boolean
  title: string
  body: string
  headRef: string
  headSha: string
  baseRef: string
  labels: string[]
  createdAt: string
  closedAt?: string
}

interface RawPull {
  number: number
  html_url: string
  state: string
  merged_at?: string | null
  merged?: boolean
  title: string
  body?: string | null
  head: { ref: string; sha: string }
  base: { ref: string }
  labels: Array<{ name?: string } | string>
  created_at: string
  closed_at?: string | null
}

function toPull(raw: RawPull): PullInfo {
  return {
    number: raw.number,
    url: raw.html_url,
    state: raw.state === 'open' ? 'open' : 'closed',
    merged: Boolean(raw.merged_at) || raw.merged === true,
    title: raw.title,
    body: raw.body ?? '',
    headRef: raw.head.ref,
    headSha: raw.head.sha,
    baseRef: raw.base.ref,
    labels: raw.labels.map((label) => (typeof label === 'string' ? label : (label.name ?? ''))),
    createdAt: raw.created_at,
    ...(raw.closed_at ? { closedAt: raw.closed_at } : {})
  }
}

export interface LabelSpec {
  name: string
  color: string
  description: string
}

/** Operations on the fork and the upstream repository. */
export class GitHubApi {
  constructor(
    readonly octokit: Octokit,
    readonly fork: RepoId,
    readonly upstream: RepoId
  ) {}

  /** The fork's default branch (one request). */
  async forkDefaultBranch(): Promise<string> {
    try {
      const { data } = await this.octokit.rest.repos.get({ ...this.fork })
      return data.default_branch
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new GitHubError(`Repository ${this.fork.owner}/${this.fork.repo} (GITHUB_REPOSITORY) not found or not visible to this token.`, 404)
      }
      throw explain(error, 'read the fork repository')
    }
  }

  /** Upstream's default branch, for the optional mirror branch. */
  async upstreamDefaultBranch(): Promise<string> {
    try {
      const { data } = await this.octokit.rest.repos.get({ ...this.upstream })
      return data.default_branch
    } catch (error) {
      throw this.upstreamError(error, 'read the upstream repository')
    }
  }

  private upstreamError(error: unknown, action: string): Error {
    if (statusOf(error) === 404) {
      return new GitHubError(
        `upstream repository ${this.upstream.owner}/${this.upstream.repo} not found or not visible to this token. Check 'upstream-repository'; for a private upstream pass a token that can read it.`,
        404
      )
    }
    return explain(error, action)
  }

  /** The commit a fork branch points at, or undefined when the branch does not exist. */
  async forkBranchSha(branch: string): Promise<string | undefined> {
    try {
      const { data } = await this.octokit.rest.git.getRef({ ...this.fork, ref: `heads/${branch}` })
      return data.object.sha
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw explain(error, `read branch ${branch}`)
    }
  }

  /** A text file of the fork at `ref`, or undefined when it (or the ref) does not exist. */
  async readForkFile(path: string, ref: string): Promise<string | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getContent({ ...this.fork, path, ref })
      if (Array.isArray(data) || data.type !== 'file') {
        throw new GitHubError(`${path} in ${ref} is a ${Array.isArray(data) ? 'directory' : data.type}, not a file.`)
      }
      if (!('content' in data) || typeof data.content !== 'string') return ''
      return Buffer.from(data.content, 'base64').toString('utf8')
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw explain(error, `read ${path} from ${ref}`)
    }
  }

  /** Every upstream tag whose name starts with `prefix`, in one request (matching-refs is not paginated). */
  async listUpstreamTags(prefix: string): Promise<TagRef[]> {
    try {
      const { data } = await this.octokit.rest.git.listMatchingRefs({ ...this.upstream, ref: `tags/${prefix}` })
      return data.map((ref) => ({
        name: ref.ref.replace(/^refs\/tags\//, ''),
        sha: ref.object.sha,
        type: ref.object.type === 'tag' ? 'tag' : 'commit'
      }))
    } catch (error) {
      throw this.upstreamError(error, 'list upstream tags')
    }
  }

  /** The commit an annotated tag points at (following tags of tags). */
  async peelUpstreamTag(tag: TagRef): Promise<string> {
    let sha = tag.sha
    let type: string = tag.type
    for (let depth = 0; type === 'tag' && depth < 5; depth++) {
      try {
        const { data } = await this.octokit.rest.git.getTag({ ...this.upstream, tag_sha: sha })
        sha = data.object.sha
        type = data.object.type
      } catch (error) {
        throw this.upstreamError(error, `read annotated tag ${tag.name}`)
      }
    }
    if (type !== 'commit') throw new GitHubError(`Upstream tag ${tag.name} points at a ${type}, not a commit.`)
    return sha
  }

  /**
   * Whether `commitSha` is reachable from the fork's `branch` (the tag is "already synced"). Compare answers 404 when
   * the fork does not know the commit at all, which means not contained; a missing branch is told apart by looking it up.
   */
  async forkBranchContains(branch: string, commitSha: string): Promise<boolean> {
    try {
      const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({
        ...this.fork,
        basehead: `${branch}...${commitSha}`,
        per_page: 1
      })
      return data.status === 'identical' || data.status === 'behind'
    } catch (error) {
      if (statusOf(error) === 404) {
        if ((await this.forkBranchSha(branch)) === undefined) {
          throw new GitHubError(`target branch ${branch} not found in ${this.fork.owner}/${this.fork.repo}. Check 'target-branch'.`, 404)
        }
        return false
      }
      throw explain(error, `compare ${branch} with upstream commit ${commitSha.slice(0, 12)}`)
    }
  }

  /**
   * The upstream release for `tag`, drafts included when the token can see them. The first page of releases covers
   * recent tags in one request; older tags fall back to the by-tag lookup (which never returns drafts).
   */
  async upstreamRelease(tag: string): Promise<ReleaseInfo | undefined> {
    const recent = await this.recentReleases()
    const hit = recent.find((release) => release.tag === tag)
    if (hit) return hit
    try {
      const { data } = await this.octokit.rest.repos.getReleaseByTag({ ...this.upstream, tag })
      return toRelease(data)
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw this.upstreamError(error, `read the upstream release of ${tag}`)
    }
  }

  private releasesPage?: Promise<ReleaseInfo[]>

  private recentReleases(): Promise<ReleaseInfo[]> {
    this.releasesPage ??= this.octokit.rest.repos
      .listReleases({ ...this.upstream, per_page: 100 })
      .then(({ data }) => data.map(toRelease))
      .catch((error: unknown) => {
        throw this.upstreamError(error, 'list upstream releases')
      })
    return this.releasesPage
  }

  /** Committer date of an upstream commit (for min-release-age when a tag has no release). */
  async upstreamCommitDate(sha: string): Promise<Date> {
    try {
      const { data } = await this.octokit.rest.git.getCommit({ ...this.upstream, commit_sha: sha })
      return new Date(data.committer.date)
    } catch (error) {
      throw this.upstreamError(error, `read upstream commit ${sha.slice(0, 12)}`)
    }
  }

  /** Pull requests from the fork's `branch`, newest first. */
  async pullsForBranch(branch: string, state: 'open' | 'closed' | 'all'): Promise<PullInfo[]> {
    try {
      const { data } = await this.octokit.rest.pulls.list({
        ...this.fork,
        head: `${this.fork.owner}:${branch}`,
        state,
        sort: 'created',
        direction: 'desc',
        per_page: 100
      })
      return (data as RawPull[]).map(toPull)
    } catch (error) {
      throw explain(error, `list pull requests for ${branch}`)
    }
  }

  /** Open PRs into `base` whose head branch starts with `prefix` (other sync PRs, for superseding). */
  async openSyncPulls(base: string, prefix: string): Promise<PullInfo[]> {
    try {
      const pulls = await this.octokit.paginate(this.octokit.rest.pulls.list, { ...this.fork, state: 'open', base, per_page: 100 })
      return (pulls as RawPull[]).map(toPull).filter((pull) => pull.headRef.startsWith(prefix))
    } catch (error) {
      throw explain(error, 'list open sync pull requests')
    }
  }

  /**
   * Opens the PR, or, when a concurrent run opened it first (422 "A pull request already exists"), returns that one
   * with `created: false` so the caller updates it instead of failing or duplicating.
   */
  async createPull(args: { head: string; base: string; title: string; body: string }): Promise<{ pull: PullInfo; created: boolean }> {
    try {
      const { data } = await this.octokit.rest.pulls.create({ ...this.fork, ...args, maintainer_can_modify: false })
      return { pull: toPull(data as RawPull), created: true }
    } catch (error) {
      if (statusOf(error) === 422 && /already exists/i.test(errorText(error))) {
        const [existing] = await this.pullsForBranch(args.head, 'open')
        if (existing) return { pull: existing, created: false }
      }
      throw explain(error, `open the sync pull request from ${args.head} into ${args.base}`)
    }
  }

  /** Updates only what differs, so an unchanged rerun writes nothing. */
  async updatePull(pull: PullInfo, changes: { title?: string; body?: string; state?: 'closed' }): Promise<boolean> {
    const patch: { title?: string; body?: string; state?: 'closed' } = {}
    if (changes.title !== undefined && changes.title !== pull.title) patch.title = changes.title
    if (changes.body !== undefined && changes.body !== pull.body) patch.body = changes.body
    if (changes.state !== undefined && changes.state !== pull.state) patch.state = changes.state
    if (Object.keys(patch).length === 0) return false
    try {
      await this.octokit.rest.pulls.update({ ...this.fork, pull_number: pull.number, ...patch })
      return true
    } catch (error) {
      throw explain(error, `update pull request #${pull.number}`)
    }
  }

  /** Creates the labels that do not exist yet, with colours; an "already exists" race is fine. */
  async ensureLabels(specs: LabelSpec[]): Promise<void> {
    let existing: Set<string>
    try {
      const labels = await this.octokit.paginate(this.octokit.rest.issues.listLabelsForRepo, { ...this.fork, per_page: 100 })
      existing = new Set(labels.map((label) => label.name.toLowerCase()))
    } catch (error) {
      throw explain(error, 'list labels')
    }
    for (const spec of specs) {
      if (existing.has(spec.name.toLowerCase())) continue
      try {
        await this.octokit.rest.issues.createLabel({ ...this.fork, ...spec })
      } catch (error) {
        if (statusOf(error) === 422 && /already_exists|already exists/i.test(JSON.stringify((error as RequestErrorLike).response?.data ?? ''))) continue
        throw explain(error, `create label ${spec.name}`)
      }
    }
  }

  /** Adds `add` and removes `remove` from the PR's labels, touching only what differs. */
  async setPullLabels(pull: PullInfo, add: string[], remove: string[]): Promise<void> {
    const current = new Set(pull.labels.map((label) => label.toLowerCase()))
    const missing = add.filter((label) => !current.has(label.toLowerCase()))
    try {
      if (missing.length > 0) await this.octokit.rest.issues.addLabels({ ...this.fork, issue_number: pull.number, labels: missing })
      for (const label of remove) {
        if (!current.has(label.toLowerCase())) continue
        try {
          await this.octokit.rest.issues.removeLabel({ ...this.fork, issue_number: pull.number, name: label })
        } catch (error) {
          if (statusOf(error) !== 404) throw error
        }
      }
    } catch (error) {
      throw explain(error, `label pull request #${pull.number}`)
    }
    pull.labels = [...pull.labels.filter((label) => !remove.includes(label)), ...missing]
  }

  async comment(pull: PullInfo, body: string): Promise<void> {
    try {
      await this.octokit.rest.issues.createComment({ ...this.fork, issue_number: pull.number, body })
    } catch (error) {
      throw explain(error, `comment on pull request #${pull.number}`)
    }
  }

  /** Deletes a fork branch; an already-deleted branch is fine. */
  async deleteBranch(branch: string): Promise<void> {
    try {
      await this.octokit.rest.git.deleteRef({ ...this.fork, ref: `heads/${branch}` })
    } catch (error) {
      if (statusOf(error) === 422 || statusOf(error) === 404) return
      throw explain(error, `delete branch ${branch}`)
    }
  }

  /** Runs `workflow` (file name or id) on `ref` with workflow_dispatch. */
  async dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void> {
    try {
      await this.octokit.rest.actions.createWorkflowDispatch({ ...this.fork, workflow_id: workflow, ref, inputs })
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new GitHubError(`dispatch-workflow: workflow "${workflow}" not found in ${this.fork.owner}/${this.fork.repo}, or it has no workflow_dispatch trigger.`, 404)
      }
      throw explain(error, `dispatch workflow ${workflow}`)
    }
  }
}

interface RawRelease {
  tag_name: string
  name?: string | null
  body?: string | null
  html_url?: string
  draft: boolean
  prerelease: boolean
  published_at?: string | null
  created_at?: string
}

function toRelease(raw: RawRelease): ReleaseInfo {
  return {
    tag: raw.tag_name,
    draft: raw.draft,
    prerelease: raw.prerelease,
    ...(raw.name ? { name: raw.name } : {}),
    ...(raw.body ? { body: raw.body } : {}),
    ...(raw.html_url ? { htmlUrl: raw.html_url } : {}),
    ...(raw.published_at ? { publishedAt: raw.published_at } : {}),
    ...(raw.created_at ? { createdAt: raw.created_at } : {})
  }
}
