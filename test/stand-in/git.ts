/**
 * The stand-in's access to its bare repositories: discovery on disk and the git queries the API answers from.
 * Each API request costs a handful of git processes at most, never one per ref or per commit, so an upstream with
 * thousands of tags and tens of thousands of commits stays fast.
 */
import { spawnCollect } from '../support/spawn.js'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { RefAnswers, repositoryIdentity } from './refs-state.js'

export interface GitRun {
  code: number
  stdout: Buffer
  stderr: string
}

export interface RefEntry {
  /** Full ref name, `refs/tags/v1.0.0`. */
  ref: string
  /** What the ref points at: a commit, or an annotated tag object. */
  sha: string
  type: 'commit' | 'tag' | 'tree' | 'blob'
  /** For an annotated tag, the object it points at. */
  peeled?: string
}

export interface CommitInfo {
  sha: string
  tree: string
  parents: string[]
  authorName: string
  authorEmail: string
  authorTime: number
  committerName: string
  committerEmail: string
  committerTime: number
  message: string
}

export interface TagInfo {
  sha: string
  tag: string
  objectSha: string
  objectType: string
  taggerName: string
  taggerEmail: string
  taggerTime: number
  message: string
}

export interface TreeEntry {
  mode: string
  type: 'blob' | 'tree' | 'commit'
  sha: string
  size: number
  path: string
}

export const ZERO_SHA = '0000000000000000000000000000000000000000'

/** The environment every git process of the stand-in gets: no user or system config, C locale, no outer repository. */
export function cleanGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_')) env[key] = value
  }
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C', LANG: 'C', GIT_TERMINAL_PROMPT: '0', ...extra }
}

// ---------------------------------------------------------------------------------------------------------------
// Queries about objects named by their ids (what a commit holds, how two commits relate) answer the same for as long
// as the repository exists: a successful answer is kept, so a test that runs the action again, or asks the API the
// same question, does not start the same git process again. Anything that names a ref, writes, or failed is asked
// of git every time.

const QUERY_COMMANDS = new Set(['cat-file', 'diff', 'log', 'ls-tree', 'merge-base', 'rev-list', 'rev-parse'])
/** An object id, optionally excluded (^), peeled (^{commit}), or a range of two, or a path inside one (id:path). */
const OBJECT_SPEC = /^\^?[0-9a-f]{40}(?:\^\{(?:commit|tree|object)\})?$|^[0-9a-f]{40}\.{2,3}[0-9a-f]{40}$|^[0-9a-f]{40}:[^\0]*$/
const SAFE_OPTION = /^--[a-z][a-z-]*(?:=[^\0]*)?$|^-[a-zA-Z](?:\d+%?)?$/

function answersForGood(args: string[], input: string | Buffer | undefined): boolean {
  const [command, ...rest] = args
  if (command === undefined || !QUERY_COMMANDS.has(command)) return false
  if (command === 'cat-file' && rest.some((arg) => arg.startsWith('--batch'))) return false
  let paths = false
  let objects = 0
  for (const arg of rest) {
    if (paths) continue
    if (arg === '--') paths = true
    else if (arg === '--end-of-options') continue
    else if (OBJECT_SPEC.test(arg)) objects++
    else if (!SAFE_OPTION.test(arg) || ['--all', '--branches', '--tags', '--remotes', '--glob', '--stdin-packs', '--reflog'].some((o) => arg.startsWith(o))) {
      // `cat-file -t <id>` / `cat-file tag <id>`: the type word is the only other plain argument allowed.
      if (!(command === 'cat-file' && ['blob', 'tree', 'commit', 'tag'].includes(arg))) return false
    }
  }
  if (input !== undefined && input.length > 0) {
    const lines = input.toString().split('\n').filter((line) => line !== '')
    if (!lines.every((line) => OBJECT_SPEC.test(line))) return false
    objects += lines.length
  } else if (rest.includes('--stdin')) {
    return false
  }
  return objects > 0
}

const answers = new Map<string, Promise<GitRun>>()
const MAX_ANSWERS = 20_000

/** A repository folder made again under the same name holds other objects: answers are kept per folder identity. */
async function remembered(key: string, gitDir: string, spawnGit: () => Promise<GitRun>): Promise<GitRun> {
  const stat = await fs.stat(gitDir).catch(() => undefined)
  if (!stat) return spawnGit()
  const fullKey = `${repositoryIdentity(stat)}:${key}`
  const known = answers.get(fullKey)
  if (known) return known.then(copy)
  if (answers.size >= MAX_ANSWERS) answers.clear()
  const running = spawnGit()
  answers.set(fullKey, running)
  const result = await running.catch((error: unknown) => {
    answers.delete(fullKey)
    throw error
  })
  if (result.code !== 0) answers.delete(fullKey)
  return copy(result)
}

/**
 * Lookups of refs by name (`refs/heads/main^{commit}`, `carto/main`, `HEAD`) and ref listings: their answers change
 * only when a ref does (see refs-state.ts). Names that could be abbreviated object ids (`cafe`, or `v1-3-gcafe12` as
 * git describe writes them; in either case) are asked every time: new objects can make an abbreviation mean something
 * else.
 */
const REF_SPEC = /^(?![0-9a-f]{4,40}(?:\^|$))(?!.*-g[0-9a-f]{4,}(?:\^|$))[A-Za-z0-9._/-]+(?:\^\{(?:commit|tree|object|tag)\})?$/i
/** FETCH_HEAD, ORIG_HEAD and the like are files beside the refs, not under refs/: not in the refs state. */
const OTHER_HEAD = /^(?!HEAD(?:\^|$))[A-Z_]+(?:\^|$)/
const refAnswers = new RefAnswers<GitRun>()

function answersForRefsState(args: string[], input: string | Buffer | undefined): boolean {
  const [command, ...rest] = args
  if (input !== undefined && input.length > 0) return false
  if (command === 'for-each-ref') return rest.every((arg) => !arg.startsWith('--stdin'))
  if (command !== 'rev-parse') return false
  const options = new Set(['--verify', '--quiet', '--end-of-options'])
  return rest.every((arg) => options.has(arg) || (REF_SPEC.test(arg) && !OTHER_HEAD.test(arg)))
}

function copy(result: GitRun): GitRun {
  return { code: result.code, stdout: Buffer.from(result.stdout), stderr: result.stderr }
}

/** A bare repository served by the stand-in. */
export class BareRepo {
  /**
   * @param gitDir the bare repository
   * @param alternates object directories of the repository's fork network, readable (never written) through
   *   GIT_ALTERNATE_OBJECT_DIRECTORIES, so a fork's API sees its parent's commits the way GitHub's forks do.
   */
  constructor(
    readonly gitDir: string,
    readonly alternates: string[] = []
  ) {}

  /** The same repository without its network's objects (for writes: nothing written may depend on another repo). */
  own(): BareRepo {
    return this.alternates.length === 0 ? this : new BareRepo(this.gitDir)
  }

  run(args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<GitRun> {
    const extra: Record<string, string> = { ...options.env }
    if (this.alternates.length > 0) extra.GIT_ALTERNATE_OBJECT_DIRECTORIES = this.alternates.join(path.delimiter)
    const spawnGit = (): Promise<GitRun> => spawnCollect('git', ['--git-dir', this.gitDir, ...args], { env: cleanGitEnv(extra), input: options.input })
    if (answersForRefsState(args, options.input)) {
      const question = JSON.stringify([this.alternates, extra, args])
      return refAnswers.answer(this.gitDir, question, spawnGit, (result) => result.code === 0).then(copy)
    }
    if (!answersForGood(args, options.input)) return spawnGit()
    return remembered(JSON.stringify([this.gitDir, this.alternates, extra, args, options.input?.toString() ?? '']), this.gitDir, spawnGit)
  }

  /** Stdout of a command that must succeed (a failure here is a stand-in bug or a broken repository: 500). */
  async out(args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<string> {
    const result = await this.run(args, options)
    if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed in ${this.gitDir}: ${result.stderr.trim()}`)
    return result.stdout.toString('utf8')
  }

  /** The branch HEAD names (the repository's default branch), read from the file: no process needed. */
  async headBranch(): Promise<string> {
    const head = (await fs.readFile(path.join(this.gitDir, 'HEAD'), 'utf8')).trim()
    const match = /^ref: refs\/heads\/(.+)$/.exec(head)
    return match?.[1] ?? 'main'
  }

  /** Resolves `rev` (branch, tag, sha, sha prefix) to an object id of `type`, or undefined. */
  async resolve(rev: string, type: 'commit' | 'tree' | 'object' = 'commit'): Promise<string | undefined> {
    if (rev === '' || rev.includes('\0')) return undefined
    const spec = type === 'object' ? rev : `${rev}^{${type}}`
    const result = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', spec])
    return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined
  }

  /** Resolves a branch name (never a tag or a sha) to its commit. */
  async branchSha(branch: string): Promise<string | undefined> {
    return this.refSha(`refs/heads/${branch}`)
  }

  /** The object a full ref name points at (an annotated tag's object, not peeled), or undefined. */
  async refSha(ref: string): Promise<string | undefined> {
    if (!ref.startsWith('refs/')) return undefined
    const result = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', ref])
    return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined
  }

  /**
   * All refs whose full name starts with `prefix`, in one `git for-each-ref` (GitHub's matching-refs semantics: a
   * plain string prefix, `refs/tags/v` matches `refs/tags/v1.0`). for-each-ref's own patterns match whole path
   * components, so it lists the enclosing folder and the prefix is applied here.
   */
  async listRefs(prefix: string): Promise<RefEntry[]> {
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1) || 'refs/'
    const text = await this.out(['for-each-ref', '--format=%(objectname) %(objecttype) %(*objectname) %(refname)', folder])
    const refs: RefEntry[] = []
    for (const line of text.split('\n')) {
      if (line === '') continue
      // Ref names never contain spaces; %(*objectname) is empty unless the ref is an annotated tag.
      const [sha = '', type = '', peeled = '', ...rest] = line.split(' ')
      const ref = rest.join(' ')
      if (!ref.startsWith(prefix)) continue
      refs.push({ sha, type: type as RefEntry['type'], ref, peeled: peeled || undefined })
    }
    return refs
  }

  /**
   * Compare-and-swap ref update: `oldSha` ZERO_SHA means "must not exist", undefined means "any value".
   * Returns false when the ref was not in the expected state.
   */
  async updateRef(ref: string, newSha: string, oldSha?: string): Promise<boolean> {
    const args = ['update-ref', '--no-deref', '-m', 'stand-in API', ref, newSha]
    if (oldSha !== undefined) args.push(oldSha)
    return (await this.own().run(args)).code === 0
  }

  async deleteRef(ref: string, oldSha?: string): Promise<boolean> {
    const args = ['update-ref', '--no-deref', '-d', ref]
    if (oldSha !== undefined) args.push(oldSha)
    return (await this.own().run(args)).code === 0
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.run(['merge-base', '--is-ancestor', ancestor, descendant])
    if (result.code > 1) throw new Error(`git merge-base --is-ancestor failed: ${result.stderr.trim()}`)
    return result.code === 0
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const result = await this.run(['merge-base', a, b])
    return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined
  }

  /** Commits in `base...head`: [only in base (behind), only in head (ahead)], one process. */
  async leftRightCount(base: string, head: string): Promise<{ behind: number; ahead: number }> {
    const text = await this.out(['rev-list', '--left-right', '--count', `${base}...${head}`])
    const [behind, ahead] = text.trim().split(/\s+/).map(Number)
    return { behind: behind ?? 0, ahead: ahead ?? 0 }
  }

  /** Commit ids in `base..head`, oldest first. */
  async commitsBetween(base: string | undefined, head: string): Promise<string[]> {
    const args = ['rev-list', '--reverse', head]
    if (base) args.push(`^${base}`)
    const text = await this.out(args)
    return text.split('\n').filter((line) => line !== '')
  }

  /** Details of `shas` in the given order (repeats allowed), in one `git log --no-walk`. */
  async commitInfos(shas: string[]): Promise<CommitInfo[]> {
    if (shas.length === 0) return []
    // git log shows each commit once, so ask for the distinct ones and map back.
    const unique = [...new Set(shas)]
    const byId = new Map((await this.distinctCommitInfos(unique)).map((info) => [info.sha, info]))
    return shas.flatMap((sha) => {
      const info = byId.get(sha)
      return info ? [info] : []
    })
  }

  private async distinctCommitInfos(shas: string[]): Promise<CommitInfo[]> {
    // Fields are NUL-separated and each record ends with a NUL; `tformat` adds a newline after each record, which
    // then leads the next record's first field.
    const format = '%H%x00%T%x00%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%B%x00'
    const text = await this.out(['log', '--no-walk=unsorted', `--format=${format}`, '--stdin'], { input: shas.join('\n') + '\n' })
    const fields = text.split('\0')
    const infos: CommitInfo[] = []
    for (let i = 0; i + 10 <= fields.length; i += 10) {
      const f = fields.slice(i, i + 10)
      infos.push({
        sha: (f[0] ?? '').replace(/^\n/, ''),
        tree: f[1] ?? '',
        parents: (f[2] ?? '').split(' ').filter((p) => p !== ''),
        authorName: f[3] ?? '',
        authorEmail: f[4] ?? '',
        authorTime: Number(f[5]),
        committerName: f[6] ?? '',
        committerEmail: f[7] ?? '',
        committerTime: Number(f[8]),
        message: f[9] ?? ''
      })
    }
    return infos
  }

  async commitInfo(sha: string): Promise<CommitInfo | undefined> {
    return (await this.commitInfos([sha]))[0]
  }

  /** An annotated tag object, or undefined when `sha` is not one. */
  async tagInfo(sha: string): Promise<TagInfo | undefined> {
    if (!/^[0-9a-f]{40,64}$/.test(sha)) return undefined
    const type = await this.run(['cat-file', '-t', sha])
    if (type.code !== 0 || type.stdout.toString('utf8').trim() !== 'tag') return undefined
    const raw = await this.out(['cat-file', 'tag', sha])
    const split = raw.indexOf('\n\n')
    const header = split >= 0 ? raw.slice(0, split) : raw
    const message = split >= 0 ? raw.slice(split + 2) : ''
    const info: TagInfo = { sha, tag: '', objectSha: '', objectType: 'commit', taggerName: '', taggerEmail: '', taggerTime: 0, message }
    for (const line of header.split('\n')) {
      const space = line.indexOf(' ')
      const key = line.slice(0, space)
      const value = line.slice(space + 1)
      if (key === 'object') info.objectSha = value
      else if (key === 'type') info.objectType = value
      else if (key === 'tag') info.tag = value
      else if (key === 'tagger') {
        const match = /^(.*) <(.*)> (\d+) [+-]\d{4}$/.exec(value)
        if (match) {
          info.taggerName = match[1] ?? ''
          info.taggerEmail = match[2] ?? ''
          info.taggerTime = Number(match[3])
        }
      }
    }
    return info
  }

  /** Entries of `ls-tree -l` for `spec` (paths NUL-terminated, so any file name is safe). */
  async lsTree(args: string[]): Promise<TreeEntry[] | undefined> {
    const result = await this.run(['ls-tree', '-l', '-z', ...args])
    if (result.code !== 0) return undefined
    const entries: TreeEntry[] = []
    for (const record of result.stdout.toString('utf8').split('\0')) {
      if (record === '') continue
      const tab = record.indexOf('\t')
      const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/)
      entries.push({ mode: mode ?? '', type: (type ?? 'blob') as TreeEntry['type'], sha: sha ?? '', size: size === '-' ? 0 : Number(size), path: record.slice(tab + 1) })
    }
    return entries
  }

  async blob(sha: string): Promise<Buffer> {
    const result = await this.run(['cat-file', 'blob', sha])
    if (result.code !== 0) throw new Error(`git cat-file blob ${sha} failed: ${result.stderr.trim()}`)
    return result.stdout
  }
}

/** Owner and repository names as GitHub allows them; anything else never reaches the file system. */
const NAME = /^[A-Za-z0-9_.-]+$/

export function isValidName(name: string): boolean {
  return NAME.test(name) && name !== '.' && name !== '..'
}

export interface RepoLocation {
  owner: string
  name: string
  /** `owner/name` as spelled on disk. */
  fullName: string
  gitDir: string
}

/**
 * Finds the bare repository `ROOT/OWNER/NAME.git` for a request (names compared case-insensitively, like GitHub).
 * Repositories are discovered on every request, so tests may create them while the stand-in runs.
 */
export async function locateRepo(root: string, owner: string, name: string): Promise<RepoLocation | undefined> {
  if (!isValidName(owner) || !isValidName(name)) return undefined
  const exact = path.join(root, owner, `${name}.git`)
  if (await isBareRepo(exact)) return { owner, name, fullName: `${owner}/${name}`, gitDir: exact }
  const ownerDir = await findEntry(root, owner)
  if (!ownerDir) return undefined
  const repoDir = await findEntry(path.join(root, ownerDir), `${name}.git`)
  if (!repoDir) return undefined
  const gitDir = path.join(root, ownerDir, repoDir)
  if (!(await isBareRepo(gitDir))) return undefined
  const realName = repoDir.slice(0, -'.git'.length)
  return { owner: ownerDir, name: realName, fullName: `${ownerDir}/${realName}`, gitDir }
}

async function findEntry(dir: string, name: string): Promise<string | undefined> {
  try {
    const entries = await fs.readdir(dir)
    return entries.find((entry) => entry.toLowerCase() === name.toLowerCase())
  } catch {
    return undefined
  }
}

async function isBareRepo(dir: string): Promise<boolean> {
  try {
    await fs.access(path.join(dir, 'HEAD'))
    await fs.access(path.join(dir, 'objects'))
    return true
  } catch {
    return false
  }
}

/**
 * `location`'s fork network: its parent (`owner/name`, when that repository is served from `root`) and the object
 * directories of the parent, the parent's parent, and so on (the harness records parents, `standin.parent`). GitHub
 * keeps a network's objects together, so a fork reads them all.
 */
export async function forkNetwork(root: string, location: RepoLocation): Promise<{ parent?: string; objectDirs: string[] }> {
  const objectDirs: string[] = []
  const seen = new Set([location.fullName.toLowerCase()])
  const parent = await readParent(location.gitDir)
  let parentName = parent
  while (parentName && !seen.has(parentName.toLowerCase())) {
    seen.add(parentName.toLowerCase())
    const [owner, name] = parentName.split('/')
    const found = owner && name ? await locateRepo(root, owner, name) : undefined
    if (!found) break
    objectDirs.push(`${found.gitDir}/objects`)
    parentName = await readParent(found.gitDir)
  }
  return objectDirs.length > 0 && parent ? { parent, objectDirs } : { objectDirs }
}

/**
 * The repository this one was forked from, as recorded by the test harness in the bare repository's config
 * (`standin.parent = owner/name`). Read from the file, so no process is spawned per request.
 */
export async function readParent(gitDir: string): Promise<string | undefined> {
  let text: string
  try {
    text = await fs.readFile(path.join(gitDir, 'config'), 'utf8')
  } catch {
    return undefined
  }
  const section = /^\s*\[standin\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/im.exec(text)
  const parent = section ? /^\s*parent\s*=\s*(\S+)\s*$/im.exec(section[1] ?? '') : null
  return parent?.[1]
}
