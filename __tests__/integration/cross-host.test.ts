/**
 * Issue 11 (6): a fork on GitHub Enterprise Server following a project on github.com. Two stand-ins
 * (test/support/two-hosts.ts): `enterprise` holds only the fork, `dotcom` only the upstream. The run reads the
 * upstream from dotcom (anonymously, or with `upstream-token`), opens the PR on enterprise, links upstream pages on
 * dotcom, and never sends the fork's token to dotcom.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { api, asOwner, requestLog, resetLog, type RequestLogEntry } from '../../test/support/control.js'
import { FORK, UPSTREAM } from '../../test/support/scenario.js'
import { createTwoHostScenario, type TwoHostScenario } from '../../test/support/two-hosts.js'
import { describeRun, expectOneError, expectSuccess } from './helpers/safety-helpers.js'

const TAG = 'v1.1.0-stable'
const UPSTREAM_TOKEN = 'ghp_DotcomUpstreamToken0123456789abcdefABCD'

const show = (entries: RequestLogEntry[]): string => entries.map((entry) => `${entry.kind} ${entry.method} ${entry.path} ${entry.status} auth=${entry.auth}`).join('\n')

describe('an Enterprise fork of a public github.com project', () => {
  let s: TwoHostScenario
  beforeAll(async () => {
    s = await createTwoHostScenario()
    await asOwner(s.dotcom, 'POST', `/repos/${UPSTREAM}/releases`, { tag_name: TAG, name: TAG, body: '* Faster proxy by @alice in #12' })
  })
  afterAll(async () => s.cleanup())

  it("opens the PR on the fork's server from what it read on github.com, linking upstream pages there", async () => {
    const run = await s.run()
    expectSuccess(run)
    expect(run.outputs).toMatchObject({ result: 'created', tag: TAG })

    const pulls = (await api(s.enterprise, 'GET', `/repos/${FORK}/pulls?state=all`)).data as Array<{ head: { ref: string }; body: string }>
    expect(pulls.map((pull) => pull.head.ref)).toEqual([`upstream-sync/${TAG}`])
    const body = pulls[0]?.body ?? ''
    expect(body).toContain(`${s.dotcom.url}/${UPSTREAM}/releases/tag/${TAG}`)
    expect(body).toContain(`${s.dotcom.url}/${UPSTREAM}/compare/v1.0.0-stable...${TAG}`)
    expect(body).toContain(`[#12](${s.dotcom.url}/${UPSTREAM}/issues/12)`)
    expect(body).toContain('`@alice`')
    expect(body).not.toContain(`${s.enterprise.url}/${UPSTREAM}`)
    // The job summary renders the same view: upstream links on dotcom there too.
    expect(run.summary).toContain(`${s.dotcom.url}/${UPSTREAM}`)
    expect(run.summary).not.toContain(`${s.enterprise.url}/${UPSTREAM}`)

    // The upstream was read on dotcom only, API and git, and anonymously: no credential of any kind went there.
    const dotcom = await requestLog(s.dotcom, 'all')
    expect(dotcom.some((entry) => entry.kind === 'api' && entry.path === `/api/v3/repos/${UPSTREAM}/git/matching-refs/tags/v`)).toBe(true)
    expect(dotcom.some((entry) => entry.kind === 'git')).toBe(true)
    expect(dotcom.filter((entry) => entry.auth !== 'none')).toEqual([])
    expect(dotcom.filter((entry) => !entry.path.includes(UPSTREAM))).toEqual([])
    // The fork's server was never asked about the upstream.
    const enterprise = await requestLog(s.enterprise, 'all')
    expect(enterprise.filter((entry) => entry.path.includes(UPSTREAM))).toEqual([])
    expect(enterprise.filter((entry) => entry.status === 401)).toEqual([])
  })

  it('once the PR is merged, a run with nothing new makes at most 4 API requests over both servers and no git request', async () => {
    expect((await asOwner(s.enterprise, 'PUT', `/repos/${FORK}/pulls/1/merge`, { merge_method: 'merge' })).status).toBe(200)
    await Promise.all([resetLog(s.enterprise), resetLog(s.dotcom)])
    const run = await s.run()
    expectSuccess(run)
    expect(run.outputs.result).toBe('up-to-date')
    const all = [...(await requestLog(s.enterprise, 'all')), ...(await requestLog(s.dotcom, 'all'))]
    if (all.filter((entry) => entry.kind === 'api').length > 4) throw new Error(`expected at most 4 API requests:\n${show(all)}\n${describeRun(run)}`)
    expect(all.filter((entry) => entry.kind === 'git')).toEqual([])
    // The containment check asked the fork's server, which has the upstream commit now that the sync was merged.
    expect(all.filter((entry) => entry.path.startsWith(`/api/v3/repos/${FORK}/compare/`)).map((entry) => entry.status)).toEqual([200])
  })
})

describe('a private upstream on another server, read with its own upstream-token', () => {
  let s: TwoHostScenario
  beforeAll(async () => {
    s = await createTwoHostScenario({ upstreamToken: UPSTREAM_TOKEN })
  })
  afterAll(async () => s.cleanup())

  it("without upstream-token the run fails before any git, naming the input (the fork's token is not tried there)", async () => {
    const run = await s.run({ 'upstream-token': '' })
    const message = expectOneError(run)
    expect(message).toContain("'upstream-token'")
    const dotcom = await requestLog(s.dotcom, 'all')
    expect(dotcom.map((entry) => entry.auth)).toEqual(dotcom.map(() => 'none'))
    expect(dotcom.filter((entry) => entry.kind === 'git')).toEqual([])
    await resetLog(s.dotcom)
  })

  it('each server gets its own token only: the sync PR is opened, and no request is refused', async () => {
    const run = await s.run()
    expectSuccess(run)
    expect(run.outputs.result).toBe('created')
    const dotcom = await requestLog(s.dotcom, 'all')
    const enterprise = await requestLog(s.enterprise, 'all')
    expect(dotcom.some((entry) => entry.kind === 'git')).toBe(true)
    // dotcom answers 401 to any other token than its own (the fork's included), and demands one on every request.
    expect(dotcom.filter((entry) => entry.status === 401 || entry.auth === 'none')).toEqual([])
    expect(enterprise.filter((entry) => entry.status === 401 || entry.auth === 'none')).toEqual([])
    // Masked like github-token: the mask command is the only place the log holds it.
    expect(run.stdout.split(UPSTREAM_TOKEN)).toHaveLength(2)
    expect(run.stdout).toContain(`::add-mask::${UPSTREAM_TOKEN}`)
  })
})

describe("the upstream's server with a CA the runner does not trust by default", () => {
  let s: TwoHostScenario
  beforeAll(async () => {
    s = await createTwoHostScenario({ upstreamTls: true })
  })
  afterAll(async () => s.cleanup())

  it('without its CA the run fails naming the certificate problem, the host and the fix, and writes nothing', async () => {
    const run = await s.run()
    const message = expectOneError(run)
    const host = new URL(s.dotcom.url).host
    expect(message).toContain(`the certificate of ${host} is not trusted by this runner`)
    expect(message).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/)
    expect(message).toContain('NODE_EXTRA_CA_CERTS')
    expect(message).toContain("'upstream-server-url'")
    expect(message).not.toContain('GitHub answered 500')
    expect((await requestLog(s.enterprise, 'all')).filter((entry) => entry.method !== 'GET')).toEqual([])
  })

  it("with its CA in GIT_SSL_CAINFO both the upstream's API and its git are reached, and the fork's plain server still is", async () => {
    const run = await s.run({}, { env: { GIT_SSL_CAINFO: s.dotcom.caFile as string } })
    expectSuccess(run)
    expect(run.outputs.result).toBe('created')
    expect((await requestLog(s.dotcom, 'git')).length).toBeGreaterThan(0)
  })
})

describe('each server with its own private CA: the runner names one in GIT_SSL_CAINFO, the other in NODE_EXTRA_CA_CERTS', () => {
  let s: TwoHostScenario
  beforeAll(async () => {
    s = await createTwoHostScenario({ forkTls: true, upstreamTls: true })
  })
  afterAll(async () => s.cleanup())

  it("git trusts both (GIT_SSL_CAINFO alone would replace git's bundle for both servers), and so does the API", async () => {
    const run = await s.run({}, { env: { GIT_SSL_CAINFO: s.enterprise.caFile as string, NODE_EXTRA_CA_CERTS: s.dotcom.caFile as string } })
    expectSuccess(run)
    expect(run.outputs.result).toBe('created')
    expect((await requestLog(s.dotcom, 'git')).length).toBeGreaterThan(0)
    expect((await requestLog(s.enterprise, 'git')).some((entry) => entry.method === 'POST' && entry.path.endsWith('/git-receive-pack'))).toBe(true)
  })
})
