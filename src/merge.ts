/**
 * The merge engine: fetch the least a merge needs into the action's own bare repository, merge the upstream tag into
 * the target branch with `git merge-tree --write-tree` (no worktree, no index, no checkout), write the merge commit
 * with `git commit-tree`, and push the sync branch without ever overwriting work the action did not make.
 *
 * What is fetched (see prepareRepository), in five requests, none of them a thin pack:
 * - the fork's target branch (and the sync branch, if it exists) with `--filter=tree:0`: commits only. A fork of a
 *   big project has tens of thousands of commits, and their trees are most of what a blob-less clone transfers
 *   (measured on a 30,000-commit fork: 25 MB of trees against 6.8 MB of commits), yet a merge reads the trees of a
 *   handful of commits;
 * - the upstream tag alone (no other tags, no branches), commits only. The fork's history already holds the older
 *   upstream commits, so negotiation leaves only the commits since the last sync to transfer;
 * - from the fork, by id: the trees of the target, the sync branch and the boundary commits where the new upstream
 *   history meets the fork's (the merge base among them), each with its subtrees, no blobs;
 * - from upstream, by id: the new commits' trees, then, for a run that will push, their new blobs (the push must
 *   send them, and a partial repository would otherwise fetch them back while packing).
 * Both remotes are promisor remotes, so any other object the merge reads is fetched on demand from whichever remote
 * has it. Before the merge, the blobs of paths both sides changed are fetched explicitly, each from the side that
 * has it: git's own batched lazy fetch asks one remote for the whole batch and fails when no single remote has all
 * of it. The push itself may fetch the old versions of changed files: over HTTP git always sends a thin pack, whose
 * deltas need those versions as bases (it roughly halves what is uploaded).
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { Git, GitError, type GitResult } from './git.js'
import { byCodeUnit, collectConflicts, parseMergeTree, type ConflictGroup } from './conflicts.js'
import { compileRules } from './rules.js'
import type { ChangeSummary, Conflict, FolderChanges, MergeResult, PathRule } from './types.js'

/** Remote names inside the action's repository. */
export const FORK_REMOTE = 'origin'
export const UPSTREAM_REMOTE = 'upstream'

/** Trailer naming the upstream tag, written into every merge commit this action makes. */
export const SYNC_TAG_TRAILER = 'Upstream-Sync-Tag'
/**
 * Trailer holding the merge commit's own tree id. A commit whose tree no longer matches (a maintainer amended the
 * action's merge commit to resolve something) is no longer the action's, so it is never overwritten.
 */
export const SYNC_TREE_TRAILER = 'Upstream-Sync-Tree'

const ZERO_OID = '0000000000000000000000000000000000000000'

export type DebugLog = (message: string) => void

/** Objects and bytes a fetch added to the repository (`git count-objects`, loose + packed). */
export interface TransferStats {
  objects: number
  kib: number
  ms: number
}

export interface PrepareOptions {
  /** Fetch URL of the fork (the repository the action runs for). */
  forkUrl: string
  upstreamUrl: string
  /** The fork's branch the tag is merged into (a branch name, not a full ref). */
  targetBranch: string
  /** The upstream tag to merge (a tag name, not a full ref). */
  tag: string
  /** The sync branch's name (e.g. `upstream-sync/v1.2.3`); fetched when it exists. */
  syncBranch: string
  /**
   * True for a run that will push: the new upstream commits are fetched with their blobs, so the push has them.
   * False (dry run): everything is fetched without blobs.
   */
  fetchUpstreamBlobs: boolean
  debug?: DebugLog
}

export interface PreparedRepository {
  targetSha: string
  /** The tag's commit (annotated tags are peeled). */
  tagSha: string
  /** The sync branch's head in the fork, or undefined when the branch does not exist. */
  syncBranchSha?: string
  /** What each fetch added, for the debug log and the benchmark. */
  transfer: { fork: TransferStats; trees: TransferStats; upstream: TransferStats }
}

export interface MergeAuthor {
  name: string
  email: string
  /** Any date git accepts (ISO 8601, `@<unix> <tz>`); default: now. */
  date?: string
}

export interface MergeOptions {
  targetSha: string
  tagSha: string
  /**
   * The upstream tag's name: recorded in the merge commit's `Upstream-Sync-Tag` trailer (how classifySyncBranch
   * recognises the action's own commits) and used as git's label for the upstream side, so conflict messages and
   * file/directory paths read exactly as `git merge <tag>` on the target branch prints them.
   */
  tag: string
  rules: readonly PathRule[]
  /** Resolve conflicted paths whose rule says `ours` or `theirs` inside the merge commit. */
  autoResolve: boolean
  /** The merge commit's message (default `Merge upstream tag <tag>`); the sync trailers are appended. */
  message?: string
  author: MergeAuthor
  debug?: DebugLog
}

function log(options: { debug?: DebugLog }): DebugLog {
  return options.debug ?? ((message: string) => core.debug(message))
}

async function requireValidRef(ref: string, what: string): Promise<void> {
  if (!(await Git.isValidRefName(ref))) {
    throw new Error(`${what} ${JSON.stringify(ref.replace(/^refs\/(heads|tags)\//, ''))} is not a valid git ref name`)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Fetching

/**
 * Objects in the repository. Fetched objects arrive as packs (fetch.unpackLimit=1); objects git writes itself
 * (merge results, trees, commits) are loose, so the two counts tell fetched from written.
 */
async function objectStats(git: Git): Promise<{ objects: number; kib: number; packed: number; loose: number }> {
  const values = new Map<string, number>()
  for (const line of (await git.output(['count-objects', '-v'])).split('\n')) {
    const [key, value] = line.split(': ')
    if (key && value) values.set(key, Number(value))
  }
  const loose = values.get('count') ?? 0
  const packed = values.get('in-pack') ?? 0
  return { objects: loose + packed, packed, loose, kib: (values.get('size') ?? 0) + (values.get('size-pack') ?? 0) }
}

async function measured(git: Git, run: () => Promise<unknown>): Promise<TransferStats> {
  const before = await objectStats(git)
  const started = Date.now()
  await run()
  const ms = Date.now() - started
  const after = await objectStats(git)
  return { objects: after.objects - before.objects, kib: after.kib - before.kib, ms }
}

/** Options every fetch here shares: nothing but the refs asked for, no side work. */
const FETCH_FLAGS = [
  '--no-tags',
  '--no-write-fetch-head',
  '--no-recurse-submodules',
  '--no-show-forced-updates',
  '--no-auto-maintenance',
  '--quiet'
]

/**
 * Configures the remotes as `git clone --filter=…` would (promisor remotes, partial-clone extension), so missing
 * objects are fetched on demand. Both remotes are promisors: blobs only upstream has (files the new upstream
 * commits added or changed, in a dry run) must be fetchable too. Git asks promisor remotes in config order with the
 * `extensions.partialClone` one last, so naming upstream there makes the fork the first one asked.
 */
async function configureRemotes(git: Git, forkUrl: string, upstreamUrl: string): Promise<void> {
  const settings: Array<[string, string]> = [
    ['core.repositoryformatversion', '1'],
    [`remote.${FORK_REMOTE}.url`, forkUrl],
    [`remote.${FORK_REMOTE}.promisor`, 'true'],
    [`remote.${FORK_REMOTE}.partialclonefilter`, 'tree:0'],
    [`remote.${UPSTREAM_REMOTE}.url`, upstreamUrl],
    [`remote.${UPSTREAM_REMOTE}.promisor`, 'true'],
    [`remote.${UPSTREAM_REMOTE}.partialclonefilter`, 'blob:none'],
    ['extensions.partialClone', UPSTREAM_REMOTE],
    // Keep every fetched pack as a pack: exploding a fetch into loose objects costs time on big fetches, and with
    // fetched objects in packs and the objects git writes itself (merge results) loose, the debug numbers can
    // tell the two apart.
    ['fetch.unpackLimit', '1'],
    // The run's repository is thrown away; never spend time on commit-graphs or gc.
    ['gc.auto', '0'],
    ['maintenance.auto', 'false']
  ]
  for (const [key, value] of settings) await git.exec(['config', key, value])
}

/**
 * Creates what the merge needs in `git` (an empty bare repository made with `Git.init`, under RUNNER_TEMP): the
 * fork's target branch and sync branch as `refs/remotes/origin/*` and the upstream tag as `refs/tags/<tag>`.
 */
export async function prepareRepository(git: Git, options: PrepareOptions): Promise<PreparedRepository> {
  const debug = log(options)
  const tagRef = `refs/tags/${options.tag}`
  await requireValidRef(`refs/heads/${options.targetBranch}`, 'target branch')
  await requireValidRef(`refs/heads/${options.syncBranch}`, 'sync branch')
  await requireValidRef(tagRef, 'tag')

  await configureRemotes(git, options.forkUrl, options.upstreamUrl)

  // One ls-remote tells whether the sync branch exists (fetching a missing ref is an error) and that the target
  // exists; then one fetch gets both, commits only.
  let heads: Record<string, string | undefined> = {}
  const fork = await measured(git, async () => {
    heads = await fetchBranches(git, options.forkUrl, [options.targetBranch, options.syncBranch])
  })
  const targetSha = heads[options.targetBranch]
  if (!targetSha) {
    throw new Error(`target branch ${JSON.stringify(options.targetBranch)} does not exist in the fork (${options.forkUrl}); set target-branch to an existing branch`)
  }
  const syncBranchSha = heads[options.syncBranch]
  debug(`fetch fork ${options.targetBranch}${syncBranchSha ? ` + ${options.syncBranch}` : ''} (commits only): ${fork.objects} objects, ${fork.kib} KiB, ${fork.ms} ms`)

  // Upstream in three requests, none of which can be a thin pack (whose deltas would lean on trees this repository
  // does not have, which git would then fetch back one hierarchy at a time): the tag's new commits; after the fork's
  // boundary trees, the new commits' trees by id; for a run that will push, their new blobs by id.
  let tagSha: string | undefined
  const tagFetch = await measured(git, async () => {
    const fetched = await git.tryExec(['fetch', ...FETCH_FLAGS, '--filter=tree:0', UPSTREAM_REMOTE, `+${tagRef}:${tagRef}`])
    if (fetched.exitCode !== 0) {
      if (/couldn't find remote ref/i.test(fetched.stderr)) {
        throw new Error(`tag ${JSON.stringify(options.tag)} does not exist in the upstream repository (${options.upstreamUrl})`)
      }
      throw new GitError(['fetch', UPSTREAM_REMOTE], fetched.exitCode, fetched.stderr, fetched.stdout)
    }
    tagSha = await git.revParse(`${tagRef}^{commit}`)
  })
  if (!tagSha) throw new Error(`tag ${JSON.stringify(options.tag)} does not point at a commit`)
  const tagCommit = tagSha
  const known = [targetSha, ...(syncBranchSha ? [syncBranchSha] : [])]
  const trees = await measured(git, () => fetchBoundaryTrees(git, tagCommit, known, debug))
  debug(`fetch the trees the merge reads: ${trees.objects} objects, ${trees.kib} KiB, ${trees.ms} ms`)

  const treeFetch = await measured(git, async () => {
    // With the boundary trees present, what is still missing of the new commits is their own trees.
    await fetchObjectsOrFail(git, UPSTREAM_REMOTE, await missingObjects(git, tagCommit, known))
  })
  let blobCount = 0
  const blobFetch = await measured(git, async () => {
    if (!options.fetchUpstreamBlobs) return
    const missing = await missingObjects(git, tagCommit, known)
    blobCount = missing.length
    await fetchObjectsOrFail(git, UPSTREAM_REMOTE, missing)
  })
  const upstream = {
    objects: tagFetch.objects + treeFetch.objects + blobFetch.objects,
    kib: tagFetch.kib + treeFetch.kib + blobFetch.kib,
    ms: tagFetch.ms + treeFetch.ms + blobFetch.ms
  }
  debug(
    `fetch upstream ${options.tag} (${options.fetchUpstreamBlobs ? `with the ${blobCount} blobs of its new commits` : 'commits and trees, no blobs'}): ` +
      `${upstream.objects} objects, ${upstream.kib} KiB, ${upstream.ms} ms`
  )
  return {
    targetSha,
    tagSha: tagCommit,
    ...(syncBranchSha ? { syncBranchSha } : {}),
    transfer: { fork, trees, upstream }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Merging

/** One entry of `git diff-tree --raw -z`. */
interface RawChange {
  status: string
  srcMode: string
  dstMode: string
  srcOid: string
  dstOid: string
  path: string
  /** For renames: the path before. */
  fromPath?: string
}

/** `git diff-tree -r -z --raw` between two commits. Reads trees only, never a blob (see `renames`). */
async function diffTree(git: Git, from: string, to: string, renames: 'none' | 'exact'): Promise<RawChange[]> {
  // -M100% detects exact renames only: git pairs identical blob ids and never reads a blob, so this works in the
  // partial repository without fetching anything (inexact detection would fetch every added and deleted blob).
  const renameFlag = renames === 'exact' ? '-M100%' : '--no-renames'
  const out = (await git.exec(['diff-tree', '-r', '-z', '--raw', '--no-abbrev', renameFlag, from, to])).stdout
  const fields = out.split('\0')
  const changes: RawChange[] = []
  let i = 0
  while (i < fields.length) {
    const head = fields[i++] as string
    if (head === '') continue
    const match = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])(\d*)$/.exec(head)
    if (!match) throw new Error(`unexpected git diff-tree output: ${JSON.stringify(head.slice(0, 120))}`)
    const status = match[5] as string
    const first = fields[i++] as string
    const change: RawChange = {
      status,
      srcMode: match[1] as string,
      dstMode: match[2] as string,
      srcOid: match[3] as string,
      dstOid: match[4] as string,
      path: first
    }
    if (status === 'R' || status === 'C') {
      change.fromPath = first
      change.path = fields[i++] as string
    }
    changes.push(change)
  }
  return changes
}

function isBlobMode(mode: string): boolean {
  return mode !== '000000' && mode !== '160000' && mode !== '040000'
}

/**
 * Fetches `oids` from one promisor remote in a single request, as git's own lazy fetch does (no negotiation: the
 * objects are asked for by id). Git requests nothing when every one of them is already present. Returns git's
 * result, or undefined when there was nothing to ask for.
 */
async function fetchObjects(git: Git, remote: string, oids: readonly string[]): Promise<GitResult | undefined> {
  if (oids.length === 0) return undefined
  return git.tryExec(['fetch', remote, '--no-tags', '--no-write-fetch-head', '--recurse-submodules=no', '--filter=blob:none', '--stdin'], {
    input: oids.join('\n') + '\n',
    env: gitConfigEnv({ 'fetch.negotiationAlgorithm': 'noop' })
  })
}

/**
 * The fork's history arrives as commits only (`tree:0`). The trees the rest of the run reads are those of `known`
 * (the target and the sync branch) and of the boundary commits where `tip`'s new history meets them (the merge
 * base among them): the merge reads the base's and the target's, the change summary diffs them, and marking what
 * the push need not send walks the boundary's. They are asked for by id in one request; each comes with all its
 * subtrees (lazy fetches use `blob:none`), and the pack shares the subtrees they have in common.
 */
async function fetchBoundaryTrees(git: Git, tip: string, known: readonly string[], debug: DebugLog): Promise<void> {
  const boundary = (await git.output(['rev-list', '--boundary', tip, '--not', ...known]))
    .split('\n')
    .filter((line) => line.startsWith('-'))
    .map((line) => line.slice(1))
  const commits = [...new Set([...known, ...boundary])]
  const trees = [...new Set((await git.output(['log', '--no-walk=unsorted', '--format=%T', ...commits])).split('\n').filter(Boolean))]
  // No presence check first: on git before 2.44 looking an object up in a partial clone fetches it if missing, one
  // by one. fetch --stdin itself skips the ids already present.
  debug(`asking the fork for the trees of ${trees.length} commits (target, sync branch, ${boundary.length} boundary)`)
  await fetchObjectsOrFail(git, FORK_REMOTE, trees)
}

/** fetchObjects for objects the run cannot do without: a failure is the run's failure, with git's message. */
async function fetchObjectsOrFail(git: Git, remote: string, oids: readonly string[]): Promise<void> {
  const result = await fetchObjects(git, remote, oids)
  if (result && result.exitCode !== 0) throw new GitError(['fetch', remote], result.exitCode, result.stderr, result.stdout)
}

/**
 * Objects reachable from `tip` but from none of `known` that the repository does not have (promised by a
 * promisor remote). `--missing=print` lists them without fetching anything.
 */
async function missingObjects(git: Git, tip: string, known: readonly string[]): Promise<string[]> {
  const out = await git.output(['rev-list', '--objects', '--no-object-names', '--missing=print', tip, '--not', ...known])
  return out
    .split('\n')
    .filter((line) => line.startsWith('?'))
    .map((line) => line.slice(1))
}

/** Best-effort prefetch: on failure the merge's own lazy fetch still gets the blobs, one remote at a time. */
async function prefetch(git: Git, remote: string, oids: readonly string[], debug: DebugLog): Promise<void> {
  if (oids.length === 0) return
  let result: GitResult | undefined
  const stats = await measured(git, async () => {
    result = await fetchObjects(git, remote, oids)
  })
  if (result && result.exitCode !== 0) debug(`prefetch of ${oids.length} blobs from ${remote} failed, leaving it to lazy fetch: ${result.stderr.trim()}`)
  else debug(`prefetch ${oids.length} blobs from ${remote}: ${stats.objects} objects, ${stats.kib} KiB, ${stats.ms} ms`)
}

/** Per-command configuration through the environment (GIT_CONFIG_COUNT), never through the repository's config. */
function gitConfigEnv(settings: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  const entries = Object.entries(settings)
  env.GIT_CONFIG_COUNT = String(entries.length)
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key
    env[`GIT_CONFIG_VALUE_${index}`] = value
  })
  return env
}

/**
 * Gets the blobs a three-way content merge will read, each from the remote that has it: the merge base's and the
 * fork's versions from the fork, the tag's versions from upstream (already local when the tag was fetched with
 * blobs). Only paths both sides changed need a content merge.
 */
async function prefetchContentMergeBlobs(git: Git, forkChanges: RawChange[], upstreamChanges: RawChange[], debug: DebugLog): Promise<void> {
  const ours = new Map(forkChanges.map((change) => [change.path, change]))
  const fromFork = new Set<string>()
  const fromUpstream = new Set<string>()
  for (const theirs of upstreamChanges) {
    if (theirs.status === 'R') continue // exact renames: identical content, nothing to merge at this path
    const mine = ours.get(theirs.path)
    if (!mine || mine.dstOid === theirs.dstOid) continue
    if (isBlobMode(theirs.srcMode)) fromFork.add(theirs.srcOid)
    if (isBlobMode(mine.dstMode)) fromFork.add(mine.dstOid)
    if (isBlobMode(theirs.dstMode)) fromUpstream.add(theirs.dstOid)
  }
  await prefetch(git, UPSTREAM_REMOTE, [...fromUpstream], debug)
  await prefetch(git, FORK_REMOTE, [...fromFork], debug)
}

/** A tree entry from `git ls-tree -r -z`. */
interface TreeEntry {
  mode: string
  type: string
  oid: string
  path: string
}

async function listTree(git: Git, treeish: string): Promise<TreeEntry[]> {
  const out = (await git.exec(['ls-tree', '-r', '-z', '--full-tree', treeish])).stdout
  const entries: TreeEntry[] = []
  for (const record of out.split('\0')) {
    if (!record) continue
    const tab = record.indexOf('\t')
    const [mode, type, oid] = record.slice(0, tab).split(' ')
    entries.push({ mode: mode as string, type: type as string, oid: oid as string, path: record.slice(tab + 1) })
  }
  return entries
}

/** A tree's entries sorted by path, to find everything at or under a path without scanning the whole tree. */
class TreeIndex {
  private readonly entries: TreeEntry[]

  constructor(entries: TreeEntry[]) {
    this.entries = [...entries].sort((a, b) => byCodeUnit(a.path, b.path))
  }

  /** The entry at `path` (a file) and every entry under `path/` (a directory), in path order. */
  atOrUnder(path: string): TreeEntry[] {
    const found: TreeEntry[] = []
    const exact = this.entries[this.lowerBound(path)]
    if (exact?.path === path) found.push(exact)
    // Paths under `path/` are contiguous in code-unit order (other paths like `path.txt` sort apart from them).
    const prefix = path + '/'
    for (let i = this.lowerBound(prefix); i < this.entries.length && (this.entries[i] as TreeEntry).path.startsWith(prefix); i++) {
      found.push(this.entries[i] as TreeEntry)
    }
    return found
  }

  private lowerBound(path: string): number {
    let low = 0
    let high = this.entries.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if ((this.entries[mid] as TreeEntry).path < path) low = mid + 1
      else high = mid
    }
    return low
  }
}

/**
 * Builds the merge result with every group of conflicts resolved to its side: each path a group touches (the
 * conflicted paths and the others its records name, e.g. both destinations of a rename/rename, the file and the
 * directory of a file/directory conflict) is set to exactly what that side's commit has there: the file, the whole
 * directory, or nothing when that side deleted or renamed it away. Uses a throwaway index; `--missing-ok` keeps
 * write-tree from fetching blobs it does not need to read.
 */
async function resolveTree(
  git: Git,
  mergedTree: string,
  resolutions: Array<{ group: ConflictGroup; side: 'ours' | 'theirs' }>,
  sides: { ours: string; theirs: string }
): Promise<string> {
  const merged = new TreeIndex(await listTree(git, mergedTree))
  const sideTrees = new Map<'ours' | 'theirs', TreeIndex>()
  const lines: string[] = []
  for (const { group, side } of resolutions) {
    let kept = sideTrees.get(side)
    if (!kept) {
      kept = new TreeIndex(await listTree(git, sides[side]))
      sideTrees.set(side, kept)
    }
    for (const groupPath of group.paths) {
      // Mode 0 removes the path from the index; then the kept side's entries (if any) take its place.
      for (const entry of merged.atOrUnder(groupPath)) lines.push(`0 ${ZERO_OID}\t${entry.path}`)
      for (const entry of kept.atOrUnder(groupPath)) lines.push(`${entry.mode} ${entry.type} ${entry.oid}\t${entry.path}`)
    }
  }
  const indexFile = path.join(git.gitDir, `upstream-sync-${randomBytes(6).toString('hex')}.index`)
  const env = { GIT_INDEX_FILE: indexFile }
  try {
    await git.exec(['read-tree', mergedTree], { env })
    await git.exec(['update-index', '-z', '--index-info'], { env, input: lines.map((line) => line + '\0').join('') })
    return await git.output(['write-tree', '--missing-ok'], { env })
  } finally {
    await fs.rm(indexFile, { force: true })
  }
}

/** Appends the sync trailers (git's own trailer rules decide where they go). */
async function withSyncTrailers(git: Git, message: string | undefined, tag: string, tree: string): Promise<string> {
  const body = message === undefined || message.trim() === '' ? `Merge upstream tag ${tag}` : message
  return (
    await git.exec(
      ['interpret-trailers', '--if-exists', 'replace', '--trailer', `${SYNC_TAG_TRAILER}: ${tag}`, '--trailer', `${SYNC_TREE_TRAILER}: ${tree}`],
      { input: body.endsWith('\n') ? body : body + '\n' }
    )
  ).stdout
}

async function commitMerge(git: Git, tree: string, options: MergeOptions): Promise<string> {
  const message = await withSyncTrailers(git, options.message, options.tag, tree)
  const env: Record<string, string> = {
    GIT_AUTHOR_NAME: options.author.name,
    GIT_AUTHOR_EMAIL: options.author.email,
    GIT_COMMITTER_NAME: options.author.name,
    GIT_COMMITTER_EMAIL: options.author.email
  }
  if (options.author.date) {
    env.GIT_AUTHOR_DATE = options.author.date
    env.GIT_COMMITTER_DATE = options.author.date
  }
  return git.output(['commit-tree', tree, '-p', options.targetSha, '-p', options.tagSha], { env, input: message })
}

/** Upstream's changes since the merge base, for the report. */
function summarizeChanges(commits: number, upstreamChanges: RawChange[]): ChangeSummary {
  const folders = new Map<string, FolderChanges>()
  for (const change of upstreamChanges) {
    const slash = change.path.indexOf('/')
    const folder = slash === -1 ? '(root)' : change.path.slice(0, slash)
    let entry = folders.get(folder)
    if (!entry) {
      entry = { folder, added: 0, modified: 0, deleted: 0, renamed: 0 }
      folders.set(folder, entry)
    }
    if (change.status === 'A') entry.added++
    else if (change.status === 'D') entry.deleted++
    else if (change.status === 'R') entry.renamed++
    else entry.modified++ // M, T (type change); diff-tree reports nothing else without -C
  }
  return {
    commits,
    files: upstreamChanges.length,
    byFolder: [...folders.values()].sort((a, b) => byCodeUnit(a.folder, b.folder))
  }
}

/**
 * The label git prints for the upstream side: the tag's name when it unambiguously names the tag's commit here
 * (as in `git merge <tag>`), otherwise the commit id.
 */
async function upstreamLabel(git: Git, tag: string, tagSha: string): Promise<string> {
  if (tag.startsWith('-') || !(await Git.isValidRefName(`refs/tags/${tag}`))) return tagSha
  return (await git.revParse(`${tag}^{commit}`)) === tagSha ? tag : tagSha
}

/**
 * Merges the upstream tag into the target branch's commit without touching any ref but the repository's own
 * detached HEAD (set to the target commit so git labels that side "HEAD", exactly as `git merge` on the target
 * branch does, which keeps conflict messages and moved-aside paths like `dir~HEAD` identical to a local merge).
 *
 * - Clean merge: a merge commit (parents: target, tag) is written and is `headSha`.
 * - Conflicts: the conflict list equals what `git merge <tag>` on the target reports (paths and kinds, see
 *   conflicts.ts). Each conflict carries its rule's resolution and note. `headSha` is the tag's commit: nothing
 *   with conflict markers is ever committed.
 * - Auto-resolve: when every conflict's rule says `ours` or `theirs` (and each group of linked conflicts agrees on
 *   one side), those paths are taken from that side in the merge commit, status is `clean` and `autoResolved` lists
 *   them with the side kept. If even one conflict is left for a human, nothing is resolved or committed: status is
 *   `conflicts`, every conflict stays in `conflicts` (the `resolution` field still says what the rules would do),
 *   and `autoResolved` is empty, because the human resolving the rest works from the tag's commit anyway.
 */
export async function mergeTag(git: Git, options: MergeOptions): Promise<MergeResult> {
  const debug = log(options)
  const started = Date.now()
  const rules = compileRules(options.rules)
  const { targetSha, tagSha } = options
  for (const [sha, what] of [[targetSha, 'target commit'], [tagSha, 'tag commit']] as const) {
    if (!(await git.revParse(`${sha}^{commit}`))) throw new Error(`${what} ${sha} is not a commit in the merge repository`)
  }

  const baseResult = await git.tryExec(['merge-base', targetSha, tagSha])
  if (baseResult.exitCode === 1) {
    throw new Error(`the target branch (${targetSha}) and the upstream tag (${tagSha}) share no history; the fork must have been created from the upstream repository`)
  }
  if (baseResult.exitCode !== 0) throw new GitError(['merge-base'], baseResult.exitCode, baseResult.stderr, baseResult.stdout)
  const mergeBase = baseResult.stdout.trim()

  const [forkChanges, upstreamChanges, commitCount] = await Promise.all([
    diffTree(git, mergeBase, targetSha, 'none'),
    diffTree(git, mergeBase, tagSha, 'exact'),
    git.output(['rev-list', '--count', `${targetSha}..${tagSha}`])
  ])
  await prefetchContentMergeBlobs(git, forkChanges, upstreamChanges, debug)

  await git.exec(['update-ref', '--no-deref', 'HEAD', targetSha])
  const label = await upstreamLabel(git, options.tag, tagSha)
  const before = await objectStats(git)
  const mergeStarted = Date.now()
  const run = await git.tryExec(['merge-tree', '--write-tree', '-z', '--messages', 'HEAD', label])
  if (run.exitCode !== 0 && run.exitCode !== 1) {
    throw new GitError(['merge-tree'], run.exitCode, run.stderr, run.stdout)
  }
  const after = await objectStats(git)
  debug(`merge-tree: exit ${run.exitCode}, ${Date.now() - mergeStarted} ms, ${after.packed - before.packed} objects fetched lazily, ${after.loose - before.loose} written`)
  const output = parseMergeTree(run.stdout)
  const groups = collectConflicts(output)
  if (run.exitCode === 1 && groups.length === 0) {
    throw new Error(`git merge-tree reported conflicts but listed none; refusing to commit. Output: ${run.stdout.replace(/\0/g, ' ').slice(0, 500)}`)
  }

  const conflictsOf = (group: ConflictGroup): Conflict[] =>
    group.conflicts.map((raw) => {
      const rule = rules.match(raw.path)
      return {
        path: raw.path,
        kind: raw.kind,
        message: raw.message,
        resolution: rule.resolution,
        ...(rule.note !== undefined ? { note: rule.note } : {})
      }
    })
  const grouped = groups.map((group) => ({ group, conflicts: conflictsOf(group) }))

  // A group is resolved as a whole, to one side, only when all of its conflicts' rules name that same side.
  const sideOf = (conflicts: Conflict[]): 'ours' | 'theirs' | undefined => {
    const first = conflicts[0]?.resolution
    if (first !== 'ours' && first !== 'theirs') return undefined
    if (conflicts.some((conflict) => conflict.resolution !== first || conflict.kind === 'other')) return undefined
    return first
  }
  const resolvable = options.autoResolve && grouped.every(({ conflicts }) => sideOf(conflicts) !== undefined)

  let tree = output.tree
  let conflicts: Conflict[] = []
  let autoResolved: Conflict[] = []
  if (grouped.length > 0 && resolvable) {
    const resolutions = grouped.map(({ group, conflicts: list }) => ({ group, side: sideOf(list) as 'ours' | 'theirs' }))
    tree = await resolveTree(git, output.tree, resolutions, { ours: targetSha, theirs: tagSha })
    autoResolved = grouped.flatMap(({ conflicts: list }) => list.map((conflict) => ({ ...conflict, autoResolved: conflict.resolution as 'ours' | 'theirs' })))
  } else {
    conflicts = grouped.flatMap(({ conflicts: list }) => list)
  }
  conflicts.sort((a, b) => byCodeUnit(a.path, b.path))
  autoResolved.sort((a, b) => byCodeUnit(a.path, b.path))

  const status: MergeResult['status'] = conflicts.length === 0 ? 'clean' : 'conflicts'
  const headSha = status === 'clean' ? await commitMerge(git, tree, options) : tagSha

  const upstreamPaths = new Set<string>()
  for (const change of upstreamChanges) {
    upstreamPaths.add(change.path)
    if (change.fromPath) upstreamPaths.add(change.fromPath)
  }
  const forkCustomizations = [...new Set(forkChanges.map((change) => change.path))]
    .filter((changed) => upstreamPaths.has(changed))
    .sort(byCodeUnit)

  debug(`merge of ${options.tag} into ${targetSha}: ${status}, ${conflicts.length} conflicts, ${autoResolved.length} auto-resolved, ${Date.now() - started} ms`)
  return {
    status,
    targetSha,
    tagSha,
    mergeBase,
    headSha,
    conflicts,
    autoResolved,
    changes: summarizeChanges(Number(commitCount), upstreamChanges),
    forkCustomizations
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The sync branch

export interface ClassifyOptions {
  /** The sync branch's head in the fork (fetched into the repository, e.g. by fetchBranches). */
  branchSha: string
  /**
   * The tag the branch syncs. When `tagSha` is not given, the tag's current commit is read from the upstream remote
   * (`git ls-remote`, no objects transferred); a merge commit's `Upstream-Sync-Tag` trailer must name this tag.
   */
  tag?: string
  /** The upstream tag's commit, when known (it is for the tag being synced). */
  tagSha?: string
  /** The target branch's head: a branch head it already contains carries nothing of its own. */
  targetSha?: string
  /**
   * Other commits known to be upstream's, e.g. the commit a tag pointed at before upstream moved it: a merge of
   * that commit made by this action is still the action's own.
   */
  upstreamShas?: readonly string[]
}

/** The commit upstream's `tag` points at now (peeled), or undefined when the tag or the remote cannot be read. */
async function upstreamTagCommit(git: Git, tag: string): Promise<string | undefined> {
  const ref = `refs/tags/${tag}`
  if (!(await Git.isValidRefName(ref))) return undefined
  const listed = await git.tryExec(['ls-remote', UPSTREAM_REMOTE, ref, `${ref}^{}`])
  if (listed.exitCode !== 0) return undefined
  const shas = new Map<string, string>()
  for (const line of listed.stdout.split('\n')) {
    const [sha, name] = line.split('\t')
    if (sha && name) shas.set(name, sha)
  }
  return shas.get(`${ref}^{}`) ?? shas.get(ref)
}

/** The upstream commits a sync branch may legitimately point at or merge (and their ancestors). */
async function knownUpstreamCommits(git: Git, options: ClassifyOptions): Promise<string[]> {
  const known = [...(options.tagSha ? [options.tagSha] : []), ...(options.upstreamShas ?? [])]
  if (!options.tagSha && options.tag) {
    const current = await upstreamTagCommit(git, options.tag)
    if (current) known.push(current)
  }
  return known
}

async function isAncestorOfAny(git: Git, sha: string, known: readonly string[]): Promise<boolean> {
  for (const candidate of known) {
    if (sha === candidate) return true
    // A commit that is not in the repository (a tag read with ls-remote and never fetched) has no ancestors here.
    if ((await git.revParse(`${candidate}^{commit}`)) && (await git.isAncestor(sha, candidate))) return true
  }
  return false
}

/**
 * True when `sha` is a merge commit this action wrote: two parents, the second one an upstream commit (one of
 * `upstream` or an ancestor), an `Upstream-Sync-Tag` trailer (naming `tag` when given), and an
 * `Upstream-Sync-Tree` trailer naming the commit's own tree, so a merge commit a maintainer amended is not the
 * action's any more.
 */
export async function isActionCommit(git: Git, sha: string, upstream: readonly string[], tag?: string): Promise<boolean> {
  const format = `%P%x00%T%x00%(trailers:key=${SYNC_TAG_TRAILER},valueonly,separator=%x01)%x00%(trailers:key=${SYNC_TREE_TRAILER},valueonly,separator=%x01)`
  const result = await git.tryExec(['show', '-s', `--format=${format}`, sha, '--'])
  if (result.exitCode !== 0) throw new GitError(['show', sha], result.exitCode, result.stderr, result.stdout)
  const [parentsField = '', tree = '', tagTrailer = '', treeTrailer = ''] = result.stdout.replace(/\n$/, '').split('\0')
  const parents = parentsField.split(' ').filter(Boolean)
  if (parents.length !== 2) return false
  const tags = tagTrailer.split('\x01').map((value) => value.trim()).filter(Boolean)
  if (tags.length === 0 || (tag !== undefined && !tags.includes(tag))) return false
  if (treeTrailer.split('\x01').map((value) => value.trim()).pop() !== tree) return false
  return isAncestorOfAny(git, parents[1] as string, upstream)
}

/**
 * Whose the sync branch's head is. `action` when moving or deleting the branch loses nothing a human made: the head
 * is an upstream commit (the tag or one of its ancestors), a merge commit this action wrote (isActionCommit), or a
 * commit the target branch already contains. Anything else (a maintainer's resolution, a merge of the target into
 * the branch, an amended merge commit, or a head that cannot be checked) is `human`: the caller leaves it alone.
 */
export async function classifySyncBranch(git: Git, options: ClassifyOptions): Promise<'action' | 'human'> {
  const { branchSha } = options
  const upstream = await knownUpstreamCommits(git, options)
  if (await isAncestorOfAny(git, branchSha, upstream)) return 'action'
  if (await isActionCommit(git, branchSha, upstream, options.tag)) return 'action'
  if (options.targetSha && (await git.isAncestor(branchSha, options.targetSha))) return 'action'
  return 'human'
}

/**
 * Reads the fork's `branches` (names, not full refs) and fetches those that exist, without blobs, into
 * `refs/remotes/origin/<branch>`. Returns each branch's head, or undefined for a branch the fork does not have.
 * Used to re-read a sync branch after a lost push race and to inspect older sync branches before deleting them.
 */
export async function fetchBranches(git: Git, remoteUrl: string, branches: readonly string[]): Promise<Record<string, string | undefined>> {
  const heads: Record<string, string | undefined> = {}
  if (branches.length === 0) return heads
  for (const branch of branches) await requireValidRef(`refs/heads/${branch}`, 'branch')
  const configured = await git.tryExec(['config', '--get', `remote.${FORK_REMOTE}.url`])
  // The named remote is a promisor remote, so objects fetched from it are lazily completed like the rest.
  const remote = configured.exitCode === 0 && configured.stdout.trim() === remoteUrl ? FORK_REMOTE : remoteUrl
  const listed = await git.exec(['ls-remote', '--refs', remote, ...branches.map((branch) => `refs/heads/${branch}`)])
  const remoteRefs = new Map<string, string>()
  for (const line of listed.stdout.split('\n')) {
    const [sha, ref] = line.split('\t')
    if (sha && ref) remoteRefs.set(ref, sha)
  }
  const present = branches.filter((branch) => remoteRefs.has(`refs/heads/${branch}`))
  if (present.length > 0) {
    const refspecs = present.map((branch) => `+refs/heads/${branch}:refs/remotes/${FORK_REMOTE}/${branch}`)
    // Commits only: the few trees a run reads are fetched by id afterwards (see fetchBoundaryTrees).
    await git.exec(['fetch', ...FETCH_FLAGS, '--filter=tree:0', remote, ...refspecs])
  }
  for (const branch of branches) {
    if (remoteRefs.has(`refs/heads/${branch}`)) {
      heads[branch] = await git.revParse(`refs/remotes/${FORK_REMOTE}/${branch}^{commit}`)
    } else {
      heads[branch] = undefined
      await git.tryExec(['update-ref', '-d', `refs/remotes/${FORK_REMOTE}/${branch}`])
    }
  }
  return heads
}

export interface PushOptions {
  /** URL of the fork (authenticated through Git.configureAuth). */
  remoteUrl: string
  /** Branch name, not a full ref. */
  branch: string
  /** The commit the branch must point at. */
  sha: string
  /** The branch's head when the run read it, or null when it did not exist: the push succeeds only if it still is. */
  expectedOldSha: string | null
}

export interface PushResult {
  status: 'pushed' | 'unchanged' | 'rejected-stale'
  /** git's stderr, for the log. */
  stderr?: string
}

/** Rejections that mean "the branch moved since it was read": the caller re-reads the branch and decides again. */
const STALE_REASONS = /stale info|non-fast-forward|fetch first|already exists|cannot lock ref|incorrect old value|but expected|failed to lock/i

/**
 * Points the fork's `branch` at `sha`, but only if the branch is still where the run last saw it
 * (`--force-with-lease` with an explicit expected value, or "must not exist" for a new branch), so a concurrent
 * run's push or a maintainer's commit pushed in between is never overwritten. `push.negotiate` lets git find commits
 * the fork already has (e.g. upstream commits on another of its branches), so only what the fork lacks is sent.
 *
 * Returns `rejected-stale` when the lease or the server's ref update says the branch moved; throws a GitError with
 * git's message intact for anything else (authentication, permissions, a server-side refusal such as GitHub's
 * "refusing to allow a GitHub App to create or update workflow ... without `workflows` permission").
 */
export async function pushSyncBranch(git: Git, options: PushOptions): Promise<PushResult> {
  const ref = `refs/heads/${options.branch}`
  await requireValidRef(ref, 'sync branch')
  const args = [
    'push',
    '--porcelain',
    '--no-verify',
    // A thin pack would delta new blobs against the fork's old versions, which this partial repository lacks, so
    // git would first download them (measured: 1,985 blobs for a release changing 2,000 files). Git honours
    // --no-thin over ssh and file://, but its HTTP transport always pushes thin packs: there the old versions of
    // the changed files are downloaded in one batch (4.5 MB on the 30,000-commit benchmark, where the thin pack
    // halves the upload).
    '--no-thin',
    `--force-with-lease=${ref}:${options.expectedOldSha ?? ''}`,
    options.remoteUrl,
    `${options.sha}:${ref}`
  ]
  const result = await git.tryExec(args, { env: gitConfigEnv({ 'push.negotiate': 'true' }) })
  const line = result.stdout.split('\n').find((candidate) => candidate.split('\t')[1]?.endsWith(`:${ref}`))
  const flag = line?.[0]
  const summary = line?.split('\t')[2] ?? ''
  const stderr = result.stderr.trim()

  if (result.exitCode === 0 && flag === '=') return { status: 'unchanged', ...(stderr ? { stderr } : {}) }
  if (result.exitCode === 0 && (flag === ' ' || flag === '+' || flag === '*')) return { status: 'pushed', ...(stderr ? { stderr } : {}) }
  if (flag === '!' && STALE_REASONS.test(summary)) return { status: 'rejected-stale', stderr: [summary, stderr].filter(Boolean).join('\n') }
  // Keep git's words: the ref's status line (which carries a server's refusal reason) first, then stderr (which
  // carries the server's "remote:" lines and connection or authentication errors).
  const details = [summary, stderr].filter(Boolean).join('\n')
  throw new GitError(args.slice(0, 1).concat(options.remoteUrl), result.exitCode === 0 ? 1 : result.exitCode, details, result.stdout)
}
