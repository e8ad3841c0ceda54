/**
 * The stand-in's REST API against real bare repositories: GitHub's shapes, errors and semantics for every endpoint
 * the action and the e2e tests rely on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { api, dispatches, requestLog, resetLog, resetState } from '../../../test/support/control.js'
import { commitFiles, createTags, git, revParse, setBranch } from '../../../test/support/repos.js'
import { createScenario, type Scenario } from '../../../test/support/scenario.js'

let s: Scenario

beforeAll(async () => {
  s = await createScenario()
})

afterAll(async () => {
  await s.cleanup()
})

describe('repositories', () => {
  it('reports the bare repository HEAD as default_branch and the fork relation', async () => {
    const fork = await s.api('GET', '/repos/carto/gateway-fork')
    expect(fork.status).toBe(200)
    expect(fork.data).toMatchObject({
      full_name: 'carto/gateway-fork',
      name: 'gateway-fork',
      owner: { login: 'carto' },
      default_branch: 'carto/main',
      private: false,
      fork: true,
      html_url: `${s.standIn.url}/carto/gateway-fork`,
      clone_url: `${s.standIn.url}/carto/gateway-fork.git`,
      permissions: { admin: true, push: true, pull: true },
      parent: { full_name: 'acme/gateway' }
    })
    const upstream = await s.api('GET', '/repos/ACME/Gateway')
    expect(upstream.data).toMatchObject({ full_name: 'acme/gateway', default_branch: 'main', fork: false })
  })

  it('answers GitHub 404 bodies for unknown repositories and endpoints', async () => {
    for (const path of ['/repos/acme/nothing', '/repos/acme/gateway/no-such-endpoint', '/user/repos']) {
      const response = await s.api('GET', path)
      expect(response.status).toBe(404)
      expect(response.data).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' })
    }
  })

  it('sends rate-limit headers and a plausible /rate_limit', async () => {
    const response = await s.api('GET', '/rate_limit')
    expect(response.status).toBe(200)
    expect(Number(response.headers.get('x-ratelimit-limit'))).toBe(5000)
    expect(Number(response.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0)
    expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000)
    expect(response.data.rate).toMatchObject({ limit: 5000 })
    expect(response.data.resources.core.remaining).toBe(response.data.rate.remaining)
  })

  it('lists branches and a single branch', async () => {
    const list = await s.api('GET', '/repos/carto/gateway-fork/branches')
    expect(list.data.map((b: { name: string }) => b.name).sort()).toEqual(['carto/main', 'main'])
    const one = await s.api('GET', '/repos/carto/gateway-fork/branches/carto/main')
    expect(one.data).toMatchObject({ name: 'carto/main', commit: { sha: s.fork.targetSha }, protected: false })
    expect((await s.api('GET', '/repos/carto/gateway-fork/branches/nope')).status).toBe(404)
  })
})

describe('refs and git objects', () => {
  it('matching-refs returns every ref with the prefix in one response, annotated tags typed "tag"', async () => {
    const response = await s.api('GET', '/repos/acme/gateway/git/matching-refs/tags/v1.1')
    expect(response.status).toBe(200)
    expect(response.headers.get('link')).toBeNull()
    const byRef = Object.fromEntries(response.data.map((r: { ref: string; object: unknown }) => [r.ref, r.object]))
    expect(Object.keys(byRef).sort()).toEqual(['refs/tags/v1.1.0-nightly', 'refs/tags/v1.1.0-stable', 'refs/tags/v1.1.0.rc.1'])
    expect(byRef['refs/tags/v1.1.0-nightly']).toMatchObject({ type: 'commit', sha: s.upstream.tags['v1.1.0-nightly'] })
    // The legacy refs endpoint: one object for an exact name, a list for a folder.
    expect((await s.api('GET', '/repos/acme/gateway/git/refs/tags/v1.1.0-nightly')).data.object.sha).toBe(s.upstream.tags['v1.1.0-nightly'])
    expect((await s.api('GET', '/repos/acme/gateway/git/refs/tags')).data).toHaveLength(5)
    expect((await s.api('GET', '/repos/acme/gateway/git/refs/tags/v9')).status).toBe(404)
    const annotated = byRef['refs/tags/v1.1.0-stable'] as { type: string; sha: string; url: string }
    expect(annotated.type).toBe('tag')
    expect(annotated.sha).not.toBe(s.upstream.tags['v1.1.0-stable'])
    expect(annotated.url).toBe(`${s.standIn.apiUrl}/repos/acme/gateway/git/tags/${annotated.sha}`)

    const tagObject = await s.api('GET', `/repos/acme/gateway/git/tags/${annotated.sha}`)
    expect(tagObject.data).toMatchObject({ tag: 'v1.1.0-stable', sha: annotated.sha, message: 'Stable release 1.1.0\n', object: { type: 'commit', sha: s.upstream.tags['v1.1.0-stable'] } })
    expect(tagObject.data.tagger.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

    // Octokit percent-encodes the slash of the ref parameter; GitHub accepts both forms.
    const encoded = await s.api('GET', '/repos/acme/gateway/git/matching-refs/tags%2Fv1.0')
    expect(encoded.data.map((r: { ref: string }) => r.ref)).toEqual(['refs/tags/v1.0.0-stable'])
    expect((await s.api('GET', '/repos/acme/gateway/git/matching-refs/tags/zzz')).data).toEqual([])
  })

  it('lists 3,000 tags in a single request, quickly', async () => {
    const dir = s.upstream.dir
    const base = s.upstream.tags['v1.0.0-stable'] as string
    await createTags(dir, Array.from({ length: 3000 }, (_, i) => ({ name: `bulk/v0.${Math.floor(i / 100)}.${i % 100}`, rev: base, annotated: i % 2 === 0 })))
    await resetLog(s.standIn)
    const started = performance.now()
    const response = await s.api('GET', '/repos/acme/gateway/git/matching-refs/tags/bulk/v')
    const elapsed = performance.now() - started
    expect(response.status).toBe(200)
    expect(response.data).toHaveLength(3000)
    expect(response.data.filter((r: { object: { type: string } }) => r.object.type === 'tag')).toHaveLength(1500)
    expect(await requestLog(s.standIn)).toHaveLength(1)
    expect(elapsed).toBeLessThan(3000)
    await git(dir, ['for-each-ref', '--format=delete %(refname)', 'refs/tags/bulk/']).then((script) => git(dir, ['update-ref', '--stdin'], { input: script + '\n' }))
  })

  it('gets, creates, updates and deletes refs with GitHub errors', async () => {
    const repo = '/repos/carto/gateway-fork'
    const main = await s.api('GET', `${repo}/git/ref/heads/carto/main`)
    expect(main.data).toMatchObject({ ref: 'refs/heads/carto/main', object: { sha: s.fork.targetSha, type: 'commit' } })
    expect((await s.api('GET', `${repo}/git/ref/heads/carto`)).status).toBe(404)

    const created = await s.api('POST', `${repo}/git/refs`, { ref: 'refs/heads/tmp/ref-test', sha: s.fork.baseSha })
    expect(created.status).toBe(201)
    expect(created.data.object.sha).toBe(s.fork.baseSha)
    expect(await revParse(s.fork.dir, 'refs/heads/tmp/ref-test')).toBe(s.fork.baseSha)

    const again = await s.api('POST', `${repo}/git/refs`, { ref: 'refs/heads/tmp/ref-test', sha: s.fork.baseSha })
    expect(again.status).toBe(422)
    expect(again.data.message).toBe('Reference already exists')
    const missing = await s.api('POST', `${repo}/git/refs`, { ref: 'refs/heads/tmp/x', sha: 'f'.repeat(40) })
    expect(missing.status).toBe(422)
    expect(missing.data.message).toBe('Object does not exist')

    // Moving back in history needs force, like GitHub.
    const forward = await s.api('PATCH', `${repo}/git/refs/heads/tmp/ref-test`, { sha: s.fork.targetSha })
    expect(forward.status).toBe(200)
    const backward = await s.api('PATCH', `${repo}/git/refs/heads/tmp/ref-test`, { sha: s.fork.baseSha })
    expect(backward.status).toBe(422)
    expect(backward.data.message).toBe('Update is not a fast forward')
    expect((await s.api('PATCH', `${repo}/git/refs/heads/tmp/ref-test`, { sha: s.fork.baseSha, force: true })).status).toBe(200)

    expect((await s.api('DELETE', `${repo}/git/refs/heads/tmp/ref-test`)).status).toBe(204)
    const gone = await s.api('DELETE', `${repo}/git/refs/heads/tmp/ref-test`)
    expect(gone.status).toBe(422)
    expect(gone.data.message).toBe('Reference does not exist')
  })

  it('returns git commits and REST commits', async () => {
    const sha = s.upstream.tags['v1.1.0-stable'] as string
    const gitCommit = await s.api('GET', `/repos/acme/gateway/git/commits/${sha}`)
    expect(gitCommit.data).toMatchObject({ sha, message: 'Release 1.1.0', author: { name: 'Acme Maintainer', email: 'maintainer@acme.example' }, parents: [{ sha: s.upstream.tags['v1.1.0-nightly'] }] })
    expect(gitCommit.data.tree.sha).toMatch(/^[0-9a-f]{40}$/)

    const byTag = await s.api('GET', '/repos/acme/gateway/commits/v1.1.0-stable')
    expect(byTag.data).toMatchObject({ sha, commit: { message: 'Release 1.1.0' }, parents: [{ sha: s.upstream.tags['v1.1.0-nightly'] }] })
    expect(new Date(byTag.data.commit.author.date).getTime()).toBeLessThan(Date.now())
    const byBranch = await s.api('GET', '/repos/carto/gateway-fork/commits/carto/main')
    expect(byBranch.data.sha).toBe(s.fork.targetSha)
    expect((await s.api('GET', '/repos/acme/gateway/commits/no-such-ref')).status).toBe(422)
    expect((await s.api('GET', `/repos/acme/gateway/git/commits/${'0'.repeat(40)}`)).status).toBe(404)
  })
})

describe('compare', () => {
  const repo = '/repos/acme/gateway'

  it('reports identical, ahead, behind and diverged like GitHub', async () => {
    const t = s.upstream.tags
    const identical = await s.api('GET', `${repo}/compare/v1.1.0-stable...v1.1.0-stable`)
    expect(identical.data).toMatchObject({ status: 'identical', ahead_by: 0, behind_by: 0, total_commits: 0, commits: [], files: [] })

    const ahead = await s.api('GET', `${repo}/compare/v1.0.0-stable...v1.1.0-stable`)
    expect(ahead.data).toMatchObject({ status: 'ahead', ahead_by: 3, behind_by: 0, total_commits: 3, merge_base_commit: { sha: t['v1.0.0-stable'] } })
    expect(ahead.data.commits.map((c: { sha: string }) => c.sha)).toEqual([t['v1.1.0.rc.1'], t['v1.1.0-nightly'], t['v1.1.0-stable']])
    const files = Object.fromEntries(ahead.data.files.map((f: { filename: string; status: string }) => [f.filename, f.status]))
    expect(files).toMatchObject({ Dockerfile: 'modified', 'gateway/metrics.py': 'added', 'pyproject.toml': 'modified' })
    const dockerfile = ahead.data.files.find((f: { filename: string }) => f.filename === 'Dockerfile')
    expect(dockerfile).toMatchObject({ additions: 1, deletions: 1, changes: 2 })

    const behind = await s.api('GET', `${repo}/compare/v1.1.0-stable...v1.0.0-stable`)
    expect(behind.data).toMatchObject({ status: 'behind', ahead_by: 0, behind_by: 3 })

    // The fork's target branch against an upstream tag, inside the fork (fork networks share objects on GitHub).
    const diverged = await s.api('GET', `/repos/carto/gateway-fork/compare/${t['v1.1.0-stable']}...carto/main`)
    expect(diverged.data).toMatchObject({ status: 'diverged', ahead_by: 3, behind_by: 3, merge_base_commit: { sha: s.fork.baseSha } })
    const crossRepo = await s.api('GET', '/repos/carto/gateway-fork/compare/acme:v1.1.0-stable...carto/main')
    expect(crossRepo.data).toMatchObject({ status: 'diverged', ahead_by: 3, behind_by: 3 })
  })

  it('lists at most 300 files, each with its own line counts, as GitHub does', async () => {
    // GitHub's compare shows at most 300 files (docs.github.com REST "Compare two commits"); the stand-in diffs the
    // contents of those only, so a big comparison costs what it costs GitHub, not a diff of every changed file.
    const files = Object.fromEntries(Array.from({ length: 310 }, (_, i) => [`bulk/f${String(i).padStart(3, '0')}.txt`, 'a\n'.repeat(1 + (i % 3))]))
    const head = await commitFiles(s.upstream.dir, 'bulk-files', files, 'Bulk files\n', { parents: [s.upstream.tags['v1.1.0-stable'] as string] })
    const response = await s.api('GET', `${repo}/compare/v1.1.0-stable...${head}`)
    expect(response.data.files).toHaveLength(300)
    expect(response.data.files[0]).toMatchObject({ filename: 'bulk/f000.txt', status: 'added', additions: 1, deletions: 0, changes: 1 })
    expect(response.data.files[299]).toMatchObject({ filename: 'bulk/f299.txt', additions: 3, changes: 3 })
  })

  it('pages commits and 404s unknown sides', async () => {
    const page = await s.api('GET', `${repo}/compare/v1.0.0-stable...main?per_page=2&page=2`)
    expect(page.data.total_commits).toBe(4)
    expect(page.data.commits.map((c: { sha: string }) => c.sha)).toEqual([s.upstream.tags['v1.1.0-stable'], s.upstream.tags['v1.2.0-nightly']])
    expect((await s.api('GET', `${repo}/compare/v1.0.0-stable...nope`)).status).toBe(404)
    expect((await s.api('GET', `${repo}/compare/${'a'.repeat(40)}...main`)).status).toBe(404)
  })
})

describe('contents', () => {
  it('returns a file as wrapped base64, a directory as an array, and 404s', async () => {
    const file = await s.api('GET', '/repos/acme/gateway/contents/pyproject.toml?ref=v1.0.0-stable')
    expect(file.data).toMatchObject({ type: 'file', encoding: 'base64', name: 'pyproject.toml', path: 'pyproject.toml' })
    expect(Buffer.from(file.data.content, 'base64').toString('utf8')).toContain('version = "1.0.0"')
    expect(file.data.size).toBe(Buffer.from(file.data.content, 'base64').length)
    const head = await s.api('GET', '/repos/acme/gateway/contents/pyproject.toml')
    expect(Buffer.from(head.data.content, 'base64').toString('utf8')).toContain('version = "1.1.0"')

    const dir = await s.api('GET', '/repos/acme/gateway/contents/gateway?ref=v1.0.0-stable')
    expect(Array.isArray(dir.data)).toBe(true)
    expect(dir.data.map((e: { name: string; type: string }) => `${e.type}:${e.name}`).sort()).toEqual(['file:__init__.py', 'file:router.py', 'file:server.py'])
    const root = await s.api('GET', '/repos/acme/gateway/contents')
    expect(root.data.find((e: { name: string }) => e.name === 'gateway').type).toBe('dir')

    expect((await s.api('GET', '/repos/acme/gateway/contents/missing.txt')).status).toBe(404)
    expect((await s.api('GET', '/repos/carto/gateway-fork/contents/.github/upstream-sync.yml?ref=carto/main')).status).toBe(404)
    expect((await s.api('GET', '/repos/acme/gateway/contents/README.md?ref=no-such-branch')).status).toBe(404)
  })
})

describe('releases', () => {
  const repo = '/repos/acme/gateway/releases'

  it('hides drafts from /releases/tags but lists them, newest first', async () => {
    const published = await s.api('POST', repo, { tag_name: 'v1.1.0-stable', name: '1.1.0', body: 'Notes for @someone in #12' })
    expect(published.status).toBe(201)
    expect(published.data).toMatchObject({ tag_name: 'v1.1.0-stable', draft: false, prerelease: false, body: 'Notes for @someone in #12', author: { login: 'github-actions[bot]' } })
    expect(published.data.published_at).toMatch(/Z$/)
    const draft = await s.api('POST', repo, { tag_name: 'v1.3.0-stable', name: '1.3.0', draft: true })
    expect(draft.data).toMatchObject({ draft: true, published_at: null })

    const list = await s.api('GET', repo)
    expect(list.data.map((r: { tag_name: string }) => r.tag_name)).toEqual(['v1.3.0-stable', 'v1.1.0-stable'])
    expect((await s.api('GET', `${repo}/tags/v1.3.0-stable`)).status).toBe(404)
    expect((await s.api('GET', `${repo}/tags/v1.1.0-stable`)).data.id).toBe(published.data.id)
    expect((await s.api('GET', `${repo}/${draft.data.id}`)).data.draft).toBe(true)
    expect((await s.api('GET', `${repo}/latest`)).data.tag_name).toBe('v1.1.0-stable')
    // A draft's tag is not created until it is published.
    expect(await git(s.upstream.dir, ['tag', '--list', 'v1.3.0-stable'])).toBe('')

    const duplicate = await s.api('POST', repo, { tag_name: 'v1.1.0-stable' })
    expect(duplicate.status).toBe(422)
    expect(duplicate.data.errors).toEqual([{ resource: 'Release', code: 'already_exists', field: 'tag_name' }])
  })

  it('creates the tag from target_commitish when publishing a release for a new tag', async () => {
    const sha = s.upstream.tags['v1.2.0-nightly'] as string
    const created = await s.api('POST', repo, { tag_name: 'v1.2.0-stable', target_commitish: sha, prerelease: true, created_at: '2020-05-01T00:00:00Z' })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({ prerelease: true, created_at: '2020-05-01T00:00:00Z' })
    expect(await revParse(s.upstream.dir, 'refs/tags/v1.2.0-stable')).toBe(sha)
    const refs = await s.api('GET', '/repos/acme/gateway/git/matching-refs/tags/v1.2.0-stable')
    expect(refs.data).toHaveLength(1)
    const badTarget = await s.api('POST', repo, { tag_name: 'v9.9.9-stable', target_commitish: 'no-such-branch' })
    expect(badTarget.status).toBe(422)
  })
})

describe('pull requests', () => {
  const repo = '/repos/carto/gateway-fork'
  let branchSha = ''

  beforeAll(async () => {
    await setBranch(s.fork.dir, 'upstream-sync/v1.1.0-stable', s.fork.targetSha)
    branchSha = await commitFiles(s.fork.dir, 'upstream-sync/v1.1.0-stable', { 'SYNC.md': 'sync\n' }, 'Sync v1.1.0-stable')
  })

  it('creates a PR with GitHub fields, rejects a duplicate with GitHub 422', async () => {
    const created = await s.api('POST', `${repo}/pulls`, { title: 'Upstream sync: acme/gateway v1.1.0-stable', head: 'upstream-sync/v1.1.0-stable', base: 'carto/main', body: 'Body', maintainer_can_modify: false })
    expect(created.status).toBe(201)
    const pr = created.data
    expect(pr).toMatchObject({
      state: 'open',
      title: 'Upstream sync: acme/gateway v1.1.0-stable',
      body: 'Body',
      draft: false,
      merged: false,
      merged_at: null,
      closed_at: null,
      mergeable: null,
      mergeable_state: 'unknown',
      user: { login: 'github-actions[bot]' },
      labels: [],
      html_url: `${s.standIn.url}/carto/gateway-fork/pull/${pr.number}`,
      url: `${s.standIn.apiUrl}/repos/carto/gateway-fork/pulls/${pr.number}`,
      head: { ref: 'upstream-sync/v1.1.0-stable', sha: branchSha, label: 'carto:upstream-sync/v1.1.0-stable', repo: { full_name: 'carto/gateway-fork' } },
      base: { ref: 'carto/main', sha: s.fork.targetSha, repo: { full_name: 'carto/gateway-fork' } },
      commits: 1,
      maintainer_can_modify: false
    })
    expect(typeof pr.id).toBe('number')
    expect(pr.node_id).toMatch(/^PR_/)

    const duplicate = await s.api('POST', `${repo}/pulls`, { title: 'again', head: 'carto:upstream-sync/v1.1.0-stable', base: 'carto/main' })
    expect(duplicate.status).toBe(422)
    expect(duplicate.data).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for carto:upstream-sync/v1.1.0-stable.' }],
      documentation_url: 'https://docs.github.com/rest',
      status: '422'
    })
  })

  it('rejects a missing head, a missing base, no commits, and a body over 65,536 characters', async () => {
    const noHead = await s.api('POST', `${repo}/pulls`, { title: 't', head: 'nope', base: 'carto/main' })
    expect(noHead.status).toBe(422)
    expect(noHead.data.errors).toEqual([{ resource: 'PullRequest', field: 'head', code: 'invalid' }])
    const noBase = await s.api('POST', `${repo}/pulls`, { title: 't', head: 'upstream-sync/v1.1.0-stable', base: 'nope' })
    expect(noBase.data.errors).toEqual([{ resource: 'PullRequest', field: 'base', code: 'invalid' }])
    const same = await s.api('POST', `${repo}/pulls`, { title: 't', head: 'main', base: 'carto/main' })
    expect(same.status).toBe(422)
    expect(same.data.errors[0].message).toBe('No commits between carto/main and main')
    const long = await s.api('POST', `${repo}/pulls`, { title: 't', head: 'upstream-sync/v1.1.0-stable', base: 'main', body: 'x'.repeat(65537) })
    expect(long.status).toBe(422)
    expect(long.data.errors[0]).toMatchObject({ field: 'body', code: 'custom' })
    const untitled = await s.api('POST', `${repo}/pulls`, { head: 'upstream-sync/v1.1.0-stable', base: 'main' })
    expect(untitled.data.errors).toEqual([{ resource: 'Issue', field: 'title', code: 'missing_field' }])
  })

  it('filters the list by state and owner:branch head, ignores a head without owner, and paginates with Link', async () => {
    const open = await s.api('GET', `${repo}/pulls?head=carto:upstream-sync/v1.1.0-stable`)
    expect(open.data).toHaveLength(1)
    expect(open.data[0]).not.toHaveProperty('mergeable')
    expect((await s.api('GET', `${repo}/pulls?head=carto:other-branch`)).data).toHaveLength(0)
    expect((await s.api('GET', `${repo}/pulls?head=acme:upstream-sync/v1.1.0-stable`)).data).toHaveLength(0)
    // GitHub silently ignores a head filter without "owner:", and so does the stand-in.
    expect((await s.api('GET', `${repo}/pulls?head=other-branch`)).data).toHaveLength(1)
    expect((await s.api('GET', `${repo}/pulls?base=main`)).data).toHaveLength(0)

    for (let i = 0; i < 3; i++) {
      await setBranch(s.fork.dir, `page/${i}`, branchSha)
      expect((await s.api('POST', `${repo}/pulls`, { title: `page ${i}`, head: `page/${i}`, base: 'carto/main' })).status).toBe(201)
    }
    const first = await s.api('GET', `${repo}/pulls?state=all&per_page=2`)
    expect(first.data).toHaveLength(2)
    const link = first.headers.get('link') ?? ''
    expect(link).toContain('rel="next"')
    expect(link).toContain('rel="last"')
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] as string
    const second = await s.api('GET', next)
    expect(second.data).toHaveLength(2)
    expect(second.headers.get('link')).toContain('rel="prev"')
    expect([...first.data, ...second.data].map((p: { number: number }) => p.number)).toEqual([...first.data, ...second.data].map((p: { number: number }) => p.number).sort((a, b) => b - a))
  })

  it('closes a PR (head sha frozen), keeps it out of state=open, and reopens it', async () => {
    const [pr] = (await s.api('GET', `${repo}/pulls?head=carto:page/0`)).data
    const closed = await s.api('PATCH', `${repo}/pulls/${pr.number}`, { state: 'closed', title: 'closed one' })
    expect(closed.data).toMatchObject({ state: 'closed', merged: false, title: 'closed one' })
    expect(closed.data.closed_at).toMatch(/Z$/)
    await commitFiles(s.fork.dir, 'page/0', { 'more.txt': 'x\n' }, 'more')
    expect((await s.api('GET', `${repo}/pulls/${pr.number}`)).data.head.sha).toBe(branchSha)
    expect((await s.api('GET', `${repo}/pulls?head=carto:page/0`)).data).toHaveLength(0)
    expect((await s.api('GET', `${repo}/pulls?head=carto:page/0&state=closed`)).data).toHaveLength(1)
    const reopened = await s.api('PATCH', `${repo}/pulls/${pr.number}`, { state: 'open' })
    expect(reopened.data.state).toBe('open')
    expect(reopened.data.head.sha).not.toBe(branchSha)
  })

  it('closes a PR whose head branch is deleted, as GitHub does', async () => {
    const [pr] = (await s.api('GET', `${repo}/pulls?head=carto:page/1`)).data
    await git(s.fork.dir, ['update-ref', '-d', 'refs/heads/page/1'])
    const after = await s.api('GET', `${repo}/pulls/${pr.number}`)
    expect(after.data).toMatchObject({ state: 'closed', merged: false, head: { sha: branchSha } })
  })

  it('merges for real in the bare repository, and refuses conflicts with 405', async () => {
    const [pr] = (await s.api('GET', `${repo}/pulls?head=carto:page/2`)).data
    const stale = await s.api('PUT', `${repo}/pulls/${pr.number}/merge`, { sha: 'f'.repeat(40) })
    expect(stale.status).toBe(409)
    const merged = await s.api('PUT', `${repo}/pulls/${pr.number}/merge`, { merge_method: 'merge' })
    expect(merged.status).toBe(200)
    expect(merged.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' })
    const tip = await revParse(s.fork.dir, 'refs/heads/carto/main')
    expect(tip).toBe(merged.data.sha)
    expect(await git(s.fork.dir, ['rev-list', '--parents', '-n', '1', tip])).toBe(`${tip} ${s.fork.targetSha} ${branchSha}`)
    const after = await s.api('GET', `${repo}/pulls/${pr.number}`)
    expect(after.data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: tip, merged_by: { login: 'github-actions[bot]' } })
    expect(after.data.merged_at).toMatch(/Z$/)
    expect((await s.api('GET', `${repo}/pulls/${pr.number}/merge`)).status).toBe(204)
    expect((await s.api('PUT', `${repo}/pulls/${pr.number}/merge`, {})).status).toBe(405)
    const reopen = await s.api('PATCH', `${repo}/pulls/${pr.number}`, { state: 'open' })
    expect(reopen.status).toBe(422)

    // Both sides change the same line: GitHub answers 405 "not mergeable".
    const base = await revParse(s.fork.dir, 'refs/heads/carto/main')
    await setBranch(s.fork.dir, 'conflict/a', base)
    await commitFiles(s.fork.dir, 'conflict/a', { 'CARTO_README.md': 'one\n' }, 'a')
    await commitFiles(s.fork.dir, 'carto/main', { 'CARTO_README.md': 'two\n' }, 'b')
    const conflicting = await s.api('POST', `${repo}/pulls`, { title: 'conflict', head: 'conflict/a', base: 'carto/main' })
    const refused = await s.api('PUT', `${repo}/pulls/${conflicting.data.number}/merge`, { merge_method: 'squash' })
    expect(refused.status).toBe(405)
    expect(refused.data.message).toBe('Pull Request is not mergeable')
    expect(await revParse(s.fork.dir, 'refs/heads/carto/main')).not.toBe(base)
  })

  it('lists a PR as an issue with a pull_request key, sharing the number sequence', async () => {
    const issue = await s.api('POST', `${repo}/issues`, { title: 'A plain issue' })
    expect(issue.status).toBe(201)
    const prs = (await s.api('GET', `${repo}/pulls?state=all`)).data as { number: number }[]
    expect(prs.map((p) => p.number)).not.toContain(issue.data.number)
    expect(issue.data.number).toBe(Math.max(...prs.map((p) => p.number)) + 1)
    const all = (await s.api('GET', `${repo}/issues?state=all&per_page=100`)).data as { number: number; pull_request?: unknown }[]
    expect(all.find((i) => i.number === issue.data.number)).not.toHaveProperty('pull_request')
    expect(all.find((i) => i.number === prs[0]?.number)?.pull_request).toBeDefined()
  })
})

describe('labels and comments', () => {
  const repo = '/repos/carto/gateway-fork'
  let number = 0

  beforeAll(async () => {
    number = (await s.api('POST', `${repo}/issues`, { title: 'label target' })).data.number
  })

  it('creates labels, rejects duplicates case-insensitively, and auto-creates on add with colour ededed', async () => {
    const created = await s.api('POST', `${repo}/labels`, { name: 'upstream-sync', color: '0E8A16', description: 'Sync PRs' })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({ name: 'upstream-sync', color: '0e8a16', description: 'Sync PRs', default: false })
    const duplicate = await s.api('POST', `${repo}/labels`, { name: 'Upstream-Sync', color: '000000' })
    expect(duplicate.status).toBe(422)
    expect(duplicate.data.errors).toEqual([{ resource: 'Label', code: 'already_exists', field: 'name' }])
    expect((await s.api('POST', `${repo}/labels`, { name: 'bad', color: 'red' })).status).toBe(422)
    expect((await s.api('GET', `${repo}/labels/UPSTREAM-SYNC`)).data.name).toBe('upstream-sync')
    expect((await s.api('GET', `${repo}/labels/nope`)).status).toBe(404)

    const added = await s.api('POST', `${repo}/issues/${number}/labels`, { labels: ['upstream-sync', 'clean-merge'] })
    expect(added.status).toBe(200)
    expect(added.data.map((l: { name: string }) => l.name)).toEqual(['upstream-sync', 'clean-merge'])
    expect((await s.api('GET', `${repo}/labels/clean-merge`)).data.color).toBe('ededed')
  })

  it('replaces and removes labels, 404 when the label is not on the issue', async () => {
    const replaced = await s.api('PUT', `${repo}/issues/${number}/labels`, { labels: ['conflicts'] })
    expect(replaced.data.map((l: { name: string }) => l.name)).toEqual(['conflicts'])
    expect((await s.api('DELETE', `${repo}/issues/${number}/labels/clean-merge`)).status).toBe(404)
    const removed = await s.api('DELETE', `${repo}/issues/${number}/labels/conflicts`)
    expect(removed.status).toBe(200)
    expect(removed.data).toEqual([])
    await s.api('POST', `${repo}/issues/${number}/labels`, { labels: ['upstream-sync'] })
    const filtered = await s.api('GET', `${repo}/issues?labels=upstream-sync`)
    expect(filtered.data.map((i: { number: number }) => i.number)).toEqual([number])
    expect((await s.api('GET', `${repo}/issues/${number}/labels`)).data.map((l: { name: string }) => l.name)).toEqual(['upstream-sync'])
  })

  it('adds and lists comments', async () => {
    const comment = await s.api('POST', `${repo}/issues/${number}/comments`, { body: 'Superseded by #99' })
    expect(comment.status).toBe(201)
    expect(comment.data).toMatchObject({ body: 'Superseded by #99', user: { login: 'github-actions[bot]' } })
    const list = await s.api('GET', `${repo}/issues/${number}/comments`)
    expect(list.data.map((c: { body: string }) => c.body)).toEqual(['Superseded by #99'])
    expect((await s.api('GET', `${repo}/issues/${number}`)).data.comments).toBe(1)
    expect((await s.api('POST', `${repo}/issues/9999/comments`, { body: 'x' })).status).toBe(404)
  })

  it('edits a comment in place (PATCH /issues/comments/{id}), 404 for an unknown one', async () => {
    const comment = await s.api('POST', `${repo}/issues/${number}/comments`, { body: 'first findings' })
    const edited = await s.api('PATCH', `${repo}/issues/comments/${comment.data.id}`, { body: 'new findings' })
    expect(edited.status).toBe(200)
    expect(edited.data).toMatchObject({ id: comment.data.id, body: 'new findings' })
    const bodies = (await s.api('GET', `${repo}/issues/${number}/comments`)).data.map((c: { body: string }) => c.body)
    expect(bodies).toContain('new findings')
    expect(bodies).not.toContain('first findings')
    expect((await s.api('PATCH', `${repo}/issues/comments/999999`, { body: 'x' })).status).toBe(404)
  })
})

describe('workflow dispatch and the request log', () => {
  it('records dispatches, 422 for an unknown ref, 404 for an unknown workflow', async () => {
    const repo = '/repos/carto/gateway-fork/actions/workflows'
    const ok = await s.api('POST', `${repo}/carto-build.yml/dispatches`, { ref: 'carto/main', inputs: { tag: 'v1.1.0-stable' } })
    expect(ok.status).toBe(204)
    expect(ok.data).toBeNull()
    expect((await s.api('POST', `${repo}/carto-build.yml/dispatches`, { ref: 'nope' })).status).toBe(422)
    expect((await s.api('POST', `${repo}/missing.yml/dispatches`, { ref: 'carto/main' })).status).toBe(404)
    const recorded = await dispatches(s.standIn)
    expect(recorded).toEqual([expect.objectContaining({ repository: 'carto/gateway-fork', workflowId: 'carto-build.yml', ref: 'carto/main', inputs: { tag: 'v1.1.0-stable' } })])
  })

  it('logs method, path, query, status and the auth scheme, never the token', async () => {
    await resetLog(s.standIn)
    await s.api('GET', '/repos/acme/gateway/git/matching-refs/tags/v')
    await api(s.standIn, 'GET', '/repos/acme/gateway/pulls?state=all', undefined, { token: null })
    await fetch(`${s.standIn.apiUrl}/repos/acme/gateway`, { headers: { authorization: `Bearer ${s.token}` } })
    const log = await requestLog(s.standIn)
    expect(log.map((e) => [e.method, e.path, e.query, e.status, e.auth])).toEqual([
      ['GET', '/api/v3/repos/acme/gateway/git/matching-refs/tags/v', '', 200, 'token'],
      ['GET', '/api/v3/repos/acme/gateway/pulls', 'state=all', 401, 'none'],
      ['GET', '/api/v3/repos/acme/gateway', '', 200, 'bearer']
    ])
    expect(log.every((e) => e.kind === 'api')).toBe(true)
    const raw = await (await fetch(`${s.standIn.url}/_stand-in/requests?kind=all`)).text()
    expect(raw).not.toContain(s.token as string)
  })

  it('forgets pull requests and issues on reset-state, keeping labels and releases', async () => {
    expect((await s.api('GET', '/repos/carto/gateway-fork/pulls?state=all')).data.length).toBeGreaterThan(0)
    await resetState(s.standIn, 'carto/gateway-fork')
    expect((await s.api('GET', '/repos/carto/gateway-fork/pulls?state=all')).data).toEqual([])
    expect((await s.api('GET', '/repos/carto/gateway-fork/issues?state=all')).data).toEqual([])
    expect((await s.api('GET', '/repos/carto/gateway-fork/labels')).data.length).toBeGreaterThan(0)
    expect((await s.api('GET', '/repos/acme/gateway/releases')).data.length).toBeGreaterThan(0)
    const issue = await s.api('POST', '/repos/carto/gateway-fork/issues', { title: 'numbering restarts' })
    expect(issue.data.number).toBe(1)
  })
})
