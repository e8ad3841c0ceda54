/** Labels, issue labels, comments and the issues list (pull requests are issues too, as on GitHub). */
import { allows, cannotCreateLabels } from '../permissions.js'
import { badRequest, charLength, csvParam, isoNow, notFound, optionalString, paginate, requiredString, validationFailed } from '../http.js'
import * as shapes from '../shapes.js'
import type { IssueRecord, LabelRecord, RepoState } from '../state.js'
import { created, newIssueRecord, noContent, ok, route, type ApiContext, type Route } from './context.js'
import { MAX_BODY, branchTipsOf, changePullState, checkTitleAndBody } from './pulls.js'

/** The colour GitHub gives a label created implicitly by adding it to an issue. */
export const DEFAULT_LABEL_COLOR = 'ededed'

function findIssue(ctx: ApiContext, numberText: string): IssueRecord {
  const issue = ctx.repo.state.issues.get(Number(numberText))
  if (!issue) throw notFound()
  return issue
}

function decodeLabelName(raw: string): string {
  return raw.trim()
}

function createLabelRecord(ctx: ApiContext, repo: RepoState, name: string, color: string, description: string | null): LabelRecord {
  const record: LabelRecord = { id: ctx.state.nextId(), name, color, description }
  repo.labels.set(name.toLowerCase(), record)
  return record
}

async function createLabel(ctx: ApiContext): Promise<shapes.Label> {
  const body = await ctx.body()
  const name = requiredString(body, 'name', 'Label')
  const color = (optionalString(body, 'color', 'Label') ?? DEFAULT_LABEL_COLOR).replace(/^#/, '')
  const description = optionalString(body, 'description', 'Label') ?? null
  if (!/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'color' }])
  if (description !== null && charLength(description) > 100) {
    throw validationFailed([{ resource: 'Label', code: 'custom', field: 'description', message: 'description is too long (maximum is 100 characters)' }])
  }
  const repo = ctx.repo.state
  if (repo.labels.has(name.toLowerCase())) throw validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }])
  return shapes.label(ctx.urls, repo.fullName, createLabelRecord(ctx, repo, name, color.toLowerCase(), description))
}

async function updateLabel(ctx: ApiContext, rawName: string): Promise<shapes.Label> {
  const repo = ctx.repo.state
  const record = repo.labels.get(decodeLabelName(rawName).toLowerCase())
  if (!record) throw notFound()
  const body = await ctx.body()
  const newName = optionalString(body, 'new_name', 'Label')
  const color = optionalString(body, 'color', 'Label')?.replace(/^#/, '')
  const description = optionalString(body, 'description', 'Label')
  if (color !== undefined && !/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'color' }])
  if (newName !== undefined && newName.toLowerCase() !== record.name.toLowerCase()) {
    if (repo.labels.has(newName.toLowerCase())) throw validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }])
    const oldKey = record.name.toLowerCase()
    repo.labels.delete(oldKey)
    repo.labels.set(newName.toLowerCase(), record)
    for (const issue of repo.issues.values()) issue.labels = issue.labels.map((key) => (key === oldKey ? newName.toLowerCase() : key))
  }
  if (newName !== undefined) record.name = newName
  if (color !== undefined) record.color = color.toLowerCase()
  if (description !== undefined) record.description = description
  return shapes.label(ctx.urls, repo.fullName, record)
}

/** The `labels` array of an add/replace request: names as strings, or `{ name }` objects (both accepted by GitHub). */
async function requestedLabels(ctx: ApiContext): Promise<string[]> {
  const body = await ctx.body()
  const labels = body.labels
  if (!Array.isArray(labels)) throw validationFailed([{ resource: 'Label', code: 'invalid', field: 'labels', message: 'labels must be an array of label names' }])
  return labels.map((item) => {
    const name = typeof item === 'string' ? item : typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string' ? (item as { name: string }).name : undefined
    if (name === undefined || name.trim() === '') throw badRequest('labels must be names (strings)')
    return name.trim()
  })
}

/**
 * Adds labels to an issue, creating missing ones with GitHub's default colour (as GitHub does). Creating one needs
 * `issues: write` even where adding labels does not (a PR with `pull-requests: write`): GitHub's 403 otherwise.
 */
function addLabels(ctx: ApiContext, issue: IssueRecord, names: string[]): void {
  const repo = ctx.repo.state
  if (names.some((name) => !repo.labels.has(name.toLowerCase())) && !allows(ctx.principal, repo.fullName, 'issues', 'write')) throw cannotCreateLabels()
  for (const name of names) {
    const key = name.toLowerCase()
    if (!repo.labels.has(key)) createLabelRecord(ctx, repo, name, DEFAULT_LABEL_COLOR, null)
    if (!issue.labels.includes(key)) issue.labels.push(key)
  }
  issue.updatedAt = isoNow()
}

function issueLabelList(ctx: ApiContext, issue: IssueRecord): shapes.Label[] {
  return shapes.issueLabels(ctx.urls, ctx.repo.state, issue)
}

async function addComment(ctx: ApiContext, issue: IssueRecord): Promise<shapes.IssueComment> {
  const body = await ctx.body()
  const text = requiredString(body, 'body', 'IssueComment')
  if (charLength(text) > MAX_BODY) {
    throw validationFailed([{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message: `Body is too long (maximum is ${MAX_BODY} characters)` }])
  }
  const now = isoNow()
  const record = { id: ctx.state.nextId(), issueNumber: issue.number, body: text, user: ctx.actor, createdAt: now, updatedAt: now }
  ctx.repo.state.comments.push(record)
  issue.comments += 1
  issue.updatedAt = now
  return shapes.issueComment(ctx.urls, ctx.repo.fullName, record, issue.pull !== undefined)
}

function listIssues(ctx: ApiContext): { items: shapes.Issue[]; link?: string } {
  const q = ctx.query
  const state = q.get('state') ?? 'open'
  const wanted = csvParam(q.get('labels')).map((name) => name.toLowerCase())
  let issues = [...ctx.repo.state.issues.values()]
  if (state !== 'all') issues = issues.filter((issue) => issue.state === state)
  if (wanted.length > 0) issues = issues.filter((issue) => wanted.every((key) => issue.labels.includes(key)))
  const sort = q.get('sort') ?? 'created'
  const key = (issue: IssueRecord): string => (sort === 'updated' ? issue.updatedAt : issue.createdAt)
  issues.sort((a, b) => key(a).localeCompare(key(b)) || a.number - b.number)
  if ((q.get('direction') ?? 'desc') === 'desc') issues.reverse()
  const page = paginate(issues, ctx.url)
  return { items: page.items.map((issue) => shapes.issue(ctx.urls, ctx.repo.state, issue)), link: page.link }
}

async function createIssue(ctx: ApiContext): Promise<shapes.Issue> {
  const body = await ctx.body()
  const title = requiredString(body, 'title', 'Issue')
  const text = optionalString(body, 'body', 'Issue')
  checkTitleAndBody('Issue', title, text)
  const issue = newIssueRecord(ctx, title, text)
  if (Array.isArray(body.labels)) addLabels(ctx, issue, await requestedLabels(ctx))
  return shapes.issue(ctx.urls, ctx.repo.state, issue)
}

async function updateIssue(ctx: ApiContext, issue: IssueRecord): Promise<shapes.Issue> {
  const body = await ctx.body()
  const title = optionalString(body, 'title', 'Issue')
  const text = optionalString(body, 'body', 'Issue')
  const state = optionalString(body, 'state', 'Issue')
  checkTitleAndBody('Issue', title, text)
  if (state !== undefined && state !== 'open' && state !== 'closed') throw validationFailed([{ resource: 'Issue', field: 'state', code: 'invalid' }])
  if (title !== undefined) issue.title = title
  if (text !== undefined) issue.body = text
  const now = isoNow()
  if (issue.pull && (state === 'open' || state === 'closed')) {
    // A PR closed through the issues API is closed like any PR: its branch tips are frozen.
    changePullState(ctx, issue, state, await branchTipsOf(ctx))
  } else if (state === 'closed' && issue.state === 'open') {
    issue.state = 'closed'
    issue.closedAt = now
    issue.stateReason = 'completed'
  } else if (state === 'open' && issue.state === 'closed') {
    issue.state = 'open'
    issue.closedAt = null
    issue.stateReason = 'reopened'
  }
  if (Array.isArray(body.labels)) {
    issue.labels = []
    addLabels(ctx, issue, await requestedLabels(ctx))
  }
  issue.updatedAt = now
  return shapes.issue(ctx.urls, ctx.repo.state, issue)
}

export const issueRoutes: Route[] = [
  route('GET', '/repos/{owner}/{repo}/labels', async (ctx) => {
    const all = [...ctx.repo.state.labels.values()].map((record) => shapes.label(ctx.urls, ctx.repo.fullName, record))
    const page = paginate(all, ctx.url)
    return ok(page.items, page.link ? { link: page.link } : undefined)
  }),
  route('POST', '/repos/{owner}/{repo}/labels', async (ctx) => created(await createLabel(ctx))),
  route('GET', '/repos/{owner}/{repo}/labels/{name}', async (ctx, [name = '']) => {
    const record = ctx.repo.state.labels.get(decodeLabelName(name).toLowerCase())
    if (!record) throw notFound()
    return ok(shapes.label(ctx.urls, ctx.repo.fullName, record))
  }),
  route('PATCH', '/repos/{owner}/{repo}/labels/{name}', async (ctx, [name = '']) => ok(await updateLabel(ctx, name))),
  route('DELETE', '/repos/{owner}/{repo}/labels/{name}', async (ctx, [name = '']) => {
    const key = decodeLabelName(name).toLowerCase()
    if (!ctx.repo.state.labels.delete(key)) throw notFound()
    for (const issue of ctx.repo.state.issues.values()) issue.labels = issue.labels.filter((k) => k !== key)
    return noContent()
  }),

  route('GET', '/repos/{owner}/{repo}/issues', async (ctx) => {
    const page = listIssues(ctx)
    return ok(page.items, page.link ? { link: page.link } : undefined)
  }),
  route('POST', '/repos/{owner}/{repo}/issues', async (ctx) => created(await createIssue(ctx))),
  route('GET', '/repos/{owner}/{repo}/issues/{number}', async (ctx, [n = '']) => ok(shapes.issue(ctx.urls, ctx.repo.state, findIssue(ctx, n)))),
  route('PATCH', '/repos/{owner}/{repo}/issues/{number}', async (ctx, [n = '']) => ok(await updateIssue(ctx, findIssue(ctx, n)))),

  route('GET', '/repos/{owner}/{repo}/issues/{number}/labels', async (ctx, [n = '']) => {
    const page = paginate(issueLabelList(ctx, findIssue(ctx, n)), ctx.url)
    return ok(page.items, page.link ? { link: page.link } : undefined)
  }),
  route('POST', '/repos/{owner}/{repo}/issues/{number}/labels', async (ctx, [n = '']) => {
    const issue = findIssue(ctx, n)
    addLabels(ctx, issue, await requestedLabels(ctx))
    return ok(issueLabelList(ctx, issue))
  }),
  route('PUT', '/repos/{owner}/{repo}/issues/{number}/labels', async (ctx, [n = '']) => {
    const issue = findIssue(ctx, n)
    const names = await requestedLabels(ctx)
    issue.labels = []
    addLabels(ctx, issue, names)
    return ok(issueLabelList(ctx, issue))
  }),
  route('DELETE', '/repos/{owner}/{repo}/issues/{number}/labels', async (ctx, [n = '']) => {
    const issue = findIssue(ctx, n)
    issue.labels = []
    issue.updatedAt = isoNow()
    return noContent()
  }),
  route('DELETE', '/repos/{owner}/{repo}/issues/{number}/labels/{name}', async (ctx, [n = '', name = '']) => {
    const issue = findIssue(ctx, n)
    const key = decodeLabelName(name).toLowerCase()
    if (!issue.labels.includes(key)) throw notFound('Label does not exist')
    issue.labels = issue.labels.filter((k) => k !== key)
    issue.updatedAt = isoNow()
    return ok(issueLabelList(ctx, issue))
  }),

  route('GET', '/repos/{owner}/{repo}/issues/{number}/comments', async (ctx, [n = '']) => {
    const issue = findIssue(ctx, n)
    const all = ctx.repo.state.comments
      .filter((c) => c.issueNumber === issue.number)
      .map((c) => shapes.issueComment(ctx.urls, ctx.repo.fullName, c, issue.pull !== undefined))
    const page = paginate(all, ctx.url)
    return ok(page.items, page.link ? { link: page.link } : undefined)
  }),
  route('POST', '/repos/{owner}/{repo}/issues/{number}/comments', async (ctx, [n = '']) => created(await addComment(ctx, findIssue(ctx, n)))),
  // https://docs.github.com/en/rest/issues/comments#update-an-issue-comment: 200 with the comment; 404 for another repository's.
  route('PATCH', '/repos/{owner}/{repo}/issues/comments/{number}', async (ctx, [id = '']) => {
    const record = ctx.repo.state.comments.find((c) => c.id === Number(id))
    if (!record) throw notFound()
    const text = requiredString(await ctx.body(), 'body', 'IssueComment')
    if (charLength(text) > MAX_BODY) {
      throw validationFailed([{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message: `Body is too long (maximum is ${MAX_BODY} characters)` }])
    }
    record.body = text
    record.updatedAt = isoNow()
    return ok(shapes.issueComment(ctx.urls, ctx.repo.fullName, record, ctx.repo.state.issues.get(record.issueNumber)?.pull !== undefined))
  })
]
