/**
 * Issue 13 end to end, run() in-process against the stand-in with real git: a maintainer resolves a sync PR against
 * a rule, the next run audits the resolution (one PR comment, the `resolution-review` label, the `resolution-audit`
 * output), and once that PR is merged the next conflicting release shows, in the row of that path, what the fork did
 * last time, flagged against the rule, and auto-resolve leaves that path to a person.
 */
import { describe, expect, it } from '@jest/globals'
import { commitFiles, readFile, SAMPLE } from '../../test/support/repos.js'
import { expectExit, labelNames, openWorld, tableUnder, unCode, type World } from './helpers/releases-world.js'

const TAG = 'v1.1.0-stable'
const NEXT_TAG = 'v1.2.0-stable'
const SYNC_BRANCH = `upstream-sync/${TAG}`
const RULES = "- paths: ['gateway/server.py']\n  resolution: theirs\n- paths: ['docs/**']\n  resolution: manual\n"
const MARKER = '<!-- upstream-sync:resolution-audit -->'
const FORK_DOCS = '# Docs\n\nCARTO docs.\n'
const FORK_SECTION = '\n# CARTO: begin\nRUN pip install --no-cache-dir carto-auth\nENV CARTO_AUTH=1\n# CARTO: end\n'

interface AuditEntry {
  path: string
  rule: string | null
  kept: string
  verdict: string
}

/**
 * The maintainer's resolution of the v1.1.0 sync, pushed onto the sync branch: the merge of the tag into the target
 * redone by hand (parents: target, tag) with upstream's clean changes, the Dockerfile merged, `docs/index.md` merged
 * by hand (rule `manual`), and the fork's own `gateway/server.py` kept although its rule says `theirs`.
 */
async function resolveAgainstTheRule(world: World): Promise<string> {
  const { fork } = world.scenario
  const tagSha = (await world.forkBranch(SYNC_BRANCH)) as string
  const targetSha = (await world.forkBranch(fork.targetBranch)) as string
  const fromTag = async (file: string): Promise<string> => (await readFile(fork.dir, tagSha, file)) as string
  const files = {
    'pyproject.toml': await fromTag('pyproject.toml'),
    'gateway/__init__.py': await fromTag('gateway/__init__.py'),
    'gateway/metrics.py': await fromTag('gateway/metrics.py'),
    'gateway/router.py': await fromTag('gateway/router.py'),
    'tests/test_metrics.py': await fromTag('tests/test_metrics.py'),
    Dockerfile: SAMPLE.dockerfile('python:3.12-slim') + FORK_SECTION,
    'docs/index.md': '# Docs\n\nCARTO docs.\n\nSee the changelog.\n'
  }
  return commitFiles(fork.dir, SYNC_BRANCH, files, `Merge ${TAG} into carto/main, conflicts resolved\n`, { parents: [targetSha, tagSha] })
}

async function auditComments(world: World, pr: number): Promise<string[]> {
  return (await world.comments(pr)).map((comment) => comment.body).filter((body) => body.includes(MARKER))
}

describe('the resolution audit and what the fork did last time', () => {
  it('audits a resolution against its rules, then shows the fork’s choice in the next sync and keeps auto-resolve off that path', async () => {
    const world = await openWorld({ conflict: true, fork: { extraFiles: { 'docs/index.md': FORK_DOCS } } })
    try {
      const inputs = { rules: RULES }
      const first = await world.run(inputs)
      expectExit(first, 0)
      expect(first.outputs).toMatchObject({ result: 'created', 'merge-status': 'conflicts', 'resolution-audit': '[]' })
      expect((JSON.parse(first.outputs.conflicts as string) as string[]).sort()).toEqual(['docs/index.md', 'gateway/server.py'])
      const pr = Number(first.outputs['pr-number'])

      // The maintainer pushes a resolution: the push triggers the workflow on the sync branch (the example workflow's
      // `push: branches: [upstream-sync/**]`), with GITHUB_REF naming the branch.
      const resolution = await resolveAgainstTheRule(world)
      const refsBefore = await world.forkRefs()
      const audited = await world.run(inputs, { eventName: 'push', env: { GITHUB_REF: `refs/heads/${SYNC_BRANCH}`, GITHUB_REF_NAME: SYNC_BRANCH } })
      expectExit(audited, 0)
      expect(audited.outputs).toMatchObject({ result: 'up-to-date', tag: TAG, 'pr-number': String(pr) })
      const audit = JSON.parse(audited.outputs['resolution-audit'] as string) as AuditEntry[]
      expect(audit).toEqual([
        { path: 'Dockerfile', rule: null, kept: 'merged', verdict: 'no-rule' },
        { path: 'docs/index.md', rule: 'manual', kept: 'merged', verdict: 'manual' },
        { path: 'gateway/server.py', rule: 'theirs', kept: 'ours', verdict: 'upstream-change-dropped' }
      ])
      // The branch is audited, never touched: no ref of the fork moved.
      expect(await world.forkRefs()).toEqual(refsBefore)
      expect(await world.forkBranch(SYNC_BRANCH)).toBe(resolution)
      expect(audited.summary).toContain('### Resolution audit')
      expect(audited.summary).toContain("| `gateway/server.py` | theirs | fork's (ours) | ❌ upstream's change dropped |")

      const [comment, ...others] = await auditComments(world, pr)
      expect(others).toEqual([])
      expect(comment).toContain('**1 file contradicts its rule**')
      expect(labelNames(await world.pull(pr))).toContain('resolution-review')

      // A rerun (the schedule) finds the same resolution: the same one comment, unchanged, no second one.
      const rerun = await world.run(inputs)
      expectExit(rerun, 0)
      expect(JSON.parse(rerun.outputs['resolution-audit'] as string)).toEqual(audit)
      expect(await auditComments(world, pr)).toEqual([comment])
      expect((await world.comments(pr)).length).toBe(1)

      // The PR is merged (a merge commit, as the body asks), then upstream releases 1.2.0, changing server.py again.
      const merged = await world.scenario.api('PUT', `/repos/${world.scenario.fork.fullName}/pulls/${pr}/merge`, { merge_method: 'merge' })
      expect(merged.status).toBe(200)
      const release = await world.upstreamCommit({ 'gateway/server.py': SAMPLE.server(90) }, 'Longer timeout\n')
      await world.upstreamTag(NEXT_TAG, release)

      const next = await world.run({ ...inputs, 'auto-resolve': 'true' })
      expectExit(next, 0)
      expect(next.outputs).toMatchObject({ result: 'created', tag: NEXT_TAG, 'merge-status': 'conflicts', 'auto-resolved': '[]' })
      expect(JSON.parse(next.outputs.conflicts as string)).toEqual(['gateway/server.py'])
      const body = (await world.pull(next.outputs['pr-number'] as string)).body ?? ''
      const rows = tableUnder(body, '### Merge status')
      const row = rows.find(([file = '']) => unCode(file) === 'gateway/server.py')
      expect(row?.[2]).toBe('theirs')
      // What the fork kept last time, the PR that merged it, flagged against the rule.
      expect(row?.[3]).toBe(`⚠️ fork's ([#${pr}](${world.scenario.standIn.url}/${world.scenario.fork.fullName}/pull/${pr}))`)
      expect(body).toContain('**1 files (⚠️) where the rule disagrees with what the fork did last time.**')
      expect(body).toMatch(/Auto-resolve left these for a person, because their rule would undo what the fork kept in its last sync:\n- `gateway\/server.py`/)
      expect(next.summary).toContain('| Rule disagrees with last time | ⚠️ 1 |')
    } finally {
      await world.close()
    }
  })

  it('edits the one comment in place when the resolution is fixed, and drops the label once no rule is contradicted', async () => {
    const world = await openWorld({ conflict: true, fork: { extraFiles: { 'docs/index.md': FORK_DOCS } } })
    try {
      const inputs = { rules: RULES }
      const pr = Number((await world.run(inputs)).outputs['pr-number'])
      await resolveAgainstTheRule(world)
      const push = { eventName: 'push', env: { GITHUB_REF: `refs/heads/${SYNC_BRANCH}` } }
      expectExit(await world.run(inputs, push), 0)
      expect(labelNames(await world.pull(pr))).toContain('resolution-review')

      // The reviewer saw the flag: a commit on top takes upstream's server.py, as the rule says.
      const tagServer = (await readFile(world.scenario.fork.dir, `refs/heads/${SYNC_BRANCH}^2`, 'gateway/server.py')) as string
      await world.forkCommit(SYNC_BRANCH, { 'gateway/server.py': tagServer }, 'Take upstream server.py, as the rule says\n')
      const fixed = await world.run(inputs, push)
      expectExit(fixed, 0)
      const audit = JSON.parse(fixed.outputs['resolution-audit'] as string) as AuditEntry[]
      expect(audit.find((entry) => entry.path === 'gateway/server.py')).toEqual({ path: 'gateway/server.py', rule: 'theirs', kept: 'theirs', verdict: 'rule-side-kept' })
      const comments = await auditComments(world, pr)
      expect(comments).toHaveLength(1)
      expect(comments[0]).toContain('✅ No file contradicts its rule.')
      expect(labelNames(await world.pull(pr))).not.toContain('resolution-review')
    } finally {
      await world.close()
    }
  })
})
