/**
 * What an API handler gets (the request, the resolved repository, the state) and what it returns. Handlers are
 * plain async functions in a route table; they throw HttpError for GitHub's error answers.
 */
import { promises as fs } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import path from 'node:path'
import { BareRepo, forkNetwork, locateRepo, readParent, type RepoLocation } from '../git.js'
import { notFound, parseJson, readBody } from '../http.js'
import type { RepoFacts, Urls } from '../shapes.js'
import type { IssueRecord, PullRecord, RepoState, StandInState } from '../state.js'
import { isoNow } from '../http.js'
import { seesDrafts, type Principal, type TokenModel } from '../permissions.js'

export interface ServerContext {
  root: string
  urls: Urls
  state: StandInState
  /** The login every API write is attributed to (the token's identity). */
  actor: string
  /** GitHub's permission model for the token (`--token-repo`/`--permissions`); absent: the token may do anything. */
  model?: TokenModel
}

export interface ApiResult {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface RepoContext {
  location: RepoLocation
  /** Reads see the fork network's objects (a fork sees its parent's commits, as on GitHub). */
  git: BareRepo
  state: RepoState
  fullName: string
  facts(): Promise<RepoFacts>
}

export class ApiContext {
  private bodyCache: Record<string, unknown> | undefined
  repo!: RepoContext

  constructor(
    readonly server: ServerContext,
    readonly req: IncomingMessage,
    readonly url: URL,
    /** Who asks: the token (under the permission model, if any) or, through `/_stand-in/as-owner/`, the owner. */
    readonly principal: Principal = { kind: 'token', model: server.model }
  ) {}

  /** The login writes are attributed to: the token's identity, or the repository's owner for the as-owner control. */
  get actor(): string {
    return this.principal.kind === 'owner' && this.repo ? this.repo.location.owner : this.server.actor
  }

  /** Whether draft releases of the request's repository are visible (push access on GitHub; always without a model). */
  get seesDrafts(): boolean {
    return seesDrafts(this.principal, this.repo.fullName)
  }

  get urls(): Urls {
    return this.server.urls
  }

  get state(): StandInState {
    return this.server.state
  }

  get query(): URLSearchParams {
    return this.url.searchParams
  }

  /** The JSON request body (read once). */
  async body(): Promise<Record<string, unknown>> {
    if (this.bodyCache === undefined) this.bodyCache = parseJson(await readBody(this.req))
    return this.bodyCache
  }

  /** Resolves `/repos/{owner}/{repo}` to its bare repository, or throws GitHub's 404. */
  async useRepo(owner: string, name: string): Promise<RepoContext> {
    const location = await locateRepo(this.server.root, owner, name)
    if (!location) throw notFound()
    this.repo = await repoContext(this.server, location)
    return this.repo
  }

  /**
   * The repository `owner` (or `owner/name`) means in this repository's fork network, as GitHub resolves
   * `owner:ref` in compare: the same name under that owner, a parent owned by it, or a fork of this repository.
   */
  async networkRepo(owner: string, name?: string): Promise<RepoContext | undefined> {
    const root = this.server.root
    const candidates: string[] = name ? [name] : [this.repo.location.name]
    if (!name) {
      for (let parent = await readParent(this.repo.location.gitDir), depth = 0; parent && depth < 10; depth++) {
        const [parentOwner = '', parentName = ''] = parent.split('/')
        if (parentOwner.toLowerCase() === owner.toLowerCase()) candidates.push(parentName)
        const location = await locateRepo(root, parentOwner, parentName)
        parent = location ? await readParent(location.gitDir) : undefined
      }
      for (const entry of await fs.readdir(path.join(root, owner)).catch(() => [] as string[])) {
        if (!entry.endsWith('.git')) continue
        const parent = await readParent(path.join(root, owner, entry))
        if (parent?.toLowerCase() === this.repo.fullName.toLowerCase()) candidates.push(entry.slice(0, -'.git'.length))
      }
    }
    for (const candidate of candidates) {
      const location = await locateRepo(root, owner, candidate)
      if (location) return repoContext(this.server, location)
    }
    return undefined
  }
}

/** Builds a repository's context, with its fork network (parents recorded by the harness) as read-only alternates. */
export async function repoContext(server: ServerContext, location: RepoLocation): Promise<RepoContext> {
  const network = await forkNetwork(server.root, location)
  const git = new BareRepo(location.gitDir, network.objectDirs)
  return {
    location,
    git,
    state: server.state.repo(location.fullName),
    fullName: location.fullName,
    facts: async () => ({
      owner: location.owner,
      name: location.name,
      fullName: location.fullName,
      defaultBranch: await git.headBranch(),
      parent: network.parent
    })
  }
}

export type Handler = (ctx: ApiContext, params: string[]) => Promise<ApiResult>

export interface Route {
  method: string
  /** Matched against the path after `/api/v3` (raw, still percent-encoded). */
  pattern: RegExp
  /** True when the pattern starts with `/repos/([^/]+)/([^/]+)`: the repository is resolved before the handler runs. */
  repo: boolean
  handler: Handler
}

/**
 * Declares a route. `path` uses `{name}` for one segment and `{name+}` for the rest of the path (refs and file paths
 * contain slashes). Parameters reach the handler percent-decoded, in order, without the repository's owner and name.
 */
export function route(method: string, path: string, handler: Handler): Route {
  const source = path
    .split('/')
    .map((segment) => segment.replace(/\{[a-z_]+\+\}/g, '(.+)').replace(/\{[a-z_]+\}/g, '([^/]+)'))
    .join('/')
  return { method, pattern: new RegExp(`^${source}/?$`), repo: path.startsWith('/repos/{owner}/{repo}'), handler }
}

export function ok(body: unknown, headers?: Record<string, string>): ApiResult {
  return { status: 200, body, headers }
}

export function created(body: unknown): ApiResult {
  return { status: 201, body }
}

export function noContent(): ApiResult {
  return { status: 204 }
}

/**
 * A new open issue (or, with `pull`, pull request) of the request's repository, numbered like GitHub: issues and pull
 * requests share one sequence per repository.
 */
export function newIssueRecord(ctx: ApiContext, title: string, body: string | undefined, pull?: PullRecord): IssueRecord {
  const now = isoNow()
  const issue: IssueRecord = {
    createdMs: Date.now(),
    number: ctx.repo.state.nextNumber++,
    id: ctx.state.nextId(),
    title,
    body: body ?? null,
    state: 'open',
    stateReason: null,
    user: ctx.actor,
    labels: [],
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    comments: 0,
    ...(pull ? { pull } : {})
  }
  ctx.repo.state.issues.set(issue.number, issue)
  return issue
}
