/** The dashboard body: what it shows, what counts as a change, and what a maintainer's edit reads back as. */
import { describe, expect, it } from '@jest/globals'
import { dashboardDigest, readDashboard, renderDashboard, RUNS_KEPT, type DashboardView } from '../../../src/report/dashboard.js'

const NOW = new Date('2026-11-29T12:00:00Z')

function view(overrides: Partial<DashboardView> = {}): DashboardView {
  return {
    upstream: 'acme/gateway',
    upstreamServerUrl: 'https://github.com',
    targetBranch: 'main',
    current: { version: '1.83.14-stable', tag: 'v1.83.14-stable', syncedAt: new Date('2026-11-01T10:00:00Z'), pull: { number: 7, url: 'https://github.com/carto/fork/pull/7' } },
    releases: [
      { tag: 'v1.85.0', state: { kind: 'waiting-age', eligibleAt: new Date('2026-11-30T00:00:00Z') } },
      { tag: 'v1.84.1', state: { kind: 'skipped', pull: { number: 9, url: 'https://github.com/carto/fork/pull/9' } } },
      { tag: 'v1.84.0', state: { kind: 'older', newest: 'v1.84.1' } }
    ],
    newestReleasedAt: new Date('2026-11-27T12:00:00Z'),
    runUrl: 'https://github.com/carto/fork/actions/runs/3',
    now: NOW,
    ...overrides
  }
}

describe('renderDashboard', () => {
  it('shows the version, the releases behind with their states, the days since the newest and the run links', () => {
    const { body } = renderDashboard(view(), ['https://github.com/carto/fork/actions/runs/2'])
    expect(body).toContain('**main** contains upstream [`v1.83.14-stable`](https://github.com/acme/gateway/releases/tag/v1.83.14-stable), synced on 2026-11-01 by [#7](https://github.com/carto/fork/pull/7).')
    expect(body).toContain('**3 releases behind.**')
    expect(body).toContain('- [`v1.85.0`](https://github.com/acme/gateway/releases/tag/v1.85.0): waiting for `min-release-age`: eligible on 2026-11-30T00:00:00Z')
    expect(body).toContain('- [ ] <!-- retry:v1.84.1 --> [`v1.84.1`](https://github.com/acme/gateway/releases/tag/v1.84.1): skipped: PR [#9](https://github.com/carto/fork/pull/9) was closed without merging. Tick to sync it again on the next run')
    expect(body).toContain('included when `v1.84.1` is synced')
    expect(body).toContain('The newest unsynced release, `v1.85.0`, came out on 2026-11-27: 2 days before this update.')
    expect(body).toContain('- https://github.com/carto/fork/actions/runs/3\n- https://github.com/carto/fork/actions/runs/2')
  })

  it('names the channel drift and warns when merge commits are not allowed', () => {
    const { body } = renderDashboard(view({ drift: { tag: 'v1.86.0' }, mergeCommitsAllowed: false }), [])
    expect(body).toContain('**Channel drift:** upstream published `v1.86.0`')
    expect(body).toContain('does not allow merge commits')
    expect(renderDashboard(view({ mergeCommitsAllowed: true }), []).body).not.toContain('does not allow merge commits')
  })

  it('the digest ignores the run links and the day count, not the states', () => {
    const base = dashboardDigest(view())
    expect(dashboardDigest(view({ runUrl: 'https://github.com/carto/fork/actions/runs/4', now: new Date('2026-12-05T00:00:00Z') }))).toBe(base)
    expect(dashboardDigest(view({ releases: view().releases.slice(1) }))).not.toBe(base)
    expect(dashboardDigest(view({ drift: { tag: 'v1.86.0' } }))).not.toBe(base)
  })

  it(`keeps the last ${RUNS_KEPT} run links, without duplicates or unsafe URLs`, () => {
    const earlier = ['https://github.com/carto/fork/actions/runs/3', 'javascript:alert(1)', ...[2, 1, 0, -1, -2].map((n) => `https://github.com/carto/fork/actions/runs/${n}`)]
    const state = readDashboard(renderDashboard(view(), earlier).body)
    expect(state.runs).toEqual([3, 2, 1, 0, -1].map((n) => `https://github.com/carto/fork/actions/runs/${n}`))
  })

  it('escapes upstream tag names (untrusted) in text and in the hidden box', () => {
    const { body } = renderDashboard(view({ releases: [{ tag: 'v2`-->@team', state: { kind: 'skipped', pull: { number: 1, url: 'https://x.test/1' } } }] }), [])
    expect(body).toContain('<!-- retry:v2%60--%3E%40team -->')
    expect(readDashboard(body.replace('- [ ]', '- [x]')).retry).toEqual(new Set(['v2`-->@team']))
  })
})

describe('readDashboard', () => {
  it('reads ticked boxes (x or X), the digest and the runs; unticked boxes and prose are ignored', () => {
    const rendered = renderDashboard(view(), [])
    const edited = rendered.body.replace('- [ ] <!-- retry:v1.84.1 -->', '- [X] <!-- retry:v1.84.1 -->') + '\n- [x] retry:v9 (no marker)\n'
    const state = readDashboard(edited)
    expect(state.retry).toEqual(new Set(['v1.84.1']))
    expect(state.digest).toBe(rendered.digest)
    expect(state.runs).toEqual(['https://github.com/carto/fork/actions/runs/3'])
    expect(readDashboard(rendered.body).retry.size).toBe(0)
    // Saved from GitHub's editor with CRLF line ends.
    const crlf = readDashboard(edited.replace(/\n/g, '\r\n'))
    expect(crlf.retry).toEqual(new Set(['v1.84.1']))
    expect(crlf.digest).toBe(rendered.digest)
  })

  it('reads a body it did not write, or a broken marker, as empty', () => {
    expect(readDashboard(undefined)).toEqual({ retry: new Set(), runs: [] })
    expect(readDashboard('<!-- upstream-sync-dashboard {broken} -->')).toEqual({ retry: new Set(), runs: [] })
  })

  it('keeps a ticked box ticked while the requested sync has no PR yet', () => {
    const releases = [{ tag: 'v1.84.1', state: { kind: 'waiting-age' as const, eligibleAt: new Date('2026-11-30T00:00:00Z') }, retryRequested: true }]
    const { body } = renderDashboard(view({ releases }), [])
    expect(readDashboard(body).retry).toEqual(new Set(['v1.84.1']))
  })
})
