/**
 * Fault injection: tests register faults that make the next matching requests fail the way GitHub fails (5xx, rate
 * limits, permission errors, refused pushes). Each match consumes one of the fault's `times`.
 */
import { badRequest } from './http.js'
import type { FaultRecord, FaultSpec, StandInState } from './state.js'

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
  if (spec.git === undefined && spec.status === undefined && spec.delayMs === undefined) {
    throw badRequest('a fault needs "status" (an HTTP failure), "git": "push" (a refused push) or "delayMs" (a slow answer)')
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
  return fault
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
