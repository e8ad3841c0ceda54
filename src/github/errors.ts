/**
 * GitHub's failures translated into the action's error model: a UserError whose kind says what kind of problem it is
 * (the token's permissions, a transient failure of GitHub) and whose message names the fix (a permission, a setting,
 * a token). The Octokit error stays attached as `cause`, so its status remains readable without parsing any text.
 */
import { UserError } from '../errors.js'

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
 * own failures (5xx, which is also how Octokit reports a network error) are `transient`. Any other answer (a 404 or
 * 422 the caller did not expect) is not something a user can act on, so it stays a plain Error, with its cause.
 */
export function explain(error: unknown, action: string): Error {
  if (error instanceof UserError) return error
  if (!isRequestError(error)) return error instanceof Error ? error : new Error(String(error))
  const text = errorText(error)
  const method = (error.request?.method ?? 'GET').toUpperCase()
  const url = error.request?.url ?? ''
  const headers = error.response?.headers ?? {}
  const status = error.status
  if (status === 401) {
    return failure(
      'permission',
      `Could not ${action}: GitHub rejected the token (401 ${text}).`,
      "Check the 'github-token' input: the secret may be expired, revoked or empty.",
      error
    )
  }
  if ((status === 403 || status === 429) && String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset'])
    const when = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : 'later'
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
