/**
 * The GitHub client: which failures are retried (5xx, rate limits) and which never are (4xx, above all 409/422 on
 * writes), how long a retry waits, and how GitHub's errors become messages that name the fix. The client talks to a
 * tiny scripted HTTP server on loopback, so the real Octokit plugins run.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { GitHubApi, GitHubError, createClient, errorText, explain, writeIntervalFromEnv } from '../src/github.js'

interface Scripted {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

interface Seen {
  method: string
  path: string
  at: number
}

/** Answers each `METHOD /path` with its scripted responses in order (the last one repeats), and records requests. */
class ScriptedServer {
  private server = http.createServer((req, res) => this.handle(req, res))
  private script = new Map<string, Scripted[]>()
  seen: Seen[] = []
  url = ''

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  on(route: string, ...responses: Scripted[]): this {
    this.script.set(route, responses)
    return this
  }

  reset(): void {
    this.script.clear()
    this.seen = []
  }

  count(route: string): number {
    return this.seen.filter((entry) => `${entry.method} ${entry.path}` === route).length
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '')
    const route = `${req.method} ${path}`
    this.seen.push({ method: req.method ?? '', path, at: performance.now() })
    req.resume()
    req.on('end', () => {
      const queue = this.script.get(route)
      const next = queue && queue.length > 1 ? queue.shift() : queue?.[0]
      const answer = next ?? { status: 404, body: { message: 'Not Found' } }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body))
    })
  }
}

const server = new ScriptedServer()
const warnings: string[] = []
const log = { debug: () => undefined, info: () => undefined, warning: (message: string) => warnings.push(message) }
const fork = { owner: 'carto', repo: 'fork' }
const upstream = { owner: 'acme', repo: 'gateway' }

function client() {
  return createClient({ token: 'ghs_unit', apiUrl: server.url, log, writeIntervalMs: 0 })
}

beforeAll(async () => {
  await server.start()
})

afterAll(async () => {
  await server.stop()
})

afterEach(() => {
  server.reset()
  warnings.length = 0
})

const PULL = {
  number: 7,
  html_url: 'https://github.com/carto/fork/pull/7',
  state: 'open',
  title: 'Sync',
  body: 'body',
  head: { ref: 'upstream-sync/v1.1.0-stable', sha: 'a'.repeat(40) },
  base: { ref: 'carto/main' },
  labels: [],
  created_at: '2026-01-01T00:00:00Z'
}

describe('createClient: what is retried', () => {
  it('never repeats a 404, 409 or 422: one request each', async () => {
    server
      .on('GET /repos/carto/fork/contents/x', { status: 404, body: { message: 'Not Found' } })
      .on('GET /repos/carto/fork/compare/a...b', { status: 409, body: { message: 'Git Repository is empty.' } })
      .on('POST /repos/carto/fork/pulls', { status: 422, body: { message: 'Validation Failed', errors: [{ message: 'No commits between carto/main and x' }] } })
    const octokit = client()
    await expect(octokit.rest.repos.getContent({ ...fork, path: 'x' })).rejects.toMatchObject({ status: 404 })
    await expect(octokit.rest.repos.compareCommitsWithBasehead({ ...fork, basehead: 'a...b' })).rejects.toMatchObject({ status: 409 })
    await expect(octokit.rest.pulls.create({ ...fork, head: 'x', base: 'carto/main', title: 't' })).rejects.toMatchObject({ status: 422 })
    expect(server.seen.map((entry) => `${entry.method} ${entry.path}`)).toEqual([
      'GET /repos/carto/fork/contents/x',
      'GET /repos/carto/fork/compare/a...b',
      'POST /repos/carto/fork/pulls'
    ])
  })

  it('retries a 5xx after about a second, even when earlier requests of the client failed', async () => {
    server
      .on('GET /repos/carto/fork/contents/missing', { status: 404 })
      .on('GET /repos/carto/fork/contents/flaky', { status: 502, body: { message: 'Server Error' } }, { status: 200, body: { type: 'file', content: '', encoding: 'base64' } })
    const octokit = client()
    // Failed requests before the 5xx must not make its retry wait longer (the retry count is per request).
    for (let i = 0; i < 3; i++) await expect(octokit.rest.repos.getContent({ ...fork, path: 'missing' })).rejects.toMatchObject({ status: 404 })
    const { status } = await octokit.rest.repos.getContent({ ...fork, path: 'flaky' })
    expect(status).toBe(200)
    const [first, second] = server.seen.filter((entry) => entry.path.endsWith('/flaky'))
    const waited = (second?.at ?? 0) - (first?.at ?? 0)
    expect(waited).toBeGreaterThanOrEqual(900)
    expect(waited).toBeLessThan(2500)
  })

  it('spaces writes that notify people by three write intervals, and not at all when the interval is 0', async () => {
    server.on('POST /repos/carto/fork/issues/7/comments', { status: 201, body: { id: 1, body: 'x' } })
    const spaced = createClient({ token: 'ghs_unit', apiUrl: server.url, log, writeIntervalMs: 100 })
    for (let i = 0; i < 2; i++) await spaced.rest.issues.createComment({ ...fork, issue_number: 7, body: 'x' })
    const unspaced = client()
    for (let i = 0; i < 2; i++) await unspaced.rest.issues.createComment({ ...fork, issue_number: 7, body: 'x' })
    const at = server.seen.map((entry) => entry.at)
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(280)
    expect((at[3] ?? 0) - (at[2] ?? 0)).toBeLessThan(250)
  })

  it('waits for a secondary rate limit as GitHub asks (retry-after), with the real path in the warning', async () => {
    server.on(
      'POST /repos/carto/fork/pulls',
      { status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' } },
      { status: 201, body: PULL }
    )
    const { status } = await client().rest.pulls.create({ ...fork, head: 'x', base: 'carto/main', title: 't' })
    expect(status).toBe(201)
    expect(warnings).toEqual(['GitHub secondary rate limit on POST /repos/carto/fork/pulls; waiting 1s as GitHub asks.'])
    const [first, second] = server.seen
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900)
  })

  it('does not wait an hour for an exhausted primary limit: one request, then the error', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600
    server.on('GET /repos/acme/gateway/git/matching-refs/tags/v', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for installation ID 1.' }
    })
    const api = new GitHubApi(client(), fork, upstream)
    await expect(api.listUpstreamTags('v')).rejects.toThrow(`the GitHub API rate limit for this token is exhausted; it resets at ${new Date(reset * 1000).toISOString()}.`)
    expect(server.seen).toHaveLength(1)
    expect(warnings).toEqual([])
  })
})

describe('GitHubApi', () => {
  it('turns a 422 "A pull request already exists" into the existing PR, created: false', async () => {
    server
      .on('POST /repos/carto/fork/pulls', {
        status: 422,
        body: { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for carto:upstream-sync/v1.1.0-stable.' }] }
      })
      .on('GET /repos/carto/fork/pulls', { status: 200, body: [PULL] })
    const api = new GitHubApi(client(), fork, upstream)
    const opened = await api.createPull({ head: 'upstream-sync/v1.1.0-stable', base: 'carto/main', title: 'Sync', body: 'body' })
    expect(opened).toMatchObject({ created: false, pull: { number: 7, headRef: 'upstream-sync/v1.1.0-stable' } })
    expect(server.count('POST /repos/carto/fork/pulls')).toBe(1)
  })

  it('names target-branch when the compare base does not exist', async () => {
    server.on('GET /repos/carto/fork/compare/carto/nope...abc', { status: 404 }).on('GET /repos/carto/fork/git/ref/heads/carto/nope', { status: 404 })
    const api = new GitHubApi(client(), fork, upstream)
    await expect(api.forkBranchContains('carto/nope', 'abc')).rejects.toThrow("target branch carto/nope not found in carto/fork. Check 'target-branch'.")
  })

  it('says an unknown upstream is not found or not visible to this token', async () => {
    server.on('GET /repos/acme/gateway/git/matching-refs/tags/v', { status: 404 })
    const api = new GitHubApi(client(), fork, upstream)
    await expect(api.listUpstreamTags('v')).rejects.toThrow('upstream repository acme/gateway not found or not visible to this token.')
  })
})

/** A request error as Octokit throws it. */
function requestError(status: number, data: unknown, request: { method: string; url: string }, headers: Record<string, string> = {}) {
  return Object.assign(new Error((data as { message?: string }).message ?? `HTTP ${status}`), { status, response: { headers, data }, request })
}

describe('explain', () => {
  const pulls = { method: 'POST', url: 'https://api.github.com/repos/carto/fork/pulls' }

  it('names github-token on a 401', () => {
    const error = explain(requestError(401, { message: 'Bad credentials' }, pulls), 'open the sync PR')
    expect(error).toBeInstanceOf(GitHubError)
    expect(error.message).toBe("Could not open the sync PR: GitHub rejected the token (401 Bad credentials). Check the 'github-token' input: the secret may be expired, revoked or empty.")
  })

  it.each([
    ['POST', 'https://api.github.com/repos/carto/fork/pulls', 'pull-requests: write'],
    ['PATCH', 'https://api.github.com/repos/carto/fork/pulls/7', 'pull-requests: write'],
    ['DELETE', 'https://api.github.com/repos/carto/fork/git/refs/heads/upstream-sync%2Fv1', 'contents: write'],
    ['PUT', 'https://api.github.com/repos/carto/fork/contents/x.md', 'contents: write'],
    ['POST', 'https://api.github.com/repos/carto/fork/actions/workflows/ci.yml/dispatches', 'actions: write']
  ])('names the missing permission for 403 "Resource not accessible by integration" on %s %s', (method, url, permission) => {
    const error = explain(requestError(403, { message: 'Resource not accessible by integration' }, { method, url }), 'do it')
    expect(error.message).toContain(`The token lacks the '${permission}' permission: add it under \`permissions:\` in the workflow`)
  })

  it('names the repository setting when Actions may not create pull requests', () => {
    const error = explain(requestError(403, { message: 'GitHub Actions is not permitted to create or approve pull requests.' }, pulls), 'open the sync PR')
    expect(error.message).toContain('Could not open the sync PR: GitHub Actions is not permitted to create or approve pull requests. Enable it in the fork')
    expect(error.message).toContain('Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests"')
  })

  it('gives the reset time of an exhausted primary limit, and "later" when GitHub sent none', () => {
    const withReset = explain(requestError(403, { message: 'API rate limit exceeded' }, pulls, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1767225600' }), 'x')
    expect(withReset.message).toContain('it resets at 2026-01-01T00:00:00.000Z.')
    const without = explain(requestError(429, { message: 'API rate limit exceeded' }, pulls, { 'x-ratelimit-remaining': '0' }), 'x')
    expect(without.message).toContain('it resets at later.')
  })

  it("keeps GitHub's 422 reasons from errors[]", () => {
    const error = requestError(422, { message: 'Validation Failed', errors: [{ message: 'No commits between a and b' }, { code: 'invalid', field: 'head' }] }, pulls)
    expect(errorText(error)).toBe('Validation Failed: No commits between a and b: invalid head')
    expect(explain(error, 'open the PR').message).toBe('Could not open the PR: GitHub answered 422 Validation Failed: No commits between a and b: invalid head')
  })

  it('passes other errors through', () => {
    const plain = new Error('socket hang up')
    expect(explain(plain, 'x')).toBe(plain)
    expect(explain('text', 'x').message).toBe('text')
  })
})

describe('writeIntervalFromEnv', () => {
  it('defaults to GitHub\'s one second and accepts a non-negative number', () => {
    expect(writeIntervalFromEnv({})).toBe(1000)
    expect(writeIntervalFromEnv({ UPSTREAM_SYNC_WRITE_INTERVAL_MS: '0' })).toBe(0)
    expect(writeIntervalFromEnv({ UPSTREAM_SYNC_WRITE_INTERVAL_MS: '-5' })).toBe(1000)
    expect(writeIntervalFromEnv({ UPSTREAM_SYNC_WRITE_INTERVAL_MS: 'soon' })).toBe(1000)
  })
})
