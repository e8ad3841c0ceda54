/**
 * Pull requests: stored in memory, while their branches live in the bare repository (an open PR's head and base
 * shas are read from git on every request, so a push is visible at once, as on GitHub).
 */
import { ZERO_SHA } from '../git.js'
import {
  HttpError,
  charLength,
  errorBody,
  isoNow,
  notFound,
  optionalBoolean,
  optionalString,
  paginate,
  requiredString,
  validationFailed
} from '../http.js'
import * as shapes from '../shapes.js'
import type { IssueRecord, PullRecord } from '../state.js'
import { created, newIssueRecord, ok, route, type ApiContext, type Route } from './context.js'

/** GitHub's limits on a PR's (and an issue's) title and body. */
export const MAX_TITLE = 256
export const MAX_BODY = 65536

export function checkTitleAndBody(resource: 'Issue' | 'PullRequest', title: string | undefined, body: string | undefined): void {
  if (title !== undefined && charLength(title) > MAX_TITLE) {
    throw validationFailed([{ resource, code: 'custom', field: 'title', message: `title is too long (maximum is ${MAX_TITLE} characters)` }])
  }
  if (body !== undefined && charLength(body) > MAX_BODY) {
    throw validationFailed([{ resource, code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_BODY} characters)` }])
  }
}

function pullOf(issue: IssueRecord): PullRecord {
  if (!issue.pull) throw notFound()
  return issue.pull
}

function findPull(ctx: ApiContext, numberText: string): IssueRecord {
  const issue = ctx.repo.state.issues.get(Number(numberText))
  if (!issue?.pull) throw notFound()
  return issue
}

/** Branch tips of the repository, from one for-each-ref. */
async function branchTips(ctx: ApiContext): Promise<Map<string, string>> {
  const refs = await ctx.repo.git.listRefs('refs/heads/')
  return new Map(refs.map((r) => [r.ref.slice('refs/heads/'.length), r.sha]))
}

/**
 * The PR's head and base commits: frozen once closed, live while open. An open PR whose head branch is gone is
 * closed, as GitHub closes a PR when its head branch is deleted.
 */
function pullRefs(issue: IssueRecord, tips: Map<string, string>): shapes.PullRefs {
  const pull = pullOf(issue)
  if (issue.state === 'closed') return { headSha: pull.closedHeadSha ?? ZERO_SHA, baseSha: pull.closedBaseSha ?? ZERO_SHA }
  const headSha = tips.get(pull.headRef)
  const baseSha = tips.get(pull.baseRef)
  if (headSha === undefined) {
    closeIssue(issue, pull.closedHeadSha ?? ZERO_SHA, baseSha ?? pull.closedBaseSha ?? ZERO_SHA)
    return { headSha: pull.closedHeadSha ?? ZERO_SHA, baseSha: pull.closedBaseSha ?? ZERO_SHA }
  }
  // Remember the latest tips, so a later deletion of the head branch still leaves a sha on the closed PR.
  pull.closedHeadSha = headSha
  pull.closedBaseSha = baseSha ?? pull.closedBaseSha
  return { headSha, baseSha: baseSha ?? pull.closedBaseSha ?? ZERO_SHA }
}

function closeIssue(issue: IssueRecord, headSha: string, baseSha: string): void {
  const now = isoNow()
  issue.state = 'closed'
  issue.closedAt = now
  issue.updatedAt = now
  if (issue.pull) {
    issue.pull.closedHeadSha = headSha
    issue.pull.closedBaseSha = baseSha
  }
}

async function render(ctx: ApiContext, issue: IssueRecord, tips?: Map<string, string>): Promise<shapes.PullRequest> {
  const refs = pullRefs(issue, tips ?? (await branchTips(ctx)))
  const commits = refs.headSha === ZERO_SHA || refs.baseSha === ZERO_SHA ? 0 : (await ctx.repo.git.leftRightCount(refs.baseSha, refs.headSha).catch(() => ({ ahead: 0 }))).ahead
  return shapes.pullRequest(ctx.urls, ctx.repo.state, await ctx.repo.facts(), issue, refs, commits)
}

/** `head` as `branch` or `owner:branch`; only same-repository heads exist in the stand-in. */
function headBranch(ctx: ApiContext, head: string): string | undefined {
  const colon = head.indexOf(':')
  if (colon < 0) return head
  const owner = head.slice(0, colon)
  return owner.toLowerCase() === ctx.repo.location.owner.toLowerCase() ? head.slice(colon + 1) : undefined
}

function invalidField(field: string): HttpError {
  return validationFailed([{ resource: 'PullRequest', field, code: 'invalid' }])
}

function custom(message: string): HttpError {
  return validationFailed([{ resource: 'PullRequest', code: 'custom', message }])
}

async function listPulls(ctx: ApiContext): Promise<{ items: shapes.PullRequestSimple[]; link?: string }> {
  const q = ctx.query
  const state = q.get('state') ?? 'open'
  if (!['open', 'closed', 'all'].includes(state)) throw validationFailed([{ resource: 'PullRequest', field: 'state', code: 'invalid' }])
  const tips = await branchTips(ctx)
  let pulls = [...ctx.repo.state.issues.values()].filter((issue) => issue.pull !== undefined)
  // Resolve live state first: a PR whose head branch was deleted is closed before filtering by state.
  const refs = new Map(pulls.map((issue) => [issue.number, pullRefs(issue, tips)]))
  if (state !== 'all') pulls = pulls.filter((issue) => issue.state === state)
  // GitHub's `head` filter needs `owner:branch`; a bare branch name is silently ignored (a classic pitfall).
  const head = q.get('head')
  if (head && head.includes(':')) {
    const [owner = '', ...rest] = head.split(':')
    const branch = rest.join(':')
    pulls = pulls.filter((issue) => owner.toLowerCase() === ctx.repo.location.owner.toLowerCase() && pullOf(issue).headRef === branch)
  }
  const base = q.get('base')
  if (base) pulls = pulls.filter((issue) => pullOf(issue).baseRef === base)
  const sort = q.get('sort') ?? 'created'
  const direction = q.get('direction') ?? (sort === 'long-running' ? 'asc' : 'desc')
  const key = (issue: IssueRecord): string => (sort === 'updated' ? issue.updatedAt : issue.createdAt)
  pulls.sort((a, b) => key(a).localeCompare(key(b)) || a.number - b.number)
  if (direction === 'desc') pulls.reverse()
  const page = paginate(pulls, ctx.url)
  const facts = await ctx.repo.facts()
  return {
    items: page.items.map((issue) => shapes.pullRequestSimple(ctx.urls, ctx.repo.state, facts, issue, refs.get(issue.number) ?? pullRefs(issue, tips))),
    link: page.link
  }
}

async function createPull(ctx: ApiContext): Promise<shapes.PullRequest> {
  const body = await ctx.body()
  const title = requiredString(body, 'title', 'Issue')
  const headParam = requiredString(body, 'head', 'PullRequest')
  const base = requiredString(body, 'base', 'PullRequest')
  const text = optionalString(body, 'body', 'PullRequest')
  const draft = optionalBoolean(body, 'draft', 'PullRequest') ?? false
  const maintainerCanModify = optionalBoolean(body, 'maintainer_can_modify', 'PullRequest') ?? true
  checkTitleAndBody('PullRequest', title, text)

  const tips = await branchTips(ctx)
  const head = headBranch(ctx, headParam)
  const baseSha = tips.get(base)
  if (baseSha === undefined) throw invalidField('base')
  const headSha = head === undefined ? undefined : tips.get(head)
  if (head === undefined || headSha === undefined) throw invalidField('head')
  const duplicate = [...ctx.repo.state.issues.values()].find((issue) => {
    if (!issue.pull || issue.pull.headRef !== head || issue.pull.baseRef !== base) return false
    pullRefs(issue, tips)
    return issue.state === 'open'
  })
  if (duplicate) throw custom(`A pull request already exists for ${ctx.repo.location.owner}:${head}.`)
  if (await ctx.repo.git.isAncestor(headSha, baseSha)) throw custom(`No commits between ${base} and ${head}`)

  const issue = newIssueRecord(ctx, title, text, {
    headRef: head,
    headRepo: ctx.repo.fullName,
    baseRef: base,
    draft,
    maintainerCanModify,
    merged: false,
    mergedAt: null,
    mergeCommitSha: null,
    mergedBy: null
  })
  return render(ctx, issue, tips)
}

async function updatePull(ctx: ApiContext, numberText: string): Promise<shapes.PullRequest> {
  const issue = findPull(ctx, numberText)
  const pull = pullOf(issue)
  const body = await ctx.body()
  const title = optionalString(body, 'title', 'PullRequest')
  const text = optionalString(body, 'body', 'PullRequest')
  const state = optionalString(body, 'state', 'PullRequest')
  const base = optionalString(body, 'base', 'PullRequest')
  const maintainerCanModify = optionalBoolean(body, 'maintainer_can_modify', 'PullRequest')
  checkTitleAndBody('PullRequest', title, text)
  if (state !== undefined && state !== 'open' && state !== 'closed') throw validationFailed([{ resource: 'PullRequest', field: 'state', code: 'invalid' }])

  const tips = await branchTips(ctx)
  pullRefs(issue, tips)
  // State first: a refused reopen must leave the rest of the PR untouched.
  if (state === 'open' || state === 'closed') changePullState(ctx, issue, state, tips)
  if (base !== undefined && base !== pull.baseRef) {
    if (!tips.has(base)) throw invalidField('base')
    if (issue.state === 'closed') throw custom('Cannot change the base branch of a closed pull request.')
    pull.baseRef = base
  }
  if (title !== undefined) issue.title = title
  if (text !== undefined) issue.body = text
  if (maintainerCanModify !== undefined) pull.maintainerCanModify = maintainerCanModify
  issue.updatedAt = isoNow()
  return render(ctx, issue, tips)
}

/**
 * Closes or reopens a PR (through the pulls or the issues endpoint). Closing freezes its head and base shas;
 * reopening needs the head branch and no other open PR for the same branches, and a merged PR stays closed.
 */
export function changePullState(ctx: ApiContext, issue: IssueRecord, state: 'open' | 'closed', tips: Map<string, string>): void {
  const pull = pullOf(issue)
  if (state === 'closed' && issue.state === 'open') {
    closeIssue(issue, tips.get(pull.headRef) ?? pull.closedHeadSha ?? ZERO_SHA, tips.get(pull.baseRef) ?? pull.closedBaseSha ?? ZERO_SHA)
    issue.stateReason = null
  } else if (state === 'open' && issue.state === 'closed') {
    if (pull.merged) throw custom('state cannot be changed. The pull request has already been merged.')
    if (!tips.has(pull.headRef)) throw custom('state cannot be changed. The head branch has been deleted.')
    const duplicate = [...ctx.repo.state.issues.values()].find(
      (other) => other !== issue && other.state === 'open' && other.pull?.headRef === pull.headRef && other.pull.baseRef === pull.baseRef
    )
    if (duplicate) throw custom(`A pull request already exists for ${ctx.repo.location.owner}:${pull.headRef}.`)
    issue.state = 'open'
    issue.stateReason = 'reopened'
    issue.closedAt = null
  }
}

/** Branch tips of the repository (exported for the issues endpoint, which can close PRs too). */
export async function branchTipsOf(ctx: ApiContext): Promise<Map<string, string>> {
  return branchTips(ctx)
}

/** Really merges in the bare repository: merge-tree, commit-tree, and a compare-and-swap update of the base. */
async function mergePull(ctx: ApiContext, numberText: string): Promise<shapes.PullRequestMergeResult> {
  const issue = findPull(ctx, numberText)
  const pull = pullOf(issue)
  const body = await ctx.body()
  const method = optionalString(body, 'merge_method', 'PullRequest') ?? 'merge'
  const expectedSha = optionalString(body, 'sha', 'PullRequest')
  if (method !== 'merge' && method !== 'squash') {
    throw new HttpError(405, errorBody(405, `${method === 'rebase' ? 'Rebase' : 'This'} merges are not allowed on this repository.`))
  }
  const tips = await branchTips(ctx)
  const { headSha, baseSha } = pullRefs(issue, tips)
  if (issue.state !== 'open') throw new HttpError(405, errorBody(405, 'Pull Request is not mergeable'))
  if (expectedSha !== undefined && expectedSha !== headSha) {
    throw new HttpError(409, errorBody(409, 'Head branch was modified. Review and try the merge again.'))
  }
  const git = ctx.repo.git.own()
  const tree = await git.run(['merge-tree', '--write-tree', '--no-messages', baseSha, headSha])
  if (tree.code !== 0) throw new HttpError(405, errorBody(405, 'Pull Request is not mergeable'))
  const treeSha = tree.stdout.toString('utf8').split('\n')[0]?.trim() ?? ''
  const title = optionalString(body, 'commit_title', 'PullRequest')
  const extra = optionalString(body, 'commit_message', 'PullRequest')
  const message =
    method === 'merge'
      ? `${title ?? `Merge pull request #${issue.number} from ${ctx.repo.location.owner}/${pull.headRef}`}\n\n${extra ?? issue.title}\n`
      : `${title ?? `${issue.title} (#${issue.number})`}\n\n${extra ?? ''}\n`
  const parents = method === 'merge' ? ['-p', baseSha, '-p', headSha] : ['-p', baseSha]
  const identity = { GIT_AUTHOR_NAME: ctx.actor, GIT_AUTHOR_EMAIL: `${ctx.actor}@users.noreply.github.com`, GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' }
  const commitSha = (await git.out(['commit-tree', treeSha, ...parents], { input: message, env: identity })).trim()
  if (!(await git.updateRef(`refs/heads/${pull.baseRef}`, commitSha, baseSha))) {
    throw new HttpError(409, errorBody(409, 'Base branch was modified. Review and try the merge again.'))
  }
  const now = isoNow()
  issue.state = 'closed'
  issue.stateReason = null
  issue.closedAt = now
  issue.updatedAt = now
  pull.merged = true
  pull.mergedAt = now
  pull.mergedBy = ctx.actor
  pull.mergeCommitSha = commitSha
  pull.closedHeadSha = headSha
  pull.closedBaseSha = baseSha
  return { sha: commitSha, merged: true, message: 'Pull Request successfully merged' }
}

async function pullCommits(ctx: ApiContext, numberText: string): Promise<{ items: shapes.Commit[]; link?: string }> {
  const issue = findPull(ctx, numberText)
  const { headSha, baseSha } = pullRefs(issue, await branchTips(ctx))
  if (headSha === ZERO_SHA) return { items: [] }
  const base = baseSha === ZERO_SHA ? undefined : ((await ctx.repo.git.mergeBase(baseSha, headSha)) ?? undefined)
  const all = (await ctx.repo.git.commitsBetween(base, headSha)).slice(0, 250)
  const page = paginate(all, ctx.url)
  const infos = await ctx.repo.git.commitInfos(page.items)
  return { items: infos.map((info) => shapes.commit(ctx.urls, ctx.repo.fullName, info)), link: page.link }
}

export const pullRoutes: Route[] = [
  route('GET', '/repos/{owner}/{repo}/pulls', async (ctx) => {
    const page = await listPulls(ctx)
    return ok(page.items, page.link ? { link: page.link } : undefined)
  }),
  route('POST', '/repos/{owner}/{repo}/pulls', async (ctx) => created(await createPull(ctx))),
  route('GET', '/repos/{owner}/{repo}/pulls/{number}', async (ctx, [n = '']) => ok(await render(ctx, findPull(ctx, n)))),
  route('PATCH', '/repos/{owner}/{repo}/pulls/{number}', async (ctx, [n = '']) => ok(await updatePull(ctx, n))),
  route('PUT', '/repos/{owner}/{repo}/pulls/{number}/merge', async (ctx, [n = '']) => ok(await mergePull(ctx, n))),
  route('GET', '/repos/{owner}/{repo}/pulls/{number}/merge', async (ctx, [n = '']) => {
    // 204 when merged, 404 otherwise: GitHub's "check if a pull request has been merged".
    if (!pullOf(findPull(ctx, n)).merged) throw notFound()
    return { status: 204 }
  }),
  route('GET', '/repos/{owner}/{repo}/pulls/{number}/commits', async (ctx, [n = '']) => {
    const page = await pullCommits(ctx, n)
    return ok(page.items, page.link ? { link: page.link } : undefined)
  })
]
