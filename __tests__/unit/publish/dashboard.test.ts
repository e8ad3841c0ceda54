/**
 * Writing the dashboard issue against a recorded GitHub: a second concurrent run that created its own issue closes it
 * as a duplicate of the lower-numbered one; a ticked box lifts a closed PR's decline in the release walk.
 */
import { describe, expect, it } from '@jest/globals'
import type { GitHubApi, PullInfo } from '../../../src/github/api.js'
import { honourRetries, writeDashboard } from '../../../src/publish/dashboard.js'
import type { ReleaseQueries } from '../../../src/releases/decision.js'
import { renderDashboard, type DashboardView } from '../../../src/report/dashboard.js'
import { silentLog } from '../../../src/runner.js'

interface FakeIssue {
  number: number
  title: string
  state: string
  body: string
  html_url: string
}

/** A fork whose issue list answers `lists` in turn (a concurrent run's issue appears between them). */
function fakeApi(lists: FakeIssue[][]) {
  const writes: Array<{ op: string; args: Record<string, unknown> }> = []
  let call = 0
  const api = {
    fork: { owner: 'carto', repo: 'fork' },
    octokit: {
      rest: {
        issues: {
          listForRepo: async () => ({ data: lists[Math.min(call++, lists.length - 1)] }),
          create: async (args: Record<string, unknown>) => {
            writes.push({ op: 'create', args })
            return { data: { number: 5, title: args.title, state: 'open', body: args.body, html_url: 'https://github.com/carto/fork/issues/5' } }
          },
          update: async (args: Record<string, unknown>) => {
            writes.push({ op: 'update', args })
            return { data: {} }
          }
        }
      }
    }
  }
  return { api: api as unknown as GitHubApi, writes }
}

const VIEW: DashboardView = { upstream: 'acme/gateway', upstreamServerUrl: 'https://github.com', targetBranch: 'main', releases: [], now: new Date('2026-11-29T00:00:00Z') }
const issue = (number: number, body: string): FakeIssue => ({ number, title: 'Upstream sync dashboard', state: 'open', body, html_url: `https://github.com/carto/fork/issues/${number}` })

describe('writeDashboard', () => {
  it('closes its own issue as a duplicate when a concurrent run created one with a lower number', async () => {
    const body = renderDashboard(VIEW, []).body
    const { api, writes } = fakeApi([[], [issue(4, body), issue(5, body)]])
    expect(await writeDashboard(api, async () => VIEW, { dryRun: false, log: silentLog })).toBe('created')
    expect(writes.map((w) => [w.op, w.args.issue_number, w.args.state])).toEqual([
      ['create', undefined, undefined],
      ['update', 5, 'closed']
    ])
    expect(writes[1]?.args.body).toBe('Duplicate of #4, created by a concurrent run.')
  })

  it('writes nothing when the digest is unchanged, and only logs in a dry run', async () => {
    const body = renderDashboard(VIEW, []).body
    const unchanged = fakeApi([[issue(4, body)]])
    expect(await writeDashboard(unchanged.api, async () => VIEW, { dryRun: false, log: silentLog })).toBe('unchanged')
    expect(unchanged.writes).toEqual([])
    const dry = fakeApi([[]])
    expect(await writeDashboard(dry.api, async () => VIEW, { dryRun: true, log: silentLog })).toBe('dry-run')
    expect(dry.writes).toEqual([])
  })
})

describe('honourRetries', () => {
  const closed: PullInfo = { number: 3, url: 'u', state: 'closed', merged: false, title: 't', body: '', headRef: 'upstream-sync/v1', headSha: 's', baseRef: 'main', labels: [], createdAt: '' }
  const queries = { findSyncPulls: async () => [closed] } as unknown as ReleaseQueries<PullInfo>

  it('drops the closed PR of a ticked release only', async () => {
    const ticked = renderDashboard({ ...VIEW, releases: [{ tag: 'v1', state: { kind: 'skipped', pull: { number: 3, url: 'u' } } }] }, []).body.replace('- [ ]', '- [x]')
    const { api } = fakeApi([[issue(4, ticked)]])
    const honoured = honourRetries(queries, api, silentLog)
    expect(await honoured.findSyncPulls('v1')).toEqual([])
    expect(await honoured.findSyncPulls('v2')).toEqual([closed])
  })
})
