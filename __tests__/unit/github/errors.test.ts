/** How GitHub's errors become UserErrors of the right kind whose messages name the fix. */
import { describe, expect, it } from '@jest/globals'
import { UserError } from '../../../src/errors.js'
import { errorText, explain } from '../../../src/github/errors.js'

/** A request error as Octokit throws it. */
function requestError(status: number, data: unknown, request: { method: string; url: string }, headers: Record<string, string> = {}) {
  return Object.assign(new Error((data as { message?: string }).message ?? `HTTP ${status}`), { status, response: { headers, data }, request })
}

describe('explain', () => {
  const pulls = { method: 'POST', url: 'https://api.github.com/repos/carto/fork/pulls' }

  it('names github-token on a 401', () => {
    const error = explain(requestError(401, { message: 'Bad credentials' }, pulls), 'open the sync PR')
    expect(error).toBeInstanceOf(UserError)
    expect(error).toMatchObject({ kind: 'permission', fix: "Check the 'github-token' input: the secret may be expired, revoked or empty." })
    expect(error.message).toBe("Could not open the sync PR: GitHub rejected the token (401 Bad credentials). Check the 'github-token' input: the secret may be expired, revoked or empty.")
  })

  it.each([
    ['POST', 'https://api.github.com/repos/carto/fork/pulls', 'pull-requests: write'],
    ['PATCH', 'https://api.github.com/repos/carto/fork/pulls/7', 'pull-requests: write'],
    ['DELETE', 'https://api.github.com/repos/carto/fork/git/refs/heads/upstream-sync%2Fv1', 'contents: write'],
    ['PUT', 'https://api.github.com/repos/carto/fork/contents/x.md', 'contents: write'],
    ['POST', 'https://api.github.com/repos/carto/fork/actions/workflows/ci.yml/dispatches', 'actions: write']
  ])('names the missing permission for 403 "Resource not accessible by integration" on %s %s', (method, url, permission) => {
    const error = explain(requestError(403, { message: 'Resource not accessible by integration' }, { method, url }), 'do it')
    expect(error.message).toContain(`The token lacks the '${permission}' permission: add it under \`permissions:\` in the workflow`)
  })

  it('names the repository setting when Actions may not create pull requests', () => {
    const error = explain(requestError(403, { message: 'GitHub Actions is not permitted to create or approve pull requests.' }, pulls), 'open the sync PR')
    expect(error.message).toContain('Could not open the sync PR: GitHub Actions is not permitted to create or approve pull requests. Enable it in the fork')
    expect(error.message).toContain('Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests"')
  })

  it('gives the reset time of an exhausted primary limit, and "later" when GitHub sent none', () => {
    const withReset = explain(requestError(403, { message: 'API rate limit exceeded' }, pulls, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1767225600' }), 'x')
    expect(withReset.message).toContain('it resets at 2026-01-01T00:00:00.000Z.')
    const without = explain(requestError(429, { message: 'API rate limit exceeded' }, pulls, { 'x-ratelimit-remaining': '0' }), 'x')
    expect(without.message).toContain('it resets at later.')
  })

  it("keeps GitHub's 422 reasons from errors[]", () => {
    const error = requestError(422, { message: 'Validation Failed', errors: [{ message: 'No commits between a and b' }, { code: 'invalid', field: 'head' }] }, pulls)
    expect(errorText(error)).toBe('Validation Failed: No commits between a and b: invalid head')
    expect(explain(error, 'open the PR').message).toBe('Could not open the PR: GitHub answered 422 Validation Failed: No commits between a and b: invalid head')
  })

  it('passes other errors through', () => {
    const plain = new Error('socket hang up')
    expect(explain(plain, 'x')).toBe(plain)
    expect(explain('text', 'x').message).toBe('text')
  })

  it('passes a UserError through unchanged', () => {
    const error = new UserError('input', "target branch x not found in carto/fork. Check 'target-branch'.")
    expect(explain(error, 'x')).toBe(error)
  })

  it.each([
    [403, 'Resource not accessible by integration', 'permission', {}],
    [403, 'GitHub Actions is not permitted to create or approve pull requests.', 'permission', {}],
    [403, 'Must have admin rights to Repository.', 'permission', {}],
    [403, 'API rate limit exceeded', 'transient', { 'x-ratelimit-remaining': '0' }],
    [403, 'You have exceeded a secondary rate limit.', 'transient', {}],
    [429, 'Too many requests', 'transient', {}],
    [500, 'fetch failed', 'transient', {}],
    [502, 'Server Error', 'transient', {}]
  ])('makes a %i "%s" a UserError of kind %s, keeping the request error as its cause', (status, message, kind, headers) => {
    const original = requestError(status, { message }, pulls, headers as Record<string, string>)
    const error = explain(original, 'open the PR')
    expect(error).toBeInstanceOf(UserError)
    expect(error).toMatchObject({ kind, cause: original })
  })

  it('names the permission in the fix, apart from the message', () => {
    const error = explain(requestError(403, { message: 'Resource not accessible by integration' }, pulls), 'open the PR') as UserError
    expect(error.message).toBe(`Could not open the PR: Resource not accessible by integration. ${error.fix}`)
    expect(error.fix).toContain("The token lacks the 'pull-requests: write' permission")
  })

  it('keeps an answer no user can act on (an unexpected 404 or 422) a plain error, with the status on its cause', () => {
    const error = explain(requestError(422, { message: 'Validation Failed' }, pulls), 'open the PR')
    expect(error).not.toBeInstanceOf(UserError)
    expect(error.message).toBe('Could not open the PR: GitHub answered 422 Validation Failed')
    expect(error.cause).toMatchObject({ status: 422 })
  })
})

/** A request that got no answer, as Octokit's fetch wrapper reports it: status 500, no response, the cause chained. */
function connectionError(code: string, message: string, url = 'https://ghe.example.com/api/v3/repos/carto/fork/pulls') {
  const socket = Object.assign(new Error(message), { code })
  const fetchFailed = new TypeError('fetch failed', { cause: socket })
  return Object.assign(new Error(message), { status: 500, request: { method: 'GET', url }, cause: fetchFailed })
}

describe('explain: a request that never got an answer (Octokit says 500)', () => {
  it.each([
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate']
  ])('%s: the certificate is not trusted, on which host, and the CA variables that fix it', (code, message) => {
    const error = explain(connectionError(code, message), 'list upstream tags') as UserError
    expect(error).toMatchObject({ kind: 'environment' })
    expect(error.message).toContain(`Could not list upstream tags: the certificate of ghe.example.com is not trusted by this runner (${code}: ${message}).`)
    expect(error.fix).toContain('NODE_EXTRA_CA_CERTS')
    expect(error.fix).toContain('GIT_SSL_CAINFO')
    expect(error.message).not.toContain('GitHub answered 500')
  })

  it('an expired certificate says so', () => {
    const error = explain(connectionError('CERT_HAS_EXPIRED', 'certificate has expired'), 'x') as UserError
    expect(error).toMatchObject({ kind: 'environment' })
    expect(error.message).toContain('the certificate of ghe.example.com is out of date (CERT_HAS_EXPIRED')
  })

  it('a refused connection names the host and the setting of its address', () => {
    const error = explain(connectionError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'), 'list upstream tags', { apiSetting: "'upstream-api-url'" }) as UserError
    expect(error).toMatchObject({ kind: 'environment' })
    expect(error.message).toContain('ghe.example.com refused the connection (ECONNREFUSED')
    expect(error.fix).toContain("'upstream-api-url'")
  })

  it('an unknown host name names the host and GITHUB_API_URL for the fork', () => {
    const error = explain(connectionError('ENOTFOUND', 'getaddrinfo ENOTFOUND gthub.example', 'https://gthub.example/api/v3/x'), 'read the fork repository') as UserError
    expect(error).toMatchObject({ kind: 'environment' })
    expect(error.message).toContain('the host name gthub.example does not resolve (ENOTFOUND')
    expect(error.fix).toContain('GITHUB_API_URL')
  })

  it('finds the code in an AggregateError (every address refused)', () => {
    const aggregate = Object.assign(new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:443'), { code: 'ECONNREFUSED' })], ''), {})
    const error = Object.assign(new Error('Unknown Error'), { status: 500, request: { method: 'GET', url: 'https://h.example/api' }, cause: new TypeError('fetch failed', { cause: aggregate }) })
    expect(explain(error, 'x')).toMatchObject({ kind: 'environment', message: expect.stringContaining('h.example refused the connection') })
  })

  it('a reset connection stays transient', () => {
    expect(explain(connectionError('ECONNRESET', 'socket hang up'), 'x')).toMatchObject({ kind: 'transient' })
  })

  it('a real 500 answer from GitHub stays "GitHub answered 500"', () => {
    const answered = Object.assign(new Error('Server Error'), { status: 500, response: { headers: {}, data: { message: 'Server Error' } }, request: pullsRequest, cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })
    expect(explain(answered, 'x').message).toContain('GitHub answered 500 Server Error')
  })
})

const pullsRequest = { method: 'POST', url: 'https://api.github.com/repos/carto/fork/pulls' }

describe('explain: the upstream side names its own inputs', () => {
  it('a 401 names upstream-token', () => {
    const error = explain(requestError(401, { message: 'Bad credentials' }, pullsRequest), 'list upstream tags', { tokenInput: 'upstream-token', apiSetting: "'upstream-api-url'" })
    expect(error.message).toContain("Check the 'upstream-token' input")
  })

  it('an anonymous 401 asks for upstream-token', () => {
    const error = explain(requestError(401, { message: 'Requires authentication' }, pullsRequest), 'list upstream tags', { apiSetting: "'upstream-api-url'" })
    expect(error.message).toContain("Pass one that can read the upstream as 'upstream-token'.")
  })

  it("an anonymous exhausted rate limit asks for upstream-token, github.com's 60 an hour being the cause", () => {
    const error = explain(requestError(403, { message: 'API rate limit exceeded' }, pullsRequest, { 'x-ratelimit-remaining': '0' }), 'x', { apiSetting: "'upstream-api-url'" })
    expect(error).toMatchObject({ kind: 'transient' })
    expect(error.message).toContain('60 an hour')
    expect(error.message).toContain("Pass 'upstream-token'")
  })
})
