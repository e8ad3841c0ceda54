/**
 * The one Octokit client of a run: retries of transient failures (5xx, network) and GitHub's rate-limit rules,
 * including the spacing of write requests GitHub asks integrations to keep. Every pause it makes comes from `timing`,
 * so tests run it against a local server without sleeping for real.
 */
import { getOctokit } from '@actions/github'
import { GitHub } from '@actions/github/lib/utils'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'
import { readFileSync } from 'node:fs'
import { rootCertificates } from 'node:tls'
import { Agent, fetch as undiciFetch, ProxyAgent } from 'undici'
import type { Log } from '../runner.js'
import { connectionFailure, errorText, isRequestError, isSettingsFailure } from './errors.js'
import { parseBodiesNatively } from './json-body.js'
import { REAL_TIMING, type Timing } from '../timing.js'

export type Octokit = ReturnType<typeof getOctokit>

export interface ClientOptions {
  /** Undefined: requests carry no Authorization header at all (a public upstream on another server). */
  token: string | undefined
  apiUrl: string
  log: Log
  /** The write spacing and retry waits; GitHub's (one second each) for whatever is not given. */
  timing?: Partial<Timing>
  /**
   * The runner's environment, for its extra CA certificates (`NODE_EXTRA_CA_CERTS`, `GIT_SSL_CAINFO`,
   * `SSL_CERT_FILE`) and proxy (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`): a GitHub Enterprise Server with a private CA, or a TLS-inspecting
   * proxy. Node reads NODE_EXTRA_CA_CERTS only when it starts; this applies them to the run's own requests too.
   */
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * The proxy for requests to `url` from the runner's environment (`HTTPS_PROXY` / `HTTP_PROXY`, lower case too), or
 * undefined when there is none or `NO_PROXY` (host or domain suffix, `*` for all) or a loopback address exempts it.
 */
export function proxyFor(url: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const target = new URL(url)
  const proxy = target.protocol === 'https:' ? env.HTTPS_PROXY || env.https_proxy : env.HTTP_PROXY || env.http_proxy
  if (!proxy) return undefined
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return undefined
  const port = target.port || (target.protocol === 'https:' ? '443' : '80')
  for (const entry of (env.NO_PROXY || env.no_proxy || '').split(',').map((item) => item.trim().toLowerCase())) {
    if (entry === '') continue
    if (entry === '*') return undefined
    const [name = '', entryPort] = entry.split(':')
    const domain = name.replace(/^\*?\./, '')
    if ((host === domain || host.endsWith(`.${domain}`)) && (entryPort === undefined || entryPort === port)) return undefined
  }
  return proxy
}

/**
 * Node's own fetch with a dispatcher that trusts the runner's extra CAs and goes through the proxy for `apiUrl`, or
 * undefined when neither applies. The proxy is chosen per client: @actions/github chooses one for GITHUB_API_URL,
 * which is the wrong choice for an upstream on another server (one server in NO_PROXY, the other not).
 */
function networkFetch(apiUrl: string, env: Readonly<Record<string, string | undefined>>, log: Log): typeof fetch | undefined {
  const pems: string[] = []
  for (const file of new Set([env.NODE_EXTRA_CA_CERTS, env.GIT_SSL_CAINFO, env.SSL_CERT_FILE].filter((value): value is string => !!value))) {
    try {
      pems.push(readFileSync(file, 'utf8'))
    } catch (error) {
      log.debug(`CA file ${file} not read: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const anyProxy = [env.HTTPS_PROXY, env.https_proxy, env.HTTP_PROXY, env.http_proxy].some(Boolean)
  if (pems.length === 0 && !anyProxy) return undefined
  const ca = pems.length > 0 ? [...rootCertificates, ...pems] : undefined
  const proxy = proxyFor(apiUrl, env)
  const dispatcher = proxy ? new ProxyAgent({ uri: proxy, ...(ca ? { requestTls: { ca } } : {}) }) : ca ? new Agent({ connect: { ca } }) : undefined
  // undici's own fetch, the one its Agent and ProxyAgent belong to (and the one Octokit uses without them): node's
  // global fetch is a second copy of undici that would be loaded for the first request (about 20 ms).
  return ((url: string | URL | Request, init?: RequestInit) => undiciFetch(url as Parameters<typeof undiciFetch>[0], (dispatcher ? { ...init, dispatcher } : init) as Parameters<typeof undiciFetch>[1])) as unknown as typeof fetch
}

/**
 * Octokit with retries of transient failures (5xx, network) and GitHub's rate-limit rules. 4xx answers that describe
 * the request itself (400, 401, 403 without rate limit, 404, 409, 422) are never retried: repeating them cannot help,
 * and for 409/422 it could do a write twice.
 */
export function createClient({ token, apiUrl, log, timing = {}, env = {} }: ClientOptions): Octokit {
  const { writeIntervalMs, retryUnitMs } = { ...REAL_TIMING, ...timing }
  const withNetwork = networkFetch(apiUrl, env, log)
  const options = {
    baseUrl: apiUrl,
    // Only with extra CAs or a proxy: otherwise @actions/github's own fetch stays in place.
    ...(withNetwork ? { request: { fetch: withNetwork } } : {}),
    userAgent: 'upstream-sync-action',
    log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log.debug(m), error: (m: string) => log.debug(m) },
    // `retries` belongs here, in the plugin's own options. Given as `request: { retries }` it would be copied into
    // every request, and the plugin retries any failed request that carries a retry count, whatever its status:
    // a 404 would be asked four times and a 422 or 409 write repeated. The back-off is 1, 4, 9 retry units.
    retry: { doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451], retries: 3, retryAfterBaseValue: retryUnitMs },
    throttle: {
      // GitHub's `Retry-After` and rate-limit reset are in seconds: one retry unit each.
      retryAfterBaseValue: retryUnitMs,
      write: new Bottleneck.Group({ id: 'upstream-sync-write', maxConcurrent: 1, minTime: writeIntervalMs }),
      // Writes that notify people (opening a PR, commenting) get the plugin's three-fold spacing, scaled with the
      // write interval: 3 s on GitHub as Octokit does by default, none where the interval is lowered (the stand-in).
      notifications: new Bottleneck.Group({ id: 'upstream-sync-notifications', maxConcurrent: 1, minTime: writeIntervalMs * 3 }),
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        // Waiting for the primary limit to reset can take up to an hour: only wait when it is short.
        if (retryCount < 1 && retryAfter <= 60) {
          log.warning(`GitHub API rate limit hit on ${describeRequest(options)}; retrying in ${retryAfter}s.`)
          return true
        }
        return false
      },
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        if (retryCount < 3 && retryAfter <= 120) {
          log.warning(`GitHub secondary rate limit on ${describeRequest(options)}; waiting ${retryAfter}s as GitHub asks.`)
          return true
        }
        return false
      }
    }
  }
  // getOctokit insists on a token; without one the same Octokit class is built with no auth, so no header is sent.
  const octokit = token !== undefined ? getOctokit(token, options, noRetryOfSettings, retry, throttling) : (new (GitHub.plugin(noRetryOfSettings, retry, throttling))(options) as unknown as Octokit)
  // Octokit hands every request the client's default `request` object itself, not a copy, and the retry and
  // throttling plugins count attempts in it (`request.retryCount`). Shared, one failed request (even a 404 that is
  // never retried) raised the count for all later ones, so the first retry of a 500 waited 4 s instead of 1 s and
  // the back-off kept growing over a run. A copy per request keeps each request's count its own.
  octokit.hook.before('request', (options) => {
    options.request = { ...options.request }
  })
  // Registered after the hook above, so it runs first (outermost) and its option is in the copy.
  parseBodiesNatively(octokit)
  // A PR created a moment ago may not be visible yet to GitHub's other services: labelling it, commenting on it or
  // editing it can answer 422 "Could not resolve to a node with the global id of '…'" (or "Issue not found") for a
  // second or two. Those calls are retried after 1, 2 and 4 retry units; any other 422 is an answer and is not.
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options)
      } catch (error) {
        if (attempt >= CONSISTENCY_BACKOFF.length || !isNotYetConsistent(error, String(options.url))) throw error
        const wait = (CONSISTENCY_BACKOFF[attempt] ?? 1) * retryUnitMs
        log.debug(`${describeRequest(options as { method: string; url: string })}: the pull request is not visible yet (422); retrying in ${wait} ms.`)
        await new Promise((resolve) => setTimeout(resolve, wait))
      }
    }
  })
  return octokit
}

/**
 * A plugin placed before the retry plugin, so its hook sees a failure first: a connection the runner's settings
 * decide (an untrusted certificate, an unknown host, a refused connection) fails the same on every attempt, so it is
 * not retried (Octokit reports it as a 500, which the retry plugin would repeat three times over 14 seconds).
 */
function noRetryOfSettings(octokit: Pick<Octokit, 'hook'>): void {
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options)
    } catch (error) {
      const failure = isRequestError(error) && error.response === undefined ? connectionFailure(error) : undefined
      // The retry plugin reads the count of retries left from the request's own options.
      if (failure && isSettingsFailure(failure.code)) options.request = { ...options.request, retries: 0 } as typeof options.request
      throw error
    }
  })
}

/** Waits, in retry units, before each retry of a call on a PR that GitHub does not see yet. */
const CONSISTENCY_BACKOFF = [1, 2, 4]

/** A 422 that means "this PR or issue does not exist yet" on a call addressing one PR or issue. */
function isNotYetConsistent(error: unknown, url: string): boolean {
  if (!isRequestError(error) || error.status !== 422) return false
  if (!/\/(issues|pulls)\/\{?(issue_number|pull_number|\d+)\}?/.test(url)) return false
  return /could not resolve to a node|issue not found|pull request not found/i.test(errorText(error))
}

/** `POST /repos/carto/fork/pulls` from a request's route template and parameters, for log lines. */
function describeRequest(options: { method: string; url: string } & Record<string, unknown>): string {
  const url = options.url.replace(/\{(\w+)\}/g, (whole: string, name: string) => {
    const value = options[name]
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole
  })
  return `${options.method} ${url}`
}
