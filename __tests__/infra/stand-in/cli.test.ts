/** The stand-in's command line: the listening line, serving, argument errors and a graceful stop. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { REPO_ROOT } from '../../../test/support/action.js'
import { api } from '../../../test/support/control.js'
import { createUpstream } from '../../../test/support/repos.js'

let root: string

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'stand-in-cli-'))
  await createUpstream(root)
})

afterAll(async () => {
  for (const child of started) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    if (child.spawnargs[0] === 'npx') stopGroup(child)
    else child.kill('SIGKILL')
  }
  await fs.rm(root, { recursive: true, force: true })
})

const started: ChildProcessWithoutNullStreams[] = []

/**
 * Starts the CLI the way `npm run stand-in` does (npx tsx), in its own process group: npx and tsx do not pass
 * signals on, so the test stops the whole group it started.
 */
function startCli(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn('npx', ['tsx', 'test/stand-in/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '' }, detached: true })
  started.push(child)
  return child
}

/** Starts the CLI as a single node process (tsx as a loader), to see its own exit code. */
function startCliDirect(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/stand-in/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '' } })
  started.push(child)
  return child
}

function stopGroup(child: ChildProcessWithoutNullStreams): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM')
  } catch {
    // The group is already gone.
  }
}

/** Resolves with the first stdout line, or rejects with stderr when the process ends first. */
async function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  const [line = ''] = await firstLines(child, 1)
  return line
}

/** Resolves with the first `count` stdout lines, or rejects with stderr when the process ends first. */
function firstLines(child: ChildProcessWithoutNullStreams, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
      const lines = out.split('\n')
      if (lines.length > count) resolve(lines.slice(0, count))
    })
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    child.on('close', (code) => reject(new Error(`exited with ${code}: ${err}`)))
  })
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe('npm run stand-in', () => {
  it('prints the listening line once it accepts connections and serves until stopped', async () => {
    const child = startCli(['--root', root, '--port', '0', '--token', 'cli-token'])
    const exited = exitOf(child)
    const line = await firstLine(child)
    const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line)
    expect(match).not.toBeNull()
    const url = match?.[1] as string
    const response = await fetch(`${url}/api/v3/repos/acme/gateway`, { headers: { authorization: 'token cli-token' } })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { default_branch: string }).default_branch).toBe('main')
    expect((await fetch(`${url}/api/v3/repos/acme/gateway`)).status).toBe(401)
    stopGroup(child)
    await exited
    await expect(fetch(`${url}/_stand-in/health`)).rejects.toThrow()
  }, 30_000)

  it('closes gracefully on SIGTERM and SIGINT with exit code 0, on a fixed port', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const probe = startCliDirect(['--root', root])
      const port = /:(\d+)$/.exec(await firstLine(probe))?.[1] as string
      probe.kill('SIGTERM')
      await exitOf(probe)
      const child = startCliDirect(['--root', root, '--port', port])
      const exited = exitOf(child)
      expect(await firstLine(child)).toBe(`listening on http://127.0.0.1:${port}`)
      child.kill(signal)
      expect((await exited).code).toBe(0)
    }
  }, 30_000)

  it('fails with a clear message when --root is missing or not a folder', async () => {
    const missing = await exitOf(startCli([]))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--root is required')
    const notThere = await exitOf(startCli(['--root', path.join(root, 'nope')]))
    expect(notThere.code).toBe(2)
    expect(notThere.stderr).toContain('does not exist')
  }, 30_000)

  it('serves HTTPS with the permission model and prints the CA file', async () => {
    const child = startCliDirect(['--root', root, '--token', 'cli-token', '--token-repo', 'acme/gateway', '--permissions', 'contents:read', '--tls', '--compare-diff-limit', '0'])
    const exited = exitOf(child)
    const [listening = '', caLine = ''] = await firstLines(child, 2)
    const url = /^listening on (https:\/\/127\.0\.0\.1:\d+)$/.exec(listening)?.[1] as string
    expect(url).toBeDefined()
    const caFile = /^ca-file (.+)$/.exec(caLine)?.[1] as string
    expect((await fs.readFile(caFile, 'utf8')).startsWith('-----BEGIN CERTIFICATE-----')).toBe(true)
    const endpoint = { url, apiUrl: `${url}/api/v3`, token: 'cli-token', caFile }
    expect((await api(endpoint, 'GET', '/repos/acme/gateway')).status).toBe(200)
    expect((await api(endpoint, 'POST', '/repos/acme/gateway/git/refs', { ref: 'refs/heads/x', sha: '0'.repeat(40) })).status).toBe(403)
    child.kill('SIGTERM')
    expect((await exited).code).toBe(0)
  }, 30_000)

  it('fails with a clear message on a bad permission list', async () => {
    const bad = await exitOf(startCliDirect(['--root', root, '--token-repo', 'acme/gateway', '--permissions', 'pull_requests:write']))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('unknown permission "pull_requests"')
  }, 30_000)
})
