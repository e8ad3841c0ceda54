/**
 * GitHub's permission model for a GITHUB_TOKEN (`--token-repo`/`--permissions`): public reads everywhere, writes on
 * the token's repository only and with the right permission, GitHub's exact refusals, drafts hidden from tokens
 * without push access, the as-owner control, and the pushes GitHub refuses.
 *
 * GitHub texts and where they come from:
 * - 403 `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/labels#create-a-label","status":"403"}`
 *   and the same for `#add-labels-to-an-issue`: OWASP-BLT/BLT#4311 (bodies printed by a workflow).
 * - `You do not have permission to create labels on this repository.` with
 *   `{"resource":"Repository","field":"label","code":"unauthorized"}`: actions/labeler#870,
 *   googleapis/release-please-action#1105; its status is 403 on `POST /issues/{n}/labels`: Songmu/tagpr#194 and
 *   wolfi-dev/os#49539 (go-github prints "POST .../issues/1/labels: 403 You do not have permission ...").
 * - 422 `{"message":"Workflow does not have 'workflow_dispatch' trigger","documentation_url":"https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event","status":"422"}`:
 *   fcetool/fcetool#1, benc-uk/workflow-dispatch#46.
 * - ``refusing to allow a GitHub App to create or update workflow `.github/workflows/x.yml` without `workflows` permission``:
 *   peter-evans/create-pull-request#1234, repo-sync/github-sync#23, exions/merge-upstream#14 (synced upstream commits).
 * - Drafts: "Only users with push access will receive listings for draft releases" (GitHub REST docs, List releases);
 *   `releases/tags/{tag}` never returns a draft.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { parsePermissions, tokenModel } from '../../../test/stand-in/permissions.js'
import { asOwner, dispatches } from '../../../test/support/control.js'
import { commitFiles, git, gitRaw, revParse, setBranch } from '../../../test/support/repos.js'
import { createWorld, type World } from './helpers/world.js'

const FORK = '/repos/carto/gateway-fork'
const UPSTREAM = '/repos/acme/gateway'
const NOT_ACCESSIBLE = (anchor: string): unknown => ({ message: 'Resource not accessible by integration', documentation_url: `https://docs.github.com/rest/${anchor}`, status: '403' })

describe('permission lists', () => {
  it("parses GitHub's names and levels and names a bad entry", () => {
    expect(parsePermissions('contents:write, pull-requests:write,issues:read,actions:none')).toEqual({
      contents: 'write',
      'pull-requests': 'write',
      issues: 'read',
      actions: 'none'
    })
    expect(() => parsePermissions('pull_requests:write')).toThrow(/unknown permission "pull_requests"/)
    expect(() => parsePermissions('contents')).toThrow(/contents:read, contents:write or contents:none/)
    expect(() => tokenModel(undefined, 'contents:write')).toThrow(/--token-repo/)
    expect(() => tokenModel('carto', 'contents:write')).toThrow(/OWNER\/NAME/)
    expect(tokenModel(undefined, undefined)).toBeUndefined()
  })
})

describe('a token with the permissions the README used to declare (contents, pull-requests)', () => {
  let w: World
  let pull: number

  beforeAll(async () => {
    w = await createWorld({ tokenRepo: 'carto/gateway-fork', permissions: 'contents:write,pull-requests:write' })
    const created = await w.api('POST', `${FORK}/pulls`, { title: 'sync', head: 'carto/main', base: 'main' })
    expect(created.status).toBe(201)
    pull = created.data.number
  })

  afterAll(async () => {
    await w.close()
  })

  it("reads any repository's public data", async () => {
    expect((await w.api('GET', UPSTREAM)).status).toBe(200)
    expect((await w.api('GET', `${UPSTREAM}/git/matching-refs/tags/v`)).status).toBe(200)
    expect((await w.api('GET', `${FORK}/compare/carto/main...${w.upstream.tags['v1.1.0-stable']}`)).status).toBe(200)
    expect((await w.api('GET', `${FORK}/labels`)).status).toBe(200)
  })

  it('may not write to another repository, whatever its permissions', async () => {
    const ref = await w.api('POST', `${UPSTREAM}/git/refs`, { ref: 'refs/heads/x', sha: w.upstream.tags['v1.1.0-stable'] })
    expect(ref.status).toBe(403)
    expect(ref.data).toEqual(NOT_ACCESSIBLE('git/refs#create-a-reference'))
    expect((await w.api('POST', `${UPSTREAM}/releases`, { tag_name: 'v9' })).data).toEqual(NOT_ACCESSIBLE('releases/releases#create-a-release'))
    expect((await w.api('POST', `${UPSTREAM}/pulls`, { title: 't', head: 'main', base: 'main' })).status).toBe(403)
  })

  it('writes its own repository where the permission covers it', async () => {
    const ref = await w.api('POST', `${FORK}/git/refs`, { ref: 'refs/heads/scratch', sha: w.fork.targetSha })
    expect(ref.status).toBe(201)
    expect((await w.api('DELETE', `${FORK}/git/refs/heads/scratch`)).status).toBe(204)
    expect((await w.api('PATCH', `${FORK}/pulls/${pull}`, { body: 'updated' })).status).toBe(200)
    // Commenting on a PR needs issues: write or, for a PR, pull-requests: write.
    const comment = await w.api('POST', `${FORK}/issues/${pull}/comments`, { body: 'hi' })
    expect(comment.status).toBe(201)
    // Editing it too: the comment's endpoint names no issue, the comment tells which one (a PR here).
    expect((await w.api('PATCH', `${FORK}/issues/comments/${comment.data.id}`, { body: 'edited' })).status).toBe(200)
  })

  it('cannot create a label: 403 Resource not accessible by integration', async () => {
    const response = await w.api('POST', `${FORK}/labels`, { name: 'upstream-sync', color: '0e8a16' })
    expect(response.status).toBe(403)
    expect(response.data).toEqual(NOT_ACCESSIBLE('issues/labels#create-a-label'))
  })

  it('cannot add a label that does not exist (it would create it), but can add existing ones', async () => {
    const missing = await w.api('POST', `${FORK}/issues/${pull}/labels`, { labels: ['upstream-sync'] })
    expect(missing.status).toBe(403)
    expect(missing.data).toEqual({
      message: 'You do not have permission to create labels on this repository.',
      errors: [{ resource: 'Repository', field: 'label', code: 'unauthorized' }],
      documentation_url: 'https://docs.github.com/rest/issues/labels#add-labels-to-an-issue',
      status: '403'
    })
    expect((await w.api('GET', `${FORK}/labels`)).data).toEqual([])
    // The repository's owner creates it; then the token may put it on its PR.
    expect((await asOwner(w.standIn, 'POST', `${FORK}/labels`, { name: 'upstream-sync', color: '0e8a16' })).status).toBe(201)
    const added = await w.api('POST', `${FORK}/issues/${pull}/labels`, { labels: ['upstream-sync'] })
    expect(added.status).toBe(200)
    expect(added.data.map((l: { name: string }) => l.name)).toEqual(['upstream-sync'])
    expect((await w.api('DELETE', `${FORK}/issues/${pull}/labels/upstream-sync`)).status).toBe(200)
  })

  it('cannot open an issue or dispatch a workflow', async () => {
    expect((await w.api('POST', `${FORK}/issues`, { title: 'x' })).data).toEqual(NOT_ACCESSIBLE('issues/issues#create-an-issue'))
    const dispatch = await w.api('POST', `${FORK}/actions/workflows/carto-build.yml/dispatches`, { ref: 'carto/main' })
    expect(dispatch.data).toEqual(NOT_ACCESSIBLE('actions/workflows#create-a-workflow-dispatch-event'))
    expect(await dispatches(w.standIn)).toEqual([])
  })

  it("does not see another repository's drafts; its owner does", async () => {
    const published = await asOwner(w.standIn, 'POST', `${UPSTREAM}/releases`, { tag_name: 'v1.1.0-stable', name: '1.1.0' })
    expect(published.status).toBe(201)
    expect(published.data.author.login).toBe('acme')
    const draft = await asOwner(w.standIn, 'POST', `${UPSTREAM}/releases`, { tag_name: 'v1.2.0-nightly', draft: true })
    expect(draft.status).toBe(201)

    const listed = await w.api('GET', `${UPSTREAM}/releases`)
    expect(listed.data.map((r: { tag_name: string }) => r.tag_name)).toEqual(['v1.1.0-stable'])
    expect((await w.api('GET', `${UPSTREAM}/releases/${draft.data.id}`)).status).toBe(404)
    expect((await w.api('GET', `${UPSTREAM}/releases/tags/v1.2.0-nightly`)).status).toBe(404)
    expect((await w.api('GET', `${UPSTREAM}/releases/tags/v1.1.0-stable`)).status).toBe(200)

    const owner = await asOwner(w.standIn, 'GET', `${UPSTREAM}/releases`)
    expect(owner.data.map((r: { tag_name: string; draft: boolean }) => [r.tag_name, r.draft])).toEqual([
      ['v1.2.0-nightly', true],
      ['v1.1.0-stable', false]
    ])
  })

  it('sees the drafts of its own repository (push access)', async () => {
    const draft = await w.api('POST', `${FORK}/releases`, { tag_name: 'fork-draft', draft: true })
    expect(draft.status).toBe(201)
    expect((await w.api('GET', `${FORK}/releases`)).data.map((r: { tag_name: string }) => r.tag_name)).toContain('fork-draft')
    expect((await w.api('GET', `${FORK}/releases/${draft.data.id}`)).status).toBe(200)
  })

  it('refuses a push to another repository the way GitHub does', async () => {
    const upstream = await w.clone('acme/gateway')
    await git('', ['-C', upstream, 'commit', '--quiet', '--allow-empty', '-m', 'x'], { env: { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@x' } })
    const push = await gitRaw('', [...w.gitAuth, '-C', upstream, 'push', 'origin', 'HEAD:refs/heads/from-fork'])
    expect(push.code).not.toBe(0)
    expect(push.stderr).toContain('Permission to acme/gateway.git denied to github-actions[bot].')
    expect(push.stderr).toContain('403')
  })

  it('refuses a push that changes a workflow file, and only that one', async () => {
    const fork = await w.clone('carto/gateway-fork', ['--branch', 'carto/main'])
    const commit = async (file: string, text: string): Promise<void> => {
      await import('node:fs').then(({ promises }) => promises.writeFile(path.join(fork, file), text))
      await git('', [...w.gitAuth, '-C', fork, 'commit', '--quiet', '-am', `change ${file}`])
    }
    await commit('CARTO_README.md', '# CARTO fork\n\nNow documented.\n')
    const plain = await gitRaw('', [...w.gitAuth, '-C', fork, 'push', 'origin', 'HEAD:refs/heads/docs'])
    expect(plain.code).toBe(0)

    await commit('.github/workflows/carto-build.yml', 'name: CARTO build\non: [push, workflow_dispatch]\njobs: {}\n')
    const refused = await gitRaw('', [...w.gitAuth, '-C', fork, 'push', 'origin', 'HEAD:refs/heads/ci'])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain(
      '! [remote rejected] HEAD -> ci (refusing to allow a GitHub App to create or update workflow `.github/workflows/carto-build.yml` without `workflows` permission)'
    )
    expect(await gitRaw(w.fork.dir, ['rev-parse', '--verify', '--quiet', 'refs/heads/ci']).then((r) => r.code)).not.toBe(0)
    // The earlier commit, which touches no workflow, still goes through on top of what the server has.
    const again = await gitRaw('', [...w.gitAuth, '-C', fork, 'push', 'origin', 'HEAD~1:refs/heads/docs-2'])
    expect(again.code).toBe(0)
  })
})

describe('a token with every permission the action needs', () => {
  let w: World

  beforeAll(async () => {
    w = await createWorld({ tokenRepo: 'carto/gateway-fork', permissions: 'contents:write,pull-requests:write,issues:write,actions:write' })
  })

  afterAll(async () => {
    await w.close()
  })

  it('creates labels, explicitly and by adding them', async () => {
    expect((await w.api('POST', `${FORK}/labels`, { name: 'upstream-sync', color: '0e8a16' })).status).toBe(201)
    const pull = await w.api('POST', `${FORK}/pulls`, { title: 'sync', head: 'carto/main', base: 'main' })
    const added = await w.api('POST', `${FORK}/issues/${pull.data.number}/labels`, { labels: ['upstream-sync', 'conflicts'] })
    expect(added.status).toBe(200)
    expect(added.data.map((l: { name: string; color: string }) => [l.name, l.color])).toEqual([
      ['upstream-sync', '0e8a16'],
      ['conflicts', 'ededed']
    ])
  })

  it("dispatches only a ref whose copy of the workflow has a workflow_dispatch trigger (GitHub's 422 otherwise)", async () => {
    const refused = await w.api('POST', `${FORK}/actions/workflows/carto-build.yml/dispatches`, { ref: 'carto/main' })
    expect(refused.status).toBe(422)
    expect(refused.data).toEqual({
      message: "Workflow does not have 'workflow_dispatch' trigger",
      documentation_url: 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event',
      status: '422'
    })
    await setBranch(w.fork.dir, 'ci', w.fork.targetSha)
    const withTrigger = await commitFiles(w.fork.dir, 'ci', { '.github/workflows/carto-build.yml': 'name: CARTO build\non:\n  push:\n  workflow_dispatch:\n    inputs: {}\njobs: {}\n' }, 'dispatchable')
    expect(await revParse(w.fork.dir, 'ci')).toBe(withTrigger)
    expect((await w.api('POST', `${FORK}/actions/workflows/carto-build.yml/dispatches`, { ref: 'ci' })).status).toBe(204)
    // GitHub reads the file at the dispatched ref: main has no copy of it at all.
    expect((await w.api('POST', `${FORK}/actions/workflows/carto-build.yml/dispatches`, { ref: 'main' })).status).toBe(422)
    expect((await dispatches(w.standIn)).map((d) => d.ref)).toEqual(['ci'])
  })
})

describe('a token with workflows and a read-only one', () => {
  it('lets a token with workflows: write push workflow changes', async () => {
    const w = await createWorld({ tokenRepo: 'carto/gateway-fork', permissions: 'contents:write,workflows:write' })
    try {
      const fork = await w.clone('carto/gateway-fork', ['--branch', 'carto/main'])
      await import('node:fs').then(({ promises }) => promises.rm(path.join(fork, '.github/workflows/carto-build.yml')))
      await git('', [...w.gitAuth, '-C', fork, 'commit', '--quiet', '-am', 'drop the build'])
      expect((await gitRaw('', [...w.gitAuth, '-C', fork, 'push', 'origin', 'HEAD:refs/heads/no-ci'])).code).toBe(0)
    } finally {
      await w.close()
    }
  })

  it('refuses every write of a contents: read token, pushes included', async () => {
    const w = await createWorld({ tokenRepo: 'carto/gateway-fork', permissions: 'contents:read' })
    try {
      expect((await w.api('POST', `${FORK}/git/refs`, { ref: 'refs/heads/x', sha: w.fork.targetSha })).status).toBe(403)
      expect((await w.api('POST', `${FORK}/pulls`, { title: 't', head: 'carto/main', base: 'main' })).data).toEqual(NOT_ACCESSIBLE('pulls/pulls#create-a-pull-request'))
      const fork = await w.clone('carto/gateway-fork')
      const push = await gitRaw('', [...w.gitAuth, '-C', fork, 'push', 'origin', 'HEAD:refs/heads/copy'])
      expect(push.stderr).toContain('Permission to carto/gateway-fork.git denied to github-actions[bot].')
    } finally {
      await w.close()
    }
  })
})
