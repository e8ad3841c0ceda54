/**
 * Git smart HTTP through the real `git http-backend`: clone, partial clone with lazy blob fetches, pushes (streamed,
 * large ones included), protocol v2, gzip request bodies, and the stand-in's byte accounting.
 */
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { gitTraffic, requestLog, resetLog } from '../../../test/support/control.js'
import { commitFiles, git, gitRaw, revParse, setBranch } from '../../../test/support/repos.js'
import { createScenario, type Scenario } from '../../../test/support/scenario.js'

let s: Scenario
let work: string
let authArgs: string[]

/** Runs a git client command the way the action authenticates: an extra header, never a URL with credentials. */
function client(args: string[], cwd?: string): Promise<string> {
  return git('', [...authArgs, ...args], { cwd: cwd ?? work })
}

function clientRaw(args: string[], cwd?: string): ReturnType<typeof gitRaw> {
  return gitRaw('', [...authArgs, ...args], { cwd: cwd ?? work })
}

function pkt(line: string): string {
  return (Buffer.byteLength(line) + 4).toString(16).padStart(4, '0') + line
}

beforeAll(async () => {
  s = await createScenario()
  work = path.join(s.root, 'clients')
  await fs.mkdir(work, { recursive: true })
  const basic = Buffer.from(`x-access-token:${s.token}`).toString('base64')
  authArgs = ['-c', `http.extraheader=AUTHORIZATION: basic ${basic}`, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'protocol.version=2']
})

afterAll(async () => {
  await s.cleanup()
})

beforeEach(async () => {
  await resetLog(s.standIn)
})

describe('git smart HTTP', () => {
  it('clones a repository and counts the fetched bytes', async () => {
    await client(['clone', '--quiet', '--bare', `${s.standIn.url}/carto/gateway-fork.git`, 'full.git'])
    expect(await revParse(path.join(work, 'full.git'), 'refs/heads/carto/main')).toBe(s.fork.targetSha)
    const traffic = await gitTraffic(s.standIn)
    const fork = traffic.repos['carto/gateway-fork']
    expect(fork?.fetchBytes).toBeGreaterThan(1000)
    expect(fork?.fetches).toBeGreaterThanOrEqual(1)
    expect(fork?.pushBytes).toBe(0)
    expect(traffic.total.fetchBytes).toBe(fork?.fetchBytes)
    expect(traffic.total.requests).toBe(fork?.requests)
    const log = await requestLog(s.standIn, 'git')
    expect(log.map((e) => `${e.method} ${e.path} ${e.status} ${e.auth}`)).toContain('POST /carto/gateway-fork.git/git-upload-pack 200 basic')
    // Git requests are not API requests: the default log (what request budgets count) stays empty.
    expect(await requestLog(s.standIn)).toEqual([])
  })

  it('serves partial clones (--filter=blob:none) and fetches missing blobs lazily', async () => {
    await client(['clone', '--quiet', '--bare', '--filter=blob:none', `${s.standIn.url}/acme/gateway.git`, 'partial.git'])
    const repo = path.join(work, 'partial.git')
    const missing = (await client(['--git-dir', repo, 'rev-list', '--objects', '--missing=print', '--all'])).split('\n').filter((l) => l.startsWith('?'))
    expect(missing.length).toBeGreaterThan(5)
    const before = (await gitTraffic(s.standIn)).repos['acme/gateway']
    // Reading a blob that was filtered out makes git fetch it by id from the promisor remote.
    const content = await client(['--git-dir', repo, 'cat-file', '-p', 'v1.1.0-stable:Dockerfile'])
    expect(content).toContain('FROM python:3.12-slim')
    const after = (await gitTraffic(s.standIn)).repos['acme/gateway']
    expect(after?.fetches).toBeGreaterThan(before?.fetches ?? 0)
    expect(after?.fetchBytes).toBeGreaterThan(before?.fetchBytes ?? 0)
  })

  // GitHub keeps a fork network's objects in one store each fork reads (github.blog, "Counting Objects", 2015).
  it("serves a fork its network's objects: an upstream commit the fork's refs do not reach, fetched by id through the fork", async () => {
    const tagCommit = await revParse(s.upstream.dir, 'refs/tags/v1.1.0-stable^{commit}')
    await expect(git(s.fork.dir, ['merge-base', '--is-ancestor', tagCommit, s.fork.targetSha])).rejects.toThrow()
    await client(['init', '--quiet', '--bare', 'by-id.git'])
    const repo = path.join(work, 'by-id.git')
    await client(['--git-dir', repo, 'fetch', '--quiet', '--filter=blob:none', `${s.standIn.url}/carto/gateway-fork.git`, tagCommit])
    expect((await client(['--git-dir', repo, 'cat-file', '-t', tagCommit])).trim()).toBe('commit')
    expect((await gitTraffic(s.standIn)).repos['acme/gateway']).toBeUndefined() // the fork's server answered it
  })

  it('pushes a branch that the API sees at once, and counts pushed bytes', async () => {
    await client(['clone', '--quiet', `${s.standIn.url}/carto/gateway-fork.git`, 'checkout'])
    const dir = path.join(work, 'checkout')
    await fs.writeFile(path.join(dir, 'pushed.txt'), 'hello\n')
    await client(['add', 'pushed.txt'], dir)
    await client(['commit', '--quiet', '-m', 'pushed over http'], dir)
    await resetLog(s.standIn)
    await client(['push', '--quiet', 'origin', 'HEAD:refs/heads/upstream-sync/pushed'], dir)
    const sha = await client(['rev-parse', 'HEAD'], dir)
    expect(await revParse(s.fork.dir, 'refs/heads/upstream-sync/pushed')).toBe(sha)
    const ref = await s.api('GET', '/repos/carto/gateway-fork/git/ref/heads/upstream-sync/pushed')
    expect(ref.data.object.sha).toBe(sha)
    const fork = (await gitTraffic(s.standIn)).repos['carto/gateway-fork']
    expect(fork?.pushes).toBe(1)
    expect(fork?.pushBytes).toBeGreaterThan(100)
    expect(fork?.pushWireBytes).toBe(fork?.pushBytes)
    expect(fork?.fetchBytes).toBe(0)
  })

  it('streams a large push (chunked request body) without trouble', async () => {
    const dir = path.join(work, 'checkout')
    await fs.writeFile(path.join(dir, 'big.bin'), randomBytes(6 * 1024 * 1024))
    await client(['add', 'big.bin'], dir)
    await client(['commit', '--quiet', '-m', 'big file'], dir)
    await resetLog(s.standIn)
    const result = await clientRaw(['push', 'origin', 'HEAD:refs/heads/big'], dir)
    expect(result.stderr).toContain('[new branch]')
    expect(result.code).toBe(0)
    const fork = (await gitTraffic(s.standIn)).repos['carto/gateway-fork']
    expect(fork?.pushBytes).toBeGreaterThan(6 * 1024 * 1024)
  })

  it('speaks protocol v2 and decodes gzip request bodies', async () => {
    const body = pkt('command=ls-refs\n') + pkt('object-format=sha1\n') + '0001' + pkt('symrefs\n') + pkt('ref-prefix refs/heads/\n') + '0000'
    const response = await fetch(`${s.standIn.url}/carto/gateway-fork.git/git-upload-pack`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`x:${s.token}`).toString('base64')}`,
        'content-type': 'application/x-git-upload-pack-request',
        'content-encoding': 'gzip',
        'git-protocol': 'version=2'
      },
      body: gzipSync(Buffer.from(body))
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-git-upload-pack-result')
    const text = await response.text()
    expect(text).toContain(`${s.fork.targetSha} refs/heads/carto/main`)
    const fork = (await gitTraffic(s.standIn)).repos['carto/gateway-fork']
    expect(fork?.receivedBytes).toBe(gzipSync(Buffer.from(body)).length)
    expect(fork?.fetchBytes).toBe(Buffer.byteLength(text))
  })

  it('counts a gzipped push both decoded and on the wire', async () => {
    const sha = await setBranch(s.fork.dir, 'to-delete', s.fork.baseSha)
    const commands = pkt(`${sha} ${'0'.repeat(40)} refs/heads/to-delete\0report-status delete-refs agent=test\n`) + '0000'
    const raw = Buffer.from(commands)
    const gz = gzipSync(raw)
    const response = await fetch(`${s.standIn.url}/carto/gateway-fork.git/git-receive-pack`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`x-access-token:${s.token}`).toString('base64')}`,
        'content-type': 'application/x-git-receive-pack-request',
        'content-encoding': 'gzip'
      },
      body: gz
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('ok refs/heads/to-delete')
    expect(await gitRaw(s.fork.dir, ['rev-parse', '--verify', '--quiet', 'refs/heads/to-delete'])).toMatchObject({ code: 1 })
    const fork = (await gitTraffic(s.standIn)).repos['carto/gateway-fork']
    expect(fork).toMatchObject({ pushes: 1, pushBytes: raw.length, pushWireBytes: gz.length })
  })

  it('answers 404 for unknown repositories and resets the counters on reset-log', async () => {
    const result = await clientRaw(['ls-remote', `${s.standIn.url}/acme/missing.git`])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/not found|404/i)
    await client(['ls-remote', `${s.standIn.url}/acme/gateway`])
    expect((await gitTraffic(s.standIn)).total.requests).toBeGreaterThan(0)
    await resetLog(s.standIn)
    expect(await gitTraffic(s.standIn)).toEqual({
      total: { fetchBytes: 0, pushBytes: 0, pushWireBytes: 0, receivedBytes: 0, sentBytes: 0, requests: 0, fetches: 0, pushes: 0, replayed: 0 },
      repos: {}
    })
  })

  it('sees refs written by API merges and plumbing alike (git and the API agree)', async () => {
    const sha = await commitFiles(s.fork.dir, 'agree', { 'agree.txt': 'x\n' }, 'agree')
    const remote = await client(['ls-remote', `${s.standIn.url}/carto/gateway-fork.git`, 'refs/heads/agree'])
    expect(remote).toBe(`${sha}\trefs/heads/agree`)
    await s.api('DELETE', '/repos/carto/gateway-fork/git/refs/heads/agree')
    expect(await client(['ls-remote', `${s.standIn.url}/carto/gateway-fork.git`, 'refs/heads/agree'])).toBe('')
  })
})
