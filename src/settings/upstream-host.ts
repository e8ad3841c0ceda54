/**
 * Where the upstream lives. By default on the fork's own server, read with the fork's token; with
 * `upstream-server-url` on another one (most often: a fork on GitHub Enterprise Server following a project on
 * github.com), read through that server's API with `upstream-token` or with no token at all. Pure: the values come
 * from the inputs and the runner's environment, and every problem is an input error that names the input.
 */
import { inputError } from '../errors.js'
import { trimUrl } from './parse.js'

export interface UpstreamHost {
  /** Web and git root of the upstream's server, without a trailing slash. */
  serverUrl: string
  /** REST API root of the upstream's server. */
  apiUrl: string
  /** Undefined: the upstream is read anonymously (no Authorization header at all). */
  token?: string
  /** The upstream is on the fork's server: the same host, so the same token by default. */
  sameServer: boolean
}

/** A URL of an http(s) server, without query, fragment or credentials; `name` is the input, for the message. */
function parseServerAddress(value: string, name: string, example: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw inputError(`Input '${name}' must be an http(s) URL such as ${example}, got "${value}".`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw inputError(`Input '${name}' must be an http(s) URL such as ${example}; it uses ${url.protocol}.`)
  // Never echo a value that carries a credential.
  if (url.username || url.password) throw inputError(`Input '${name}' must not carry credentials; pass the token as 'upstream-token' (from a secret).`)
  if (url.search || url.hash) throw inputError(`Input '${name}' must be the server's address only (no ?query or #fragment), such as ${example}, got "${value}".`)
  return url
}

/** `upstream-server-url`: the upstream server's web address, e.g. https://github.com. */
export function parseUpstreamServerUrl(value: string, name: string): string {
  const url = parseServerAddress(value, name, 'https://github.com')
  const trimmed = trimUrl(url.href)
  if (/^api\.(github\.com|[a-z0-9-]+\.ghe\.com)$/i.test(url.hostname) || /\/api\/v3$/i.test(trimmed)) {
    throw inputError(
      `Input '${name}' is an API address (${trimmed}); give the server's web address (for example https://github.com or https://ghe.example.com), and the API root as 'upstream-api-url' only if it is not the usual one.`
    )
  }
  return trimmed
}

/** `upstream-api-url`: the upstream server's REST API root, e.g. https://api.github.com. */
export function parseUpstreamApiUrl(value: string, name: string): string {
  const url = parseServerAddress(value, name, 'https://api.github.com')
  const trimmed = trimUrl(url.href)
  if (isGitHubDotCom(trimmed)) {
    throw inputError(`Input '${name}' is github.com's web address; its API is https://api.github.com (the default for upstream-server-url: https://github.com, so leave '${name}' empty).`)
  }
  return trimmed
}

/** github.com itself (not an Enterprise server), whose API lives on its own host. */
export function isGitHubDotCom(serverUrl: string): boolean {
  return /^https:\/\/(www\.)?github\.com$/i.test(trimUrl(serverUrl))
}

/**
 * The API root GitHub gives a server: https://api.github.com for github.com, `https://api.<name>.ghe.com` for
 * GitHub Enterprise Cloud with data residency, `<server>/api/v3` for Enterprise Server.
 */
export function defaultApiUrl(serverUrl: string): string {
  if (isGitHubDotCom(serverUrl)) return 'https://api.github.com'
  const url = new URL(serverUrl)
  if (url.protocol === 'https:' && /^[a-z0-9-]+\.ghe\.com$/i.test(url.hostname) && trimUrl(url.pathname) === '') return `https://api.${url.host.toLowerCase()}`
  return `${trimUrl(serverUrl)}/api/v3`
}

/** Two server addresses that name the same server (scheme, host and port compared without case; default ports). */
export function sameServer(a: string, b: string): boolean {
  const key = (value: string): string => {
    const url = new URL(value)
    const host = url.hostname.toLowerCase().replace(/^www\.github\.com$/, 'github.com')
    return `${url.protocol}//${host}:${url.port}${trimUrl(url.pathname)}`
  }
  try {
    return key(a) === key(b)
  } catch {
    return trimUrl(a).toLowerCase() === trimUrl(b).toLowerCase()
  }
}

/**
 * The upstream's host from the three inputs (already parsed; undefined = blank) and the fork's server, API and token.
 * The fork's token goes only to the fork's server: on another server the upstream is read with `upstream-token` or
 * anonymously.
 */
export function resolveUpstreamHost(
  given: { serverUrl?: string | undefined; apiUrl?: string | undefined; token?: string | undefined },
  fork: { serverUrl: string; apiUrl: string; token: string }
): UpstreamHost {
  if (given.serverUrl === undefined) {
    if (given.apiUrl !== undefined) {
      throw inputError(
        "Input 'upstream-api-url' is set without 'upstream-server-url'. For an upstream on another server set 'upstream-server-url' to its web address (for example https://github.com; the API root then follows), or remove 'upstream-api-url' to read the upstream from the fork's own server."
      )
    }
    return { serverUrl: fork.serverUrl, apiUrl: fork.apiUrl, token: given.token ?? fork.token, sameServer: true }
  }
  const same = sameServer(given.serverUrl, fork.serverUrl)
  const apiUrl = given.apiUrl ?? (same ? fork.apiUrl : defaultApiUrl(given.serverUrl))
  const token = given.token ?? (same ? fork.token : undefined)
  return { serverUrl: same ? fork.serverUrl : given.serverUrl, apiUrl, ...(token !== undefined ? { token } : {}), sameServer: same }
}
