/**
 * The one way this action runs git: argument arrays (never a shell, so tag names, paths and messages from upstream
 * cannot inject anything), a pinned environment, and errors that carry git's own message.
 *
 * Credentials never appear on a command line: `configureAuth` writes an `http.<url>.extraheader` entry straight into
 * the run's own repository config file (like actions/checkout does) and `removeAuth` takes it out again.
 */
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'

export interface GitResult {
  exitCode: number
  stdout: string
  stderr: string
}

export interface GitRunOptions {
  /** Data written to git's standard input. */
  input?: string | Buffer
  /** Extra environment for this one call. */
  env?: Record<string, string>
}

/** A git command exited non-zero. The message is git's stderr, never the arguments' secrets (there are none). */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
    readonly stdout: string
  ) {
    super(`git ${args[0] ?? ''} failed (exit ${exitCode}): ${firstLines(stderr || stdout, 6)}`)
    this.name = 'GitError'
  }
}

function firstLines(text: string, n: number): string {
  return text.trim().split('\n').slice(0, n).join('\n')
}

/** Environment that makes git deterministic and non-interactive inside a runner. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  // A runner may have a user-level git config (safe.directory, credential helpers, url rewrites): ignore it, the
  // run's repository carries everything it needs in its own config.
  env.GIT_CONFIG_NOSYSTEM = '1'
  env.GIT_CONFIG_GLOBAL = '/dev/null'
  env.GIT_TERMINAL_PROMPT = '0'
  env.GIT_ASKPASS = 'echo'
  env.GCM_INTERACTIVE = 'never'
  env.LC_ALL = 'C'
  env.LANG = 'C'
  // Never let an outer repository (a checkout in GITHUB_WORKSPACE) leak in through inherited variables.
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_CEILING_DIRECTORIES', 'GIT_CONFIG_COUNT']) {
    delete env[key]
  }
  return env
}

export class Git {
  private authSection: string | undefined

  /** @param gitDir the repository's git directory (a bare repository: this action never checks out files). */
  constructor(readonly gitDir: string) {}

  /** Creates an empty bare repository at `dir` and returns a wrapper for it. */
  static async init(dir: string): Promise<Git> {
    await fs.mkdir(dir, { recursive: true })
    const git = new Git(dir)
    await git.exec(['init', '--bare', '--quiet'])
    // Merge commits are written with commit-tree, which needs no identity from config; these keep `git merge`-based
    // fallbacks and reflogs quiet and deterministic.
    await git.exec(['config', 'core.logAllRefUpdates', 'false'])
    await git.exec(['config', 'gc.auto', '0'])
    await git.exec(['config', 'fetch.writeCommitGraph', 'false'])
    return git
  }

  /** Runs git and throws a GitError on a non-zero exit. */
  async exec(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    const result = await this.tryExec(args, options)
    if (result.exitCode !== 0) throw new GitError(args, result.exitCode, result.stderr, result.stdout)
    return result
  }

  /** Runs git and returns its exit code, output and errors without throwing. */
  tryExec(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', ['--git-dir', this.gitDir, ...args], {
        env: { ...baseEnv(), ...options.env },
        stdio: ['pipe', 'pipe', 'pipe']
      })
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
      child.on('error', reject)
      child.on('close', (code) => {
        resolve({
          exitCode: code ?? 128,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8')
        })
      })
      child.stdin.on('error', () => undefined) // git may exit before reading all input
      child.stdin.end(options.input ?? '')
    })
  }

  /** Output of a command that must succeed, without the trailing newline. */
  async output(args: string[], options: GitRunOptions = {}): Promise<string> {
    return (await this.exec(args, options)).stdout.replace(/\n$/, '')
  }

  /** The object id `rev` names, or undefined when it does not resolve. */
  async revParse(rev: string): Promise<string | undefined> {
    const result = await this.tryExec(['rev-parse', '--verify', '--quiet', '--end-of-options', rev])
    return result.exitCode === 0 ? result.stdout.trim() : undefined
  }

  /** True when `ancestor` is reachable from `descendant`. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.tryExec(['merge-base', '--is-ancestor', ancestor, descendant])
    if (result.exitCode > 1) throw new GitError(['merge-base'], result.exitCode, result.stderr, result.stdout)
    return result.exitCode === 0
  }

  /** True when `name` is a valid full ref name (`git check-ref-format`), so untrusted names never reach a ref. */
  static async isValidRefName(name: string): Promise<boolean> {
    // check-ref-format needs no repository; --git-dir pointing nowhere is harmless for it.
    const result = await new Git('/nonexistent').tryExec(['check-ref-format', name])
    return result.exitCode === 0
  }

  /**
   * Authenticates every https/http request git makes to `serverUrl` with `token`, as GitHub expects from Actions
   * (basic auth with `x-access-token`). The header is written into this repository's own config file directly, so
   * the token is never an argument of any process.
   */
  async configureAuth(serverUrl: string, token: string): Promise<void> {
    const base = serverUrl.replace(/\/+$/, '') + '/'
    const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')
    this.authSection = `[http "${base}"]\n\textraheader = AUTHORIZATION: basic ${basic}\n`
    await fs.appendFile(this.configPath(), '\n' + this.authSection, { mode: 0o600 })
  }

  /** Removes what configureAuth wrote; safe to call more than once and when the repository is already gone. */
  async removeAuth(): Promise<void> {
    if (!this.authSection) return
    try {
      const text = await fs.readFile(this.configPath(), 'utf8')
      await fs.writeFile(this.configPath(), text.replace('\n' + this.authSection, '').replace(this.authSection, ''))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    this.authSection = undefined
  }

  private configPath(): string {
    return path.join(this.gitDir, 'config')
  }
}
