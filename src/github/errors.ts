/**
 * GitHub's failures translated into the action's error model: a UserError whose kind says what kind of problem it is
 * (the token's permissions, a transient failure of GitHub) and whose message names the fix (a permission, a setting,
 * a token). The Octokit error stays attached as `cause`, so its status remains readable without parsing any text.
 */
import { UserError } from '../errors.js'

/**
 * Which side of the run a request was for, so a failure's fix names the right setting: the fork (the runner's
 * GITHUB_API_URL and 'github-token') or an upstream on another server ('upstream-api-url', 'upstream-token').
 */
export interface RequestSide {
  /** The input that gives the request's token; undefined when the request is sent without one. */
  tokenInput?: string
  /** What sets the API address the request went to, for the fix of a connection failure. */
  apiSetting: string
}

export const FORK_SIDE: RequestSide = { tokenInput: 'github-token', apiSetting: 'GITHUB_API_URL (set by the runner)' }

/** The fields of an Octokit RequestError the translation reads. */
export interface RequestErrorLike {
  status: number
  message: string
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown }
  request?: { method?: string; url?: string }
}

export function isRequestError(error: unknown): error is RequestErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
}

/** A 403/429 that is a rate limit (primary or secondary), not a refusal of the permission. */
export function isRateLimited(error: RequestErrorLike): boolean {
  return String(error.response?.headers?.['x-ratelimit-remaining']) === '0' || /rate limit/i.test(errorText(error))
}

/** The HTTP status of a failed request, or undefined for anything else. */
export function statusOf(error: unknown): number | undefined {
  return isRequestError(error) ? error.status : undefined
}

/** GitHub's error text: the message plus each `errors[].message`, which is where 422 puts the real reason. */
export function errorText(error: unknown): string {
  if (!isRequestError(error)) return error instanceof Error ? error.message : String(error)
  const data = error.response?.data as { message?: string; errors?: Array<{ message?: string; code?: string; field?: string }> } | undefined
  const parts = [data?.message ?? error.message]
  for (const item of data?.errors ?? []) {
    const text = item.message ?? [item.code, item.field].filter(Boolean).join(' ')
    if (text) parts.push(text)
  }
  return parts.join(': ')
}

/** Which token permission an endpoint needs, for the 403 "Resource not accessible by integration" message. */
function permissionFor(method: string, url: string): string {
  if (/\/actions\//.test(url)) return 'actions: write'
  if (/\/pulls/.test(url)) return 'pull-requests: write'
  if (/\/(issues|labels)/.test(url)) return 'pull-requests: write (labels and comments on PRs) or issues: write'
  if (/\/(git|contents)\//.test(url) || method !== 'GET') return 'contents: write'
  return 'contents: read'
}

/** GitHub's sentence without its final period, so the advice that follows it does not start after "..". */
function withoutFinalPeriod(text: string): string {
  return text.replace(/\.\s*$/, '')
}

/**
 * A UserError whose message is `problem` followed by `fix`: the message reads as one sentence, as it always has, and
 * the fix is also kept on its own for whoever wants to show it apart.
 */
function failure(kind: UserError['kind'], problem: string, fix: string, cause: unknown): UserError {
  return new UserError(kind, `${problem} ${fix}`, fix, { cause })
}

/**
 * Turns a request error into an error that names the fix. `action` says what was being done ("open the sync PR"), so
 * the message reads as a sentence. A UserError (already explained) and anything that is not a request error pass
 * through unchanged.
 *
 * Kinds: a rejected token or a missing permission is `permission`; an exhausted or secondary rate limit and GitHub's
 * own failures (5xx) are `transient`. A request that got no answer (Octokit reports it as a 500 too) is told apart by
 * its network error: an untrusted certificate, an unknown host or a refused connection is `environment` and names
 * the host and the setting to check; a reset or timed-out connection is `transient`. Any other answer (a 404 or 422
 * the caller did not expect) is not something a user can act on, so it stays a plain Error, with its cause.
 * `side` says which token and address the request used, so the fix names the right input.
 */
export function explain(error: unknown, action: string, side: RequestSide = FORK_SIDE): Error {
  if (error instanceof UserError) return error
  if (!isRequestError(error)) return error instanceof Error ? error : new Error(String(error))
  const text = errorText(error)
  const method = (error.request?.method ?? 'GET').toUpperCase()
  const url = error.request?.url ?? ''
  const headers = error.response?.headers ?? {}
  const status = error.status
  // Octokit reports a request that never got an answer as status 500 with the network error as its cause.
  const connection = error.response === undefined ? connectionFailure(error) : undefined
  if (connection) return explainConnection(connection, action, hostOf(url), side, error)
  if (status === 401) {
    if (side.tokenInput === undefined) {
      return failure('permission', `Could not ${action}: the server wants a token (401 ${text}).`, "Pass one that can read the upstream as 'upstream-token'.", error)
    }
    return failure(
      'permission',
      `Could not ${action}: GitHub rejected the token (401 ${text}).`,
      `Check the '${side.tokenInput}' input: the secret may be expired, revoked or empty.`,
      error
    )
  }
  if ((status === 403 || status === 429) && String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset'])
    const when = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : 'later'
    if (side.tokenInput === undefined) {
      return failure(
        'transient',
        `Could not ${action}: the API rate limit for requests without a token (60 an hour per address on github.com) is exhausted; it resets at ${when}.`,
        "Pass 'upstream-token' (any token of the upstream's server that can read it) so the upstream's reads count against that token's own quota.",
        error
      )
    }
    return failure(
      'transient',
      `Could not ${action}: the GitHub API rate limit for this token is exhausted; it resets at ${when}.`,
      'The next scheduled run will continue, or use a token with its own quota (a GitHub App token).',
      error
    )
  }
  if (status === 403 && /not permitted to create or approve pull requests/i.test(text)) {
    return failure(
      'permission',
      `Could not ${action}: ${withoutFinalPeriod(text)}.`,
      `Enable it in the fork's Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests" (or in the organization's settings), or pass a PAT or GitHub App token as 'github-token'.`,
      error
    )
  }
  if (status === 403 && /resource not accessible by (integration|personal access token)/i.test(text)) {
    return failure(
      'permission',
      `Could not ${action}: ${withoutFinalPeriod(text)}.`,
      `The token lacks the '${permissionFor(method, url)}' permission: add it under \`permissions:\` in the workflow (the example workflow uses contents: write and pull-requests: write), or grant it to the PAT/App.`,
      error
    )
  }
  if (status === 403 && /secondary rate limit/i.test(text)) {
    return failure('transient', `Could not ${action}: GitHub's secondary rate limit persisted after retries (${text}).`, 'Re-run later.', error)
  }
  const message = `Could not ${action}: GitHub answered ${status} ${text}`
  if (status >= 500 || status === 429) return new UserError('transient', message, undefined, { cause: error })
  if (status === 403) return new UserError('permission', message, undefined, { cause: error })
  return new Error(message, { cause: error })
}

/** A request that got no answer: the network error's code (ECONNREFUSED, a TLS verification code…) and message. */
export interface ConnectionFailure {
  code: string
  message: string
}

/** The first `code` along the error's cause chain (and an AggregateError's errors), where Node puts it. */
export function connectionFailure(error: unknown): ConnectionFailure | undefined {
  const seen = new Set<unknown>()
  const queue: unknown[] = [error]
  while (queue.length > 0) {
    const current = queue.shift()
    if (typeof current !== 'object' || current === null || seen.has(current)) continue
    seen.add(current)
    const { code, message, cause, errors } = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
    if (typeof code === 'string' && code !== '') return { code, message: typeof message === 'string' ? message : code }
    queue.push(cause)
    if (Array.isArray(errors)) queue.push(...errors)
  }
  return undefined
}

/** Certificate codes of Node's TLS: the server's chain is not trusted by this runner. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE'
])
const OUT_OF_DATE_CERTIFICATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'])
const NO_SUCH_SERVER = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_TLS_CERT_ALTNAME_INVALID'])

/** A connection failure the runner's settings decide (certificate, host name, address): repeating it cannot help. */
export function isSettingsFailure(code: string): boolean {
  return UNTRUSTED_CERTIFICATE.has(code) || OUT_OF_DATE_CERTIFICATE.has(code) || NO_SUCH_SERVER.has(code)
}
const TIMED_OUT = new Set(['ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT'])

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the API server'
  }
}

/** A connection failure as what is wrong (certificate, refused, unknown host), the host, and what to check. */
function explainConnection(connection: ConnectionFailure, action: string, host: string, side: RequestSide, cause: unknown): UserError {
  const { code } = connection
  const detail = `${code}: ${connection.message}`
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    return failure(
      'environment',
      `Could not ${action}: the certificate of ${host} is not trusted by this runner (${detail}).`,
      `When ${host} (or a TLS-inspecting proxy) uses a private CA, give the runner its CA certificate as a PEM file in NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO or SSL_CERT_FILE (the action's API client and git both read them); otherwise check ${side.apiSetting}.`,
      cause
    )
  }
  if (OUT_OF_DATE_CERTIFICATE.has(code)) {
    return failure('environment', `Could not ${action}: the certificate of ${host} is out of date (${detail}).`, `Renew ${host}'s certificate, or check the runner's clock.`, cause)
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return failure('environment', `Could not ${action}: the certificate of ${host} is not made out to that name (${detail}).`, `Check ${side.apiSetting}: use the host name the certificate names.`, cause)
  }
  if (code === 'ECONNREFUSED') {
    return failure('environment', `Could not ${action}: ${host} refused the connection (${detail}).`, `Check ${side.apiSetting}, that the server is up, and the runner's proxy (HTTPS_PROXY, NO_PROXY).`, cause)
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return failure('environment', `Could not ${action}: the host name ${host} does not resolve (${detail}).`, `Check ${side.apiSetting} for a typo, and that the runner can resolve it (DNS, proxy).`, cause)
  }
  if (TIMED_OUT.has(code)) {
    return failure('transient', `Could not ${action}: the connection to ${host} failed (${detail}).`, 'The next scheduled run will likely get through; if it keeps failing, check the runner\'s network and proxy.', cause)
  }
  return failure('environment', `Could not ${action}: no answer from ${host} (${detail}).`, `Check ${side.apiSetting} and the runner's network and proxy.`, cause)
}
