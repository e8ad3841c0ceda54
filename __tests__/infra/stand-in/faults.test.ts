/** Fault injection: HTTP failures on API and git paths, delays, and pushes refused the way GitHub refuses them. */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { addFault, clearFaults, configure, holdRequests, pendingFaults, requestLog, resetLog, type ApiResponse } from '../../../test/support/control.js'
import { git, gitRaw, revParse } from '../../../test/support/repos.js'
import { createScenario, type Scenario } from '../../../test/support/scenario.js'

let s: Scenario
let checkout: string
let auth: string[]

const WORKFLOW_REFUSAL = 'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission'

beforeAll(async () => {
  s = await createScenario()
  auth = ['-c', `http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${s.token}`).toString('base64')}`, '-c', 'user.name=T', '-c', 'user.email=t@example.com']
  checkout = path.join(s.root, 'checkout')
  await git('', [...auth, 'clone', '--quiet', `${s.standIn.url}/carto/gateway-fork.git`, checkout])
})

afterAll(async () => {
  await s.cleanup()
})

afterEach(async () => {
  await clearFaults(s.standIn)
  await resetLog(s.standIn)
  await configure(s.standIn, { compareDiffLimit: null, consistencyWindowMs: null })
})

/** Tracks whether a promise has settled, without waiting for it. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false
  void promise.finally(() => {
    done = true
  })
  return { promise, settled: () => done }
}

describe('API faults', () => {
  it('fails the next matching request once with 500, then serves normally', async () => {
    await addFault(s.standIn, { method: 'GET', path: '/repos/acme/gateway/git/matching-refs/', status: 500 })
    const first = await s.api('GET', '/repos/acme/gateway/git/matching-refs/tags/v')
    expect(first.status).toBe(500)
    expect(first.data).toEqual({ message: 'Internal Server Error', documentation_url: 'https://docs.github.com/rest', status: '500' })
    const second = await s.api('GET', '/repos/acme/gateway/git/matching-refs/tags/v')
    expect(second.status).toBe(200)
    const log = await requestLog(s.standIn)
    expect(log.map((e) => [e.status, e.fault ?? false])).toEqual([
      [500, true],
      [200, false]
    ])
  })

  it('answers a secondary rate limit with its retry-after header and body', async () => {
    const body = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }
    await addFault(s.standIn, { path: '/pulls$', status: 403, headers: { 'retry-after': '1' }, body })
    const limited = await s.api('GET', '/repos/carto/gateway-fork/pulls')
    expect(limited.status).toBe(403)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect(limited.data).toEqual(body)
    expect((await s.api('GET', '/repos/carto/gateway-fork/pulls')).status).toBe(200)
  })

  it('can simulate an exhausted primary limit through headers', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 600)
    await addFault(s.standIn, { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, body: { message: 'API rate limit exceeded for installation ID 1.' } })
    const response = await s.api('GET', '/repos/acme/gateway')
    expect(response.status).toBe(403)
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(response.headers.get('x-ratelimit-reset')).toBe(reset)
  })

  it('matches method and path, counts times, and lists what is pending', async () => {
    await addFault(s.standIn, { method: 'POST', path: '/issues/\\d+/labels$', status: 502, times: 2 })
    expect((await s.api('GET', '/repos/carto/gateway-fork/labels')).status).toBe(200)
    expect(await pendingFaults(s.standIn)).toEqual([expect.objectContaining({ method: 'POST', status: 502, remaining: 2 })])
    const issue = (await s.api('POST', '/repos/carto/gateway-fork/issues', { title: 't' })).data.number
    expect((await s.api('POST', `/repos/carto/gateway-fork/issues/${issue}/labels`, { labels: ['a'] })).status).toBe(502)
    expect((await s.api('POST', `/repos/carto/gateway-fork/issues/${issue}/labels`, { labels: ['a'] })).status).toBe(502)
    expect((await s.api('POST', `/repos/carto/gateway-fork/issues/${issue}/labels`, { labels: ['a'] })).status).toBe(200)
    expect(await pendingFaults(s.standIn)).toEqual([])
  })

  it('delays a request and then serves it normally when no status is given', async () => {
    await addFault(s.standIn, { path: '/repos/acme/gateway$', delayMs: 300 })
    const started = performance.now()
    const response = await s.api('GET', '/repos/acme/gateway')
    expect(response.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(280)
  })

  it('rejects malformed faults with a message naming the field', async () => {
    for (const [fault, field] of [
      [{ path: '(', status: 500 }, '"path"'],
      [{ status: 42 }, '"status"'],
      [{ status: 500, times: 0 }, '"times"'],
      [{ path: 'x' }, '"status"']
    ] as const) {
      const response = await fetch(`${s.standIn.url}/_stand-in/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) })
      expect(response.status).toBe(400)
      expect(((await response.json()) as { message: string }).message).toContain(field)
    }
  })
})

describe('git faults', () => {
  it('fails a fetch with an HTTP error once', async () => {
    await addFault(s.standIn, { path: '\\.git/git-upload-pack$', status: 502 })
    const failed = await gitRaw('', [...auth, 'fetch', 'origin'], { cwd: checkout })
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toContain('502')
    const retried = await gitRaw('', [...auth, 'fetch', 'origin'], { cwd: checkout })
    expect(retried.code).toBe(0)
  })

  it('refuses a push with GitHub message, visible to the git client, and writes nothing', async () => {
    await fs.mkdir(path.join(checkout, '.github/workflows'), { recursive: true })
    await fs.writeFile(path.join(checkout, '.github/workflows/ci.yml'), 'name: changed\n')
    await git('', [...auth, 'commit', '--quiet', '-am', 'touch workflow'], { cwd: checkout })
    await addFault(s.standIn, { git: 'push', message: WORKFLOW_REFUSAL })
    const refused = await gitRaw('', [...auth, 'push', 'origin', 'HEAD:refs/heads/upstream-sync/v1.1.0-stable'], { cwd: checkout })
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain(` ! [remote rejected] HEAD -> upstream-sync/v1.1.0-stable (${WORKFLOW_REFUSAL})`)
    expect(refused.stderr).toContain('error: failed to push some refs')
    expect(await gitRaw(s.fork.dir, ['rev-parse', '--verify', '--quiet', 'refs/heads/upstream-sync/v1.1.0-stable'])).toMatchObject({ code: 1 })
    const log = await requestLog(s.standIn, 'git')
    expect(log.find((e) => e.path.endsWith('/git-receive-pack'))).toMatchObject({ method: 'POST', status: 200, fault: true })

    // The refusal is consumed: the next push goes through.
    const accepted = await gitRaw('', [...auth, 'push', 'origin', 'HEAD:refs/heads/upstream-sync/v1.1.0-stable'], { cwd: checkout })
    expect(accepted.code).toBe(0)
    expect(await revParse(s.fork.dir, 'refs/heads/upstream-sync/v1.1.0-stable')).toBe(await git('', ['rev-parse', 'HEAD'], { cwd: checkout }))
  })

  it('limits a push refusal to a repository path', async () => {
    await addFault(s.standIn, { git: 'push', path: '^/acme/', message: 'only upstream' })
    const pushed = await gitRaw('', [...auth, 'push', 'origin', 'HEAD:refs/heads/elsewhere'], { cwd: checkout })
    expect(pushed.code).toBe(0)
    expect(await pendingFaults(s.standIn)).toHaveLength(1)
  })
})

describe('held requests (races without sleeps)', () => {
  it('holds a matching request until released while others are served', async () => {
    const hold = await holdRequests(s.standIn, { method: 'GET', path: '/repos/acme/gateway$' })
    const held = track(s.api('GET', '/repos/acme/gateway'))
    await hold.arrived()
    // Another request is served while the first one waits.
    expect((await s.api('GET', '/repos/carto/gateway-fork')).status).toBe(200)
    expect(held.settled()).toBe(false)
    expect(await hold.release()).toBe(1)
    expect((await held.promise).status).toBe(200)
    expect((await requestLog(s.standIn)).map((e) => e.path)).toEqual(['/api/v3/repos/carto/gateway-fork', '/api/v3/repos/acme/gateway'])
    // Used up: the next matching request is not held.
    expect((await s.api('GET', '/repos/acme/gateway')).status).toBe(200)
  })

  it('holds several, releases them one by one, and clearing faults lets the rest go', async () => {
    const hold = await holdRequests(s.standIn, { path: '/labels$', times: 3 })
    const first = track(s.api('GET', '/repos/carto/gateway-fork/labels'))
    const second = track(s.api('GET', '/repos/carto/gateway-fork/labels'))
    await hold.arrived(2)
    expect(await hold.release(1)).toBe(1)
    await first.promise
    expect(second.settled()).toBe(false)
    await clearFaults(s.standIn)
    expect((await second.promise).status).toBe(200)
  })

  it('holds git requests too', async () => {
    const hold = await holdRequests(s.standIn, { path: '/git-upload-pack$' })
    const fetch = track(gitRaw('', [...auth, 'fetch', 'origin'], { cwd: checkout }))
    await hold.arrived()
    expect(fetch.settled()).toBe(false)
    await hold.release()
    expect((await fetch.promise).code).toBe(0)
  })

  it('says when the awaited requests did not come', async () => {
    const hold = await holdRequests(s.standIn, { path: '/never$' })
    await expect(hold.arrived(1, 50)).rejects.toThrow(/only 0 of 1 requests/)
  })
})

describe("GitHub's compare failure on big diffs", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const compare = (): Promise<ApiResponse<any>> => s.api('GET', `/repos/carto/gateway-fork/compare/carto/main...${s.upstream.tags['v1.1.0-stable']}?per_page=1`)
  // GitHub's message as Octokit reports it (github-changelog-generator/github-changelog-generator#920).
  const TOO_LONG = { message: 'Server Error: Sorry, this diff is taking too long to generate.', documentation_url: 'https://docs.github.com/rest', status: '500' }

  it('answers 500 once as a preset fault', async () => {
    await addFault(s.standIn, { preset: 'diff-too-long' })
    const failed = await compare()
    expect(failed.status).toBe(500)
    expect(failed.data).toEqual(TOO_LONG)
    expect((await compare()).status).toBe(200)
  })

  it('answers 500 whenever the diff has more files than the limit, whatever the page size', async () => {
    const files = (await compare()).data.files.length
    expect(files).toBeGreaterThan(2)
    expect(await configure(s.standIn, { compareDiffLimit: files - 1 })).toEqual({ compareDiffLimit: files - 1 })
    expect((await compare()).data).toEqual(TOO_LONG)
    await configure(s.standIn, { compareDiffLimit: files })
    expect((await compare()).status).toBe(200)
  })
})

describe('eventual consistency of a new pull request', () => {
  async function openPull(): Promise<{ number: number; node_id: string }> {
    await resetStateOfFork()
    const created = await s.api('POST', '/repos/carto/gateway-fork/pulls', { title: 'sync', head: 'carto/main', base: 'main' })
    expect(created.status).toBe(201)
    return created.data
  }
  async function resetStateOfFork(): Promise<void> {
    await fetch(`${s.standIn.url}/_stand-in/reset-state`, { method: 'POST', body: JSON.stringify({ repo: 'carto/gateway-fork' }) })
  }

  it('answers 422 on label, issue and update calls within the window; the PR itself reads at once', async () => {
    await configure(s.standIn, { consistencyWindowMs: 60_000 })
    const pull = await openPull()
    const labels = await s.api('POST', `/repos/carto/gateway-fork/issues/${pull.number}/labels`, { labels: ['upstream-sync'] })
    expect(labels.status).toBe(422)
    expect(labels.data).toEqual({ message: `Could not resolve to a node with the global id of '${pull.node_id}'.`, documentation_url: 'https://docs.github.com/rest', status: '422' })
    expect((await s.api('PATCH', `/repos/carto/gateway-fork/pulls/${pull.number}`, { body: 'x' })).status).toBe(422)
    expect((await s.api('GET', `/repos/carto/gateway-fork/issues/${pull.number}`)).status).toBe(422)
    expect((await s.api('GET', `/repos/carto/gateway-fork/pulls/${pull.number}`)).status).toBe(200)
    await configure(s.standIn, { consistencyWindowMs: 0 })
    expect((await s.api('POST', `/repos/carto/gateway-fork/issues/${pull.number}/labels`, { labels: ['upstream-sync'] })).status).toBe(200)
  })

  it('answers 422 for the next K calls as a preset fault', async () => {
    const pull = await openPull()
    await addFault(s.standIn, { preset: 'not-yet-consistent', times: 2 })
    for (let i = 0; i < 2; i++) {
      const failed = await s.api('POST', `/repos/carto/gateway-fork/issues/${pull.number}/labels`, { labels: ['a'] })
      expect(failed.status).toBe(422)
      expect(failed.data.message).toBe(`Could not resolve to a node with the global id of '${pull.node_id}'.`)
    }
    expect((await s.api('POST', `/repos/carto/gateway-fork/issues/${pull.number}/labels`, { labels: ['a'] })).status).toBe(200)
  })

  it('rejects unknown or malformed settings', async () => {
    await expect(configure(s.standIn, { compareDiffLimit: -1 })).rejects.toThrow(/non-negative/)
    await expect(configure(s.standIn, { nope: 1 } as never)).rejects.toThrow(/unknown setting .*nope/)
  })
})
