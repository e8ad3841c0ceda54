/**
 * Fault injection: tests register faults that make the next matching requests fail the way GitHub fails (5xx, rate
 * limits, permission errors, refused pushes), or hold them until the test releases them (races without sleeps).
 * Each match consumes one of the fault's `times`.
 */
import { DOCS_URL, badRequest, errorBody } from './http.js'
import type { FaultRecord, FaultSpec, HoldRecord, StandInState } from './state.js'

/**
 * GitHub's answer when building a comparison's diff times out: 500 with this message (the message Octokit reports,
 * e.g. github-changelog-generator/github-changelog-generator#920 "500 - Server Error: Sorry, this diff is taking
 * too long to generate.").
 */
export const DIFF_TOO_LONG_MESSAGE = 'Server Error: Sorry, this diff is taking too long to generate.'

export function diffTooLongBody(): Record<string, unknown> {
  return errorBody(500, DIFF_TOO_LONG_MESSAGE)
}

/**
 * GitHub's 422 on an issue or PR that is not fully created yet: its node does not resolve (KBVE/kbve#8599:
 * "422 Could not resolve to a node" when addLabels runs right after pulls.create).
 */
export function notYetConsistentBody(nodeId: string): Record<string, unknown> {
  return { message: `Could not resolve to a node with the global id of '${nodeId}'.`, documentation_url: DOCS_URL, status: '422' }
}

/** Status, default path and method of the named GitHub failures (their bodies are built when they answer). */
const PRESETS: Record<NonNullable<FaultSpec['preset']>, { status: number; path: string; method?: string }> = {
  'diff-too-long': { status: 500, path: '/compare/', method: 'GET' },
  'not-yet-consistent': { status: 422, path: '^/api/v3/repos/[^/]+/[^/]+/(issues|pulls)/\\d+(/labels(/.*)?|/comments)?$' }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Bad credentials',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  422: 'Validation Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout'
}

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? `HTTP ${status}`
}

/** Validates a fault posted by a test and stores it; the error names the bad field. */
export function addFault(state: StandInState, raw: Record<string, unknown>): FaultRecord {
  const spec = raw as FaultSpec
  if (spec.method !== undefined && typeof spec.method !== 'string') throw badRequest('fault "method" must be a string such as "POST"')
  if (spec.path !== undefined && typeof spec.path !== 'string') throw badRequest('fault "path" must be a regular expression string')
  if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)) {
    throw badRequest('fault "status" must be an HTTP status code (100-599)')
  }
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) throw badRequest('fault "times" must be a positive integer')
  if (spec.git !== undefined && spec.git !== 'push') throw badRequest('fault "git" must be "push" (a refused push)')
  if (spec.delayMs !== undefined && (typeof spec.delayMs !== 'number' || spec.delayMs < 0)) throw badRequest('fault "delayMs" must be a non-negative number')
  if (spec.headers !== undefined && (typeof spec.headers !== 'object' || spec.headers === null)) throw badRequest('fault "headers" must be an object of header names to values')
  if (spec.hold !== undefined && typeof spec.hold !== 'boolean') throw badRequest('fault "hold" must be true (hold matching requests until released)')
  if (spec.preset !== undefined && !(spec.preset in PRESETS)) throw badRequest(`fault "preset" must be one of ${Object.keys(PRESETS).join(', ')}`)
  if (spec.hold && (spec.status !== undefined || spec.git !== undefined || spec.preset !== undefined)) {
    throw badRequest('a "hold" fault serves the request normally once released: it takes no "status", "git" or "preset"')
  }
  if (spec.git === undefined && spec.status === undefined && spec.delayMs === undefined && !spec.hold && spec.preset === undefined) {
    throw badRequest('a fault needs "status" (an HTTP failure), "git": "push" (a refused push), "delayMs" (a slow answer), "hold": true or a "preset"')
  }
  const preset = spec.preset ? PRESETS[spec.preset] : undefined
  if (preset) {
    spec.status ??= preset.status
    spec.path ??= preset.path
    spec.method ??= preset.method
  }
  let regex: RegExp | undefined
  if (spec.path !== undefined) {
    try {
      regex = new RegExp(spec.path)
    } catch (error) {
      throw badRequest(`fault "path" is not a valid regular expression: ${(error as Error).message}`)
    }
  }
  const fault: FaultRecord = { ...spec, id: state.nextId(), remaining: spec.times ?? 1, regex }
  state.faults.push(fault)
  if (fault.hold) state.holds.set(fault.id, { arrived: 0, waiting: [], watchers: [] })
  return fault
}

/** Holds a request matched by a `hold` fault until the test releases it. */
export function holdRequest(state: StandInState, fault: FaultRecord): Promise<void> {
  const hold = state.holds.get(fault.id)
  if (!hold) return Promise.resolve()
  return new Promise<void>((resolve) => {
    hold.waiting.push(resolve)
    hold.arrived += 1
    notifyWatchers(hold)
  })
}

function notifyWatchers(hold: HoldRecord): void {
  hold.watchers = hold.watchers.filter((watcher) => {
    if (hold.arrived < watcher.atLeast) return true
    watcher.resolve()
    return false
  })
}

/** Resolves once `atLeast` requests have been held by the fault (counting released ones), or after `timeoutMs`. */
export async function waitForHeld(state: StandInState, id: number, atLeast: number, timeoutMs: number): Promise<{ arrived: number; waiting: number }> {
  const hold = state.holds.get(id)
  if (!hold) throw badRequest(`no hold fault with id ${id}`)
  if (hold.arrived < atLeast) {
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      hold.watchers.push({ atLeast, resolve })
      timer = setTimeout(resolve, timeoutMs)
    })
    clearTimeout(timer)
  }
  return { arrived: hold.arrived, waiting: hold.waiting.length }
}

/** Lets `count` held requests (all by default) of a hold fault go on, oldest first; returns how many were released. */
export function releaseHeld(state: StandInState, id: number, count?: number): number {
  const hold = state.holds.get(id)
  if (!hold) throw badRequest(`no hold fault with id ${id}`)
  const released = hold.waiting.splice(0, count ?? hold.waiting.length)
  for (const resolve of released) resolve()
  return released.length
}

/** Releases every held request and forgets the holds (clearing faults, closing the stand-in). */
export function releaseAll(state: StandInState): void {
  for (const hold of state.holds.values()) {
    for (const resolve of hold.waiting.splice(0)) resolve()
    for (const watcher of hold.watchers.splice(0)) watcher.resolve()
  }
  state.holds.clear()
}

/**
 * Finds and consumes the first HTTP fault matching the request. Push refusals are taken separately
 * (takePushRefusal), because they answer with a git status report instead of an HTTP error.
 */
export function takeFault(state: StandInState, method: string, path: string): FaultRecord | undefined {
  return take(state, (fault) => fault.git === undefined && matches(fault, method, path))
}

/** Consumes the first push refusal matching a receive-pack request path. */
export function takePushRefusal(state: StandInState, path: string): FaultRecord | undefined {
  return take(state, (fault) => fault.git === 'push' && (fault.regex === undefined || fault.regex.test(path)))
}

function take(state: StandInState, predicate: (fault: FaultRecord) => boolean): FaultRecord | undefined {
  const fault = state.faults.find(predicate)
  if (!fault) return undefined
  fault.remaining -= 1
  if (fault.remaining <= 0) state.faults = state.faults.filter((f) => f !== fault)
  return fault
}

function matches(fault: FaultRecord, method: string, path: string): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) return false
  return fault.regex === undefined || fault.regex.test(path)
}

/** A fault as JSON for `GET /_stand-in/faults` (without the compiled regex). */
export function faultJson(fault: FaultRecord): Record<string, unknown> {
  const { regex: _regex, ...rest } = fault
  return rest
}
