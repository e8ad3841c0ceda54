/**
 * One class of git verbs (as actions/checkout's git-command-manager.ts): every git command line of the action is
 * built here and every output parsed here (parse.ts), so the stages call typed methods and their tests fake those
 * methods instead of matching argument lists. The process runner is process.ts; the partial-clone set-up and fetches
 * are partial-clone.ts.
 *
 * Credentials never appear on a command line: `configureAuth` writes an `http.<url>.extraheader` entry straight into
 * the run's own repository config file (like actions/checkout does) and `removeAuth` takes it out again. Settings are
 * written to that file directly too: one `git config` process per setting was a third of a run's processes.
 */
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { GitError, GitProcess, gitConfigEnv, type GitResult } from './process.js'
import { markedLines, parseBatchCheck, parseRefLines, parseCommitHeaders, parseCountObjects, parseDiffTree, parseLsTree, parsePushedRef, type CommitHeader, type ObjectStats, type PushedRef, type RawChange, type TreeEntry } from './parse.js'

export const ZERO_OID = '0000000000000000000000000000000000000000'

/** Options every fetch shares: nothing but the refs asked for, no side work. */
export const FETCH_FLAGS = ['--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', '--no-show-forced-updates', '--no-auto-maintenance', '--quiet']

export interface Identity {
  name: string
  email: string
  /** Any date git accepts (ISO 8601, `@<unix> <tz>`); default: now. */
  date?: string
}

export interface PushRequest {
  /** Remote URL or name. */
  remote: string
  /** The full ref to update. */
  ref: string
  sha: string
  /** The ref's value the push must find (`--force-with-lease`), or null when the ref must not exist. */
  expectedOldSha: string | null
  /** false: `--no-thin` (see publish/branch.ts for why). */
  thin: boolean
  /** `push.negotiate`: find commits the remote already has, so only what it lacks is sent. */
  negotiate: boolean
}

export interface PushOutcome {
  exitCode: number
  /** git's porcelain line for the ref, when it printed one. */
  ref?: PushedRef
  stdout: string
  stderr: string
}

/** A config value in git's config-file syntax (quoted, so `#`, `;` and spaces survive). */
function quoteConfigValue(value: string): string {
  if (/[\n\r\0]/.test(value)) throw new Error(`git config value must be one line: ${JSON.stringify(value)}`)
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/** `section.sub.section.key = value` as a config-file block. */
function configBlock(key: string, value: string): string {
  const first = key.indexOf('.')
  const last = key.lastIndexOf('.')
  const section = key.slice(0, first)
  const header = first === last ? `[${section}]` : `[${section} ${quoteConfigValue(key.slice(first + 1, last))}]`
  return `${header}\n\t${key.slice(last + 1)} = ${quoteConfigValue(value)}\n`
}

export class Git {
  private authSections: string[] = []
  /** What setConfig wrote, so a verb can read a setting back without a process. */
  private readonly written = new Map<string, string>()
  /** Ids a fetchObjects call brought: here from then on (nothing in the run's repository prunes objects). */
  private readonly fetchedById = new Set<string>()
  readonly process: GitProcess

  /** @param gitDir the repository's git directory (a bare repository: this action never checks out files). */
  constructor(readonly gitDir: string, network: Record<string, string> = {}) {
    this.process = new GitProcess(gitDir, network)
  }

  /** Creates an empty bare repository at `dir` and returns a wrapper for it (`network`: see GitProcess). */
  static async init(dir: string, network: Record<string, string> = {}): Promise<Git> {
    await fs.mkdir(dir, { recursive: true })
    const git = new Git(dir, network)
    await git.process.exec(['init', '--bare', '--quiet'])
    // Merge commits are written with commit-tree, which needs no identity from config; these keep reflogs off and
    // the throwaway repository free of commit-graphs.
    await git.setConfig([
      ['core.logAllRefUpdates', 'false'],
      ['gc.auto', '0'],
      ['fetch.writeCommitGraph', 'false']
    ])
    return git
  }

  /** Appends settings to the repository's config file (a later value of a key wins, as with `git config`). */
  async setConfig(settings: ReadonlyArray<readonly [string, string]>): Promise<void> {
    await fs.appendFile(this.configPath(), settings.map(([key, value]) => configBlock(key, value)).join(''))
    for (const [key, value] of settings) this.written.set(key.toLowerCase(), value)
  }

  /** A setting this wrapper wrote with setConfig (keys compare case-insensitively, like git's section and key names). */
  writtenConfig(key: string): string | undefined {
    return this.written.get(key.toLowerCase())
  }

  /**
   * Authenticates every https/http request git makes under `urlPrefix` (a server, or one repository's URL: git's
   * `http.<url>.*` matches by prefix, path included) with `token`, as GitHub expects from Actions (basic auth with
   * `x-access-token`). The token is never an argument of any process. Called once per credential; the prefixes must
   * not nest, so that each request matches one header only.
   */
  async configureAuth(urlPrefix: string, token: string): Promise<void> {
    const base = urlPrefix.replace(/\/+$/, '') + (/\.git$/.test(urlPrefix) ? '' : '/')
    const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')
    const section = `[http "${base}"]\n\textraheader = AUTHORIZATION: basic ${basic}\n`
    this.authSections.push(section)
    await fs.appendFile(this.configPath(), '\n' + section, { mode: 0o600 })
  }

  /** Removes what configureAuth wrote; safe to call more than once and when the repository is already gone. */
  async removeAuth(): Promise<void> {
    if (this.authSections.length === 0) return
    try {
      let text = await fs.readFile(this.configPath(), 'utf8')
      for (const section of this.authSections) text = text.replace('\n' + section, '').replace(section, '')
      await fs.writeFile(this.configPath(), text)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    this.authSections = []
  }

  private configPath(): string {
    return path.join(this.gitDir, 'config')
  }

  // --- Reading ------------------------------------------------------------------------------------------------

  /** The object id `rev` names, or undefined when it does not resolve. */
  async revParse(rev: string): Promise<string | undefined> {
    const result = await this.process.tryExec(['rev-parse', '--verify', '--quiet', '--end-of-options', rev])
    return result.exitCode === 0 ? result.stdout.trim() : undefined
  }

  /** The commit each of `revs` names (tags peeled), undefined where one names none; one process for all. */
  async resolveCommits(revs: readonly string[]): Promise<Array<string | undefined>> {
    if (revs.length === 0) return []
    const out = await this.process.output(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: revs.map((rev) => `${rev}^{commit}\n`).join('') })
    return parseBatchCheck(out, revs.length)
  }

  /**
   * Whether `commit` is reachable from `descendant`, from this repository alone: undefined when the repository does
   * not have `commit` (a partial clone would otherwise fetch it, with its whole history). One process: with any
   * `--missing` option rev-list fetches nothing; a missing start is an error, and it prints the first commit of
   * `commit`'s history that `descendant` lacks (a missing one as `?<id>`), nothing when there is none.
   */
  async reachableLocally(commit: string, descendant: string): Promise<boolean | undefined> {
    const result = await this.process.tryExec(['rev-list', '--missing=print', '-n', '1', '--end-of-options', commit, `^${descendant}`, '--'])
    if (result.exitCode !== 0) return undefined
    return result.stdout.trim() === ''
  }

  /** True when `ancestor` is reachable from `descendant`. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.process.tryExec(['merge-base', '--is-ancestor', ancestor, descendant])
    if (result.exitCode > 1) throw new GitError(['merge-base'], result.exitCode, result.stderr, result.stdout)
    return result.exitCode === 0
  }

  /** The best common ancestor of two commits, or undefined when they share no history. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const result = await this.process.tryExec(['merge-base', a, b])
    if (result.exitCode === 1) return undefined
    if (result.exitCode !== 0) throw new GitError(['merge-base'], result.exitCode, result.stderr, result.stdout)
    return result.stdout.trim()
  }

  /** Number of commits in `range` (e.g. `a..b`). */
  async countCommits(range: string): Promise<number> {
    return Number(await this.process.output(['rev-list', '--count', range]))
  }

  /** Tree and parents of each commit, in the order given (duplicates once); one process for all. */
  async commits(shas: readonly string[]): Promise<CommitHeader[]> {
    if (shas.length === 0) return []
    return parseCommitHeaders(await this.process.output(['log', '--no-walk=unsorted', '--format=%H %T %P', ...shas, '--']))
  }

  /** The trees of `commits` (deduplicated), in one process. */
  async treesOf(commits: readonly string[]): Promise<string[]> {
    return [...new Set((await this.commits(commits)).map((commit) => commit.tree))]
  }

  /** A commit's tree and parents and the values of the trailers `keys`. Throws when the commit cannot be read. */
  async commitTrailers<K extends string>(sha: string, keys: readonly K[]): Promise<{ tree: string; parents: string[]; trailers: Record<K, string[]> }> {
    const format = ['%P', '%T', ...keys.map((key) => `%(trailers:key=${key},valueonly,separator=%x01)`)].join('%x00')
    const result = await this.process.tryExec(['show', '-s', `--format=${format}`, sha, '--'])
    if (result.exitCode !== 0) throw new GitError(['show', sha], result.exitCode, result.stderr, result.stdout)
    const [parents = '', tree = '', ...values] = result.stdout.replace(/\n$/, '').split('\0')
    const trailers = Object.fromEntries(
      keys.map((key, i) => [
        key,
        (values[i] ?? '')
          .split('\x01')
          .map((value) => value.trim())
          .filter(Boolean)
      ])
    ) as Record<K, string[]>
    return { tree, parents: parents.split(' ').filter(Boolean), trailers }
  }

  /** `git diff-tree -r` between two commits. Reads trees only, never a blob. */
  async diffTree(from: string, to: string, renames: 'none' | 'exact'): Promise<RawChange[]> {
    // -M100% detects exact renames only: git pairs identical blob ids and never reads a blob, so this works in the
    // partial repository without fetching anything (inexact detection would fetch every added and deleted blob).
    const renameFlag = renames === 'exact' ? '-M100%' : '--no-renames'
    return parseDiffTree((await this.process.exec(['diff-tree', '-r', '-z', '--raw', '--no-abbrev', renameFlag, from, to])).stdout)
  }

  async listTree(treeish: string): Promise<TreeEntry[]> {
    return parseLsTree((await this.process.exec(['ls-tree', '-r', '-z', '--full-tree', treeish])).stdout)
  }

  /** The boundary commits where `tip`'s history meets `known`'s. */
  async boundaryCommits(tip: string, known: readonly string[]): Promise<string[]> {
    return markedLines(await this.process.output(['rev-list', '--boundary', tip, '--not', ...known]), '-')
  }

  /**
   * Objects reachable from `tip` but from none of `known` that the repository does not have (promised by a
   * promisor remote). `--missing=print` lists them without fetching anything.
   */
  async missingObjects(tip: string, known: readonly string[]): Promise<string[]> {
    return markedLines(await this.process.output(['rev-list', '--objects', '--no-object-names', '--missing=print', tip, '--not', ...known]), '?')
  }

  /** Objects in the repository, loose and packed (for debug figures only: it is a process). */
  async objectStats(): Promise<ObjectStats> {
    return parseCountObjects(await this.process.output(['count-objects', '-v']))
  }

  // --- Merging and writing ------------------------------------------------------------------------------------

  /** Points the repository's own HEAD at `sha`, detached, so git labels that side `HEAD` as `git merge` does. */
  async detachHead(sha: string): Promise<void> {
    await this.process.exec(['update-ref', '--no-deref', 'HEAD', sha])
  }

  /**
   * `git merge-tree --write-tree -z --messages <ours> <theirs>`: exit 0 (clean) or 1 (conflicts) with the raw output
   * for merge/conflicts.ts; anything else throws.
   */
  async mergeTree(ours: string, theirs: string): Promise<{ clean: boolean; output: string }> {
    const run = await this.process.tryExec(['merge-tree', '--write-tree', '-z', '--messages', ours, theirs])
    if (run.exitCode !== 0 && run.exitCode !== 1) throw new GitError(['merge-tree'], run.exitCode, run.stderr, run.stdout)
    return { clean: run.exitCode === 0, output: run.stdout }
  }

  /**
   * Writes the tree of `tree` with `indexInfo` lines (`update-index --index-info` format) applied, through a
   * throwaway index; `--missing-ok` keeps write-tree from fetching blobs it does not need to read.
   */
  async editTree(tree: string, indexInfo: readonly string[]): Promise<string> {
    const indexFile = path.join(this.gitDir, `upstream-sync-${randomBytes(6).toString('hex')}.index`)
    const env = { GIT_INDEX_FILE: indexFile }
    try {
      await this.process.exec(['read-tree', tree], { env })
      await this.process.exec(['update-index', '-z', '--index-info'], { env, input: indexInfo.map((line) => line + '\0').join('') })
      return await this.process.output(['write-tree', '--missing-ok'], { env })
    } finally {
      await fs.rm(indexFile, { force: true })
    }
  }

  /** `message` with `trailers` added by git's own trailer rules (an existing trailer of the same key is replaced). */
  async addTrailers(message: string, trailers: ReadonlyArray<readonly [string, string]>): Promise<string> {
    const args = ['interpret-trailers', '--if-exists', 'replace', ...trailers.flatMap(([key, value]) => ['--trailer', `${key}: ${value}`])]
    return (await this.process.exec(args, { input: message.endsWith('\n') ? message : message + '\n' })).stdout
  }

  /** Writes a commit of `tree` with `parents`, authored and committed by `identity`. */
  async commitTree(tree: string, parents: readonly string[], message: string, identity: Identity): Promise<string> {
    const env: Record<string, string> = {
      GIT_AUTHOR_NAME: identity.name,
      GIT_AUTHOR_EMAIL: identity.email,
      GIT_COMMITTER_NAME: identity.name,
      GIT_COMMITTER_EMAIL: identity.email
    }
    if (identity.date) {
      env.GIT_AUTHOR_DATE = identity.date
      env.GIT_COMMITTER_DATE = identity.date
    }
    return this.process.output(['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent])], { env, input: message })
  }

  // --- Remotes ------------------------------------------------------------------------------------------------

  /** `git ls-remote` of `patterns` as ref → sha; throws a GitError when the remote cannot be read. */
  async lsRemote(remote: string, patterns: readonly string[], options: { refsOnly?: boolean } = {}): Promise<Map<string, string>> {
    return parseRefLines((await this.process.exec(['ls-remote', ...(options.refsOnly ? ['--refs'] : []), '--', remote, ...patterns])).stdout)
  }

  /**
   * Fetches `refspecs` from `remote` with `filter` (FETCH_FLAGS: no tags, no FETCH_HEAD, no side work). Returns
   * `missing-ref` when the remote lacks a ref asked for and `missingOk` is set; throws a GitError for any other failure.
   */
  async fetchRefs(remote: string, refspecs: readonly string[], options: { filter?: 'tree:0' | 'blob:none'; missingOk?: boolean } = {}): Promise<'fetched' | 'missing-ref'> {
    const args = ['fetch', ...FETCH_FLAGS, ...(options.filter ? [`--filter=${options.filter}`] : []), remote, ...refspecs]
    const result = await this.process.tryExec(args)
    if (result.exitCode === 0) return 'fetched'
    if (options.missingOk && /couldn't find remote ref/i.test(result.stderr)) return 'missing-ref'
    throw new GitError(['fetch', remote], result.exitCode, result.stderr, result.stdout)
  }

  /** `oids` less those an earlier fetchObjects brought, known without reading the repository (which could fetch). */
  notFetchedYet(oids: readonly string[]): string[] {
    return oids.filter((oid) => !this.fetchedById.has(oid))
  }

  /**
   * Fetches `oids` from one promisor remote in a single request, as git's own lazy fetch does (no negotiation: the
   * objects are asked for by id). Ids an earlier call brought are left out, and no process starts when none is left;
   * git itself also requests nothing for objects already present, but only after starting its remote helper. Returns
   * git's result, or undefined when there was nothing to ask for.
   */
  async fetchObjects(remote: string, oids: readonly string[]): Promise<GitResult | undefined> {
    const wanted = [...new Set(this.notFetchedYet(oids))]
    if (wanted.length === 0) return undefined
    const result = await this.process.tryExec(['fetch', remote, '--no-tags', '--no-write-fetch-head', '--recurse-submodules=no', '--filter=blob:none', '--stdin'], {
      input: wanted.join('\n') + '\n',
      env: gitConfigEnv({ 'fetch.negotiationAlgorithm': 'noop' })
    })
    // A fetch by id succeeds only when the remote sent every object asked for.
    if (result.exitCode === 0) for (const oid of wanted) this.fetchedById.add(oid)
    return result
  }

  /** Deletes local refs (one process for all). */
  async deleteRefs(refs: readonly string[]): Promise<void> {
    if (refs.length === 0) return
    await this.process.exec(['update-ref', '--stdin'], { input: refs.map((ref) => `delete ${ref}\n`).join('') })
  }

  /** Local refs under `prefix` as ref → commit (annotated tags peeled). */
  async refCommits(prefix: string): Promise<Map<string, string>> {
    const out = await this.process.output(['for-each-ref', '--format=%(objectname) %(*objectname)\t%(refname)', prefix])
    const refs = new Map<string, string>()
    for (const line of out.split('\n')) {
      const [shas = '', ref] = line.split('\t')
      const [sha, peeled] = shas.split(' ')
      if (ref && sha) refs.set(ref, peeled || sha)
    }
    return refs
  }

  /** `git push --porcelain` of one ref with a lease; never throws for a refusal (the caller reads `ref.flag`). */
  async push(request: PushRequest): Promise<PushOutcome> {
    const args = [
      'push',
      '--porcelain',
      '--no-verify',
      ...(request.thin ? [] : ['--no-thin']),
      `--force-with-lease=${request.ref}:${request.expectedOldSha ?? ''}`,
      request.remote,
      `${request.sha}:${request.ref}`
    ]
    const result = await this.process.tryExec(args, request.negotiate ? { env: gitConfigEnv({ 'push.negotiate': 'true' }) } : {})
    const ref = parsePushedRef(result.stdout, request.ref)
    return { exitCode: result.exitCode, ...(ref ? { ref } : {}), stdout: result.stdout, stderr: result.stderr }
  }
}
