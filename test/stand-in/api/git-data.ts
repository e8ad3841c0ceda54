/**
 * Refs, git objects, commits, compare and contents: answered from the bare repositories with a few git processes
 * per request (never one per ref or commit).
 */
import { BareRepo } from '../git.js'
import { diffTooLongBody } from '../faults.js'
import { HttpError, errorBody, notFound, optionalBoolean, paginate, requiredString, unprocessable } from '../http.js'
import * as shapes from '../shapes.js'
import { created, noContent, ok, route, type ApiContext, type RepoContext, type Route } from './context.js'

/** GitHub caps a comparison's file list at 300 entries and its default commit list at 250. */
const COMPARE_MAX_FILES = 300
const COMPARE_MAX_COMMITS = 250

async function matchingRefs(ctx: ApiContext, ref: string): Promise<shapes.GitRef[]> {
  const refs = await ctx.repo.git.listRefs(`refs/${ref}`)
  return refs.map((r) => shapes.gitRef(ctx.urls, ctx.repo.fullName, r.ref, r.sha, r.type))
}

async function singleRef(ctx: ApiContext, ref: string): Promise<shapes.GitRef> {
  const full = `refs/${ref}`
  const entry = (await ctx.repo.git.listRefs(full)).find((r) => r.ref === full)
  if (!entry) throw notFound()
  return shapes.gitRef(ctx.urls, ctx.repo.fullName, entry.ref, entry.sha, entry.type)
}

/** `git check-ref-format`, so a ref the API creates is one git accepts. */
async function isValidRef(git: BareRepo, ref: string): Promise<boolean> {
  return (await git.run(['check-ref-format', ref])).code === 0
}

async function objectExists(git: BareRepo, sha: string): Promise<boolean> {
  return /^[0-9a-f]{40,64}$/.test(sha) && (await git.run(['cat-file', '-e', sha])).code === 0
}

async function createRef(ctx: ApiContext): Promise<shapes.GitRef> {
  const body = await ctx.body()
  const ref = requiredString(body, 'ref', 'Reference')
  const sha = requiredString(body, 'sha', 'Reference')
  const git = ctx.repo.git.own()
  if (!ref.startsWith('refs/') || ref.split('/').length < 3 || !(await isValidRef(git, ref))) {
    throw unprocessable(`${ref} is not a valid ref name.`)
  }
  if (!(await objectExists(git, sha))) throw unprocessable('Object does not exist')
  if (!(await git.updateRef(ref, sha, '0'.repeat(sha.length)))) throw unprocessable('Reference already exists')
  const type = (await git.out(['cat-file', '-t', sha])).trim()
  return shapes.gitRef(ctx.urls, ctx.repo.fullName, ref, sha, type)
}

async function updateRef(ctx: ApiContext, ref: string): Promise<shapes.GitRef> {
  const body = await ctx.body()
  const sha = requiredString(body, 'sha', 'Reference')
  const force = optionalBoolean(body, 'force', 'Reference') ?? false
  const git = ctx.repo.git.own()
  const full = `refs/${ref}`
  const current = await git.refSha(full)
  if (!current) throw unprocessable('Reference does not exist')
  if (!(await objectExists(git, sha))) throw unprocessable('Object does not exist')
  if (!force && current !== sha && !(await git.isAncestor(current, sha))) throw unprocessable('Update is not a fast forward')
  // Compare-and-swap: a concurrent push in between makes this fail like GitHub's own race answer.
  if (!(await git.updateRef(full, sha, current))) throw unprocessable('Reference cannot be updated')
  const type = (await git.out(['cat-file', '-t', sha])).trim()
  return shapes.gitRef(ctx.urls, ctx.repo.fullName, full, sha, type)
}

async function deleteRef(ctx: ApiContext, ref: string): Promise<void> {
  const git = ctx.repo.git.own()
  const full = `refs/${ref}`
  const current = await git.refSha(full)
  if (!current || !(await git.deleteRef(full, current))) throw unprocessable('Reference does not exist')
}

/** GitHub's 422 for a ref or sha that names no commit in the repository. */
function noCommit(ref: string): HttpError {
  return new HttpError(422, errorBody(422, `No commit found for SHA: ${ref}`))
}

interface CompareSide {
  sha: string
  repo: RepoContext
}

/**
 * Resolves one side of `base...head`: `ref`, `owner:ref` or `owner:repo:ref` (another repository of the fork
 * network, as GitHub allows). The stand-in's reads see the whole network's objects, so the sha resolves here.
 */
async function compareSide(ctx: ApiContext, spec: string): Promise<CompareSide> {
  const parts = spec.split(':')
  let repo: RepoContext | undefined = ctx.repo
  let ref = spec
  if (parts.length === 2 || parts.length === 3) {
    const [owner = '', maybeName, ...rest] = parts
    const name = parts.length === 3 ? maybeName : undefined
    ref = parts.length === 3 ? rest.join(':') : (maybeName ?? '')
    repo = owner.toLowerCase() === ctx.repo.location.owner.toLowerCase() && !name ? ctx.repo : await ctx.networkRepo(owner, name)
    if (!repo) throw notFound()
    const inNetwork = repo === ctx.repo || repo.git.gitDir === ctx.repo.git.gitDir || ctx.repo.git.alternates.includes(`${repo.git.gitDir}/objects`) || repo.git.alternates.includes(`${ctx.repo.git.gitDir}/objects`)
    if (!inNetwork) throw notFound()
  }
  const sha = await repo.git.resolve(ref)
  if (!sha) throw notFound()
  return { sha, repo }
}

async function compare(ctx: ApiContext, basehead: string): Promise<shapes.CommitComparison> {
  const split = basehead.indexOf('...')
  if (split < 0) throw notFound()
  const base = await compareSide(ctx, basehead.slice(0, split))
  const head = await compareSide(ctx, basehead.slice(split + 3))
  // The sides may come from different repositories of the network: read with every one's objects visible.
  const extra = [base.repo, head.repo].filter((r) => r !== ctx.repo).flatMap((r) => [`${r.git.gitDir}/objects`, ...r.git.alternates])
  const alternates = [...new Set([...ctx.repo.git.alternates, ...extra])].filter((dir) => dir !== `${ctx.repo.git.gitDir}/objects`)
  const git = alternates.length === ctx.repo.git.alternates.length ? ctx.repo.git : new BareRepo(ctx.repo.git.gitDir, alternates)
  const mergeBase = await git.mergeBase(base.sha, head.sha)
  if (!mergeBase) throw notFound(`No common ancestor between ${basehead.slice(0, split)} and ${basehead.slice(split + 3)}.`)
  // Independent reads, asked at once (a server answers them from caches and indexes, not one after another).
  const [{ behind, ahead }, all, diff] = await Promise.all([
    base.sha === head.sha ? { behind: 0, ahead: 0 } : git.leftRightCount(base.sha, head.sha),
    git.commitsBetween(base.sha, head.sha),
    diffFiles(ctx, git, mergeBase, head.sha)
  ])
  const status: shapes.CommitComparison['status'] = ahead === 0 && behind === 0 ? 'identical' : behind === 0 ? 'ahead' : ahead === 0 ? 'behind' : 'diverged'

  // GitHub returns up to 250 commits (oldest first) unless the caller pages with per_page/page.
  const paged = ctx.query.has('page') || ctx.query.has('per_page')
  const shas = paged ? paginate(all, ctx.url, { perPage: 250, maxPerPage: 250 }).items : all.slice(-COMPARE_MAX_COMMITS)
  const [baseInfo, mergeBaseInfo, ...commitInfos] = await git.commitInfos([base.sha, mergeBase, ...shas])
  if (!baseInfo || !mergeBaseInfo) throw notFound()
  // GitHub builds the diff for every compare and gives up on big ones (the stand-in's limit is a setting).
  const limit = ctx.state.settings.compareDiffLimit
  if (limit !== undefined && diff.total > limit) throw new HttpError(500, diffTooLongBody())
  const repo = ctx.repo.fullName
  const api = `${ctx.urls.api}/repos/${repo}`
  const html = `${ctx.urls.web}/${repo}/compare/${basehead}`
  return {
    url: `${api}/compare/${basehead}`,
    html_url: html,
    permalink_url: `${ctx.urls.web}/${repo}/compare/${base.sha}...${head.sha}`,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    base_commit: shapes.commit(ctx.urls, repo, baseInfo),
    merge_base_commit: shapes.commit(ctx.urls, repo, mergeBaseInfo),
    status,
    ahead_by: ahead,
    behind_by: behind,
    total_commits: ahead,
    commits: commitInfos.map((info) => shapes.commit(ctx.urls, repo, info)),
    files: diff.files
  }
}

/**
 * The files changed from the merge base to head, as compare lists them (renames detected, capped at 300), and how
 * many changed in all.
 */
async function diffFiles(ctx: ApiContext, git: BareRepo, from: string, to: string): Promise<{ files: shapes.DiffEntry[]; total: number }> {
  if (from === to) return { files: [], total: 0 }
  // --raw -z: ":oldmode newmode oldsha newsha STATUS\0path\0" (two paths for renames and copies).
  const listed: Array<{ status: shapes.DiffEntry['status']; filename: string; previous?: string; sha: string | null }> = []
  const fields = (await git.out(['diff', '-z', '--no-ext-diff', '--raw', '-M', '--no-abbrev', from, to])).split('\0')
  let total = 0
  for (let i = 0; i < fields.length; i++) {
    const meta = fields[i] ?? ''
    if (!meta.startsWith(':')) continue
    total += 1
    const [, , , newSha = '', statusField = ''] = meta.slice(1).split(' ')
    const letter = statusField.charAt(0)
    const first = fields[++i] ?? ''
    const second = letter === 'R' || letter === 'C' ? (fields[++i] ?? '') : undefined
    if (listed.length >= COMPARE_MAX_FILES) continue
    const status: shapes.DiffEntry['status'] =
      letter === 'A' ? 'added' : letter === 'D' ? 'removed' : letter === 'R' ? 'renamed' : letter === 'C' ? 'copied' : letter === 'T' ? 'changed' : 'modified'
    listed.push({ status, filename: second ?? first, ...(second !== undefined ? { previous: first } : {}), sha: /^0+$/.test(newSha) ? null : newSha })
  }
  // Line counts only for the files the answer lists, as GitHub diffs only those: a big comparison (1,337 files on
  // the benchmark) would otherwise have every changed file's content diffed for the 300 shown.
  const paths = [...new Set(listed.flatMap((file) => (file.previous !== undefined ? [file.previous, file.filename] : [file.filename])))]
  const numbers = paths.length === 0 ? '' : await git.out(['diff', '-z', '--no-ext-diff', '--numstat', '-M', from, to, '--', ...paths.map((p) => `:(literal)${p}`)])
  // --numstat -z: "added\tdeleted\tpath\0", or for renames "added\tdeleted\t\0old\0new\0".
  const counts = new Map<string, { additions: number; deletions: number }>()
  const numberFields = numbers.split('\0')
  for (let i = 0; i < numberFields.length; i++) {
    const field = numberFields[i] ?? ''
    if (field === '') continue
    const [added = '0', deleted = '0', path = ''] = field.split('\t')
    const value = { additions: Number(added) || 0, deletions: Number(deleted) || 0 }
    if (path === '') {
      i += 2
      counts.set(numberFields[i] ?? '', value)
    } else {
      counts.set(path, value)
    }
  }
  const files = listed.map(({ status, filename, previous, sha }) =>
    shapes.diffEntry(ctx.urls, ctx.repo.fullName, to, { status, filename, previous, sha, ...(counts.get(filename) ?? { additions: 0, deletions: 0 }) })
  )
  return { files, total }
}

async function contents(ctx: ApiContext, rawPath: string): Promise<shapes.ContentFile | shapes.ContentDirectory> {
  const filePath = rawPath.replace(/^\/+|\/+$/g, '')
  const refParam = ctx.query.get('ref')
  const ref = refParam && refParam !== '' ? refParam : await ctx.repo.git.headBranch()
  const commit = await ctx.repo.git.resolve(ref)
  if (!commit) throw notFound(`No commit found for the ref ${ref}`)
  if (filePath === '') return shapes.contentDirectory(ctx.urls, ctx.repo.fullName, ref, (await ctx.repo.git.lsTree([commit])) ?? [])
  const entry = (await ctx.repo.git.lsTree([commit, '--', filePath]))?.find((e) => e.path === filePath)
  if (!entry) throw notFound()
  if (entry.type === 'tree') {
    return shapes.contentDirectory(ctx.urls, ctx.repo.fullName, ref, (await ctx.repo.git.lsTree([commit, '--', `${filePath}/`])) ?? [])
  }
  if (entry.type !== 'blob') throw notFound()
  return shapes.contentFile(ctx.urls, ctx.repo.fullName, ref, entry, await ctx.repo.git.blob(entry.sha))
}

export const gitDataRoutes: Route[] = [
  route('GET', '/repos/{owner}/{repo}/git/matching-refs', async (ctx) => ok(await matchingRefs(ctx, ''))),
  route('GET', '/repos/{owner}/{repo}/git/matching-refs/{ref+}', async (ctx, [ref = '']) => ok(await matchingRefs(ctx, ref))),
  route('GET', '/repos/{owner}/{repo}/git/ref/{ref+}', async (ctx, [ref = '']) => ok(await singleRef(ctx, ref))),
  route('GET', '/repos/{owner}/{repo}/git/refs/{ref+}', async (ctx, [ref = '']) => {
    // The legacy form: one ref when the name matches exactly, else every ref under it as a list, else 404.
    const matches = await matchingRefs(ctx, ref)
    const exact = matches.find((r) => r.ref === `refs/${ref}`)
    if (exact) return ok(exact)
    const under = matches.filter((r) => r.ref.startsWith(`refs/${ref.replace(/\/?$/, '/')}`))
    if (under.length === 0) throw notFound()
    return ok(under)
  }),
  route('POST', '/repos/{owner}/{repo}/git/refs', async (ctx) => created(await createRef(ctx))),
  route('PATCH', '/repos/{owner}/{repo}/git/refs/{ref+}', async (ctx, [ref = '']) => ok(await updateRef(ctx, ref))),
  route('DELETE', '/repos/{owner}/{repo}/git/refs/{ref+}', async (ctx, [ref = '']) => {
    await deleteRef(ctx, ref)
    return noContent()
  }),

  route('GET', '/repos/{owner}/{repo}/git/tags/{sha}', async (ctx, [sha = '']) => {
    const info = await ctx.repo.git.tagInfo(sha)
    if (!info) throw notFound()
    return ok(shapes.gitTag(ctx.urls, ctx.repo.fullName, info))
  }),

  route('GET', '/repos/{owner}/{repo}/git/commits/{sha}', async (ctx, [sha = '']) => {
    if (!/^[0-9a-f]{4,64}$/.test(sha)) throw notFound()
    const full = await ctx.repo.git.resolve(sha)
    const info = full ? await ctx.repo.git.commitInfo(full) : undefined
    if (!info) throw notFound()
    return ok(shapes.gitCommit(ctx.urls, ctx.repo.fullName, info))
  }),

  route('GET', '/repos/{owner}/{repo}/commits/{ref+}', async (ctx, [ref = '']) => {
    const sha = await ctx.repo.git.resolve(ref)
    const info = sha ? await ctx.repo.git.commitInfo(sha) : undefined
    if (!info) throw noCommit(ref)
    return ok(shapes.commit(ctx.urls, ctx.repo.fullName, info))
  }),

  route('GET', '/repos/{owner}/{repo}/compare/{basehead+}', async (ctx, [basehead = '']) => ok(await compare(ctx, basehead))),

  route('GET', '/repos/{owner}/{repo}/contents', async (ctx) => ok(await contents(ctx, ''))),
  route('GET', '/repos/{owner}/{repo}/contents/{path+}', async (ctx, [filePath = '']) => ok(await contents(ctx, filePath)))
]
