/**
 * Builds sample repositories for tests, the demo and the benchmark: bare repositories under a stand-in root
 * (ROOT/OWNER/NAME.git), written with git plumbing (`git fast-import`), so no work tree is ever checked out and a
 * history of hundreds of commits takes one process.
 */
import { spawnCollect } from './spawn.js'
import { existsSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A file's new content; `null` deletes it. */
export type FileContent = string | Buffer | { content: string | Buffer; executable?: boolean } | { symlink: string } | null
export type FileChanges = Record<string, FileContent>

export interface Identity {
  name: string
  email: string
}

export interface CommitOptions {
  author?: Identity
  /** Defaults to the author. */
  committer?: Identity
  /** Author and committer date (default: now). */
  date?: Date | string | number
  /** Parents of the commit (default: the branch's tip, or none for a new branch). */
  parents?: string[]
}

export interface CommitSpec {
  files: FileChanges
  message: string
  date?: Date | string | number
  author?: Identity
}

export interface TagSpec {
  name: string
  /** Any revision (branch, sha, other tag). */
  rev: string
  /** Annotated tag object (default: lightweight). */
  annotated?: boolean
  message?: string
  date?: Date | string | number
  tagger?: Identity
}

export const UPSTREAM_AUTHOR: Identity = { name: 'Acme Maintainer', email: 'maintainer@acme.example' }
export const FORK_AUTHOR: Identity = { name: 'Carto Developer', email: 'dev@carto.example' }

/** Environment for the harness's git: no user/system config, fixed locale, no outer repository. */
function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C', LANG: 'C', GIT_TERMINAL_PROMPT: '0', ...extra }
}

export interface GitOptions {
  input?: string | Buffer
  env?: Record<string, string>
  /** Run in this directory without `--git-dir` (for work-tree commands such as clone). */
  cwd?: string
}

/**
 * Runs git in a bare repository (`repoDir` may be '' with options.cwd for commands that need no repository) and
 * returns stdout without the trailing newline; throws with git's stderr on failure.
 */
export async function git(repoDir: string, args: string[], options: GitOptions = {}): Promise<string> {
  const result = await gitRaw(repoDir, args, options)
  if (result.code !== 0) {
    throw new Error(`git ${args.join(' ')} failed (exit ${result.code}) in ${repoDir || options.cwd}: ${result.stderr.trim()}`)
  }
  return result.stdout.toString('utf8').replace(/\n$/, '')
}

/** Like git() but never throws: exit code, stdout and stderr. */
export function gitRaw(repoDir: string, args: string[], options: GitOptions = {}): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const fullArgs = repoDir ? ['--git-dir', repoDir, ...args] : args
  return spawnCollect('git', fullArgs, { env: gitEnv(options.env), cwd: options.cwd, input: options.input })
}

/** Where the stand-in serves `owner/name` from. */
export function repoPath(root: string, fullName: string): string {
  const [owner, name] = fullName.split('/')
  if (!owner || !name) throw new Error(`repository must be "owner/name", got "${fullName}"`)
  return path.join(root, owner, `${name}.git`)
}

/**
 * Creates an empty bare repository `ROOT/OWNER/NAME.git`. `parent` records it as a fork of another repository of
 * the same root (`standin.parent` in its config), which the stand-in reports (`fork: true`, `parent`). A fork built
 * here also borrows its parent's objects once built (`joinNetwork`): GitHub keeps a fork network's objects in one
 * store that its forks read through alternates (github.blog, "Counting Objects", 2015), so a fork's API, its git
 * server and the tests' own reads all see the upstream's commits.
 */
export async function initBareRepo(root: string, fullName: string, options: { defaultBranch?: string; parent?: string } = {}): Promise<string> {
  const dir = repoPath(root, fullName)
  await fs.mkdir(path.dirname(dir), { recursive: true })
  await git('', ['init', '--quiet', '--bare', `--initial-branch=${options.defaultBranch ?? 'main'}`, dir])
  await git(dir, ['config', 'gc.auto', '0'])
  if (options.parent) await git(dir, ['config', 'standin.parent', options.parent])
  return dir
}

const alternatesFile = (dir: string): string => path.join(dir, 'objects', 'info', 'alternates')

/**
 * Lets a fork built by the harness read its parent's objects, as GitHub's forks read their network's store. Called
 * once the fork's own history is written, so the fork still holds every object it was built with and a copy of it
 * can leave the network (`leaveNetwork`).
 */
async function joinNetwork(root: string, dir: string, parent: string): Promise<void> {
  const parentObjects = path.join(repoPath(root, parent), 'objects')
  if (existsSync(parentObjects)) await fs.writeFile(alternatesFile(dir), `${path.relative(path.join(dir, 'objects'), parentObjects)}\n`)
}

/** Makes a fork a standalone repository (a private duplicate, or a fork whose upstream is on another server). */
export async function leaveNetwork(dir: string): Promise<void> {
  await git(dir, ['config', '--unset', 'standin.parent'])
  await fs.rm(alternatesFile(dir), { force: true })
}

function unixTime(date: Date | string | number | undefined): number {
  if (date === undefined) return Math.floor(Date.now() / 1000)
  const value = date instanceof Date ? date.getTime() : typeof date === 'number' ? date : new Date(date).getTime()
  if (Number.isNaN(value)) throw new Error(`invalid date: ${String(date)}`)
  return Math.floor(value / 1000)
}

/** fast-import's quoted path form (C-style), safe for any file name. */
function quotePath(file: string): string {
  if (file === '' || file.startsWith('/') || file.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`invalid file path "${file}": use a relative path without empty, "." or ".." segments`)
  }
  return `"${file.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

function data(content: string | Buffer): Buffer[] {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  return [Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n')]
}

function person(kind: 'author' | 'committer' | 'tagger', who: Identity, time: number): string {
  return `${kind} ${who.name} <${who.email}> ${time} +0000\n`
}

function fileCommands(files: FileChanges): Buffer[] {
  const parts: Buffer[] = []
  for (const [file, content] of Object.entries(files)) {
    if (content === null) {
      parts.push(Buffer.from(`D ${quotePath(file)}\n`))
    } else if (typeof content === 'string' || Buffer.isBuffer(content)) {
      parts.push(Buffer.from(`M 100644 inline ${quotePath(file)}\n`), ...data(content))
    } else if ('symlink' in content) {
      parts.push(Buffer.from(`M 120000 inline ${quotePath(file)}\n`), ...data(content.symlink))
    } else {
      parts.push(Buffer.from(`M ${content.executable ? '100755' : '100644'} inline ${quotePath(file)}\n`), ...data(content.content))
    }
  }
  return parts
}

/** Runs one fast-import stream and returns the marks it assigned (":N" → sha). */
async function fastImport(repoDir: string, stream: Buffer[]): Promise<Map<string, string>> {
  const marksDir = await fs.mkdtemp(path.join(os.tmpdir(), 'fast-import-'))
  const marks = path.join(marksDir, 'marks')
  try {
    await git(repoDir, ['fast-import', '--quiet', '--force', '--done', `--export-marks=${marks}`], { input: Buffer.concat([...stream, Buffer.from('done\n')]) })
    const text = await fs.readFile(marks, 'utf8').catch(() => '')
    return new Map(
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split(' ') as [string, string])
    )
  } finally {
    await fs.rm(marksDir, { recursive: true, force: true })
  }
}

/** The commit a revision names, or undefined. */
export async function resolveCommit(repoDir: string, rev: string): Promise<string | undefined> {
  const result = await gitRaw(repoDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])
  return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined
}

/** The commit a revision names; throws when it does not resolve. */
export async function revParse(repoDir: string, rev: string): Promise<string> {
  const sha = await resolveCommit(repoDir, rev)
  if (!sha) throw new Error(`"${rev}" does not name a commit in ${repoDir}`)
  return sha
}

/**
 * Commits a series of changes on `branch` (created when missing) in one fast-import: each commit starts from the
 * previous one. Returns the new commits' shas, oldest first.
 */
export async function commitSeries(repoDir: string, branch: string, commits: CommitSpec[], options: CommitOptions = {}): Promise<string[]> {
  if (commits.length === 0) return []
  const ref = `refs/heads/${branch}`
  const parents = options.parents ?? [...(await resolveCommit(repoDir, ref).then((sha) => (sha ? [sha] : [])))]
  const base = unixTime(options.date) - (options.date === undefined ? commits.length : 0)
  const stream: Buffer[] = []
  commits.forEach((spec, i) => {
    const author = spec.author ?? options.author ?? UPSTREAM_AUTHOR
    const committer = options.committer ?? author
    const time = spec.date !== undefined ? unixTime(spec.date) : base + i
    stream.push(Buffer.from(`commit ${ref}\nmark :${i + 1}\n`), Buffer.from(person('author', author, time)), Buffer.from(person('committer', committer, time)), ...data(spec.message))
    const from = i === 0 ? parents : [`:${i}`]
    if (from[0]) stream.push(Buffer.from(`from ${from[0]}\n`))
    for (const extra of from.slice(1)) stream.push(Buffer.from(`merge ${extra}\n`))
    stream.push(...fileCommands(spec.files), Buffer.from('\n'))
  })
  const marks = await fastImport(repoDir, stream)
  return commits.map((_, i) => {
    const sha = marks.get(`:${i + 1}`)
    if (!sha) throw new Error(`fast-import did not report commit ${i + 1} on ${branch}`)
    return sha
  })
}

/**
 * Commits `files` (path → content, null deletes) on `branch` of a bare repository, on top of its tip (or as a root
 * commit for a new branch). Returns the new commit's sha.
 */
export async function commitFiles(repoDir: string, branch: string, files: FileChanges, message: string, options: CommitOptions = {}): Promise<string> {
  const [sha] = await commitSeries(repoDir, branch, [{ files, message, date: options.date, author: options.author }], options)
  return sha as string
}

/** Creates tags in one fast-import (annotated ones as tag objects). Existing tags of the same names are replaced. */
export async function createTags(repoDir: string, specs: TagSpec[]): Promise<void> {
  if (specs.length === 0) return
  const stream: Buffer[] = []
  const resolved = new Map<string, string>()
  for (const spec of specs) {
    let sha = resolved.get(spec.rev)
    if (sha === undefined) {
      sha = await revParse(repoDir, spec.rev)
      resolved.set(spec.rev, sha)
    }
    if (spec.annotated) {
      stream.push(
        Buffer.from(`tag ${spec.name}\nfrom ${sha}\n`),
        Buffer.from(person('tagger', spec.tagger ?? UPSTREAM_AUTHOR, unixTime(spec.date))),
        ...data(spec.message ?? `Release ${spec.name}\n`)
      )
    } else {
      stream.push(Buffer.from(`reset refs/tags/${spec.name}\nfrom ${sha}\n\n`))
    }
  }
  await fastImport(repoDir, stream)
  // Many tags at once (a real upstream's thousands): packed, as GitHub keeps them. Thousands of loose ref files make
  // every ref listing and the stand-in's refs-state check slow in a way no real repository is.
  if (specs.length >= MANY_TAGS) await git(repoDir, ['pack-refs', '--all'])
}

const MANY_TAGS = 100

/** Creates one tag at `rev` and returns the commit it points at. */
export async function tag(repoDir: string, name: string, rev: string, options: Omit<TagSpec, 'name' | 'rev'> = {}): Promise<string> {
  await createTags(repoDir, [{ name, rev, ...options }])
  return revParse(repoDir, `refs/tags/${name}`)
}

/** Points HEAD (the repository's default branch, for the stand-in) at `branch`. */
export async function setHead(repoDir: string, branch: string): Promise<void> {
  await git(repoDir, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`])
}

/** Creates or moves a branch to `rev`. */
export async function setBranch(repoDir: string, branch: string, rev: string): Promise<string> {
  const sha = await revParse(repoDir, rev)
  await git(repoDir, ['update-ref', `refs/heads/${branch}`, sha])
  return sha
}

export async function deleteBranch(repoDir: string, branch: string): Promise<void> {
  await git(repoDir, ['update-ref', '-d', `refs/heads/${branch}`])
}

/**
 * Merges `rev` into `branch` the way a maintainer's `git merge` would (merge-tree, commit-tree, update-ref) and
 * returns the merge commit; throws naming the conflicted files when the merge is not clean.
 */
export async function mergeInto(repoDir: string, branch: string, rev: string, message: string, options: CommitOptions = {}): Promise<string> {
  const ours = await revParse(repoDir, `refs/heads/${branch}`)
  const theirs = await revParse(repoDir, rev)
  const result = await gitRaw(repoDir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs])
  const lines = result.stdout.toString('utf8').split('\n').filter((line) => line !== '')
  if (result.code !== 0) throw new Error(`merging ${rev} into ${branch} conflicts in: ${lines.slice(1).join(', ') || result.stderr.trim()}`)
  const who = options.author ?? FORK_AUTHOR
  const time = String(unixTime(options.date))
  const env = {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_AUTHOR_DATE: `${time} +0000`,
    GIT_COMMITTER_NAME: (options.committer ?? who).name,
    GIT_COMMITTER_EMAIL: (options.committer ?? who).email,
    GIT_COMMITTER_DATE: `${time} +0000`
  }
  const commit = await git(repoDir, ['commit-tree', lines[0] ?? '', '-p', ours, '-p', theirs], { input: message + '\n', env })
  await git(repoDir, ['update-ref', `refs/heads/${branch}`, commit, ours])
  return commit
}

/** A file's content at `rev`, or undefined when it does not exist there. */
export async function readFile(repoDir: string, rev: string, file: string): Promise<string | undefined> {
  const result = await gitRaw(repoDir, ['cat-file', 'blob', `${rev}:${file}`])
  return result.code === 0 ? result.stdout.toString('utf8') : undefined
}

/** Copies `rev` of another local repository into `branch` of this one (objects included), like a push would. */
export async function copyCommit(fromDir: string, rev: string, toDir: string, branch: string): Promise<string> {
  const sha = await revParse(fromDir, rev)
  await git(fromDir, ['push', '--quiet', '--no-verify', toDir, `${sha}:refs/heads/${branch}`])
  return sha
}

// ---------------------------------------------------------------------------------------------------------------
// Templates: each test builds the same sample repositories again and again (a scenario per test); the first build in
// a test file runs git, the next ones copy its files (no process at all). Dates relative to "now" are those of the
// first build, so a template is rebuilt when it is older than TEMPLATE_TTL_MS.

const TEMPLATE_TTL_MS = 5 * 60 * 1000

interface Template<T> {
  builtAt: number
  value: T
  files: Array<{ path: string; content: Buffer; mode: number }>
  dirs: string[]
}

const templates = new Map<string, Promise<Template<unknown>>>()

async function snapshot(dir: string): Promise<Pick<Template<unknown>, 'files' | 'dirs'>> {
  const files: Template<unknown>['files'] = []
  const dirs: string[] = []
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name)
      if (entry.isDirectory()) {
        dirs.push(child)
        await walk(child)
      } else if (entry.isFile()) {
        const full = path.join(dir, child)
        const [content, stat] = await Promise.all([fs.readFile(full), fs.stat(full)])
        files.push({ path: child, content, mode: stat.mode & 0o777 })
      } else {
        throw new Error(`cannot copy ${path.join(dir, child)} into a template: not a file or folder`)
      }
    }
  }
  await walk('')
  return { files, dirs }
}

/** Builds the repository at `dir` with `build`, or copies the files of an earlier build with the same `key`. */
async function fromTemplate<T extends { dir: string }>(key: string, dir: string, build: () => Promise<T>): Promise<T> {
  const exists = await fs.stat(dir).then(
    () => true,
    () => false
  )
  if (exists) return build()
  const cached = templates.get(key) as Promise<Template<T>> | undefined
  const template = cached ? await cached.catch(() => undefined) : undefined
  if (template && Date.now() - template.builtAt < TEMPLATE_TTL_MS) {
    await fs.mkdir(dir, { recursive: true })
    for (const sub of template.dirs) await fs.mkdir(path.join(dir, sub), { recursive: true })
    await Promise.all(template.files.map((file) => fs.writeFile(path.join(dir, file.path), file.content, { mode: file.mode, flag: 'wx' })))
    return { ...structuredClone(template.value), dir }
  }
  const builtAt = Date.now()
  const value = await build()
  if (value.dir !== dir) throw new Error(`template build made ${value.dir}, expected ${dir}`)
  const made = snapshot(dir).then((files) => ({ builtAt, value: structuredClone(value), ...files }))
  templates.set(key, made)
  made.catch(() => templates.delete(key))
  await made
  return value
}

// ---------------------------------------------------------------------------------------------------------------
// The sample upstream and fork

export interface UpstreamRepo {
  dir: string
  fullName: string
  defaultBranch: string
  /** Tag name → the commit it points at. */
  tags: Record<string, string>
  /** The default branch's commits, oldest first. */
  commits: string[]
}

export interface UpstreamSpec {
  defaultBranch?: string
  /** Date of the first commit; later ones follow a day apart (default: 30 days ago). */
  start?: Date
}

const DAY = 24 * 3600 * 1000

/** Upstream file contents at 1.0.0; later releases edit some lines. */
export const SAMPLE = {
  dockerfile: (base: string): string =>
    [
      `FROM ${base}`,
      'WORKDIR /app',
      'COPY pyproject.toml .',
      'RUN pip install --no-cache-dir .',
      'COPY gateway ./gateway',
      'ENV PORT=4000',
      'EXPOSE 4000',
      'CMD ["python", "-m", "gateway.server"]',
      ''
    ].join('\n'),
  server: (timeout: number, extra = ''): string =>
    [
      '"""HTTP entry point of the gateway."""',
      'from gateway.router import route',
      '',
      `TIMEOUT = ${timeout}`,
      'MAX_RETRIES = 3',
      '',
      '',
      'def handle(request):',
      '    return route(request, timeout=TIMEOUT, retries=MAX_RETRIES)',
      extra,
      ''
    ].join('\n'),
  pyproject: (version: string): string => `[project]\nname = "gateway"\nversion = "${version}"\nrequires-python = ">=3.11"\n`
}

/**
 * An upstream (`acme/gateway` by default) with a release history across channels, oldest first:
 *   v1.0.0-stable (annotated) → v1.1.0.rc.1 (lightweight) → v1.1.0-nightly (lightweight)
 *   → v1.1.0-stable (annotated) → v1.2.0-nightly (lightweight, the default branch's tip).
 * Between 1.0.0 and 1.1.0 upstream changes the Dockerfile's base image, `TIMEOUT` in gateway/server.py, the version
 * in pyproject.toml, and adds gateway/metrics.py.
 */
export async function createUpstream(root: string, fullName = 'acme/gateway', spec: UpstreamSpec = {}): Promise<UpstreamRepo> {
  const key = JSON.stringify(['upstream', fullName, spec.defaultBranch ?? 'main', spec.start?.getTime() ?? 'now'])
  return fromTemplate(key, repoPath(root, fullName), () => buildUpstream(root, fullName, spec))
}

async function buildUpstream(root: string, fullName: string, spec: UpstreamSpec): Promise<UpstreamRepo> {
  const defaultBranch = spec.defaultBranch ?? 'main'
  const dir = await initBareRepo(root, fullName, { defaultBranch })
  const start = (spec.start ?? new Date(Date.now() - 30 * DAY)).getTime()
  const at = (days: number): Date => new Date(start + days * DAY)
  const commits = await commitSeries(
    dir,
    defaultBranch,
    [
      {
        message: 'Release 1.0.0\n',
        date: at(0),
        files: {
          'README.md': '# Gateway\n\nAn LLM gateway.\n',
          'pyproject.toml': SAMPLE.pyproject('1.0.0'),
          'gateway/__init__.py': '__version__ = "1.0.0"\n',
          'gateway/server.py': SAMPLE.server(30),
          'gateway/router.py': 'def route(request, timeout, retries):\n    return {"ok": True}\n',
          'Dockerfile': SAMPLE.dockerfile('python:3.11-slim'),
          'tests/test_server.py': 'def test_handle():\n    assert True\n',
          '.github/workflows/ci.yml': 'name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n',
          'docs/index.md': '# Docs\n'
        }
      },
      { message: 'Add request metrics\n', date: at(5), files: { 'gateway/metrics.py': 'COUNTERS = {}\n', 'tests/test_metrics.py': 'def test_metrics():\n    assert True\n' } },
      { message: 'Retry on timeouts\n', date: at(8), files: { 'gateway/router.py': 'def route(request, timeout, retries):\n    for _ in range(retries):\n        return {"ok": True}\n' } },
      {
        message: 'Release 1.1.0\n',
        date: at(10),
        files: {
          'pyproject.toml': SAMPLE.pyproject('1.1.0'),
          'gateway/__init__.py': '__version__ = "1.1.0"\n',
          'gateway/server.py': SAMPLE.server(60),
          'Dockerfile': SAMPLE.dockerfile('python:3.12-slim'),
          'docs/index.md': '# Docs\n\nSee the changelog.\n'
        }
      },
      { message: 'Start 1.2 development\n', date: at(12), files: { 'gateway/streaming.py': 'def stream():\n    yield from ()\n' } }
    ]
  )
  const [c0, c1, c2, c3, c4] = commits as [string, string, string, string, string]
  await createTags(dir, [
    { name: 'v1.0.0-stable', rev: c0, annotated: true, message: 'Stable release 1.0.0\n', date: at(0) },
    { name: 'v1.1.0.rc.1', rev: c1 },
    { name: 'v1.1.0-nightly', rev: c2 },
    { name: 'v1.1.0-stable', rev: c3, annotated: true, message: 'Stable release 1.1.0\n', date: at(10) },
    { name: 'v1.2.0-nightly', rev: c4 }
  ])
  return {
    dir,
    fullName,
    defaultBranch,
    tags: { 'v1.0.0-stable': c0, 'v1.1.0.rc.1': c1, 'v1.1.0-nightly': c2, 'v1.1.0-stable': c3, 'v1.2.0-nightly': c4 },
    commits
  }
}

export interface ForkSpec {
  upstream: UpstreamRepo
  fullName?: string
  /** The upstream tag the fork's target branch last synced (default v1.0.0-stable). */
  baseTag?: string
  /** The fork's branch with its customizations (default carto/main). */
  targetBranch?: string
  /** Make the target branch the fork's default branch (HEAD). Default true; otherwise HEAD is `main`. */
  setHead?: boolean
  /** Also change the line of gateway/server.py that upstream changes in 1.1.0, so that merge conflicts. */
  conflict?: boolean
  /** Extra files committed on the target branch after the fork's own commits. */
  extraFiles?: FileChanges
}

export interface ForkRepo {
  dir: string
  fullName: string
  targetBranch: string
  defaultBranch: string
  baseTag: string
  /** The upstream commit the target branch is based on. */
  baseSha: string
  /** The target branch's tip. */
  targetSha: string
  /** The fork's own commits on the target branch, oldest first. */
  forkCommits: string[]
}

/**
 * A fork (`carto/gateway-fork` by default) recorded as a fork of the upstream: `main` mirrors upstream at the base
 * tag, and the target branch adds the fork's customizations on top: a `# CARTO:` section in the Dockerfile (clear of
 * upstream's change to its first line), `.github/workflows/carto-build.yml` and `CARTO_README.md`.
 */
export async function createFork(root: string, spec: ForkSpec): Promise<ForkRepo> {
  const fullName = spec.fullName ?? 'carto/gateway-fork'
  const baseTag = spec.baseTag ?? 'v1.0.0-stable'
  // The fork holds the upstream's base tag commit and its ancestors, nothing else of the upstream.
  const baseSha = spec.upstream.tags[baseTag]
  if (baseSha === undefined) return buildFork(root, spec)
  const { upstream, ...rest } = spec
  const key = JSON.stringify(['fork', upstream.fullName, baseSha, fullName, rest])
  return fromTemplate(key, repoPath(root, fullName), () => buildFork(root, spec))
}

async function buildFork(root: string, spec: ForkSpec): Promise<ForkRepo> {
  const fullName = spec.fullName ?? 'carto/gateway-fork'
  const targetBranch = spec.targetBranch ?? 'carto/main'
  const baseTag = spec.baseTag ?? 'v1.0.0-stable'
  const dir = await initBareRepo(root, fullName, { defaultBranch: 'main', parent: spec.upstream.fullName })
  const baseSha = await copyCommit(spec.upstream.dir, `refs/tags/${baseTag}`, dir, 'main')
  await setBranch(dir, targetBranch, baseSha)
  const baseDockerfile = (await readFile(dir, baseSha, 'Dockerfile')) ?? ''
  const series: CommitSpec[] = [
    {
      message: 'CARTO: add auth layer to the image\n',
      files: { Dockerfile: `${baseDockerfile}\n# CARTO: begin\nRUN pip install --no-cache-dir carto-auth\nENV CARTO_AUTH=1\n# CARTO: end\n` }
    },
    {
      message: 'CARTO: build workflow\n',
      files: { '.github/workflows/carto-build.yml': 'name: CARTO build\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build .\n' }
    },
    { message: 'CARTO: document the fork\n', files: { 'CARTO_README.md': '# CARTO fork\n\nCustomizations on top of upstream.\n' } }
  ]
  if (spec.conflict) {
    const server = (await readFile(dir, baseSha, 'gateway/server.py')) ?? ''
    series.push({ message: 'CARTO: slower backends need a longer timeout\n', files: { 'gateway/server.py': server.replace(/^TIMEOUT = \d+$/m, 'TIMEOUT = 45  # CARTO: slower backends') } })
  }
  if (spec.extraFiles) series.push({ message: 'CARTO: extra changes\n', files: spec.extraFiles })
  const forkCommits = await commitSeries(dir, targetBranch, series, { author: FORK_AUTHOR })
  const setAsHead = spec.setHead ?? true
  if (setAsHead) await setHead(dir, targetBranch)
  await joinNetwork(root, dir, spec.upstream.fullName)
  return {
    dir,
    fullName,
    targetBranch,
    defaultBranch: setAsHead ? targetBranch : 'main',
    baseTag,
    baseSha,
    targetSha: forkCommits[forkCommits.length - 1] ?? baseSha,
    forkCommits
  }
}
