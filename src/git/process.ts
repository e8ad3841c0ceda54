/**
 * The one way this action starts git: argument arrays (never a shell, so tag names, paths and messages from upstream
 * cannot inject anything), a sealed environment, and errors that carry git's own output. Only the verbs in git.ts
 * call it; nothing else in src/ builds a git command line.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync, promises as fs } from 'node:fs'
import os from 'node:os'
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
  /** The runner's network variables (CA bundle, proxies: networkEnv), for a process that may reach a server. */
  network?: Record<string, string>
  /**
   * Megabytes of output (the whole commit graph): git writes it to a file, read once git exits. Through a pipe git
   * waits whenever node has not yet read the last 64 KiB: the 2.4 MB of a 30,000-commit `rev-list --parents` took
   * 0.42–0.46 s that way against 0.26–0.29 s through a file, and longer while the run's other work kept node busy.
   */
  largeOutput?: boolean
}

/**
 * A git command exited non-zero. Carries git's exit code and output as fields, so callers branch on those (never on
 * this message); the message is git's stderr, never a secret (no command line here holds one).
 */
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

/** Variables that would let an outer repository (a checkout in GITHUB_WORKSPACE) leak into the run's own. */
const INHERITED_REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_CEILING_DIRECTORIES',
  'GIT_CONFIG_COUNT'
]

/** Environment that makes git deterministic and non-interactive inside a runner. */
function sealedEnv(): NodeJS.ProcessEnv {
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
  for (const key of INHERITED_REPOSITORY_VARIABLES) delete env[key]
  // The CA and proxy variables come from the runner's environment (GitProcess's `network`), which is this process's
  // on a runner but not in the in-process tests.
  for (const key of NETWORK_VARIABLES) delete env[key]
  return env
}

/**
 * The variables by which a runner tells git (curl, OpenSSL) its CA bundle and proxies. git reads them from its
 * environment; they are taken from the runner's environment (`Runner.env`), which is not this process's in tests.
 */
const NETWORK_VARIABLES = [
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'CURL_CA_BUNDLE',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'ALL_PROXY',
  'all_proxy',
  'NO_PROXY',
  'no_proxy'
]

export function networkEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const key of NETWORK_VARIABLES) {
    const value = env[key]
    if (value) picked[key] = value
  }
  return picked
}

/**
 * The settings of the runner's own git config (system and global, as `env` points git at them) that say how to reach
 * a server: CA bundle, proxy, TLS backend; `http.<url>.*` forms included. Nothing else is carried over: the sealed
 * environment keeps every other user setting (merge, diff, rename, url rewrites, credential helpers) out of the run.
 */
export async function readNetworkConfig(env: Readonly<Record<string, string | undefined>>): Promise<Array<[string, string]>> {
  const base: NodeJS.ProcessEnv = { ...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', LANG: 'C' }
  for (const key of INHERITED_REPOSITORY_VARIABLES) delete base[key]
  // Outside any repository (the root folder), so only system and global settings are read.
  const result = await runGit(undefined, ['-C', '/', 'config', '--get-regexp', '^http\\.'], { baseEnv: base })
  if (result.exitCode !== 0) return []
  return result.stdout
    .split('\n')
    .map((line): [string, string] => [line.slice(0, line.indexOf(' ') < 0 ? line.length : line.indexOf(' ')), line.indexOf(' ') < 0 ? 'true' : line.slice(line.indexOf(' ') + 1)])
    .filter(([key]) => NETWORK_KEY.test(key))
}

/** `http.<setting>` or `http.<url>.<setting>` for the settings that only say how to connect. */
const NETWORK_KEY = /^http\.(.+\.)?(sslcainfo|sslcapath|sslbackend|proxy|proxysslcainfo|proxyauthmethod|sslcert|sslkey|schannelusesslcainfo)$/i

/** Per-command configuration through the environment (GIT_CONFIG_COUNT), never through the repository's config. */
export function gitConfigEnv(settings: Record<string, string>): Record<string, string> {
  const entries = Object.entries(settings)
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) }
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key
    env[`GIT_CONFIG_VALUE_${index}`] = value
  })
  return env
}

let processesStarted = 0

/** How many git processes this process has started: the figure the performance budget of a run is measured in. */
export function gitProcessesStarted(): number {
  return processesStarted
}

/**
 * Runs `git <args>` (with `--git-dir` first when `gitDir` is given) and resolves with its exit code and output; never
 * rejects on a non-zero exit (only when git cannot be started at all).
 */
export function runGit(gitDir: string | undefined, args: readonly string[], options: GitRunOptions & { baseEnv?: NodeJS.ProcessEnv } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    processesStarted++
    // Next to the repository (the run's own folder under RUNNER_TEMP), removed once read.
    const outFile = options.largeOutput ? path.join(gitDir ?? os.tmpdir(), `upstream-sync-output-${process.pid}-${processesStarted}`) : undefined
    const outFd = outFile === undefined ? undefined : openSync(outFile, 'w')
    const child = spawn('git', gitDir === undefined ? [...args] : ['--git-dir', gitDir, ...args], {
      env: options.baseEnv ?? { ...sealedEnv(), ...options.network, ...options.env },
      stdio: ['pipe', outFd ?? 'pipe', 'pipe']
    })
    // The child has its own copy of the descriptor.
    if (outFd !== undefined) closeSync(outFd)
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (error) => {
      if (outFile !== undefined) void fs.rm(outFile, { force: true })
      reject(error)
    })
    child.on('close', (code) => {
      const stdout = outFile === undefined ? Promise.resolve(Buffer.concat(out).toString('utf8')) : fs.readFile(outFile, 'utf8').finally(() => fs.rm(outFile, { force: true }))
      stdout.then((text) => resolve({ exitCode: code ?? 128, stdout: text, stderr: Buffer.concat(err).toString('utf8') }), reject)
    })
    child.stdin?.on('error', () => undefined) // git may exit before reading all input
    child.stdin?.end(options.input ?? '')
  })
}

/** The process runner of one repository: every verb in git.ts goes through `exec`, `tryExec` or `output`. */
export class GitProcess {
  /** @param network the runner's network variables (networkEnv), given to every git of this repository. */
  constructor(
    readonly gitDir: string,
    readonly network: Record<string, string> = {}
  ) {}

  /** Runs git and throws a GitError on a non-zero exit. */
  async exec(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    const result = await this.tryExec(args, options)
    if (result.exitCode !== 0) throw new GitError(args, result.exitCode, result.stderr, result.stdout)
    return result
  }

  /**
   * The sealed environment, read once per repository: copying `process.env` goes through a getter per variable, and
   * at about half a millisecond on a runner's hundred variables it was a tenth of the main thread's time spent
   * starting git (measured on the benchmark: 27 ms over a run's 46 processes).
   */
  private sealed: NodeJS.ProcessEnv | undefined

  /** The processes still running: a run that ends early waits for them before removing the repository. */
  private readonly running = new Set<Promise<GitResult>>()

  /** Runs git and returns its exit code, output and errors without throwing. */
  tryExec(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    this.sealed ??= { ...sealedEnv(), ...this.network }
    const result = runGit(this.gitDir, args, { ...options, baseEnv: options.env ? { ...this.sealed, ...options.env } : this.sealed })
    this.running.add(result)
    result.then(
      () => this.running.delete(result),
      () => this.running.delete(result)
    )
    return result
  }

  /**
   * Resolves once no git of this repository runs any more (those started meanwhile included). A push or fetch that
   * runs beside other work (the push starts while the PR body is rendered) is never cut off by the removal of the
   * repository when that other work fails.
   */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  /** Output of a command that must succeed, without the trailing newline. */
  async output(args: string[], options: GitRunOptions = {}): Promise<string> {
    return (await this.exec(args, options)).stdout.replace(/\n$/, '')
  }
}
