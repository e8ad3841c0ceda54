/**
 * Pure parsers of input values: lists, repository names, booleans, identities, URLs, regular expressions, paths and
 * durations. Each takes the input's name and throws an input UserError that names it and says how to fix the value;
 * none reads the environment or starts a process.
 */
import { inputError } from '../errors.js'
import type { RepoId } from '../types.js'

/** The author and committer of the merge commit (`commit-author`). */
export interface Identity {
  name: string
  email: string
}

/** Comma- and/or newline-separated list, blanks dropped. */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
}

/** Checklist items, one a line; a leading `- [ ]` or `-` is accepted and dropped. */
export function parseChecklist(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*[-*]\s*(\[[ xX]\]\s*)?/, '').trim())
    .filter((line) => line.length > 0)
}

/** `true`/`yes`/`on` or `false`/`no`/`off`, any case. */
export function parseBoolean(value: string, name: string): boolean {
  if (/^(true|yes|on)$/i.test(value)) return true
  if (/^(false|no|off)$/i.test(value)) return false
  throw inputError(`Input '${name}' must be true or false, got "${value}".`)
}

const REPO_PATTERN = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/

/** `owner/name` (a trailing `.git` is dropped). `what` names the value in the error, e.g. `Input 'upstream-repository'`. */
export function parseRepo(what: string, value: string): RepoId {
  const cleaned = value.replace(/\.git$/, '')
  const match = REPO_PATTERN.exec(cleaned)
  if (!match || cleaned.endsWith('/.') || cleaned.endsWith('/..')) {
    throw inputError(`${what} must be owner/name (for example BerriAI/litellm), got "${value}".`)
  }
  return { owner: match[1] as string, repo: match[2] as string }
}

/** `Name <email@example.com>`. */
export function parseIdentity(value: string, name: string): Identity {
  const match = /^\s*(.+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value)
  if (!match) {
    throw inputError(`Input '${name}' must look like "Name <email@example.com>", got "${value}".`)
  }
  return { name: match[1] as string, email: match[2] as string }
}

/** An http(s) URL. The error never repeats the value: webhook URLs carry their credential in the path. */
export function parseHttpUrl(value: string, name: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw inputError(`Input '${name}' must be an http(s) URL; the value given is not a URL.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw inputError(`Input '${name}' must be an http(s) URL; it uses ${url.protocol}.`)
  }
  return value
}

/** A regular expression (compiled multiline, as the version file is read) with a capture group around the version. */
export function parseVersionRegex(value: string, name: string): string {
  try {
    new RegExp(value, 'm')
  } catch (error) {
    throw inputError(`Input '${name}' is not a valid regular expression: ${(error as Error).message}.`)
  }
  if (!/\((?!\?)/.test(value)) {
    throw inputError(`Input '${name}' needs a capture group around the version, for example ^version\\s*=\\s*"(.+)".`)
  }
  return value
}

/** A repository-relative path: no absolute paths, no `..`, so nothing outside the fork is read. */
export function parseRepoPath(value: string, name: string): string {
  const normalized = value.replace(/^\.\//, '')
  if (normalized === '' || normalized.startsWith('/') || normalized.split('/').includes('..')) {
    throw inputError(`Input '${name}' must be a path inside the repository such as .github/upstream-sync.yml, got "${value}".`)
  }
  return normalized
}

/** A server URL without its trailing slashes. */
export function trimUrl(value: string): string {
  return value.replace(/\/+$/, '')
}

const DURATION_UNITS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000
}
const DURATION_WORDS: Record<string, keyof typeof DURATION_UNITS> = {
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', wk: 'w', wks: 'w', week: 'w', weeks: 'w'
}

/**
 * Parses a duration such as `2d`, `12h`, `90m`, `1w`, `30s`, `1.5d`, or a sum like `1d12h` / `1 day 12 hours`, to
 * milliseconds. `0` is zero. An empty or blank text is `undefined` (no wait).
 * @param inputName names the input in the error message.
 * @throws an input UserError naming the input when the text is not a duration.
 */
export function parseDuration(text: string, inputName = 'min-release-age'): number | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  if (/^0+$/.test(trimmed)) return 0
  const term = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/giy
  let total = 0
  let end = 0
  for (let match = term.exec(trimmed); match; match = term.exec(trimmed)) {
    const unit = DURATION_WORDS[(match[2] ?? '').toLowerCase()]
    if (!unit) break
    total += Number(match[1]) * (DURATION_UNITS[unit] ?? 0)
    end = term.lastIndex
  }
  total = Math.round(total)
  if (end !== trimmed.length || !Number.isSafeInteger(total)) {
    throw inputError(
      `Input '${inputName}' "${trimmed}" is not a duration: use a number and a unit (s, m, h, d or w), e.g. 2d, 12h or 90m`
    )
  }
  return total
}

/** A duration in the largest whole units, for messages: `2d`, `1d 12h`, `90m` → `1h 30m`. */
export function formatDuration(ms: number): string {
  const parts: string[] = []
  let rest = Math.round(ms / 1000) * 1000
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit] ?? 1
    const count = Math.floor(rest / size)
    if (count > 0) parts.push(`${count}${unit}`)
    rest -= count * size
  }
  return parts.length > 0 ? parts.join(' ') : '0s'
}
