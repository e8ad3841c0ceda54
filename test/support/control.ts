/**
 * Client of the stand-in for tests: its REST API with the token (`api`) and its test controls (request log, faults,
 * git traffic, dispatches). Works the same against an in-process stand-in and one started with the CLI.
 */
import type { FaultSpec, RequestLogEntry, TrafficCounters, DispatchRecord } from '../stand-in/state.js'

export type { FaultSpec, RequestLogEntry, TrafficCounters, DispatchRecord }

/** What a client needs to reach a stand-in: `startStandIn()`'s result fits, so does `{ url, apiUrl, token }`. */
export interface StandInEndpoint {
  url: string
  apiUrl: string
  token?: string
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
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, headers: response.headers, data: (text === '' ? null : JSON.parse(text)) as T }
}

async function controlCall<T>(standIn: StandInEndpoint, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${standIn.url}/_stand-in${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`stand-in control ${method} ${path} failed with ${response.status}: ${text}`)
  return (text === '' ? undefined : JSON.parse(text)) as T
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

export async function clearFaults(standIn: StandInEndpoint): Promise<void> {
  await controlCall(standIn, 'DELETE', '/faults')
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
