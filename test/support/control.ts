/**
 * Client of the stand-in for tests: its REST API with the token (`api`) or as a repository's owner (`asOwner`), and
 * its test controls (request log, faults and held requests, settings, git traffic, dispatches). Works the same
 * against an in-process stand-in and one started with the CLI, over HTTP or HTTPS (`caFile`).
 */
import { promises as fs } from 'node:fs'
import https from 'node:https'
import type { FaultSpec, RequestLogEntry, StandInSettings, TrafficCounters, DispatchRecord } from '../stand-in/state.js'

export type { FaultSpec, RequestLogEntry, StandInSettings, TrafficCounters, DispatchRecord }

/** What a client needs to reach a stand-in: `startStandIn()`'s result fits, so does `{ url, apiUrl, token }`. */
export interface StandInEndpoint {
  url: string
  apiUrl: string
  token?: string
  /** The CA of a stand-in served with tls (`StandIn.caFile`). */
  caFile?: string
}

interface Answer {
  status: number
  headers: Headers
  text: string
}

/** One HTTP exchange: fetch, or node's https with the stand-in's CA (fetch cannot be given a CA per request). */
async function send(endpoint: StandInEndpoint, url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  if (!url.startsWith('https:') || endpoint.caFile === undefined) {
    const response = await fetch(url, { method, headers, body })
    return { status: response.status, headers: response.headers, text: await response.text() }
  }
  const ca = await fs.readFile(endpoint.caFile)
  return new Promise<Answer>((resolve, reject) => {
    const request = https.request(url, { method, headers, ca }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        const answerHeaders = new Headers()
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(', ') : value)
        resolve({ status: response.statusCode ?? 0, headers: answerHeaders, text: Buffer.concat(chunks).toString('utf8') })
      })
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(body)
  })
}

export interface ApiResponse<T> {
  status: number
  headers: Headers
  /** Parsed JSON body (null for an empty body such as a 204). */
  data: T
}

/**
 * Calls the stand-in's REST API and never throws on an HTTP error status (tests assert on it).
 * `path` is relative to the API root (`/repos/o/r/pulls`) or a full URL (a `Link` header's next page).
 * The token defaults to the stand-in's; pass `token: null` to send none.
 */
// Tests read arbitrary GitHub JSON; `any` by default keeps them free of casts, callers may pass a precise type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function api<T = any>(standIn: StandInEndpoint, method: string, path: string, body?: unknown, options: { token?: string | null } = {}): Promise<ApiResponse<T>> {
  const token = options.token === undefined ? standIn.token : options.token
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }
  if (token) headers.authorization = `token ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const url = /^https?:\/\//.test(path) ? path : `${standIn.apiUrl}${path.startsWith('/') ? '' : '/'}${path}`
  const response = await send(standIn, url, method, headers, body === undefined ? undefined : JSON.stringify(body))
  return { status: response.status, headers: response.headers, data: (response.text === '' ? null : JSON.parse(response.text)) as T }
}

/**
 * Calls the REST API as the owner of the repository it addresses (`/_stand-in/as-owner/<path>`): no token, no
 * permission model, drafts visible, writes attributed to the owner. For test setup such as publishing upstream's
 * releases or drafts. Never throws on an HTTP error status.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function asOwner<T = any>(standIn: StandInEndpoint, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await send(standIn, `${standIn.url}/_stand-in/as-owner${path.startsWith('/') ? '' : '/'}${path}`, method, headers, body === undefined ? undefined : JSON.stringify(body))
  return { status: response.status, headers: response.headers, data: (response.text === '' ? null : JSON.parse(response.text)) as T }
}

async function controlCall<T>(standIn: StandInEndpoint, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
  const response = await send(standIn, `${standIn.url}/_stand-in${path}`, method, headers, body === undefined ? undefined : JSON.stringify(body))
  if (response.status < 200 || response.status > 299) throw new Error(`stand-in control ${method} ${path} failed with ${response.status}: ${response.text}`)
  return (response.text === '' ? undefined : JSON.parse(response.text)) as T
}

/** The requests served so far: API requests by default, `'git'` or `'all'` for the others. */
export function requestLog(standIn: StandInEndpoint, kind: 'api' | 'git' | 'all' = 'api'): Promise<RequestLogEntry[]> {
  return controlCall(standIn, 'GET', `/requests?kind=${kind}`)
}

/** Clears the request log and the git traffic counters. */
export async function resetLog(standIn: StandInEndpoint): Promise<void> {
  await controlCall(standIn, 'POST', '/reset-log')
}

/** Registers a fault (see FaultSpec): the next matching requests fail that way. */
export function addFault(standIn: StandInEndpoint, fault: FaultSpec): Promise<FaultSpec & { id: number; remaining: number }> {
  return controlCall(standIn, 'POST', '/faults', fault)
}

/** Faults not consumed yet. */
export function pendingFaults(standIn: StandInEndpoint): Promise<(FaultSpec & { id: number; remaining: number })[]> {
  return controlCall(standIn, 'GET', '/faults')
}

/** Removes every pending fault and lets every held request go on. */
export async function clearFaults(standIn: StandInEndpoint): Promise<void> {
  await controlCall(standIn, 'DELETE', '/faults')
}

/** Requests held by a `hold` fault, for races without sleeps: wait until they arrived, then release them. */
export interface Hold {
  id: number
  /** Resolves once `count` (default 1) matching requests have arrived and are held (released ones count too). */
  arrived(count?: number, timeoutMs?: number): Promise<void>
  /** Lets the held requests (or the oldest `count`) go on; resolves to how many were released. */
  release(count?: number): Promise<number>
}

/**
 * Holds the next `times` (default 1) requests matching `method` and `path` (a regular expression, as for faults)
 * until released, e.g. `const hold = await holdRequests(s, { method: 'POST', path: '/pulls$' })`, start the run,
 * `await hold.arrived()`, act, `await hold.release()`.
 */
export async function holdRequests(standIn: StandInEndpoint, match: { method?: string; path?: string; times?: number }): Promise<Hold> {
  const fault = await addFault(standIn, { ...match, hold: true })
  return {
    id: fault.id,
    arrived: async (count = 1, timeoutMs = 30_000) => {
      const state = await controlCall<{ arrived: number }>(standIn, 'GET', `/faults/${fault.id}/held?atLeast=${count}&timeoutMs=${timeoutMs}`)
      if (state.arrived < count) throw new Error(`stand-in: only ${state.arrived} of ${count} requests matching ${JSON.stringify(match)} arrived within ${timeoutMs} ms`)
    },
    release: async (count?: number) => (await controlCall<{ released: number }>(standIn, 'POST', `/faults/${fault.id}/release`, count === undefined ? {} : { count })).released
  }
}

/**
 * Changes the stand-in's run-time settings (compare's diff limit, the eventual-consistency window, the dispatch
 * trigger check); `null` switches one off. Resolves to the settings now in force.
 */
export function configure(standIn: StandInEndpoint, settings: { [K in keyof StandInSettings]?: StandInSettings[K] | null }): Promise<StandInSettings> {
  return controlCall(standIn, 'POST', '/settings', settings)
}

export interface GitTraffic {
  total: TrafficCounters
  /** By `owner/name` as spelled on disk. */
  repos: Record<string, TrafficCounters>
}

/** Git bytes and requests since the last reset, per repository and in total. */
export function gitTraffic(standIn: StandInEndpoint): Promise<GitTraffic> {
  return controlCall(standIn, 'GET', '/git-traffic')
}

/** Workflow dispatches received (`POST .../actions/workflows/{id}/dispatches`). */
export function dispatches(standIn: StandInEndpoint): Promise<DispatchRecord[]> {
  return controlCall(standIn, 'GET', '/dispatches')
}

/** Forgets the issues, pull requests and comments of one repository (or all); labels and releases stay. */
export async function resetState(standIn: StandInEndpoint, repo?: string): Promise<void> {
  await controlCall(standIn, 'POST', '/reset-state', repo ? { repo } : {})
}
