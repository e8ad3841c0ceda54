/**
 * Never lose work: the bundled action against the stand-in, with real git, through clean runs, conflicts, failures,
 * a maintainer's commits on the sync branch, concurrent runs and a run that fails half-way.
 *
 * Every test checks the outcome (exit code, outputs, PRs), the message, and that nothing was lost: the target branch
 * is where it was, and a commit a human made is still the head of its branch.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { clearFaults, holdRequests } from '../../test/support/control.js'
import { commitFiles, createTags, FORK_AUTHOR } from '../../test/support/repos.js'
import { FORK } from '../../test/support/scenario.js'
import {
  FORK_API,
  SYNC_BRANCH,
  SYNC_TAG,
  addFault,
  apiRequests,
  comments,
  describeRun,
  expectOneError,
  expectSuccess,
  forkBranch,
  forkPulls,
  forkPushes,
  parentsOf,
  refSnapshot,
  resetLog,
  warnings,
  withScenario,
  type FaultSpec
} from './helpers/safety-helpers.js'

// Each test runs the action a few times; the e2e project's testTimeout is a global option jest ignores per project.
jest.setTimeout(120_000)

const WORKFLOW_REFUSAL: FaultSpec = {
  git: 'push',
  message: 'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission'
}
const PULLS_FORBIDDEN: FaultSpec = {
  method: 'POST',
  path: '/pulls$',
  status: 403,
  body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request' }
}

describe('the target branch is never written', () => {
  it.each([
    { kind: 'a clean merge', conflict: false, fault: undefined, exitCode: 0, branchPushed: true },
    { kind: 'a conflicting merge', conflict: true, fault: undefined, exitCode: 0, branchPushed: true },
    { kind: 'a run whose push is refused', conflict: false, fault: WORKFLOW_REFUSAL, exitCode: 1, branchPushed: false },
    { kind: 'a run that fails after its push', conflict: false, fault: PULLS_FORBIDDEN, exitCode: 1, branchPushed: true }
  ])('$kind leaves the target branch and every other ref as they were', async ({ conflict, fault, exitCode, branchPushed }) => {
    await withScenario({ conflict }, async (s) => {
      const before = await refSnapshot(s.fork.dir)
      const upstreamBefore = await refSnapshot(s.upstream.dir)
      expect(before[`refs/heads/${s.fork.targetBranch}`]).toBe(s.fork.targetSha)
      if (fault) await addFault(s.standIn, fault)

      const run = await s.run()
      expect({ exitCode: run.exitCode, log: run.exitCode === exitCode ? '' : describeRun(run) }).toEqual({ exitCode, log: '' })

      const after = await refSnapshot(s.fork.dir)
      expect(after[`refs/heads/${s.fork.targetBranch}`]).toBe(s.fork.targetSha)
      // The only ref a run may add is its own sync branch; no ref it found is moved or deleted.
      const { [`refs/heads/${SYNC_BRANCH}`]: syncBranch, ...others } = after
      expect(others).toEqual(before)
      expect(syncBranch !== undefined).toBe(branchPushed)
      // The upstream repository is only read.
      expect(await refSnapshot(s.upstream.dir)).toEqual(upstreamBefore)
    })
  })
})

describe("a maintainer's commit on the sync branch", () => {
  it('is never force-pushed, reset or deleted: the run reports it and moves on, and superseding keeps the branch', async () => {
    await withScenario({ conflict: true }, async (s) => {
      const first = await s.run()
      expectSuccess(first)
      expect(first.outputs).toMatchObject({ result: 'created', 'merge-status': 'conflicts', 'pr-number': '1' })
      const [pull] = await forkPulls(s)
      const bodyBefore = pull.body as string

      // A maintainer resolves the conflict on the sync branch, as the PR body tells them to.
      const resolution = await commitFiles(
        s.fork.dir,
        SYNC_BRANCH,
        { 'gateway/server.py': '"""HTTP entry point of the gateway."""\nTIMEOUT = 60  # CARTO: resolved\n' },
        'Resolve the upstream sync conflict in gateway/server.py\n',
        { author: FORK_AUTHOR }
      )
      expect(await forkBranch(s, SYNC_BRANCH)).toBe(resolution)

      await resetLog(s.standIn)
      const second = await s.run()
      expectSuccess(second)
      expect(second.outputs).toMatchObject({ result: 'up-to-date', tag: SYNC_TAG, branch: SYNC_BRANCH, 'pr-number': '1' })
      const warning = warnings(second).find((message) => message.includes(SYNC_BRANCH))
      expect(warning).toContain(`The sync branch ${SYNC_BRANCH} has commits that upstream-sync did not make (head ${resolution.slice(0, 12)})`)
      expect(warning).toContain('left untouched and PR #1 was not changed')
      expect(second.stdout).toContain(`Sync branch ${SYNC_BRANCH} has a maintainer's commits; left as is.`)
      // Nothing written: the branch head is the maintainer's commit, no push reached the fork, the PR is as it was.
      expect(await forkBranch(s, SYNC_BRANCH)).toBe(resolution)
      expect(await forkPushes(s)).toBe(0)
      expect(await apiRequests(s, 'PATCH', /\/pulls\/1$/)).toEqual([])
      const [samePull] = await forkPulls(s)
      expect({ state: samePull.state, body: samePull.body }).toEqual({ state: 'open', body: bodyBefore })

      // Upstream publishes a newer stable release: the old PR is superseded, but its branch with the maintainer's
      // work stays where it is.
      await createTags(s.upstream.dir, [{ name: 'v1.2.0-stable', rev: s.upstream.commits[4] as string, annotated: true, message: 'Stable release 1.2.0\n' }])
      const third = await s.run()
      expectSuccess(third)
      expect(third.outputs).toMatchObject({ result: 'created', tag: 'v1.2.0-stable', 'pr-number': '2' })
      const pulls = await forkPulls(s)
      expect(pulls.map((p: { number: number; state: string }) => [p.number, p.state])).toEqual([
        [1, 'closed'],
        [2, 'open']
      ])
      const [supersededNote] = await comments(s, 1)
      expect(supersededNote.body).toContain('Superseded by #2')
      expect(supersededNote.body).toContain(`The branch \`${SYNC_BRANCH}\` has commits that upstream-sync did not make, so it was kept.`)
      expect(await forkBranch(s, SYNC_BRANCH)).toBe(resolution)
      expect(await forkBranch(s, s.fork.targetBranch)).toBe(s.fork.targetSha)
    })
  })

  it('pushed on top of the action\'s merge while a run updates the branch is not overwritten: the push is rejected as stale, re-read, and left alone', async () => {
    await withScenario({}, async (s) => {
      const first = await s.run()
      expectSuccess(first)
      const actionMerge = (await forkBranch(s, SYNC_BRANCH)) as string
      // The fork's target moves on, so the next run has a new merge to push over the action's old one...
      await commitFiles(s.fork.dir, s.fork.targetBranch, { 'CARTO_README.md': '# CARTO fork\n\nNow with a changelog.\n' }, 'CARTO: changelog\n', { author: FORK_AUTHOR })
      const target = (await forkBranch(s, s.fork.targetBranch)) as string
      // ...and after it read the sync branch, before its push lands, a maintainer pushes onto the sync branch. (The
      // run's fetches all go to the fork, some of them side by side, so their order is not the hold point: the push
      // is, and the run's lease still names the action's merge.)
      const hold = await holdRequests(s.standIn, { method: 'POST', path: `^/${FORK}\\.git/git-receive-pack$` })
      const running = s.run()
      await hold.arrived()
      const human = await commitFiles(s.fork.dir, SYNC_BRANCH, { 'NOTES.md': 'Checked the 1.1 sync on staging.\n' }, 'Staging notes\n', { author: FORK_AUTHOR })
      expect(await parentsOf(s.fork.dir, human)).toEqual([actionMerge])
      await hold.release()

      const run = await running
      expectSuccess(run)
      expect(run.stdout).toContain(`The sync branch ${SYNC_BRANCH} changed while this run worked (a concurrent run or a push); reading it again.`)
      expect(warnings(run).join('\n')).toContain(`has commits that upstream-sync did not make (head ${human.slice(0, 12)})`)
      expect(run.outputs).toMatchObject({ result: 'up-to-date', 'pr-number': '1' })
      expect(await forkBranch(s, SYNC_BRANCH)).toBe(human)
      expect(await forkBranch(s, s.fork.targetBranch)).toBe(target)
    })
  })

  it('pushed while the run works is not overwritten: the lost push is re-read and the commit left alone', async () => {
    await withScenario({}, async (s) => {
      // Hold the action's push until a maintainer has created the branch.
      const hold = await holdRequests(s.standIn, { method: 'POST', path: `/${FORK}\\.git/git-receive-pack$` })
      const running = s.run()
      await hold.arrived()
      const human = await commitFiles(s.fork.dir, SYNC_BRANCH, { 'NOTES.md': 'Started the 1.1 sync by hand.\n' }, 'Start the sync by hand\n', {
        author: FORK_AUTHOR,
        parents: [s.fork.targetSha]
      })
      await hold.release()
      const run = await running
      expectSuccess(run)
      expect(run.stdout).toContain(`The sync branch ${SYNC_BRANCH} changed while this run worked (a concurrent run or a push); reading it again.`)
      expect(warnings(run).join('\n')).toContain(`has commits that upstream-sync did not make (head ${human.slice(0, 12)})`)
      expect(run.outputs.result).toBe('up-to-date')
      expect(await forkBranch(s, SYNC_BRANCH)).toBe(human)
      expect(await forkBranch(s, s.fork.targetBranch)).toBe(s.fork.targetSha)
      expect(await apiRequests(s, 'POST', /\/pulls$/)).toEqual([])
    })
  })
})

describe('two runs at once (schedule and manual dispatch)', () => {
  it('end with one PR for the tag, both succeed, and the branch is a valid merge of target and tag', async () => {
    await withScenario({}, async (s) => {
      const [a, b] = await Promise.all([s.run(), s.run()])
      expectSuccess(a)
      expectSuccess(b)
      expect([a.outputs.result, b.outputs.result].every((result) => result === 'created' || result === 'updated')).toBe(true)
      expect(a.outputs['pr-number']).toBe('1')
      expect(b.outputs['pr-number']).toBe('1')

      const pulls = await forkPulls(s)
      expect(pulls.map((p: { head: { ref: string } }) => p.head.ref)).toEqual([SYNC_BRANCH])
      const created = (await apiRequests(s, 'POST', /\/pulls$/)).filter((entry) => entry.status === 201)
      expect(created).toHaveLength(1)

      const head = (await forkBranch(s, SYNC_BRANCH)) as string
      expect(await parentsOf(s.fork.dir, head)).toEqual([s.fork.targetSha, s.upstream.tags[SYNC_TAG]])
      expect(pulls[0].head.sha).toBe(head)
      expect(pulls[0].labels.map((label: { name: string }) => label.name).sort()).toEqual(['automated', 'clean-merge', 'upstream-sync'])
      expect(await forkBranch(s, s.fork.targetBranch)).toBe(s.fork.targetSha)
    })
  })

  it('a branch created in between: the push the server refuses is re-read, the equivalent merge kept, and the 422 "already exists" becomes an update', async () => {
    await withScenario({}, async (s) => {
      // Run A is held at its push; run B (a manual dispatch) runs start to end meanwhile.
      const hold = await holdRequests(s.standIn, { method: 'POST', path: `/${FORK}\\.git/git-receive-pack$`, times: 1 })
      const runningA = s.run()
      await hold.arrived()
      const b = await s.run()
      expectSuccess(b)
      expect(b.outputs.result).toBe('created')
      const branchOfB = await forkBranch(s, SYNC_BRANCH)
      await hold.release()

      const a = await runningA
      expectSuccess(a)
      expect(a.outputs).toMatchObject({ result: 'updated', 'pr-number': '1' })
      expect(a.stdout).toContain(`The sync branch ${SYNC_BRANCH} changed while this run worked (a concurrent run or a push); reading it again.`)
      expect(a.stdout).toContain(`PR #1 for ${SYNC_BRANCH} was opened by a concurrent run; updating it.`)
      // B's merge is equivalent to A's: A keeps it rather than replacing it with a new commit of the same content.
      expect(await forkBranch(s, SYNC_BRANCH)).toBe(branchOfB)
      expect((await forkPulls(s)).length).toBe(1)
      // The 422 is handled, not retried.
      const posts = await apiRequests(s, 'POST', /\/pulls$/)
      expect(posts.map((entry) => entry.status)).toEqual([201, 422])
      expect(await forkBranch(s, s.fork.targetBranch)).toBe(s.fork.targetSha)
    })
  })

  it('a PR opened between the push and the create call (422 "A pull request already exists") is updated, not duplicated', async () => {
    await withScenario({ conflict: true }, async (s) => {
      const hold = await holdRequests(s.standIn, { method: 'POST', path: `^${FORK_API}/pulls$`, times: 1 })
      const running = s.run()
      await hold.arrived()
      // The branch is pushed by now (the action opens the PR after pushing); someone opens its PR first.
      const opened = await s.api('POST', `/repos/${FORK}/pulls`, { head: SYNC_BRANCH, base: s.fork.targetBranch, title: 'Opened by hand', body: 'placeholder' })
      expect(opened.status).toBe(201)
      await hold.release()

      const run = await running
      expectSuccess(run)
      expect(run.outputs).toMatchObject({ result: 'updated', 'pr-number': String(opened.data.number), 'merge-status': 'conflicts' })
      const pulls = await forkPulls(s)
      expect(pulls).toHaveLength(1)
      expect(pulls[0].title).not.toBe('Opened by hand')
      expect(pulls[0].body).toContain(SYNC_TAG)
      expect(pulls[0].labels.map((label: { name: string }) => label.name)).toContain('conflicts')
      const posts = await apiRequests(s, 'POST', new RegExp(`^${FORK_API}/pulls$`))
      expect(posts.map((entry) => entry.status)).toEqual([201, 422])
    })
  })
})

describe('a failure half-way', () => {
  it('push done, PR creation failing after every retry: the run fails clearly, and the next run opens exactly one PR without pushing again', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, { method: 'POST', path: `^${FORK_API}/pulls$`, status: 502, times: 10 })
      const failed = await s.run()
      const message = expectOneError(failed)
      expect(message).toContain(`Could not open the sync pull request from ${SYNC_BRANCH} into ${s.fork.targetBranch}: GitHub answered 502`)
      expect(message).toContain(`The sync branch ${SYNC_BRANCH} is in place; the next run opens the pull request for it.`)
      // 5xx is retried (three times), then given up.
      expect(await apiRequests(s, 'POST', /\/pulls$/)).toHaveLength(4)
      const pushed = await forkBranch(s, SYNC_BRANCH)
      expect(pushed).toBeDefined()
      expect(await forkPulls(s)).toEqual([])

      // GitHub recovers: the unused failures are dropped.
      await clearFaults(s.standIn)
      await resetLog(s.standIn)
      const next = await s.run()
      expectSuccess(next)
      expect(next.outputs).toMatchObject({ result: 'created', 'pr-number': '1', branch: SYNC_BRANCH })
      expect(await forkPulls(s)).toHaveLength(1)
      // The branch the failed run pushed is the action's own merge: reused, not pushed again.
      expect(await forkBranch(s, SYNC_BRANCH)).toBe(pushed)
      expect(await forkPushes(s)).toBe(0)
      expect(await forkBranch(s, s.fork.targetBranch)).toBe(s.fork.targetSha)
    })
  })
})
