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
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiContext, type ApiResult, type Route, type ServerContext } from './api/context.js'
import { gitDataRoutes } from './api/git-data.js'
import { issueRoutes } from './api/issues.js'
import { pullRoutes } from './api/pulls.js'
import { releaseRoutes } from './api/releases.js'
import { RATE_LIMIT, repoRoutes } from './api/repos.js'
import { addFault, faultJson, statusText, takeFault, takePushRefusal } from './faults.js'
import { locateRepo } from './git.js'
import { serveGit } from './git-http.js'
import { DOCS_URL, HttpError, errorBody, isoNow, parseJson, readBody } from './http.js'
import type { Urls } from './shapes.js'
import { StandInState, type AuthScheme, type FaultRecord, type RequestLogEntry } from './state.js'

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
}

export interface StandIn {
  /** `http://127.0.0.1:PORT`: the web and git root (GITHUB_SERVER_URL). */
  url: string
  /** `url + '/api/v3'` (GITHUB_API_URL). */
  apiUrl: string
  port: number
  root: string
  token?: string
  /** The in-memory state, for in-process tests. */
  state: StandInState
  close(): Promise<void>
}

const API_PREFIX = '/api/v3'
const GIT_PATH = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.+)$/
const ROUTES: Route[] = [...repoRoutes, ...gitDataRoutes, ...pullRoutes, ...issueRoutes, ...releaseRoutes]

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
  const context: ServerContext = { root: options.root, urls, state, actor: options.actor ?? 'github-actions[bot]' }
  const token = options.token && options.token !== '' ? options.token : undefined

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the stand-in: answer 500 with the reason rather than hanging the client.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify(errorBody(500, `stand-in error: ${(error as Error).message}`)))
    })
  })
  // Git pushes of big packs can take a while; never cut a connection on a timer.
  server.requestTimeout = 0
  server.headersTimeout = 60_000
  server.keepAliveTimeout = 5_000

  const log = (entry: Omit<RequestLogEntry, 'at' | 'durationMs'>, started: number): void => {
    state.requests.push({ ...entry, durationMs: Math.round(performance.now() - started), at: isoNow() })
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const url = new URL(req.url ?? '/', urls.web)
    const path = url.pathname
    const method = (req.method ?? 'GET').toUpperCase()
    if (path.startsWith('/_stand-in/')) return control(req, res, url, method)
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return api(req, res, url, method, started)
    const git = GIT_PATH.exec(path)
    if (git) return gitRequest(req, res, url, method, started, git)
    sendJson(res, 404, errorBody(404, 'Not Found'))
  }

  /** Answers a request with an injected fault (after its delay); false when the fault only delays. */
  async function answerFault(res: ServerResponse, fault: FaultRecord, api: boolean): Promise<boolean> {
    if (fault.delayMs) await sleep(fault.delayMs)
    if (fault.status === undefined) return false
    const headers: Record<string, string> = api ? { ...rateHeaders() } : {}
    for (const [name, value] of Object.entries(fault.headers ?? {})) headers[name.toLowerCase()] = String(value)
    let body: string
    if (typeof fault.body === 'string') {
      body = fault.body
      headers['content-type'] ??= 'text/plain; charset=utf-8'
    } else {
      body = JSON.stringify(fault.body ?? errorBody(fault.status, statusText(fault.status)))
      headers['content-type'] ??= 'application/json; charset=utf-8'
    }
    res.writeHead(fault.status, headers)
    res.end(fault.status === 204 || fault.status === 304 ? undefined : body)
    return true
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
    if (fault && (await answerFault(res, fault, true))) {
      await drain(req)
      log({ ...entry, status: fault.status ?? 0, fault: true }, started)
      return
    }
    let result: ApiResult
    try {
      if (token !== undefined && auth.secret !== token) {
        throw new HttpError(401, { message: 'Bad credentials', documentation_url: DOCS_URL, status: '401' })
      }
      result = await dispatch(req, url, method)
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      result = { status: error.status, body: error.body, headers: error.headers }
    }
    await drain(req)
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
    log({ ...entry, status: result.status }, started)
  }

  async function dispatch(req: IncomingMessage, url: URL, method: string): Promise<ApiResult> {
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
      const ctx = new ApiContext(context, req, url)
      if (candidate.repo) {
        const [owner = '', name = '', ...others] = params
        await ctx.useRepo(owner, name)
        params = others
      }
      return candidate.handler(ctx, params)
    }
    throw new HttpError(404, errorBody(404, 'Not Found'))
  }

  async function gitRequest(req: IncomingMessage, res: ServerResponse, url: URL, method: string, started: number, match: RegExpExecArray): Promise<void> {
    const logPath = safeDecode(url.pathname)
    const auth = credentials(req)
    const query = url.search.replace(/^\?/, '')
    const entry = { kind: 'git' as const, method, path: logPath, query, auth: auth.scheme }
    const fault = takeFault(state, method, logPath)
    if (fault && (await answerFault(res, fault, false))) {
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
    const refusal = method === 'POST' && subPath === 'git-receive-pack' ? takePushRefusal(state, logPath) : undefined
    if (refusal?.delayMs) await sleep(refusal.delayMs)
    const status = await serveGit(state, {
      req,
      res,
      repo,
      subPath,
      query,
      user: auth.scheme === 'basic' ? auth.user : undefined,
      remoteAddress: req.socket.remoteAddress ?? '127.0.0.1'
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
          res.writeHead(204)
          return void res.end()
        case 'GET /dispatches':
          return sendJson(res, 200, state.dispatches)
        case 'POST /reset-state': {
          const body = parseJson(await readBody(req))
          state.resetIssues(typeof body.repo === 'string' ? body.repo : undefined)
          return sendJson(res, 200, { ok: true })
        }
        default:
          await drain(req)
          return sendJson(res, 404, errorBody(404, `unknown stand-in control ${action}`))
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
  urls.web = `http://${host}:${port}`
  urls.api = `${urls.web}${API_PREFIX}`

  return {
    url: urls.web,
    apiUrl: urls.api,
    port,
    root: options.root,
    token,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) })
  res.end(text)
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
