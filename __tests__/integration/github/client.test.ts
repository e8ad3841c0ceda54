/**
 * The GitHub client: which failures are retried (5xx, rate limits) and which never are (4xx, above all 409/422 on
 * writes), and how long a retry waits. The client talks to a scripted HTTP server on loopback, so the real Octokit
 * plugins run; its retry unit is shortened to a tenth of a second (a second on GitHub), so no test sleeps for long.
 */
import { describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { generateTls } from '../../../test/stand-in/tls.js'
import { UserError } from '../../../src/errors.js'
import { GitHubApi } from '../../../src/github/api.js'
import { createClient } from '../../../src/github/client.js'
import type { Log } from '../../../src/runner.js'
import { PULL, ScriptedServer, fork, serveForTests, upstream } from './scripted-server.js'

/** How long "a second" of retry waiting lasts in these tests. */
const UNIT = 100

const server = new ScriptedServer()
const warnings: string[] = []
const log: Log = { debug: () => undefined, info: () => undefined, warning: (message: string) => void warnings.push(message), isDebug: () => false }

function client() {
  return createClient({ token: 'ghs_unit', apiUrl: server.url, log, timing: { writeIntervalMs: 0, retryUnitMs: UNIT } })
}

serveForTests(server, () => {
  warnings.length = 0
})

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

  it('retries a 5xx after about one retry unit (a second on GitHub), even when earlier requests of the client failed', async () => {
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
    expect(waited).toBeGreaterThanOrEqual(0.9 * UNIT)
    expect(waited).toBeLessThan(2.5 * UNIT)
  })

  it('backs off 1, 4 and 9 retry units over three retries of a 5xx, then gives up', async () => {
    server.on('POST /repos/carto/fork/pulls', { status: 502, body: { message: 'Server Error' } })
    const octokit = createClient({ token: 'ghs_unit', apiUrl: server.url, log, timing: { writeIntervalMs: 0, retryUnitMs: 10 } })
    await expect(octokit.rest.pulls.create({ ...fork, head: 'x', base: 'carto/main', title: 't' })).rejects.toMatchObject({ status: 502 })
    const at = server.seen.map((entry) => entry.at)
    expect(at).toHaveLength(4)
    const gaps = at.slice(1).map((time, index) => time - (at[index] ?? 0))
    expect(gaps.map((gap) => gap >= 9)).toEqual([true, true, true])
    // 1 + 4 + 9 units: the whole back-off of a request that never succeeds is 140 ms here, 14 s on GitHub.
    expect((at[3] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(0.9 * 140)
  })

  it('spaces writes that notify people by three write intervals, and not at all when the interval is 0', async () => {
    server.on('POST /repos/carto/fork/issues/7/comments', { status: 201, body: { id: 1, body: 'x' } })
    const spaced = createClient({ token: 'ghs_unit', apiUrl: server.url, log, timing: { writeIntervalMs: 100, retryUnitMs: UNIT } })
    // The limiter spaces the *starts* of requests; a loaded machine can delay the first one's arrival at the server,
    // so the gap is measured from before the first request was started to the second one's arrival.
    const firstStarted = performance.now()
    for (let i = 0; i < 2; i++) await spaced.rest.issues.createComment({ ...fork, issue_number: 7, body: 'x' })
    const unspaced = client()
    for (let i = 0; i < 2; i++) await unspaced.rest.issues.createComment({ ...fork, issue_number: 7, body: 'x' })
    const at = server.seen.map((entry) => entry.at)
    expect((at[1] ?? 0) - firstStarted).toBeGreaterThanOrEqual(300)
    expect((at[3] ?? 0) - (at[2] ?? 0)).toBeLessThan(250)
  })

  it('waits for a secondary rate limit as GitHub asks (retry-after, in retry units), with the real path in the warning', async () => {
    server.on(
      'POST /repos/carto/fork/pulls',
      { status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' } },
      { status: 201, body: PULL }
    )
    const { status } = await client().rest.pulls.create({ ...fork, head: 'x', base: 'carto/main', title: 't' })
    expect(status).toBe(201)
    expect(warnings).toEqual(['GitHub secondary rate limit on POST /repos/carto/fork/pulls; waiting 1s as GitHub asks.'])
    const [first, second] = server.seen
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(0.9 * UNIT)
  })

  it('does not wait an hour for an exhausted primary limit: one request, then the error', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600
    server.on('GET /repos/acme/gateway/git/matching-refs/tags/v', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for installation ID 1.' }
    })
    const api = new GitHubApi(client(), fork, upstream)
    const failure = await api.listUpstreamTags('v').then(
      () => undefined,
      (error: unknown) => error
    )
    expect(failure).toBeInstanceOf(UserError)
    expect((failure as UserError).message).toContain(`the GitHub API rate limit for this token is exhausted; it resets at ${new Date(reset * 1000).toISOString()}.`)
    expect((failure as UserError).kind).toBe('transient')
    expect(server.seen).toHaveLength(1)
    expect(warnings).toEqual([])
  })
})

describe('createClient: a connection the runner settings decide is not retried', () => {
  it('an untrusted certificate fails at the first attempt (a 500 to Octokit, but the same on every attempt), and is named', async () => {
    const tls = await generateTls('127.0.0.1')
    let connections = 0
    const https = createHttpsServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end('{}'))
    https.on('connection', () => connections++)
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = https.address() as AddressInfo
      const api = new GitHubApi(createClient({ token: 'ghs_unit', apiUrl: `https://127.0.0.1:${port}/api/v3`, log, timing: { writeIntervalMs: 0, retryUnitMs: 1 } }), fork, upstream)
      const failure = await api.listUpstreamTags('v').then(
        () => undefined,
        (error: unknown) => error
      )
      expect(failure).toBeInstanceOf(UserError)
      expect(failure).toMatchObject({ kind: 'environment', message: expect.stringContaining(`the certificate of 127.0.0.1:${port} is not trusted by this runner`) })
      expect(connections).toBe(1)
    } finally {
      await new Promise((resolve) => https.close(resolve))
      await fs.rm(tls.dir, { recursive: true, force: true })
    }
  })
})

describe('createClient: response bodies (read with JSON.parse, not json-with-bigint: github/json-body.ts)', () => {
  it('gives JSON as objects, pages as one list, text as text, bytes as bytes and an empty answer as empty, as Octokit would', async () => {
    server
      .on('GET /repos/carto/fork/labels', { status: 200, headers: { link: `<${server.url}/repos/carto/fork/labels2?page=2>; rel="next"` }, body: [{ name: 'a', id: 9007199254740991 }] })
      .on('GET /repos/carto/fork/labels2', { status: 200, body: [{ name: 'b', id: 2 }] })
      .on('GET /repos/carto/fork/readme', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'text' })
      .on('GET /repos/carto/fork/tarball', { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: 'bytes' })
      .on('GET /repos/carto/fork/broken', { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } })
      .on('DELETE /repos/carto/fork/git/refs/heads/x', { status: 204 })
    const octokit = client()
    const labels = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { ...fork, per_page: 100 })
    expect(labels.map((label) => [label.name, label.id])).toEqual([
      ['a', 9007199254740991],
      ['b', 2]
    ])
    expect((await octokit.request('GET /repos/carto/fork/readme')).data).toBe('"text"')
    const bytes = (await octokit.request('GET /repos/carto/fork/tarball')).data as ArrayBuffer
    expect(Buffer.from(bytes).toString()).toBe('"bytes"')
    // A JSON answer that is not JSON (here: empty) comes back as its text, as Octokit gives it.
    expect((await octokit.request('GET /repos/carto/fork/broken')).data).toBe('')
    expect((await octokit.rest.git.deleteRef({ ...fork, ref: 'heads/x' })).status).toBe(204)
  })

  it("leaves a caller's own choice of raw bodies alone", async () => {
    server.on('GET /repos/carto/fork/raw', { status: 200, body: { raw: true } })
    const { data } = await client().request('GET /repos/carto/fork/raw', { request: { parseSuccessResponseBody: false } })
    expect(await new Response(data as ReadableStream).json()).toEqual({ raw: true })
  })
})
