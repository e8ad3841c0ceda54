/**
 * Publishing: the sync branch is only moved when nothing a human made is lost, lost races are re-read instead of
 * failing or overwriting, refused pushes are explained, and a PR creation that fails after the push says the branch
 * is in place. The git plumbing (merge.js) is mocked; the decisions are publish.ts's.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Git } from '../src/git.js'
import type { GitHubApi, PullInfo } from '../src/github/api.js'
import type { MergeResult } from '../src/types.js'

const pushSyncBranch = jest.fn<(...args: unknown[]) => Promise<{ status: 'pushed' | 'unchanged' | 'rejected-stale'; stderr?: string }>>()
const fetchBranches = jest.fn<(...args: unknown[]) => Promise<Record<string, string | undefined>>>()
const classifySyncBranch = jest.fn<(...args: unknown[]) => Promise<'action' | 'human'>>()

jest.unstable_mockModule('../src/merge.js', () => ({ pushSyncBranch, fetchBranches, classifySyncBranch }))

const { publishSync, supersedeOlder, explainPushError } = await import('../src/publish.js')
const { GitError } = await import('../src/git.js')

const TARGET = 't'.repeat(40)
const TAG = 'a'.repeat(40)
const HEAD = 'h'.repeat(40)
const OTHER = 'o'.repeat(40)
const BRANCH = 'upstream-sync/v1.1.0-stable'

const merge = { status: 'clean', headSha: HEAD, targetSha: TARGET, tagSha: TAG, conflicts: [], autoResolved: [] } as unknown as MergeResult

function pull(number: number, headRef = BRANCH): PullInfo {
  return { number, url: `https://github.com/carto/fork/pull/${number}`, state: 'open', merged: false, title: 'old', body: 'old', headRef, headSha: HEAD, baseRef: 'carto/main', labels: [], createdAt: '2026-01-01T00:00:00Z' }
}

/** A git whose commits have the given parents and trees (for the "equivalent merge" check). */
function fakeGit(commits: Record<string, { parents: string[]; tree: string }>): Git {
  return {
    output: async (args: string[]) => {
      if (args[0] === 'rev-list') {
        const sha = args[args.length - 1] as string
        return [sha, ...(commits[sha]?.parents ?? [])].join(' ')
      }
      if (args[0] === 'rev-parse') return commits[(args[1] as string).replace('^{tree}', '')]?.tree ?? 'none'
      throw new Error(`unexpected git ${args.join(' ')}`)
    }
  } as unknown as Git
}

function fakeApi() {
  return {
    createPull: jest.fn<GitHubApi['createPull']>(async () => ({ pull: pull(1), created: true })),
    updatePull: jest.fn<GitHubApi['updatePull']>(async () => true),
    ensureLabels: jest.fn<GitHubApi['ensureLabels']>(async () => undefined),
    setPullLabels: jest.fn<GitHubApi['setPullLabels']>(async () => undefined),
    openSyncPulls: jest.fn<GitHubApi['openSyncPulls']>(async () => []),
    comment: jest.fn<GitHubApi['comment']>(async () => undefined),
    deleteBranch: jest.fn<GitHubApi['deleteBranch']>(async () => undefined)
  }
}

const logged: string[] = []
const log = { isDebug: () => false, debug: () => undefined, info: (m: string) => logged.push(`info: ${m}`), warning: (m: string) => logged.push(`warning: ${m}`) }

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
    body: 'body',
    labels: { always: ['upstream-sync'], status: ['clean-merge'], stale: ['conflicts'], specs: [] },
    ...overrides
  }
}

const WORKFLOW_REFUSAL = '[remote rejected] (refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)'

function pushError(stderr: string): InstanceType<typeof GitError> {
  return new GitError(['push', 'https://github.com/carto/fork.git'], 1, stderr, '')
}

beforeEach(() => {
  pushSyncBranch.mockReset()
  fetchBranches.mockReset()
  classifySyncBranch.mockReset()
  logged.length = 0
})

describe('publishSync', () => {
  it('pushes a new branch (lease: must not exist) and opens the labelled PR', async () => {
    pushSyncBranch.mockResolvedValue({ status: 'pushed' })
    const api = fakeApi()
    const outcome = await publishSync(request(api, fakeGit({})))
    expect(outcome).toMatchObject({ result: 'created', pushed: true, pull: { number: 1 } })
    expect(pushSyncBranch).toHaveBeenCalledWith(expect.anything(), { remoteUrl: 'https://github.com/carto/fork.git', branch: BRANCH, sha: HEAD, expectedOldSha: null })
    expect(api.setPullLabels).toHaveBeenCalledWith(expect.objectContaining({ number: 1 }), ['upstream-sync', 'clean-merge'], ['conflicts'])
  })

  it("leaves a branch with a maintainer's commit alone: no push, no PR change, a warning", async () => {
    classifySyncBranch.mockResolvedValue('human')
    const api = fakeApi()
    const outcome = await publishSync(request(api, fakeGit({}), { branchSha: OTHER, openPull: pull(4) }))
    expect(outcome).toEqual({ result: 'up-to-date', pushed: false, humanCommitsOn: OTHER, pull: pull(4) })
    expect(pushSyncBranch).not.toHaveBeenCalled()
    expect(api.updatePull).not.toHaveBeenCalled()
    expect(api.createPull).not.toHaveBeenCalled()
    expect(logged).toEqual([
      `warning: The sync branch ${BRANCH} has commits that upstream-sync did not make (head ${OTHER.slice(0, 12)}), probably a maintainer's conflict resolution. It was left untouched and PR #4 was not changed.`
    ])
  })

  it('treats a refused push as a lost race when the branch moved (a lock error, not worded as stale) and keeps an equivalent merge', async () => {
    pushSyncBranch.mockRejectedValue(pushError("[remote rejected] (failed to update ref)\nremote: error: cannot lock ref 'refs/heads/x': reference already exists"))
    fetchBranches.mockResolvedValue({ [BRANCH]: OTHER })
    classifySyncBranch.mockResolvedValue('action')
    const api = fakeApi()
    api.createPull.mockResolvedValue({ pull: pull(9), created: false })
    const git = fakeGit({ [OTHER]: { parents: [TARGET, TAG], tree: 'tree1' }, [HEAD]: { parents: [TARGET, TAG], tree: 'tree1' } })
    const outcome = await publishSync(request(api, git))
    expect(outcome).toMatchObject({ result: 'updated', pushed: false, pull: { number: 9 } })
    expect(pushSyncBranch).toHaveBeenCalledTimes(1)
    expect(api.updatePull).toHaveBeenCalledWith(expect.objectContaining({ number: 9 }), { title: 'Sync v1.1.0-stable', body: 'body' })
    expect(logged).toContain(`info: The sync branch ${BRANCH} changed while this run worked (a concurrent run or a push); reading it again.`)
  })

  it('pushes again with the new lease when the branch moved to an older action commit', async () => {
    pushSyncBranch.mockResolvedValueOnce({ status: 'rejected-stale' }).mockResolvedValueOnce({ status: 'pushed' })
    fetchBranches.mockResolvedValue({ [BRANCH]: OTHER })
    classifySyncBranch.mockResolvedValue('action')
    const git = fakeGit({ [OTHER]: { parents: [TAG], tree: 'old' } })
    const outcome = await publishSync(request(fakeApi(), git))
    expect(outcome.pushed).toBe(true)
    expect(pushSyncBranch.mock.calls.map((call) => (call[1] as { expectedOldSha: string | null }).expectedOldSha)).toEqual([null, OTHER])
  })

  it('explains a refused push when the branch did not move, and opens no PR', async () => {
    pushSyncBranch.mockRejectedValue(pushError(WORKFLOW_REFUSAL))
    fetchBranches.mockResolvedValue({ [BRANCH]: undefined })
    const api = fakeApi()
    await expect(publishSync(request(api, fakeGit({})))).rejects.toThrow(
      `Could not push the sync branch ${BRANCH}: upstream v1.1.0-stable changes the workflow file .github/workflows/ci.yml`
    )
    expect(api.createPull).not.toHaveBeenCalled()
  })

  it('still explains the push error when the branch cannot be read again', async () => {
    pushSyncBranch.mockRejectedValue(pushError('error: RPC failed; HTTP 403 curl 22 The requested URL returned error: 403'))
    fetchBranches.mockRejectedValue(new Error('fatal: unable to access'))
    await expect(publishSync(request(fakeApi(), fakeGit({})))).rejects.toThrow("It needs the 'contents: write' permission")
  })

  it('gives up after three lost races without overwriting anything', async () => {
    pushSyncBranch.mockResolvedValue({ status: 'rejected-stale' })
    fetchBranches.mockResolvedValueOnce({ [BRANCH]: 'b1'.repeat(20) }).mockResolvedValueOnce({ [BRANCH]: 'b2'.repeat(20) }).mockResolvedValueOnce({ [BRANCH]: 'b3'.repeat(20) })
    classifySyncBranch.mockResolvedValue('action')
    await expect(publishSync(request(fakeApi(), fakeGit({})))).rejects.toThrow(`The sync branch ${BRANCH} kept changing under this run (3 attempts)`)
    expect(pushSyncBranch).toHaveBeenCalledTimes(3)
  })

  it('says the branch is in place when the PR cannot be opened after the push', async () => {
    pushSyncBranch.mockResolvedValue({ status: 'pushed' })
    const api = fakeApi()
    api.createPull.mockRejectedValue(new Error(`Could not open the sync pull request from ${BRANCH} into carto/main: GitHub answered 502 Server Error`))
    await expect(publishSync(request(api, fakeGit({})))).rejects.toThrow(
      `Could not open the sync pull request from ${BRANCH} into carto/main: GitHub answered 502 Server Error. The sync branch ${BRANCH} is in place; the next run opens the pull request for it.`
    )
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

  it('passes anything else through unchanged', () => {
    const other = pushError('fatal: the remote end hung up unexpectedly')
    expect(explainPushError(other, req)).toBe(other)
    const plain = new Error('boom')
    expect(explainPushError(plain, req)).toBe(plain)
  })
})

describe('supersedeOlder', () => {
  it("closes older sync PRs with a comment, deletes only the action's own branches and keeps a maintainer's", async () => {
    const api = fakeApi()
    const mine = pull(2, 'upstream-sync/v1.0.0-stable')
    const theirs = pull(3, 'upstream-sync/v1.0.1-stable')
    const newer = pull(5, 'upstream-sync/v1.2.0-stable')
    api.openSyncPulls.mockResolvedValue([mine, theirs, newer, pull(6, 'upstream-sync/v1.1.0-stable')])
    fetchBranches.mockResolvedValue({ [mine.headRef]: 'm'.repeat(40), [theirs.headRef]: 'x'.repeat(40) })
    classifySyncBranch.mockImplementation(async (_git, options) => ((options as { branchSha: string }).branchSha === 'x'.repeat(40) ? 'human' : 'action'))
    const closed = await supersedeOlder({
      api: api as unknown as GitHubApi,
      git: fakeGit({}),
      log,
      forkUrl: 'https://github.com/carto/fork.git',
      branchPrefix: 'upstream-sync/',
      targetBranch: 'carto/main',
      newPull: pull(6, 'upstream-sync/v1.1.0-stable'),
      isOlderTag: (tag) => tag.startsWith('v1.0.')
    })
    expect(closed.map((p) => p.number)).toEqual([2, 3])
    expect(api.deleteBranch.mock.calls).toEqual([['upstream-sync/v1.0.0-stable']])
    expect(api.updatePull.mock.calls.map((call) => [call[0].number, call[1]])).toEqual([
      [2, { state: 'closed' }],
      [3, { state: 'closed' }]
    ])
    expect(api.comment.mock.calls[1]?.[1]).toContain('has commits that upstream-sync did not make, so it was kept.')
  })
})
