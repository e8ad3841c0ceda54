/**
 * HTTP plumbing shared by the stand-in's API handlers: GitHub-shaped errors, JSON bodies, timestamps and pagination.
 * Errors carry exactly the bodies GitHub sends, so the action's error handling is exercised against the real shapes.
 */
import type { IncomingMessage } from 'node:http'
import type { components } from '@octokit/openapi-types'

export const DOCS_URL = 'https://docs.github.com/rest'

type ValidationItem = NonNullable<components['schemas']['validation-error']['errors']>[number]

/** An API error; `body` is sent as the JSON response. Handlers throw it, the server renders it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {}
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`)
    this.name = 'HttpError'
  }
}

/** GitHub's body for an error without details: `{ message, documentation_url, status }`. */
export function errorBody(status: number, message: string): components['schemas']['basic-error'] {
  return { message, documentation_url: DOCS_URL, status: String(status) }
}

export function notFound(message = 'Not Found'): HttpError {
  return new HttpError(404, errorBody(404, message))
}

/** 422 Validation Failed with GitHub's `errors` array. */
export function validationFailed(errors: ValidationItem[], message = 'Validation Failed'): HttpError {
  const body: components['schemas']['validation-error'] & { status: string } = {
    message,
    errors,
    documentation_url: DOCS_URL,
    status: '422'
  }
  return new HttpError(422, body)
}

/** 422 with a message only, as GitHub answers for git-data validation ("Reference already exists"). */
export function unprocessable(message: string): HttpError {
  return new HttpError(422, errorBody(422, message))
}

export function conflict(message: string): HttpError {
  return new HttpError(409, errorBody(409, message))
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, errorBody(400, message))
}

/** GitHub's timestamp form: ISO 8601 in UTC without milliseconds. */
export function isoNow(): string {
  return isoSeconds(new Date())
}

export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function unixToIso(seconds: number): string {
  return isoSeconds(new Date(seconds * 1000))
}

/** Reads a whole (small) request body. API bodies are JSON documents, never packs. */
export async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new HttpError(413, errorBody(413, 'Request body too large'))
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** Parses a JSON request body; an empty body is `{}` (GitHub accepts a bodiless POST where nothing is required). */
export function parseJson(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {}
  let value: unknown
  try {
    value = JSON.parse(raw.toString('utf8'))
  } catch {
    throw badRequest('Problems parsing JSON')
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('Problems parsing JSON')
  }
  return value as Record<string, unknown>
}

/** Reads an optional string field, rejecting other types the way GitHub does (422 invalid). */
export function optionalString(body: Record<string, unknown>, field: string, resource: string): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') {
    throw validationFailed([{ resource, field, code: 'invalid', message: `${field} is not a string` }])
  }
  return value
}

export function requiredString(body: Record<string, unknown>, field: string, resource: string): string {
  const value = optionalString(body, field, resource)
  if (value === undefined || value === '') {
    throw validationFailed([{ resource, field, code: 'missing_field' }])
  }
  return value
}

export function optionalBoolean(body: Record<string, unknown>, field: string, resource: string): boolean | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') {
    throw validationFailed([{ resource, field, code: 'invalid', message: `${field} is not a boolean` }])
  }
  return value
}

/** Counts characters the way GitHub's length limits do (code points, not UTF-16 units). */
export function charLength(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

export interface Page<T> {
  items: T[]
  /** The `Link` header, absent when everything fits on one page. */
  link?: string
}

/**
 * Cuts `all` into GitHub's pages (`per_page` default 30, at most 100; `page` from 1) and builds the `Link` header with
 * `next`, `last`, `first` and `prev` relations, so Octokit's paginate() walks it like the real API.
 */
export function paginate<T>(all: T[], url: URL, defaults: { perPage?: number; maxPerPage?: number } = {}): Page<T> {
  const maxPerPage = defaults.maxPerPage ?? 100
  const perPage = clampInt(url.searchParams.get('per_page'), defaults.perPage ?? 30, 1, maxPerPage)
  const page = clampInt(url.searchParams.get('page'), 1, 1, Number.MAX_SAFE_INTEGER)
  const items = all.slice((page - 1) * perPage, page * perPage)
  const lastPage = Math.max(1, Math.ceil(all.length / perPage))
  if (lastPage === 1 && page === 1) return { items }
  const linkTo = (p: number): string => {
    const target = new URL(url.href)
    target.searchParams.set('per_page', String(perPage))
    target.searchParams.set('page', String(p))
    return target.href
  }
  const links: string[] = []
  if (page < lastPage) links.push(`<${linkTo(page + 1)}>; rel="next"`, `<${linkTo(lastPage)}>; rel="last"`)
  if (page > 1) links.push(`<${linkTo(1)}>; rel="first"`, `<${linkTo(page - 1)}>; rel="prev"`)
  return { items, link: links.length > 0 ? links.join(', ') : undefined }
}

export function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw.trim() === '') return fallback
  const n = Number.parseInt(raw, 10)
  if (!Number.isFinite(n)) return fallback
  return Math.min(max, Math.max(min, n))
}

/** Splits a comma-separated query parameter (`labels=a,b`) into trimmed, non-empty parts. */
export function csvParam(raw: string | null): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}
