/**
 * A local stand-in for GitHub, for tests, the demo and the benchmark: git smart HTTP through the real
 * `git http-backend`, and the REST API (under `/api/v3`, like GitHub Enterprise) for what the action calls.
 *
 *   git:      http://127.0.0.1:PORT/OWNER/NAME.git            (bare repositories ROOT/OWNER/NAME.git)
 *   API:      http://127.0.0.1:PORT/api/v3/...                (GitHub's paths, field names and errors)
 *   controls: http://127.0.0.1:PORT/_stand-in/...             (request log, faults, git traffic; no auth)
 *
 * State other than refs (pull requests, labels, releases, comments) lives in memory; refs live in the bare
 * repositories, so git and the API always agree. See test/stand-in/README.md for the endpoints and the controls.
 */
import { promises as fs } from 'node:fs'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiContext, type ApiResult, type Route, type ServerContext } from './api/context.js'
import { gitDataRoutes } from './api/git-data.js'
import { issueRoutes } from './api/issues.js'
import { pullRoutes } from './api/pulls.js'
import { releaseRoutes } from './api/releases.js'
import { RATE_LIMIT, repoRoutes } from './api/repos.js'
import {
  addFault,
  diffTooLongBody,
  faultJson,
  holdRequest,
  notYetConsistentBody,
  releaseAll,
  releaseHeld,
  statusText,
  takeFault,
  takePushRefusal,
  waitForHeld
} from './faults.js'
import { locateRepo } from './git.js'
import { serveGit } from './git-http.js'
import { DOCS_URL, HttpError, errorBody, isoNow, parseJson, readBody } from './http.js'
import { allows, checkWrite, requirement, tokenModel, type Level, type PermissionName, type Principal } from './permissions.js'
import { nodeId, type Urls } from './shapes.js'
import { StandInState, type AuthScheme, type FaultRecord, type RequestLogEntry, type StandInSettings } from './state.js'
import { generateTls } from './tls.js'
import { changedWorkflow, workflowRefusal } from './workflow-guard.js'

export interface StandInOptions {
  /** Folder holding the bare repositories as `OWNER/NAME.git`. */
  root: string
  /** Port to listen on; 0 or absent: any free port. */
  port?: number
  /** Interface to listen on (default 127.0.0.1: tests use loopback only). */
  host?: string
  /** When set, API calls and git requests need this token; without it everything is open. */
  token?: string
  /** Login the API attributes writes to (PR author, comment author); default `github-actions[bot]`. */
  actor?: string
  /** With a token: let git fetches through without credentials (pushes still need it). Default false. */
  publicRead?: boolean
  /**
   * GitHub's permission model: the token behaves like this repository's GITHUB_TOKEN (`owner/name`), with
   * `permissions`. Without it the token may do anything (as before).
   */
  tokenRepo?: string
  /** `contents:write,pull-requests:write` or an object of GitHub's names to levels; unlisted: none. Needs tokenRepo. */
  permissions?: string | Partial<Record<PermissionName, Level>>
  /** Serve over HTTPS with a CA generated at start (its file: `StandIn.caFile`). */
  tls?: boolean
  /** Initial run-time settings (compare's diff limit, the eventual-consistency window, dispatch trigger checks). */
  settings?: StandInSettings
}

export interface StandIn {
  /** `http://127.0.0.1:PORT` (`https://` with tls): the web and git root (GITHUB_SERVER_URL). */
  url: string
  /** `url + '/api/v3'` (GITHUB_API_URL). */
  apiUrl: string
  port: number
  root: string
  token?: string
  /** The in-memory state, for in-process tests. */
  state: StandInState
  /** With tls: the PEM file of the CA that signed the server's certificate (removed on close). */
  caFile?: string
  close(): Promise<void>
}

const API_PREFIX = '/api/v3'
const GIT_PATH = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.+)$/
const ROUTES: Route[] = [...repoRoutes, ...gitDataRoutes, ...pullRoutes, ...issueRoutes, ...releaseRoutes]
const AS_OWNER = '/_stand-in/as-owner'
/** Issue and label endpoints GitHub may answer 422 for a PR it has not finished creating (eventual consistency). */
const NOT_YET_CONSISTENT = /^\/(?:issues\/(\d+)(?:\/labels(?:\/.*)?|\/comments)?|pulls\/(\d+))$/

interface Credentials {
  scheme: AuthScheme
  secret?: string
  user?: string
}

/** Reads the Authorization header in GitHub's forms: `token T`, `Bearer T`, or basic auth with T as password. */
function credentials(req: IncomingMessage): Credentials {
  const header = req.headers.authorization
  if (!header) return { scheme: 'none' }
  const match = /^(\S+)\s+(.+)$/.exec(header.trim())
  if (!match) return { scheme: 'none' }
  const kind = (match[1] ?? '').toLowerCase()
  const value = match[2] ?? ''
  if (kind === 'token') return { scheme: 'token', secret: value }
  if (kind === 'bearer') return { scheme: 'bearer', secret: value }
  if (kind === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return { scheme: 'basic', user: colon >= 0 ? decoded.slice(0, colon) : decoded, secret: colon >= 0 ? decoded.slice(colon + 1) : '' }
  }
  return { scheme: 'none' }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const host = options.host ?? '127.0.0.1'
  const state = new StandInState()
  const urls: Urls = { web: '', api: '' }
  const model = tokenModel(options.tokenRepo, options.permissions)
  const context: ServerContext = { root: options.root, urls, state, actor: options.actor ?? 'github-actions[bot]', model }
  const token = options.token && options.token !== '' ? options.token : undefined
  const tokenPrincipal: Principal = { kind: 'token', model }
  state.settings = { ...options.settings }
  const tls = options.tls ? await generateTls(host) : undefined

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the stand-in: answer 500 with the reason rather than hanging the client.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify(errorBody(500, `stand-in error: ${(error as Error).message}`)))
    })
  }
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, listener) : http.createServer(listener)
  // Git pushes of big packs can take a while; never cut a connection on a timer.
  server.requestTimeout = 0
  server.headersTimeout = 60_000
  server.keepAliveTimeout = 5_000

  const log = (entry: Omit<RequestLogEntry, 'at' | 'durationMs' | 'startedMs'>, started: number): void => {
    state.requests.push({ ...entry, durationMs: Math.round(performance.now() - started), startedMs: Math.round(performance.timeOrigin + started), at: isoNow() })
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const url = new URL(req.url ?? '/', urls.web)
    const path = url.pathname
    const method = (req.method ?? 'GET').toUpperCase()
    if (path.startsWith(`${AS_OWNER}/`)) return asOwner(req, res, url, method)
    if (path.startsWith('/_stand-in/')) return control(req, res, url, method)
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return api(req, res, url, method, started)
    const git = GIT_PATH.exec(path)
    if (git) return gitRequest(req, res, url, method, started, git)
    sendJson(res, 404, errorBody(404, 'Not Found'))
  }

  /**
   * Answers a request with an injected fault (after its delay or hold); false when the fault only delays or holds and
   * the request is to be served normally.
   */
  async function answerFault(res: ServerResponse, fault: FaultRecord, api: boolean, path: string): Promise<boolean> {
    if (fault.hold) await holdRequest(state, fault)
    if (fault.delayMs) await sleep(fault.delayMs)
    if (fault.status === undefined) return false
    const headers: Record<string, string> = api ? { ...rateHeaders() } : {}
    for (const [name, value] of Object.entries(fault.headers ?? {})) headers[name.toLowerCase()] = String(value)
    const content = fault.body ?? presetBody(fault, path)
    let body: string
    if (typeof content === 'string') {
      body = content
      headers['content-type'] ??= 'text/plain; charset=utf-8'
    } else {
      body = JSON.stringify(content ?? errorBody(fault.status, statusText(fault.status)))
      headers['content-type'] ??= 'application/json; charset=utf-8'
    }
    res.writeHead(fault.status, headers)
    res.end(fault.status === 204 || fault.status === 304 ? undefined : body)
    return true
  }

  /** The body of a preset fault, built for the request it answers. */
  function presetBody(fault: FaultRecord, path: string): unknown {
    if (fault.preset === 'diff-too-long') return diffTooLongBody()
    if (fault.preset !== 'not-yet-consistent') return undefined
    const match = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/(?:issues|pulls)\/(\d+)/.exec(path)
    const issue = match ? state.repo(`${match[1]}/${match[2]}`).issues.get(Number(match[3])) : undefined
    return notYetConsistentBody(nodeId(issue?.pull ? 'PR' : 'I', issue?.id ?? 0))
  }

  function rateHeaders(): Record<string, string> {
    const used = state.requests.filter((r) => r.kind === 'api').length + 1
    return {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - used)),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core'
    }
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, method: string, started: number): Promise<void> {
    const logPath = safeDecode(url.pathname)
    const auth = credentials(req)
    const entry = { kind: 'api' as const, method, path: logPath, query: url.search.replace(/^\?/, ''), auth: auth.scheme }
    const fault = takeFault(state, method, logPath)
    if (fault && (await answerFault(res, fault, true, logPath))) {
      await drain(req)
      log({ ...entry, status: fault.status ?? 0, fault: true }, started)
      return
    }
    let result: ApiResult
    try {
      if (token !== undefined && auth.secret !== token) {
        throw new HttpError(401, { message: 'Bad credentials', documentation_url: DOCS_URL, status: '401' })
      }
      result = await dispatch(req, url, method, tokenPrincipal)
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      result = { status: error.status, body: error.body, headers: error.headers }
    }
    await drain(req)
    sendApiResult(res, result)
    log({ ...entry, status: result.status }, started)
  }

  /**
   * `/_stand-in/as-owner/<API path>`: the API as the repository's owner, whatever the token model (drafts visible,
   * every write allowed, writes attributed to the owner). Test setup: not logged, never faulted.
   */
  async function asOwner(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const apiUrl = new URL(`${API_PREFIX}${url.pathname.slice(AS_OWNER.length)}${url.search}`, urls.web)
    let result: ApiResult
    try {
      result = await dispatch(req, apiUrl, method, { kind: 'owner' })
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      result = { status: error.status, body: error.body, headers: error.headers }
    }
    await drain(req)
    sendApiResult(res, result)
  }

  function sendApiResult(res: ServerResponse, result: ApiResult): void {
    const headers: Record<string, string> = {
      ...rateHeaders(),
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `STANDIN:${state.requests.length + 1}`,
      ...result.headers
    }
    if (result.status === 204 || result.body === undefined) {
      res.writeHead(result.status, headers)
      res.end()
    } else {
      sendJson(res, result.status, result.body, headers)
    }
  }

  async function dispatch(req: IncomingMessage, url: URL, method: string, principal: Principal): Promise<ApiResult> {
    const rest = url.pathname.slice(API_PREFIX.length) || '/'
    for (const candidate of ROUTES) {
      if (candidate.method !== method) continue
      const match = candidate.pattern.exec(rest)
      if (!match) continue
      let params: string[]
      try {
        params = match.slice(1).map((p) => decodeURIComponent(p ?? ''))
      } catch {
        throw new HttpError(404, errorBody(404, 'Not Found'))
      }
      const ctx = new ApiContext(context, req, url, principal)
      if (candidate.repo) {
        const [owner = '', name = '', ...others] = params
        await ctx.useRepo(owner, name)
        params = others
        guard(ctx, method, rest.replace(/^\/repos\/[^/]+\/[^/]+/, ''))
      }
      return candidate.handler(ctx, params)
    }
    throw new HttpError(404, errorBody(404, 'Not Found'))
  }

  /** The permission model's refusal and the eventual-consistency window, before a repository handler runs. */
  function guard(ctx: ApiContext, method: string, repoPath: string): void {
    const needs = requirement(method, repoPath)
    if (needs) {
      checkWrite(ctx.principal, ctx.repo.fullName, needs, () => {
        // A comment's endpoint names the comment, not its issue: the comment says which issue it is on.
        const commentId = /^\/issues\/comments\/(\d+)/.exec(repoPath)?.[1]
        const number = commentId !== undefined ? ctx.repo.state.comments.find((c) => c.id === Number(commentId))?.issueNumber : /^\/issues\/(\d+)/.exec(repoPath)?.[1]
        return number !== undefined && ctx.repo.state.issues.get(Number(number))?.pull !== undefined
      })
    }
    const window = state.settings.consistencyWindowMs
    const match = window && ctx.principal.kind === 'token' ? NOT_YET_CONSISTENT.exec(repoPath) : null
    // GET /pulls/{n} answers at once on GitHub (the create call returned it); writes and issue reads may not yet.
    if (!match || (match[2] !== undefined && method === 'GET')) return
    const issue = ctx.repo.state.issues.get(Number(match[1] ?? match[2]))
    if (issue?.pull && issue.createdMs !== undefined && Date.now() - issue.createdMs < (window ?? 0)) {
      throw new HttpError(422, notYetConsistentBody(nodeId('PR', issue.id)))
    }
  }

  async function gitRequest(req: IncomingMessage, res: ServerResponse, url: URL, method: string, started: number, match: RegExpExecArray): Promise<void> {
    const logPath = safeDecode(url.pathname)
    const auth = credentials(req)
    const query = url.search.replace(/^\?/, '')
    const entry = { kind: 'git' as const, method, path: logPath, query, auth: auth.scheme }
    const fault = takeFault(state, method, logPath)
    if (fault && (await answerFault(res, fault, false, logPath))) {
      await drain(req)
      log({ ...entry, status: fault.status ?? 0, fault: true }, started)
      return
    }
    const [, owner = '', name = '', subPath = ''] = match
    const push = subPath === 'git-receive-pack' || new URLSearchParams(query).get('service') === 'git-receive-pack'
    const needsAuth = token !== undefined && (push || !options.publicRead)
    if (needsAuth && (auth.scheme !== 'basic' || auth.secret !== token)) {
      await drain(req)
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain; charset=utf-8' })
      res.end(auth.scheme === 'none' ? 'Authentication required.\n' : 'Invalid username or password.\n')
      log({ ...entry, status: 401 }, started)
      return
    }
    const repo = await locateRepo(options.root, owner, name)
    if (!repo) {
      await drain(req)
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('Repository not found.\n')
      log({ ...entry, status: 404 }, started)
      return
    }
    if (push && !allows(tokenPrincipal, repo.fullName, 'contents', 'write')) {
      // GitHub's answer to a push the token may not make; git prints the body as "remote: ..." and then the 403.
      await drain(req)
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`Permission to ${repo.fullName}.git denied to ${context.actor}.\n`)
      log({ ...entry, status: 403 }, started)
      return
    }
    const screenWorkflows = push && !allows(tokenPrincipal, repo.fullName, 'workflows', 'write')
    const refusal = method === 'POST' && subPath === 'git-receive-pack' ? takePushRefusal(state, logPath) : undefined
    if (refusal?.delayMs) await sleep(refusal.delayMs)
    const status = await serveGit(state, {
      req,
      res,
      repo,
      subPath,
      query,
      user: auth.scheme === 'basic' ? auth.user : undefined,
      remoteAddress: req.socket.remoteAddress ?? '127.0.0.1',
      screen: screenWorkflows
        ? async (commands, pack) => {
            const file = await changedWorkflow(repo.gitDir, commands, pack)
            return file === undefined ? undefined : workflowRefusal(file)
          }
        : undefined
    }, refusal)
    log({ ...entry, status, ...(refusal ? { fault: true } : {}) }, started)
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const action = `${method} ${url.pathname.slice('/_stand-in'.length)}`
    try {
      switch (action) {
        case 'GET /health':
          return sendJson(res, 200, { ok: true })
        case 'GET /requests': {
          // API requests by default (what request budgets count); ?kind=git or ?kind=all for the rest.
          const kind = url.searchParams.get('kind') ?? 'api'
          return sendJson(res, 200, kind === 'all' ? state.requests : state.requests.filter((r) => r.kind === kind))
        }
        case 'POST /reset-log':
          await drain(req)
          state.resetLog()
          return sendJson(res, 200, { ok: true })
        case 'GET /git-traffic':
          return sendJson(res, 200, state.trafficJson())
        case 'GET /faults':
          return sendJson(res, 200, state.faults.map(faultJson))
        case 'POST /faults': {
          const raw = JSON.parse((await readBody(req)).toString('utf8') || '{}') as unknown
          const specs = Array.isArray(raw) ? raw : [raw]
          const added = specs.map((spec) => {
            if (typeof spec !== 'object' || spec === null) throw new HttpError(400, errorBody(400, 'a fault must be a JSON object'))
            return faultJson(addFault(state, spec as Record<string, unknown>))
          })
          return sendJson(res, 201, Array.isArray(raw) ? added : added[0])
        }
        case 'DELETE /faults':
          await drain(req)
          state.faults = []
          releaseAll(state)
          res.writeHead(204)
          return void res.end()
        case 'GET /settings':
          return sendJson(res, 200, state.settings)
        case 'POST /settings': {
          state.settings = { ...state.settings, ...settingsFrom(parseJson(await readBody(req))) }
          return sendJson(res, 200, state.settings)
        }
        case 'GET /dispatches':
          return sendJson(res, 200, state.dispatches)
        case 'POST /reset-state': {
          const body = parseJson(await readBody(req))
          state.resetIssues(typeof body.repo === 'string' ? body.repo : undefined)
          return sendJson(res, 200, { ok: true })
        }
        default: {
          const hold = /^(GET|POST) \/faults\/(\d+)\/(held|release)$/.exec(action)
          if (hold?.[1] === 'GET' && hold[3] === 'held') {
            const atLeast = Number(url.searchParams.get('atLeast') ?? '1')
            const timeoutMs = Number(url.searchParams.get('timeoutMs') ?? '30000')
            return sendJson(res, 200, await waitForHeld(state, Number(hold[2]), atLeast, timeoutMs))
          }
          if (hold?.[1] === 'POST' && hold[3] === 'release') {
            const body = parseJson(await readBody(req))
            const count = typeof body.count === 'number' ? body.count : undefined
            return sendJson(res, 200, { released: releaseHeld(state, Number(hold[2]), count) })
          }
          await drain(req)
          return sendJson(res, 404, errorBody(404, `unknown stand-in control ${action}`))
        }
      }
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, error.body)
      if (error instanceof SyntaxError) return sendJson(res, 400, errorBody(400, `invalid JSON: ${error.message}`))
      throw error
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  urls.web = `${tls ? 'https' : 'http'}://${host}:${port}`
  urls.api = `${urls.web}${API_PREFIX}`

  return {
    url: urls.web,
    apiUrl: urls.api,
    port,
    root: options.root,
    token,
    state,
    caFile: tls?.caFile,
    close: async () => {
      releaseAll(state)
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
      if (tls) await fs.rm(tls.dir, { recursive: true, force: true })
    }
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) })
  res.end(text)
}

/** Validates `POST /_stand-in/settings`; `null` switches a setting off. */
function settingsFrom(body: Record<string, unknown>): StandInSettings {
  const settings: Record<string, number | boolean | undefined> = {}
  for (const [key, value] of Object.entries(body)) {
    if (key === 'compareDiffLimit' || key === 'consistencyWindowMs') {
      if (value !== null && (typeof value !== 'number' || value < 0)) throw new HttpError(400, errorBody(400, `setting "${key}" must be a non-negative number or null`))
      settings[key] = value ?? undefined
    } else if (key === 'dispatchNeedsTrigger') {
      if (value !== null && typeof value !== 'boolean') throw new HttpError(400, errorBody(400, `setting "${key}" must be true, false or null`))
      settings[key] = value ?? undefined
    } else {
      throw new HttpError(400, errorBody(400, `unknown setting "${key}"; known: compareDiffLimit, consistencyWindowMs, dispatchNeedsTrigger`))
    }
  }
  return settings as StandInSettings
}

/** Consumes an unread request body, so keep-alive connections stay usable after an early answer. */
async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return
  req.resume()
  await new Promise<void>((resolve) => {
    if (req.readableEnded) return resolve()
    req.once('end', resolve)
    req.once('error', () => resolve())
    req.once('close', () => resolve())
  })
}
