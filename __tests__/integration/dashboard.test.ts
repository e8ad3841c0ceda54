/**
 * `dashboard: true` end to end (issue 12): run() in-process against the stand-in and real git, several runs in a row,
 * checking what a maintainer sees in the `Upstream sync dashboard` issue and what the run wrote to GitHub.
 *
 * GitHub behaviour relied on: issues are listed with `GET /repos/{owner}/{repo}/issues?labels=…&state=all`, which
 * also returns pull requests (they carry `pull_request`), see https://docs.github.com/en/rest/issues/issues#list-repository-issues;
 * creating an issue or editing its body needs `issues: write` (403 "Resource not accessible by integration"
 * otherwise, https://docs.github.com/en/rest/issues/issues#create-an-issue); the merge settings
 * (`allow_merge_commit`, …) come with `GET /repos/{owner}/{repo}` and change with `PATCH /repos/{owner}/{repo}`
 * (https://docs.github.com/en/rest/repos/repos#update-a-repository).
 */
import { describe, expect, it } from '@jest/globals'
import { asOwner, type RequestLogEntry } from '../../test/support/control.js'
import { SAMPLE } from '../../test/support/repos.js'
import { expectExit, openWorld, type World } from './helpers/releases-world.js'

const TITLE = 'Upstream sync dashboard'

interface Issue {
  number: number
  title: string
  body: string | null
  state: string
  labels: Array<{ name: string }>
  pull_request?: unknown
}

async function dashboards(world: World): Promise<Issue[]> {
  const response = await asOwner<Issue[]>(world.scenario.standIn, 'GET', `/repos/${world.scenario.fork.fullName}/issues?state=all&per_page=100`)
  return response.data.filter((issue) => !issue.pull_request && issue.title === TITLE)
}

async function theDashboard(world: World): Promise<Issue> {
  const found = await dashboards(world)
  expect(found).toHaveLength(1)
  return found[0] as Issue
}

function issueWrites(log: RequestLogEntry[]): RequestLogEntry[] {
  return log.filter((entry) => entry.method !== 'GET' && /\/issues(\/\d+)?$/.test(entry.path.split('?')[0] ?? ''))
}

describe('the dashboard issue', () => {
  it('is created once, updated in place when something changed, and not written at all when nothing did', async () => {
    const world = await openWorld()
    try {
      const first = await world.run({ dashboard: 'true' })
      expectExit(first, 0)
      expect(first.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable' })
      const pr = first.outputs['pr-number']
      const created = await theDashboard(world)
      expect(created.state).toBe('open')
      expect(created.labels.map((label) => label.name)).toContain('upstream-sync')
      const body = created.body ?? ''
      expect(body).toContain('**carto/main** contains upstream [`v1.0.0-stable`]')
      expect(body).toContain('**1 release behind.**')
      expect(body).toMatch(new RegExp(`\\[\`v1\\.1\\.0-stable\`\\]\\([^)]+\\): PR \\[#${pr}\\]\\([^)]+\\): merges cleanly`))
      expect(body).toContain('The newest unsynced release, `v1.1.0-stable`, came out on')
      expect(body).toContain('Channel health: no drift')
      expect(body).not.toContain('does not allow merge commits')
      expect(body).toMatch(/## Last runs that changed this dashboard\n\n- http:\/\/\S+\/actions\/runs\/\d+/)

      // Nothing changed: the run reads the dashboard and writes nothing.
      await world.resetLog()
      const idle = await world.run({ dashboard: 'true' })
      expectExit(idle, 0)
      // The open PR is refreshed (nothing to change in it); the dashboard shows the same.
      expect(idle.outputs).toMatchObject({ tag: 'v1.1.0-stable', 'pr-number': pr })
      expect(idle.stdout).toContain(`dashboard #${created.number} is up to date: not rewritten`)
      // No write at all: not to the issue, not to the PR, no push.
      expect((await world.apiRequests()).filter((entry) => entry.method !== 'GET')).toEqual([])
      expect((await world.gitTraffic()).total.pushes).toBe(0)
      expect((await theDashboard(world)).body).toBe(body)

      // A new upstream release: the same issue is updated in place.
      const v120 = await world.upstreamCommit({ 'pyproject.toml': SAMPLE.pyproject('1.2.0') }, 'Release 1.2.0\n')
      await world.upstreamTag('v1.2.0-stable', v120)
      const next = await world.run({ dashboard: 'true' })
      expectExit(next, 0)
      expect(next.outputs).toMatchObject({ result: 'created', tag: 'v1.2.0-stable' })
      const updated = await theDashboard(world)
      expect(updated.number).toBe(created.number)
      const newBody = updated.body ?? ''
      expect(newBody).toContain('**2 releases behind.**')
      expect(newBody).toContain(`PR [#${next.outputs['pr-number']}]`)
      expect(newBody).toContain('`v1.1.0-stable`](')
      expect(newBody).toContain('included when `v1.2.0-stable` is synced')
      // Both runs that changed it are linked, newest first.
      expect(newBody.match(/^- http:\/\/\S+\/actions\/runs\/\d+$/gm)).toHaveLength(2)
    } finally {
      await world.close()
    }
  })

  it("a maintainer ticks a skipped release's box: the next run opens a new sync PR for it", async () => {
    const world = await openWorld()
    try {
      const first = await world.run({ dashboard: 'true' })
      expectExit(first, 0)
      const declined = await world.pull(first.outputs['pr-number'] as string)
      expect((await world.scenario.api('PATCH', `/repos/${world.scenario.fork.fullName}/pulls/${declined.number}`, { state: 'closed' })).status).toBe(200)

      const skipped = await world.run({ dashboard: 'true' })
      expectExit(skipped, 0)
      expect(skipped.outputs).toMatchObject({ result: 'skipped', tag: 'v1.1.0-stable' })
      const dashboard = await theDashboard(world)
      const box = /^- \[ \] <!-- retry:v1\.1\.0-stable --> .*skipped: PR \[#\d+\]\([^)]+\) was closed without merging.*$/m
      expect(dashboard.body).toMatch(box)
      // The skip holds until someone ticks the box: an unchanged run writes nothing.
      await world.resetLog()
      expectExit(await world.run({ dashboard: 'true' }), 0)
      expect(issueWrites(await world.apiRequests())).toEqual([])

      // The maintainer ticks it in GitHub's UI, which saves the edited body.
      const ticked = (dashboard.body ?? '').replace('- [ ] <!-- retry:v1.1.0-stable -->', '- [x] <!-- retry:v1.1.0-stable -->')
      expect((await asOwner(world.scenario.standIn, 'PATCH', `/repos/${world.scenario.fork.fullName}/issues/${dashboard.number}`, { body: ticked })).status).toBe(200)

      const again = await world.run({ dashboard: 'true' })
      expectExit(again, 0)
      expect(again.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable' })
      expect(again.stdout).toContain('a maintainer asked to sync v1.1.0-stable again')
      const pulls = await world.pulls()
      expect(pulls.map((pull) => [pull.head.ref, pull.state])).toEqual([
        ['upstream-sync/v1.1.0-stable', 'closed'],
        ['upstream-sync/v1.1.0-stable', 'open']
      ])
      const after = (await theDashboard(world)).body ?? ''
      expect(after).toContain(`PR [#${again.outputs['pr-number']}]`)
      expect(after).not.toContain('<!-- retry:')
    } finally {
      await world.close()
    }
  })

  it('warns when the repository does not allow merge commits', async () => {
    const world = await openWorld()
    try {
      const fork = world.scenario.fork.fullName
      const settings = await asOwner(world.scenario.standIn, 'PATCH', `/repos/${fork}`, { allow_merge_commit: false, allow_squash_merge: true })
      expect(settings.status).toBe(200)
      expect(settings.data).toMatchObject({ allow_merge_commit: false, allow_squash_merge: true, allow_rebase_merge: true })
      const run = await world.run({ dashboard: 'true' })
      expectExit(run, 0)
      expect((await theDashboard(world)).body).toContain('> [!WARNING]\n> This repository does not allow merge commits.')
    } finally {
      await world.close()
    }
  })

  it("without issues: write the run warns once and the sync goes on", async () => {
    const world = await openWorld({ permissions: 'contents:write,pull-requests:write' })
    try {
      // The PR labels exist (creating a label needs issues: write too).
      for (const name of ['automated', 'upstream-sync', 'clean-merge']) {
        expect((await asOwner(world.scenario.standIn, 'POST', `/repos/${world.scenario.fork.fullName}/labels`, { name, color: 'ededed' })).status).toBe(201)
      }
      const run = await world.run({ dashboard: 'true' })
      expectExit(run, 0)
      expect(run.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable' })
      const warnings = run.annotations.filter((a) => a.level === 'warning' && a.message.includes("'issues: write'"))
      expect(warnings).toHaveLength(1)
      expect(await dashboards(world)).toEqual([])
      expect((await world.pulls()).map((pull) => pull.state)).toEqual(['open'])
    } finally {
      await world.close()
    }
  })
})
