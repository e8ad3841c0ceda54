/**
 * Injected faults (`POST /_stand-in/faults`) and what the action makes of them: transient failures are retried and
 * the run succeeds; rate limits are waited for when short and explained when not; permission and token problems
 * fail the run with one message that names the fix. Every test also checks nothing was lost or written twice.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { createTags } from '../../test/support/repos.js'
import { FORK, UPSTREAM } from '../../test/support/scenario.js'
import {
  FORK_API,
  SYNC_BRANCH,
  addFault,
  apiRequests,
  expectOneError,
  expectSuccess,
  forkBranch,
  forkPulls,
  requestLog,
  warnings,
  withScenario
} from './helpers/safety-helpers.js'

// Each test runs the action once or twice; the e2e project's testTimeout is a global option jest ignores per project.
jest.setTimeout(120_000)

const PULLS = `^${FORK_API}/pulls$`

/** Whole seconds between two logged requests (the log's `at` has one-second resolution). */
function secondsBetween(first: { at: string } | undefined, second: { at: string } | undefined): number {
  if (!first || !second) throw new Error('expected two logged requests')
  return (Date.parse(second.at) - Date.parse(first.at)) / 1000
}

describe('transient failures are retried', () => {
  it('a 500 on a read and a 502 on the PR creation are retried once each, and the run succeeds with one PR', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, { method: 'GET', path: `^${FORK_API}/pulls$`, status: 500 })
      await addFault(s.standIn, { method: 'POST', path: PULLS, status: 502 })
      const run = await s.run()
      expectSuccess(run)
      expect(run.outputs).toMatchObject({ result: 'created', 'pr-number': '1' })
      // The failed read is asked again.
      const [failedRead, retriedRead] = await apiRequests(s, 'GET', new RegExp(PULLS))
      expect([failedRead?.status, failedRead?.fault]).toEqual([500, true])
      expect([retriedRead?.status, retriedRead?.path]).toEqual([200, failedRead?.path])
      const posts = await apiRequests(s, 'POST', new RegExp(PULLS))
      expect(posts.map((entry) => entry.status)).toEqual([502, 201])
      expect(await forkPulls(s)).toHaveLength(1)
      // Each first retry waits about a second (the log has one-second resolution), even after earlier 404s.
      expect(secondsBetween(failedRead, retriedRead)).toBeLessThanOrEqual(2)
      expect(secondsBetween(posts[0], posts[1])).toBeLessThanOrEqual(2)
    })
  })

  it('a 500 from compare is not retried: the containment check asks git instead (compare-fallback tests: real-github.test.ts)', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, { method: 'GET', path: `^${FORK_API}/compare/`, status: 500 })
      const run = await s.run()
      expectSuccess(run)
      expect(run.outputs.result).toBe('created')
      const compares = await apiRequests(s, 'GET', new RegExp(`^${FORK_API}/compare/`))
      expect(compares[0]?.status).toBe(500)
      expect(compares.filter((entry) => entry.path === compares[0]?.path)).toHaveLength(1)
    })
  })
})

describe('rate limits', () => {
  it('a secondary rate limit (403 with retry-after) is waited for, then the request succeeds', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, {
        method: 'POST',
        path: PULLS,
        status: 403,
        headers: { 'retry-after': '1' },
        body: {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
        }
      })
      // GitHub's own wait, in real seconds: this test checks the clock.
      const run = await s.run({}, { env: { UPSTREAM_SYNC_RETRY_UNIT_MS: '1000' } })
      expectSuccess(run)
      expect(run.outputs.result).toBe('created')
      expect(warnings(run)).toContain(`GitHub secondary rate limit on POST /repos/${FORK}/pulls; waiting 1s as GitHub asks.`)
      const posts = await apiRequests(s, 'POST', new RegExp(PULLS))
      expect(posts.map((entry) => entry.status)).toEqual([403, 201])
      // The retry came after the second GitHub asked for.
      expect(secondsBetween(posts[0], posts[1])).toBeGreaterThanOrEqual(1)
    })
  })

  it('an exhausted primary limit fails at once with the reset time, without waiting or pushing', async () => {
    await withScenario({}, async (s) => {
      const reset = Math.floor(Date.now() / 1000) + 3600
      await addFault(s.standIn, {
        method: 'GET',
        path: `^/api/v3/repos/${UPSTREAM}/git/matching-refs/`,
        status: 403,
        headers: { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '1000', 'x-ratelimit-reset': String(reset) },
        body: { message: 'API rate limit exceeded for installation ID 4242.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }
      })
      const run = await s.run()
      const message = expectOneError(run)
      expect(message).toBe(
        `Could not list upstream tags: the GitHub API rate limit for this token is exhausted; it resets at ${new Date(reset * 1000).toISOString()}. ` +
          'The next scheduled run will continue, or use a token with its own quota (a GitHub App token).'
      )
      expect(await apiRequests(s, 'GET', /\/git\/matching-refs\//)).toHaveLength(1)
      expect(run.durationMs).toBeLessThan(20_000)
      expect(await forkBranch(s, SYNC_BRANCH)).toBeUndefined()
    })
  })
})

describe('token and permission problems name the fix', () => {
  it('a rejected token (401) names the github-token input, after one request', async () => {
    await withScenario({}, async (s) => {
      const run = await s.run({ 'github-token': 'ghs_ExpiredOrRevokedToken000000000000000' })
      const message = expectOneError(run)
      expect(message).toContain("GitHub rejected the token (401 Bad credentials). Check the 'github-token' input: the secret may be expired, revoked or empty.")
      const log = await requestLog(s.standIn, 'all')
      expect(log.map((entry) => entry.status)).toEqual([401])
      expect(message).not.toContain('ghs_ExpiredOrRevokedToken')
      expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('ghs_ExpiredOrRevokedToken')
    })
  })

  it('403 "Resource not accessible by integration" on the PR creation names pull-requests: write; the pushed branch is kept', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, {
        method: 'POST',
        path: PULLS,
        status: 403,
        body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request', status: '403' }
      })
      const run = await s.run()
      const message = expectOneError(run)
      expect(message).toContain(`Could not open the sync pull request from ${SYNC_BRANCH} into ${s.fork.targetBranch}: Resource not accessible by integration.`)
      expect(message).toContain("The token lacks the 'pull-requests: write' permission: add it under `permissions:` in the workflow")
      expect(message).toContain(`The sync branch ${SYNC_BRANCH} is in place; the next run opens the pull request for it.`)
      expect(await apiRequests(s, 'POST', new RegExp(PULLS))).toHaveLength(1)
      expect(await forkBranch(s, SYNC_BRANCH)).toBeDefined()
    })
  })

  it('a push refused with 403 (no contents: write) names contents: write; nothing is written', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, {
        method: 'POST',
        path: `^/${FORK}\\.git/git-receive-pack$`,
        status: 403,
        body: `Permission to ${FORK}.git denied to github-actions[bot].`
      })
      const run = await s.run()
      const message = expectOneError(run)
      expect(message).toContain(`Could not push the sync branch ${SYNC_BRANCH}: the token may not push to this repository (HTTP 403). It needs the 'contents: write' permission`)
      expect(await forkBranch(s, SYNC_BRANCH)).toBeUndefined()
      expect(await apiRequests(s, 'POST', new RegExp(PULLS))).toEqual([])
    })
  })

  it('403 "Resource not accessible by integration" on a ref write (deleting a superseded branch) names contents: write', async () => {
    await withScenario({}, async (s) => {
      expectSuccess(await s.run())
      await createTags(s.upstream.dir, [{ name: 'v1.2.0-stable', rev: s.upstream.commits[4] as string, annotated: true, message: 'Stable release 1.2.0\n' }])
      await addFault(s.standIn, {
        method: 'DELETE',
        path: `^${FORK_API}/git/refs/`,
        status: 403,
        body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/git/refs#delete-a-reference' }
      })
      const run = await s.run()
      const message = expectOneError(run)
      expect(message).toBe(
        `Could not delete branch ${SYNC_BRANCH}: Resource not accessible by integration. The token lacks the 'contents: write' permission: add it under \`permissions:\` in the workflow (the example workflow uses contents: write and pull-requests: write), or grant it to the PAT/App.`
      )
      expect(await apiRequests(s, 'DELETE', /\/git\/refs\//)).toHaveLength(1)
      // The new PR is open, the old branch (the action's own) is still there for the next run to delete.
      expect((await forkPulls(s)).map((p: { number: number; state: string }) => [p.number, p.state])).toEqual([
        [1, 'closed'],
        [2, 'open']
      ])
      expect(await forkBranch(s, SYNC_BRANCH)).toBeDefined()
    })
  })

  it('403 "GitHub Actions is not permitted to create or approve pull requests" names the repository setting', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, {
        method: 'POST',
        path: PULLS,
        status: 403,
        body: { message: 'GitHub Actions is not permitted to create or approve pull requests.', documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request' }
      })
      const run = await s.run()
      const message = expectOneError(run)
      expect(message).toBe(
        `Could not open the sync pull request from ${SYNC_BRANCH} into ${s.fork.targetBranch}: GitHub Actions is not permitted to create or approve pull requests. ` +
          `Enable it in the fork's Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests" (or in the organization's settings), or pass a PAT or GitHub App token as 'github-token'. ` +
          `The sync branch ${SYNC_BRANCH} is in place; the next run opens the pull request for it.`
      )
      expect(await apiRequests(s, 'POST', new RegExp(PULLS))).toHaveLength(1)
    })
  })

  it('a push refused for a workflow file explains that GITHUB_TOKEN can never push workflow changes and what token to use', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, {
        git: 'push',
        message: 'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission'
      })
      const run = await s.run()
      const message = expectOneError(run)
      expect(message).toBe(
        `Could not push the sync branch ${SYNC_BRANCH}: upstream v1.1.0-stable changes the workflow file .github/workflows/ci.yml, and GitHub refuses workflow changes from this token (GitHub App). ` +
          "A workflow's GITHUB_TOKEN can never push changes under .github/workflows/, whatever its permissions. " +
          "Pass another token as 'github-token': a GitHub App token with the 'Workflows: read and write' permission, or a fine-grained PAT with 'Workflows: read and write' (a classic PAT needs the 'workflow' scope). " +
          'Nothing was pushed. GitHub said: refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission'
      )
      expect(await forkBranch(s, SYNC_BRANCH)).toBeUndefined()
      expect(await forkPulls(s)).toEqual([])
      expect(await forkBranch(s, s.fork.targetBranch)).toBe(s.fork.targetSha)
    })
  })
})

describe('GitHub answers that are never waited on or repeated', () => {
  it('mergeable: null is never polled: the action labels from its own merge, in one quick pass', async () => {
    await withScenario({ conflict: true }, async (s) => {
      // A first run opens the PR, a second one finds it open (and GitHub still has not computed mergeability).
      const first = await s.run()
      expectSuccess(first)
      const second = await s.run()
      expectSuccess(second)
      expect(second.outputs).toMatchObject({ result: 'updated', 'merge-status': 'conflicts' })
      for (const run of [first, second]) expect(run.durationMs).toBeLessThan(15_000)
      // Neither run asked for the single PR, where mergeable lives.
      expect(await apiRequests(s, 'GET', /\/pulls\/\d+$/)).toEqual([])
      const pull = (await s.api('GET', `/repos/${FORK}/pulls/1`)).data
      expect(pull.mergeable).toBeNull()
      expect(pull.labels.map((label: { name: string }) => label.name)).toContain('conflicts')
    })
  })

  it('a 422 on a write is not retried: one request, and the run fails with GitHub\'s reason', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, {
        method: 'POST',
        path: PULLS,
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${s.fork.targetBranch} and ${SYNC_BRANCH}` }],
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request'
        }
      })
      const run = await s.run()
      const message = expectOneError(run)
      expect(message).toContain(`GitHub answered 422 Validation Failed: No commits between ${s.fork.targetBranch} and ${SYNC_BRANCH}`)
      expect(await apiRequests(s, 'POST', new RegExp(PULLS))).toHaveLength(1)
    })
  })

  it('a 409 is not retried: one request, and the run fails with GitHub\'s reason', async () => {
    await withScenario({}, async (s) => {
      await addFault(s.standIn, { method: 'GET', path: `^/api/v3/repos/${UPSTREAM}/git/matching-refs/`, status: 409, body: { message: 'Git Repository is empty.' } })
      const run = await s.run()
      const message = expectOneError(run)
      expect(message).toBe('Could not list upstream tags: GitHub answered 409 Git Repository is empty.')
      expect(await apiRequests(s, 'GET', /\/git\/matching-refs\//)).toHaveLength(1)
    })
  })
})
