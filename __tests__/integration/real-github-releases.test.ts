/**
 * Issue 11: the action against a stand-in that enforces GitHub's token permission model (`tokenRepo` +
 * `permissions`, test/stand-in/README.md), as a new user following the README meets it on github.com.
 *
 * - Labels: since 2025 a GITHUB_TOKEN without `issues: write` cannot create labels (403 "Resource not accessible by
 *   integration" on POST /labels; 403 "You do not have permission to create labels on this repository." when adding
 *   a missing label creates it: actions/labeler#870, googleapis/release-please-action#1105).
 * - Eventual consistency: a PR created a moment ago answers 422 "Could not resolve to a node with the global id of
 *   '…'" to label and comment calls (KBVE/kbve#8599).
 *
 * This file: big diffs, release-aware syncing and a server with its own CA; labels, eventual consistency and
 * dispatch-workflow are in real-github.test.ts (two files, so the two test workers share the load).
 */
import { describe, expect, it, jest } from '@jest/globals'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { addFault, asOwner } from '../../test/support/control.js'
import { commitFiles, createTags } from '../../test/support/repos.js'
import { FORK, UPSTREAM, type Scenario } from '../../test/support/scenario.js'
import { FORK_API, apiRequests, expectOneError, expectSuccess, forkPulls, requestLog, resetLog, withScenario } from './helpers/safety-helpers.js'

jest.setTimeout(120_000)

/** What the README's example workflow declares. */
const README_PERMISSIONS = 'contents:write,pull-requests:write,issues:write'

describe('compare cannot build a big diff (500 "Sorry, this diff is taking too long to generate.": github-changelog-generator#920)', () => {
  it('the containment check falls back to the commit graph: an up-to-date fork stays up to date, exit 0', async () => {
    // v1.0.0-stable is in the fork; only the 1.1.0 tags are newer. Merge 1.1.0 by hand first, as a maintainer would.
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS, settings: { compareDiffLimit: 0 } }, async (s) => {
      const first = await s.run()
      expectSuccess(first)
      expect(first.outputs.result).toBe('created')
      expect(first.stdout).toContain("asking git's commit graph instead")
      const compares = await apiRequests(s, 'GET', new RegExp(`^${FORK_API}/compare/`))
      // Compare still answers where no file changed (an older tag the target contains); the newer tag's is the 500.
      expect(compares.some((entry) => entry.status === 500)).toBe(true)
      // The maintainer merges the PR (a merge commit): the next run finds v1.1.0-stable in the target by git.
      const [pull] = await forkPulls(s)
      await asOwner(s.standIn, 'PUT', `/repos/${FORK}/pulls/${pull.number}/merge`, { merge_method: 'merge' })
      // Every compare of this run fails, even those with no file to diff.
      await addFault(s.standIn, { preset: 'diff-too-long', times: 10 })
      const next = await s.run()
      expectSuccess(next)
      expect(next.stdout).toContain("asking git's commit graph instead")
      expect(next.outputs.result).toBe('up-to-date')
      expect(next.stdout).toContain('the target branch already contains v1.1.0-stable')
    })
  })

  it('a no-op run with a working compare still makes at most 4 API requests and no git request', async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS }, async (s) => {
      expectSuccess(await s.run())
      const [pull] = await forkPulls(s)
      await asOwner(s.standIn, 'PUT', `/repos/${FORK}/pulls/${pull.number}/merge`, { merge_method: 'merge' })
      await resetLog(s.standIn)
      const run = await s.run()
      expectSuccess(run)
      expect(run.outputs.result).toBe('up-to-date')
      expect((await requestLog(s.standIn)).length).toBeLessThanOrEqual(4)
      expect(await requestLog(s.standIn, 'git')).toEqual([])
    })
  })
})

describe('release-aware by default (require-release: auto)', () => {
  /** Upstream publishes releases for 1.0.0 and 1.1.0, then tags 1.2.0 and prepares its release as a draft. */
  async function releasingUpstream(s: Scenario): Promise<void> {
    for (const tag of ['v1.0.0-stable', 'v1.1.0-stable']) await asOwner(s.standIn, 'POST', `/repos/${UPSTREAM}/releases`, { tag_name: tag, name: tag, body: `Release ${tag}` })
    const sha = await commitFiles(s.upstream.dir, s.upstream.defaultBranch, { 'NEWS.md': '1.2.0\n' }, 'Release 1.2.0')
    await createTags(s.upstream.dir, [{ name: 'v1.2.0-stable', rev: sha }])
    // GitHub lists drafts only to tokens with push access upstream: the fork's token does not see this one.
    await asOwner(s.standIn, 'POST', `/repos/${UPSTREAM}/releases`, { tag_name: 'v1.2.0-stable', name: 'v1.2.0-stable', body: 'soon', draft: true })
  }

  it('a newer tag whose release is not visible yet (a draft) waits: the newest released tag is synced and the summary names the waiting one', async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS }, async (s) => {
      await releasingUpstream(s)
      const run = await s.run()
      expectSuccess(run)
      expect(run.outputs).toMatchObject({ result: 'created', tag: 'v1.1.0-stable' })
      expect(run.summary).toContain('Newer tag v1.2.0-stable waits for its upstream release.')
      // The release listing the run reads anyway answers it: one listing, no by-tag lookup of the draft.
      expect(await apiRequests(s, 'GET', new RegExp(`^/api/v3/repos/${UPSTREAM}/releases$`))).toHaveLength(1)
      expect(await apiRequests(s, 'GET', /\/releases\/tags\//)).toEqual([])

      // Upstream publishes it: the next run syncs it.
      const drafts = (await asOwner<Array<{ id: number; tag_name: string }>>(s.standIn, 'GET', `/repos/${UPSTREAM}/releases`)).data
      const draft = drafts.find((release) => release.tag_name === 'v1.2.0-stable')
      await asOwner(s.standIn, 'PATCH', `/repos/${UPSTREAM}/releases/${draft?.id}`, { draft: false })
      const next = await s.run()
      expectSuccess(next)
      expect(next.outputs).toMatchObject({ result: 'created', tag: 'v1.2.0-stable' })
    })
  })

  it('require-release: false still syncs the tag before its release; true still needs one', async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS }, async (s) => {
      await releasingUpstream(s)
      const eager = await s.run({ 'require-release': 'false', 'dry-run': 'true' })
      expectSuccess(eager)
      expect(eager.outputs).toMatchObject({ result: 'dry-run', tag: 'v1.2.0-stable' })
      const strict = await s.run({ 'require-release': 'true', 'dry-run': 'true' })
      expectSuccess(strict)
      expect(strict.outputs).toMatchObject({ result: 'dry-run', tag: 'v1.1.0-stable' })
    })
  })

  it('an upstream that publishes no releases is synced by its tags', async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS }, async (s) => {
      const run = await s.run({ 'dry-run': 'true' })
      expectSuccess(run)
      expect(run.outputs).toMatchObject({ result: 'dry-run', tag: 'v1.1.0-stable' })
    })
  })

  it("rejects a require-release that is neither true, false nor auto, naming the input", async () => {
    await withScenario({}, async (s) => {
      const run = await s.run({ 'require-release': 'sometimes' })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toContain("Input 'require-release'")
    })
  })
})

describe("a server with its own CA (GitHub Enterprise Server, a TLS-inspecting proxy): the runner's settings reach git and the API", () => {
  it("the CA from the runner's global git config reaches git, NODE_EXTRA_CA_CERTS the API; the config's other settings do not", async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS, tls: true }, async (s) => {
      const caFile = s.standIn.caFile as string
      expect(s.standIn.url).toMatch(/^https:/)
      // A self-hosted runner's ~/.gitconfig: its CA, plus settings that would break the run if they leaked into it
      // (a URL rewrite to nowhere, a merge setting).
      const gitconfig = path.join(s.root, 'runner-gitconfig')
      await fs.writeFile(
        gitconfig,
        `[http]\n\tsslCAInfo = ${caFile}\n[url "https://nowhere.invalid/"]\n\tinsteadOf = ${s.standIn.url}/\n[merge]\n\trenames = false\n\tconflictStyle = zdiff3\n`
      )
      const run = await s.run({}, { env: { GIT_CONFIG_GLOBAL: gitconfig, NODE_EXTRA_CA_CERTS: caFile } })
      expectSuccess(run)
      expect(run.outputs).toMatchObject({ result: 'created', 'pr-number': '1' })
      expect((await requestLog(s.standIn, 'git')).length).toBeGreaterThan(0)
    })
  })

  it('GIT_SSL_CAINFO alone serves both git and the API', async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS, tls: true }, async (s) => {
      const run = await s.run({}, { env: { GIT_SSL_CAINFO: s.standIn.caFile as string } })
      expectSuccess(run)
      expect(run.outputs.result).toBe('created')
    })
  })

  it('without the CA the run fails naming the untrusted certificate, the host and the CA variables, and nothing is pushed', async () => {
    await withScenario({ tokenRepo: FORK, permissions: README_PERMISSIONS, tls: true }, async (s) => {
      const run = await s.run()
      expect(run.exitCode).toBe(1)
      // Octokit reports the failed connection as a 500 "Unknown Error"; the message says what it really is.
      const message = expectOneError(run)
      expect(message).toContain(`the certificate of ${new URL(s.standIn.url).host} is not trusted by this runner`)
      expect(message).toContain('NODE_EXTRA_CA_CERTS')
      expect(message).toContain('GITHUB_API_URL')
      expect(message).not.toContain('answered 500')
      expect(await forkPulls(s)).toEqual([])
      expect((await requestLog(s.standIn, 'git')).filter((entry) => entry.method === 'POST')).toEqual([])
    })
  })
})
