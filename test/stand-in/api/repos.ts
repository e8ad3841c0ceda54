/** Repository metadata, branches, tags and the rate limit. */
import { locateRepo } from '../git.js'
import { notFound, paginate, validationFailed } from '../http.js'
import * as shapes from '../shapes.js'
import { ok, repoContext, route, type ApiContext, type Route } from './context.js'

/** Requests per hour the stand-in reports; it never enforces it (faults simulate an exhausted limit). */
export const RATE_LIMIT = 5000

async function getRepository(ctx: ApiContext): Promise<shapes.FullRepository> {
  const facts = await ctx.repo.facts()
  let parent: shapes.Repository | undefined
  if (facts.parent) {
    const [owner, name] = facts.parent.split('/')
    const location = owner && name ? await locateRepo(ctx.server.root, owner, name) : undefined
    if (location) parent = shapes.repository(ctx.urls, await (await repoContext(ctx.server, location)).facts())
  }
  const repo = shapes.fullRepository(ctx.urls, facts, parent)
  const open = [...ctx.repo.state.issues.values()].filter((issue) => issue.state === 'open').length
  return { ...repo, ...ctx.repo.state.mergeSettings, open_issues_count: open, open_issues: open }
}

const MERGE_SETTINGS = ['allow_merge_commit', 'allow_squash_merge', 'allow_rebase_merge'] as const

/**
 * `PATCH /repos/{owner}/{repo}`: the merge settings only (the rest of the body is ignored). GitHub refuses to disable
 * all three merge methods with a 422.
 */
async function updateRepository(ctx: ApiContext): Promise<shapes.FullRepository> {
  const body = await ctx.body()
  const next = { ...ctx.repo.state.mergeSettings }
  for (const key of MERGE_SETTINGS) {
    const value = body[key]
    if (value === undefined) continue
    if (typeof value !== 'boolean') throw validationFailed([{ resource: 'Repository', code: 'invalid', field: key }])
    next[key] = value
  }
  if (!next.allow_merge_commit && !next.allow_squash_merge && !next.allow_rebase_merge) {
    throw validationFailed([{ resource: 'Repository', code: 'custom', field: 'merge_commit_allowed', message: 'Sorry, you need to allow at least one merge strategy. (no_merge_method)' }])
  }
  ctx.repo.state.mergeSettings = next
  return getRepository(ctx)
}

export const repoRoutes: Route[] = [
  route('GET', '/repos/{owner}/{repo}', async (ctx) => ok(await getRepository(ctx))),
  route('PATCH', '/repos/{owner}/{repo}', async (ctx) => ok(await updateRepository(ctx))),

  route('GET', '/repos/{owner}/{repo}/branches', async (ctx) => {
    const refs = await ctx.repo.git.listRefs('refs/heads/')
    const branches = refs.map((ref) => shapes.shortBranch(ctx.urls, ctx.repo.fullName, ref.ref.slice('refs/heads/'.length), ref.sha))
    const page = paginate(branches, ctx.url)
    return ok(page.items, page.link ? { link: page.link } : undefined)
  }),

  route('GET', '/repos/{owner}/{repo}/branches/{branch+}', async (ctx, [branch = '']) => {
    const sha = await ctx.repo.git.branchSha(branch)
    if (!sha) throw notFound('Branch not found')
    const info = await ctx.repo.git.commitInfo(sha)
    if (!info) throw notFound('Branch not found')
    const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`
    const body: shapes.BranchWithProtection = {
      name: branch,
      commit: shapes.commit(ctx.urls, ctx.repo.fullName, info),
      _links: { html: `${ctx.urls.web}/${ctx.repo.fullName}/tree/${branch}`, self: `${api}/branches/${encodeURIComponent(branch)}` },
      protected: false,
      protection: { enabled: false },
      protection_url: `${api}/branches/${encodeURIComponent(branch)}/protection`
    }
    return ok(body)
  }),

  route('GET', '/repos/{owner}/{repo}/tags', async (ctx) => {
    // GitHub lists tags newest version first; the stand-in lists them in reverse ref-name order, which tests that
    // page through the whole list do not depend on.
    const refs = await ctx.repo.git.listRefs('refs/tags/')
    const tags = refs.map((ref) => shapes.tag(ctx.urls, ctx.repo.fullName, ref.ref.slice('refs/tags/'.length), ref.peeled ?? ref.sha)).reverse()
    const page = paginate(tags, ctx.url)
    return ok(page.items, page.link ? { link: page.link } : undefined)
  }),

  route('GET', '/rate_limit', async (ctx) => {
    const used = ctx.state.requests.filter((r) => r.kind === 'api').length
    const rate = { limit: RATE_LIMIT, used, remaining: Math.max(0, RATE_LIMIT - used), reset: Math.floor(Date.now() / 1000) + 3600 }
    const body: shapes.RateLimitOverview = { resources: { core: rate, search: { ...rate, limit: 30, used: 0, remaining: 30 } }, rate }
    return ok(body)
  })
]

