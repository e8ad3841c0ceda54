/**
 * Publishing: the sync branch is only moved when nothing a human made is lost, lost races are re-read instead of
 * failing or overwriting, refused pushes are explained, a PR creation that fails after the push says the branch is
 * in place, and a new PR is written once. Git is faked through its typed verbs (`push`, `commits`); re-reading
 * branches and deciding ownership are mocked; the decisions are publish/'s.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Git, PushOutcome, PushRequest } from '../../../src/git/git.js'
import type { CommitHeader } from '../../../src/git/parse.js'
import type { GitHubApi, PullInfo } from '../../../src/github/api.js'
import type { MergeResult } from '../../../src/types.js'

const fetchBranches = jest.fn<(...args: unknown[]) => Promise<Record<string, string | undefined>>>()
const classifySyncBranch = jest.fn<(...args: unknown[]) => Promise<'action' | 'human'>>()

jest.unstable_mockModule('../../../src/git/partial-clone.js', () => ({ fetchBranches, requireValidRef: () => undefined }))
jest.unstable_mockModule('../../../src/publish/ownership.js', () => ({ classifySyncBranch }))

const { publishSync, startPublish } = await import('../../../src/publish/pull.js')
const { explainPushError } = await import('../../../src/publish/branch.js')
const { closeSuperseded, findOlderSyncPulls } = await import('../../../src/publish/supersede.js')
const { GitError } = await import('../../../src/git/process.js')
const { UserError } = await import('../../../src/errors.js')

const TARGET = 't'.repeat(40)
const TAG = 'a'.repeat(40)
const HEAD = 'h'.repeat(40)
const OTHER = 'o'.repeat(40)
const BRANCH = 'upstream-sync/v1.1.0-stable'

const merge = { status: 'clean', headSha: HEAD, targetSha: TARGET, tagSha: TAG, conflicts: [], autoResolved: [] } as unknown as MergeResult

function pull(number: number, headRef = BRANCH): PullInfo {
  return { number, url: `https://github.com/carto/fork/pull/${number}`, state: 'open', merged: false, title: 'old', body: 'old', headRef, headSha: HEAD, baseRef: 'carto/main', labels: [], createdAt: '2026-01-01T00:00:00Z' }
}

/** What `git push --porcelain` reports for the sync branch. */
const pushed: PushOutcome = { exitCode: 0, ref: { flag: '*', summary: '[new branch]' }, stdout: '', stderr: '' }
const stale: PushOutcome = { exitCode: 1, ref: { flag: '!', summary: '[rejected] (stale info)' }, stdout: '', stderr: '' }
/** A push the server refused with `stderr` (no porcelain line for the ref: git's message is all there is). */
const refused = (stderr: string): PushOutcome => ({ exitCode: 1, stdout: '', stderr })

const push = jest.fn<(request: PushRequest) => Promise<PushOutcome>>()

/** A git whose commits have the given parents and trees (for the "equivalent merge" check), pushing through `push`. */
function fakeGit(commits: Record<string, { parents: string[]; tree: string }>): Git {
  const known = (sha: string): CommitHeader => ({ sha, tree: commits[sha]?.tree ?? 'none', parents: commits[sha]?.parents ?? [] })
  return { push, commits: async (shas: string[]) => shas.map(known) } as unknown as Git
}

function fakeApi() {
  return {
    createPull: jest.fn<GitHubApi['createPull']>(async () => ({ pull: pull(1), created: true })),
    updatePull: jest.fn<GitHubApi['updatePull']>(async () => true),
    ensureLabels: jest.fn<GitHubApi['ensureLabels']>(async () => ({ refused: [] })),
    labelNames: jest.fn<GitHubApi['labelNames']>(async () => new Set<string>()),
    setPullLabels: jest.fn<GitHubApi['setPullLabels']>(async () => undefined),
    openSyncPulls: jest.fn<GitHubApi['openSyncPulls']>(async () => []),
    comment: jest.fn<GitHubApi['comment']>(async () => undefined),
    deleteBranch: jest.fn<GitHubApi['deleteBranch']>(async () => undefined)
  }
}

const logged: string[] = []
const log = { debug: () => undefined, info: (m: string) => logged.push(`info: ${m}`), warning: (m: string) => logged.push(`warning: ${m}`), isDebug: () => false }

function request(api: ReturnType<typeof fakeApi>, git: Git, overrides: Partial<Parameters<typeof publishSync>[0]> = {}) {
  return {
    api: api as unknown as GitHubApi,
    git,
    log,
    forkUrl: 'https://github.com/carto/fork.git',
    targetBranch: 'carto/main',
    syncBranch: BRANCH,
    tag: 'v1.1.0-stable',
    merge,
    title: 'Sync v1.1.0-stable',
    renderBody: (supersedes: Array<{ number: number; url: string }>) => (supersedes.length === 0 ? 'body' : `body, supersedes ${supersedes.map((old) => `#${old.number} ${old.url}`).join(', ')}`),
    labels: { always: ['upstream-sync'], status: ['clean-merge'], stale: ['conflicts'], specs: [] },
    ...overrides
  }
}

const WORKFLOW_REFUSAL = '[remote rejected] (refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)'

function pushError(stderr: string): InstanceType<typeof GitError> {
  return new GitError(['push', 'https://github.com/carto/fork.git'], 1, stderr, '')
}

/** The lease each push carried. */
const leases = (): Array<string | null> => push.mock.calls.map((call) => call[0].expectedOldSha)

beforeEach(() => {
  push.mockReset()
  fetchBranches.mockReset()
  classifySyncBranch.mockReset()
  logged.length = 0
})

describe('publishSync', () => {
  it('pushes a new branch (lease: must not exist) and opens the labelled PR', async () => {
    push.mockResolvedValue(pushed)
    const api = fakeApi()
    const outcome = await publishSync(request(api, fakeGit({})))
    expect(outcome).toMatchObject({ result: 'created', pushed: true, changed: true, pull: { number: 1 } })
    expect(push).toHaveBeenCalledWith({ remote: 'https://github.com/carto/fork.git', ref: `refs/heads/${BRANCH}`, sha: HEAD, expectedOldSha: null, thin: false, negotiate: true })
    expect(api.setPullLabels).toHaveBeenCalledWith(expect.objectContaining({ number: 1 }), ['upstream-sync', 'clean-merge'], ['conflicts'])
  })

  it("leaves a branch with a maintainer's commit alone: no push, no PR change, a warning", async () => {
    classifySyncBranch.mockResolvedValue('human')
    const api = fakeApi()
    const outcome = await publishSync(request(api, fakeGit({}), { branchSha: OTHER, openPull: pull(4) }))
    expect(outcome).toEqual({ result: 'up-to-date', pushed: false, changed: true, humanCommitsOn: OTHER, pull: pull(4), superseded: [] })
    expect(push).not.toHaveBeenCalled()
    expect(api.updatePull).not.toHaveBeenCalled()
    expect(api.createPull).not.toHaveBeenCalled()
    expect(logged).toEqual([
      `warning: The sync branch ${BRANCH} has commits that upstream-sync did not make (head ${OTHER.slice(0, 12)}), probably a maintainer's conflict resolution. It was left untouched and PR #4 was not changed.`
    ])
  })

  it('treats a refused push as a lost race when the branch moved (a lock error, not worded as stale) and keeps an equivalent merge', async () => {
    push.mockResolvedValue(refused("[remote rejected] (failed to update ref)\nremote: error: cannot lock ref 'refs/heads/x': reference already exists"))
    fetchBranches.mockResolvedValue({ [BRANCH]: OTHER })
    classifySyncBranch.mockResolvedValue('action')
    const api = fakeApi()
    api.createPull.mockResolvedValue({ pull: pull(9), created: false })
    const git = fakeGit({ [OTHER]: { parents: [TARGET, TAG], tree: 'tree1' }, [HEAD]: { parents: [TARGET, TAG], tree: 'tree1' } })
    const outcome = await publishSync(request(api, git))
    expect(outcome).toMatchObject({ result: 'updated', pushed: false, pull: { number: 9 } })
    expect(push).toHaveBeenCalledTimes(1)
    expect(api.updatePull).toHaveBeenCalledWith(expect.objectContaining({ number: 9 }), { title: 'Sync v1.1.0-stable', body: 'body' })
    expect(logged).toContain(`info: The sync branch ${BRANCH} changed while this run worked (a concurrent run or a push); reading it again.`)
  })

  it('pushes again with the new lease when the branch moved to an older action commit', async () => {
    push.mockResolvedValueOnce(stale).mockResolvedValueOnce(pushed)
    fetchBranches.mockResolvedValue({ [BRANCH]: OTHER })
    classifySyncBranch.mockResolvedValue('action')
    const git = fakeGit({ [OTHER]: { parents: [TAG], tree: 'old' } })
    const outcome = await publishSync(request(fakeApi(), git))
    expect(outcome.pushed).toBe(true)
    expect(leases()).toEqual([null, OTHER])
  })

  it('explains a refused push when the branch did not move, and opens no PR', async () => {
    push.mockResolvedValue(refused(WORKFLOW_REFUSAL))
    fetchBranches.mockResolvedValue({ [BRANCH]: undefined })
    const api = fakeApi()
    const error = await publishSync(request(api, fakeGit({}))).catch((e: unknown) => e)
    expect((error as Error).message).toContain(`Could not push the sync branch ${BRANCH}: upstream v1.1.0-stable changes the workflow file .github/workflows/ci.yml`)
    expect(error).toBeInstanceOf(UserError)
    expect((error as InstanceType<typeof UserError>).kind).toBe('permission')
    expect(api.createPull).not.toHaveBeenCalled()
  })

  it('still explains the push error when the branch cannot be read again', async () => {
    push.mockResolvedValue(refused('error: RPC failed; HTTP 403 curl 22 The requested URL returned error: 403'))
    fetchBranches.mockRejectedValue(new Error('fatal: unable to access'))
    await expect(publishSync(request(fakeApi(), fakeGit({})))).rejects.toThrow("It needs the 'contents: write' permission")
  })

  it('gives up after three lost races without overwriting anything', async () => {
    push.mockResolvedValue(stale)
    fetchBranches.mockResolvedValueOnce({ [BRANCH]: 'b1'.repeat(20) }).mockResolvedValueOnce({ [BRANCH]: 'b2'.repeat(20) }).mockResolvedValueOnce({ [BRANCH]: 'b3'.repeat(20) })
    classifySyncBranch.mockResolvedValue('action')
    const error = await publishSync(request(fakeApi(), fakeGit({}))).catch((e: unknown) => e)
    expect((error as Error).message).toContain(`The sync branch ${BRANCH} kept changing under this run (3 attempts)`)
    expect((error as InstanceType<typeof UserError>).kind).toBe('conflict')
    expect(push).toHaveBeenCalledTimes(3)
  })

  it('says the branch is in place when the PR cannot be opened after the push', async () => {
    push.mockResolvedValue(pushed)
    const api = fakeApi()
    api.createPull.mockRejectedValue(new Error(`Could not open the sync pull request from ${BRANCH} into carto/main: GitHub answered 502 Server Error`))
    await expect(publishSync(request(api, fakeGit({})))).rejects.toThrow(
      `Could not open the sync pull request from ${BRANCH} into carto/main: GitHub answered 502 Server Error. The sync branch ${BRANCH} is in place; the next run opens the pull request for it.`
    )
  })
})

describe('startPublish', () => {
  it('pushes only once what the push sends is here (`after`), reads the labels and older PRs meanwhile, and publishSync finishes it', async () => {
    push.mockResolvedValue(pushed)
    const api = fakeApi()
    let arrive!: () => void
    const objects = new Promise<void>((resolve) => (arrive = resolve))
    const { title: _title, renderBody: _renderBody, labels: _labels, ...rest } = request(api, fakeGit({}))
    const started = startPublish({ ...rest, after: objects })
    await new Promise((resolve) => setImmediate(resolve))
    expect(push).not.toHaveBeenCalled()
    expect(api.labelNames).toHaveBeenCalledTimes(1)
    arrive()
    const outcome = await publishSync(request(api, fakeGit({})), started)
    expect(push).toHaveBeenCalledTimes(1)
    expect(outcome).toMatchObject({ result: 'created', pushed: true, pull: { number: 1 } })
    // The labels were listed once, by startPublish, not again by publishSync.
    expect(api.labelNames).toHaveBeenCalledTimes(1)
  })

  it('keeps a failed push for publishSync to report: no unhandled rejection while the PR is rendered', async () => {
    push.mockResolvedValue(refused('fatal: unable to access: Could not resolve host'))
    fetchBranches.mockResolvedValue({ [BRANCH]: undefined })
    const api = fakeApi()
    const started = startPublish(request(api, fakeGit({})))
    await new Promise((resolve) => setImmediate(resolve))
    await expect(publishSync(request(api, fakeGit({})), started)).rejects.toThrow('Could not resolve host')
    expect(api.createPull).not.toHaveBeenCalled()
  })
})

describe('explainPushError', () => {
  const req = { syncBranch: BRANCH, tag: 'v1.1.0-stable' }

  it('explains the workflow-file rule for GITHUB_TOKEN and names the tokens that can push it', () => {
    const message = explainPushError(pushError(`${WORKFLOW_REFUSAL}\nerror: failed to push some refs to 'https://github.com/carto/fork.git'`), req).message
    expect(message).toContain('changes the workflow file .github/workflows/ci.yml, and GitHub refuses workflow changes from this token (GitHub App).')
    expect(message).toContain("A workflow's GITHUB_TOKEN can never push changes under .github/workflows/, whatever its permissions.")
    expect(message).toContain("a GitHub App token with the 'Workflows: read and write' permission")
    expect(message).toContain("a classic PAT needs the 'workflow' scope")
    expect(message).toMatch(/GitHub said: refusing to allow a GitHub App to create or update workflow `\.github\/workflows\/ci\.yml` without `workflows` permission$/)
  })

  it('recognises the same refusal for a personal access token without the workflow scope', () => {
    const error = pushError('! [remote rejected] HEAD -> x (refusing to allow a Personal Access Token to create or update workflow `.github/workflows/a.yml` without `workflow` scope)')
    expect(explainPushError(error, req).message).toContain('refuses workflow changes from this token (Personal Access Token)')
  })

  it('names branch protection and rulesets', () => {
    const error = pushError('remote: error: GH006: Protected branch update failed for refs/heads/upstream-sync/v1.1.0-stable.')
    expect(explainPushError(error, req).message).toContain("a branch protection rule or ruleset of the fork covers it. Exempt the sync branches (the 'branch-prefix' pattern)")
  })

  it('names contents: write for a 403 and github-token for an authentication failure', () => {
    expect(explainPushError(pushError(`remote: Permission to carto/fork.git denied to github-actions[bot].\nfatal: unable to access 'https://github.com/carto/fork.git/': The requested URL returned error: 403`), req).message).toContain(
      "It needs the 'contents: write' permission"
    )
    expect(explainPushError(pushError("fatal: Authentication failed for 'https://github.com/carto/fork.git/'"), req).message).toContain("Check the 'github-token' input")
  })

  it('makes the recognised refusals permission errors', () => {
    for (const stderr of [WORKFLOW_REFUSAL, 'remote: error: GH006: Protected branch update failed', 'fatal: unable to access: The requested URL returned error: 403', 'fatal: Authentication failed']) {
      const explained = explainPushError(pushError(stderr), req)
      expect(explained).toBeInstanceOf(UserError)
      expect((explained as InstanceType<typeof UserError>).kind).toBe('permission')
    }
  })

  it('passes anything else through unchanged', () => {
    const other = pushError('fatal: the remote end hung up unexpectedly')
    expect(explainPushError(other, req)).toBe(other)
    const plain = new Error('boom')
    expect(explainPushError(plain, req)).toBe(plain)
  })
})

describe('superseding', () => {
  it("closes older sync PRs with a comment, deletes only the action's own branches and keeps a maintainer's", async () => {
    const api = fakeApi()
    const mine = pull(2, 'upstream-sync/v1.0.0-stable')
    const theirs = pull(3, 'upstream-sync/v1.0.1-stable')
    const newer = pull(5, 'upstream-sync/v1.2.0-stable')
    api.openSyncPulls.mockResolvedValue([mine, theirs, newer, pull(6, 'upstream-sync/v1.1.0-stable')])
    fetchBranches.mockResolvedValue({ [mine.headRef]: 'm'.repeat(40), [theirs.headRef]: 'x'.repeat(40) })
    classifySyncBranch.mockImplementation(async (_git, options) => ((options as { branchSha: string }).branchSha === 'x'.repeat(40) ? 'human' : 'action'))
    const plan = { branchPrefix: 'upstream-sync/', isOlderTag: (tag: string) => tag.startsWith('v1.0.') }
    const closed = await findOlderSyncPulls(api, plan, 'carto/main', 'upstream-sync/v1.1.0-stable')
    await closeSuperseded(
      { api, git: fakeGit({}), log, forkUrl: 'https://github.com/carto/fork.git', branchPrefix: 'upstream-sync/', newPull: pull(6, 'upstream-sync/v1.1.0-stable') },
      closed
    )
    expect(closed.map((p) => p.number)).toEqual([2, 3])
    expect(api.deleteBranch.mock.calls).toEqual([['upstream-sync/v1.0.0-stable']])
    expect(api.updatePull.mock.calls.map((call) => [call[0].number, call[1]])).toEqual([
      [2, { state: 'closed' }],
      [3, { state: 'closed' }]
    ])
    expect(api.comment.mock.calls[1]?.[1]).toContain('has commits that upstream-sync did not make, so it was kept.')
  })

  it('opens the new PR naming the PRs it supersedes in its first write, then closes them', async () => {
    push.mockResolvedValue(pushed)
    const api = fakeApi()
    const older = pull(2, 'upstream-sync/v1.0.0-stable')
    api.openSyncPulls.mockResolvedValue([older, pull(1, BRANCH)])
    fetchBranches.mockResolvedValue({ [older.headRef]: 'm'.repeat(40) })
    classifySyncBranch.mockResolvedValue('action')
    const outcome = await publishSync(
      request(api, fakeGit({}), {
        supersede: {
          branchPrefix: 'upstream-sync/',
          isOlderTag: (tag) => tag.startsWith('v1.0.')
        }
      })
    )
    expect(outcome).toMatchObject({ result: 'created', changed: true, superseded: [older] })
    expect(api.createPull.mock.calls).toEqual([[{ head: BRANCH, base: 'carto/main', title: 'Sync v1.1.0-stable', body: `body, supersedes #2 ${older.url}` }]])
    // The new PR is written once (no body update after superseding); only the old PR is updated, to close it.
    expect(api.updatePull.mock.calls.map((call) => [call[0].number, call[1]])).toEqual([[2, { state: 'closed' }]])
    expect(api.comment.mock.calls.map((call) => call[0].number)).toEqual([2])
    expect(api.deleteBranch.mock.calls).toEqual([['upstream-sync/v1.0.0-stable']])
  })

  it('supersedes nothing when a maintainer owns the sync branch', async () => {
    classifySyncBranch.mockResolvedValue('human')
    const api = fakeApi()
    // An older sync PR is open; the lookup runs while the push does, but a maintainer's branch stops it all.
    api.openSyncPulls.mockResolvedValue([pull(7, 'upstream-sync/v1.0.0-stable')])
    const outcome = await publishSync(request(api, fakeGit({}), { branchSha: OTHER, supersede: { branchPrefix: 'upstream-sync/', isOlderTag: () => true } }))
    expect(outcome.superseded).toEqual([])
    expect(api.comment).not.toHaveBeenCalled()
    expect(api.updatePull).not.toHaveBeenCalled()
    expect(api.deleteBranch).not.toHaveBeenCalled()
  })
})

describe('pushSyncBranch', () => {
  it('reads git push --porcelain: unchanged, pushed, a stale lease, and a refusal kept in git\'s words', async () => {
    const { pushSyncBranch } = await import('../../../src/publish/branch.js')
    const git = fakeGit({})
    const options = { remoteUrl: 'https://github.com/carto/fork.git', branch: BRANCH, sha: HEAD, expectedOldSha: OTHER }
    push.mockResolvedValueOnce({ exitCode: 0, ref: { flag: '=', summary: '[up to date]' }, stdout: '', stderr: '' })
    expect(await pushSyncBranch(git, options)).toEqual({ status: 'unchanged' })
    push.mockResolvedValueOnce({ ...pushed, ref: { flag: '+', summary: 'forced update' }, stderr: 'remote: hello\n' })
    expect(await pushSyncBranch(git, options)).toEqual({ status: 'pushed', stderr: 'remote: hello' })
    push.mockResolvedValueOnce(stale)
    expect(await pushSyncBranch(git, options)).toEqual({ status: 'rejected-stale', stderr: '[rejected] (stale info)' })
    push.mockResolvedValueOnce({ exitCode: 1, ref: { flag: '!', summary: '[remote rejected] (pre-receive hook declined)' }, stdout: 'out', stderr: 'remote: no\n' })
    const error = (await pushSyncBranch(git, options).catch((e: unknown) => e)) as InstanceType<typeof GitError>
    expect(error).toBeInstanceOf(GitError)
    expect(error.stderr).toBe('[remote rejected] (pre-receive hook declined)\nremote: no')
    expect(error.exitCode).toBe(1)
  })
})
