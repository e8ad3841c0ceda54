/** Releases (with GitHub's draft visibility rules) and workflow dispatches. */
import { parse as parseYaml } from 'yaml'
import { HttpError, errorBody, isoNow, isoSeconds, notFound, optionalBoolean, optionalString, paginate, requiredString, validationFailed } from '../http.js'
import * as shapes from '../shapes.js'
import type { ReleaseRecord } from '../state.js'
import { created, noContent, ok, route, type ApiContext, type Route } from './context.js'
import { checkTitleAndBody } from './pulls.js'

/** Newest first, as GitHub lists releases. */
function sorted(releases: ReleaseRecord[]): ReleaseRecord[] {
  return [...releases].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
}

/** A release by id; a draft is 404 to a token without push access, as on GitHub. */
function findRelease(ctx: ApiContext, idText: string): ReleaseRecord {
  const release = ctx.repo.state.releases.find((r) => String(r.id) === idText)
  if (!release || (release.draft && !ctx.seesDrafts)) throw notFound()
  return release
}

/**
 * Optional timestamps a test may set (not GitHub API fields), so release-age rules can be tested without waiting:
 * `created_at` and `published_at` as ISO 8601.
 */
function timestamp(body: Record<string, unknown>, field: string): string | undefined {
  const value = optionalString(body, field, 'Release')
  if (value === undefined) return undefined
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw validationFailed([{ resource: 'Release', code: 'invalid', field, message: `${field} is not an ISO 8601 date` }])
  return isoSeconds(date)
}

/** Creates the release's tag at `target_commitish` when it does not exist yet (GitHub does this on publishing). */
async function ensureTag(ctx: ApiContext, release: ReleaseRecord): Promise<void> {
  const git = ctx.repo.git.own()
  const ref = `refs/tags/${release.tagName}`
  if (await git.refSha(ref)) return
  if ((await git.run(['check-ref-format', ref])).code !== 0) {
    throw validationFailed([{ resource: 'Release', code: 'custom', field: 'tag_name', message: 'tag_name is not a valid tag' }])
  }
  const sha = await git.resolve(release.targetCommitish)
  if (!sha) throw validationFailed([{ resource: 'Release', code: 'invalid', field: 'target_commitish' }])
  await git.updateRef(ref, sha, '0'.repeat(sha.length))
}

async function createRelease(ctx: ApiContext): Promise<shapes.Release> {
  const body = await ctx.body()
  const tagName = requiredString(body, 'tag_name', 'Release')
  const name = optionalString(body, 'name', 'Release') ?? null
  const text = optionalString(body, 'body', 'Release') ?? null
  checkTitleAndBody('Issue', undefined, text ?? undefined)
  const draft = optionalBoolean(body, 'draft', 'Release') ?? false
  const prerelease = optionalBoolean(body, 'prerelease', 'Release') ?? false
  const targetCommitish = optionalString(body, 'target_commitish', 'Release') ?? (await ctx.repo.git.headBranch())
  const repo = ctx.repo.state
  if (repo.releases.some((r) => r.tagName === tagName && !r.draft) && !draft) {
    throw validationFailed([{ resource: 'Release', code: 'already_exists', field: 'tag_name' }])
  }
  const createdAt = timestamp(body, 'created_at') ?? isoNow()
  const record: ReleaseRecord = {
    id: ctx.state.nextId(),
    tagName,
    targetCommitish,
    name,
    body: text,
    draft,
    prerelease,
    createdAt,
    publishedAt: draft ? null : (timestamp(body, 'published_at') ?? createdAt),
    author: ctx.actor
  }
  if (!draft) await ensureTag(ctx, record)
  repo.releases.push(record)
  return shapes.release(ctx.urls, ctx.repo.fullName, record)
}

async function updateRelease(ctx: ApiContext, release: ReleaseRecord): Promise<shapes.Release> {
  const body = await ctx.body()
  const tagName = optionalString(body, 'tag_name', 'Release')
  const name = optionalString(body, 'name', 'Release')
  const text = optionalString(body, 'body', 'Release')
  const draft = optionalBoolean(body, 'draft', 'Release')
  const prerelease = optionalBoolean(body, 'prerelease', 'Release')
  const target = optionalString(body, 'target_commitish', 'Release')
  checkTitleAndBody('Issue', undefined, text)
  const next = { ...release }
  if (tagName !== undefined) next.tagName = tagName
  if (name !== undefined) next.name = name
  if (text !== undefined) next.body = text
  if (prerelease !== undefined) next.prerelease = prerelease
  if (target !== undefined) next.targetCommitish = target
  if (draft === false && release.draft) {
    next.draft = false
    next.publishedAt = timestamp(body, 'published_at') ?? isoNow()
  } else if (draft === true) {
    next.draft = true
    next.publishedAt = null
  }
  if (!next.draft) await ensureTag(ctx, next)
  Object.assign(release, next)
  return shapes.release(ctx.urls, ctx.repo.fullName, release)
}

/**
 * GitHub runs the copy of the workflow at the dispatched ref, and refuses when that copy has no workflow_dispatch
 * trigger: 422 with this body (fcetool/fcetool#1 quotes it in full, benc-uk/workflow-dispatch#46 the message).
 */
function noDispatchTrigger(): HttpError {
  return new HttpError(422, {
    message: "Workflow does not have 'workflow_dispatch' trigger",
    documentation_url: 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event',
    status: '422'
  })
}

/** Whether a workflow file's `on:` (a name, a list or a map) includes workflow_dispatch; unreadable YAML has none. */
export function hasDispatchTrigger(yamlText: string): boolean {
  let doc: unknown
  try {
    doc = parseYaml(yamlText)
  } catch {
    return false
  }
  if (typeof doc !== 'object' || doc === null) return false
  // YAML 1.1 readers turn the key `on` into true; GitHub reads it as "on".
  const on = (doc as Record<string, unknown>).on ?? (doc as Record<string, unknown>).true
  if (typeof on === 'string') return on === 'workflow_dispatch'
  if (Array.isArray(on)) return on.includes('workflow_dispatch')
  return typeof on === 'object' && on !== null && Object.prototype.hasOwnProperty.call(on, 'workflow_dispatch')
}

async function dispatchWorkflow(ctx: ApiContext, workflowId: string): Promise<void> {
  const body = await ctx.body()
  const ref = requiredString(body, 'ref', 'Workflow')
  const inputs = body.inputs ?? {}
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw validationFailed([{ resource: 'Workflow', code: 'invalid', field: 'inputs' }])
  }
  const git = ctx.repo.git
  const refSha = (await git.refSha(`refs/heads/${ref.replace(/^refs\/heads\//, '')}`)) ?? (await git.refSha(`refs/tags/${ref.replace(/^refs\/tags\//, '')}`))
  if (!refSha) throw new HttpError(422, errorBody(422, `No ref found for: ${ref}`))
  // A workflow named by file must exist (GitHub looks it up by path); numeric ids are accepted as they are.
  if (!/^\d+$/.test(workflowId)) {
    const file = `.github/workflows/${workflowId}`
    const onRef = await git.lsTree([refSha, '--', file])
    const onDefault = onRef && onRef.length > 0 ? onRef : await git.lsTree([await git.headBranch(), '--', file])
    if (!onDefault || onDefault.length === 0) throw notFound()
    if (ctx.state.settings.dispatchNeedsTrigger ?? ctx.server.model !== undefined) {
      const atRef = onRef?.find((entry) => entry.path === file && entry.type === 'blob')
      if (!atRef || !hasDispatchTrigger((await git.blob(atRef.sha)).toString('utf8'))) throw noDispatchTrigger()
    }
  }
  ctx.state.dispatches.push({ repository: ctx.repo.fullName, workflowId, ref, inputs: inputs as Record<string, unknown>, at: isoNow() })
}

export const releaseRoutes: Route[] = [
  route('GET', '/repos/{owner}/{repo}/releases', async (ctx) => {
    // "Only users with push access will receive listings for draft releases" (GitHub docs, List releases). Without
    // a permission model the token has push access everywhere.
    const visible = ctx.seesDrafts ? ctx.repo.state.releases : ctx.repo.state.releases.filter((r) => !r.draft)
    const all = sorted(visible).map((r) => shapes.release(ctx.urls, ctx.repo.fullName, r))
    const page = paginate(all, ctx.url)
    return ok(page.items, page.link ? { link: page.link } : undefined)
  }),
  route('POST', '/repos/{owner}/{repo}/releases', async (ctx) => created(await createRelease(ctx))),
  route('GET', '/repos/{owner}/{repo}/releases/latest', async (ctx) => {
    const latest = sorted(ctx.repo.state.releases).find((r) => !r.draft && !r.prerelease)
    if (!latest) throw notFound()
    return ok(shapes.release(ctx.urls, ctx.repo.fullName, latest))
  }),
  route('GET', '/repos/{owner}/{repo}/releases/tags/{tag+}', async (ctx, [tag = '']) => {
    // Drafts are not reachable by tag, exactly as on GitHub.
    const release = sorted(ctx.repo.state.releases).find((r) => r.tagName === tag && !r.draft)
    if (!release) throw notFound()
    return ok(shapes.release(ctx.urls, ctx.repo.fullName, release))
  }),
  route('GET', '/repos/{owner}/{repo}/releases/{id}', async (ctx, [id = '']) => ok(shapes.release(ctx.urls, ctx.repo.fullName, findRelease(ctx, id)))),
  route('PATCH', '/repos/{owner}/{repo}/releases/{id}', async (ctx, [id = '']) => ok(await updateRelease(ctx, findRelease(ctx, id)))),
  route('DELETE', '/repos/{owner}/{repo}/releases/{id}', async (ctx, [id = '']) => {
    const release = findRelease(ctx, id)
    ctx.repo.state.releases = ctx.repo.state.releases.filter((r) => r !== release)
    return noContent()
  }),

  route('POST', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', async (ctx, [workflowId = '']) => {
    await dispatchWorkflow(ctx, workflowId)
    return noContent()
  })
]
