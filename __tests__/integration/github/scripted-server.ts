/**
 * A tiny scripted GitHub on loopback, so the real Octokit plugins run: it answers each `METHOD /path` with its
 * scripted responses and records every request with its time.
 */
import { afterAll, afterEach, beforeAll } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Scripted {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

export interface Seen {
  method: string
  path: string
  at: number
}

/** Answers each `METHOD /path` with its scripted responses in order (the last one repeats), and records requests. */
export class ScriptedServer {
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

export const fork = { owner: 'carto', repo: 'fork' }
export const upstream = { owner: 'acme', repo: 'gateway' }

export const PULL = {
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

/** Serves `server` for the test file's lifetime and clears its script (and whatever `reset` clears) after each test. */
export function serveForTests(server: ScriptedServer, reset: () => void = () => undefined): void {
  beforeAll(() => server.start())
  afterAll(() => server.stop())
  afterEach(() => {
    server.reset()
    reset()
  })
}
