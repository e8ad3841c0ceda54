/**
 * Runs the bundled action (`node dist/index.js`) as a child process with a GitHub Actions runner's environment,
 * pointed at a stand-in, and collects what a workflow would see: exit code, log, outputs, job summary, annotations.
 */
import { spawn } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { fileURLToPath } from 'node:url'
import type { StandInEndpoint } from './control.js'
import { MemoryRunner } from './memory-runner.js'
import { routeGitThroughHelper } from './git-through-helper.js'

export { api } from './control.js'

/** The repository root (where package.json and dist/ are). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The bundled action. */
export const ACTION_ENTRY = path.join(REPO_ROOT, 'dist', 'index.js')

export interface RunActionOptions {
  standIn: StandInEndpoint
  /** Action inputs by their action.yml names (`upstream-repository`, `dry-run`, ...). */
  inputs: Record<string, string>
  /** GITHUB_REPOSITORY: the fork the workflow runs in (default carto/gateway-fork). */
  repository?: string
  /** Token for the `github-token` input when `inputs` has none (default: the stand-in's token). */
  token?: string
  /** Extra environment, applied last (may override the runner's variables). */
  env?: Record<string, string>
  /** Working directory of the process (default: the workspace). */
  cwd?: string
  /** GITHUB_WORKSPACE (default: a fresh empty folder, as without actions/checkout). */
  workspace?: string
  /** GITHUB_EVENT_NAME (default `schedule`) and its payload. */
  eventName?: string
  event?: Record<string, unknown>
  /** RUNNER_DEBUG=1, so core.debug lines are printed. */
  debug?: boolean
  /** Folder to create the run's temp folders in (default: a new folder under the OS temp dir). */
  tempDir?: string
  /** Script to run instead of dist/index.js (for tests of the harness itself). */
  entry?: string
  /** Kill the action after this long (default 120 s). */
  timeoutMs?: number
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  properties: Record<string, string>
}

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  /** GITHUB_OUTPUT parsed (both `name=value` and `name<<DELIMITER` forms). */
  outputs: Record<string, string>
  /** GITHUB_STEP_SUMMARY's content. */
  summary: string
  /** `::error::`, `::warning::` and `::notice::` workflow commands from stdout. */
  annotations: Annotation[]
  runnerTemp: string
  workspace: string
  durationMs: number
  /** Removes the run's temp folders (RUNNER_TEMP, HOME, the files the runner reads back). */
  cleanup(): Promise<void>
}

/** `INPUT_<NAME>` as the runner names it: upper-cased, spaces to underscores, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** Parses a GITHUB_OUTPUT (or GITHUB_ENV / GITHUB_STATE) file. */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line === '') continue
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line)
    const eq = line.indexOf('=')
    if (heredoc && (eq < 0 || line.indexOf('<<') < eq)) {
      const [, name = '', delimiter = ''] = heredoc
      const value: string[] = []
      i++
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++] ?? '')
      if (i >= lines.length) throw new Error(`unterminated value for "${name}" in a runner file (missing delimiter ${delimiter})`)
      result[name] = value.join('\n')
    } else if (eq > 0) {
      result[line.slice(0, eq)] = line.slice(eq + 1)
    }
  }
  return result
}

function unescapeData(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text: string): string {
  return unescapeData(text).replace(/%3A/gi, ':').replace(/%2C/gi, ',')
}

/** The annotations (`::warning file=x,line=1::message`) in a log. */
export function parseAnnotations(stdout: string): Annotation[] {
  const annotations: Annotation[] = []
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!match) continue
    const properties: Record<string, string> = {}
    for (const pair of (match[2] ?? '').split(',')) {
      const eq = pair.indexOf('=')
      if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1))
    }
    annotations.push({ level: match[1] as Annotation['level'], message: unescapeData(match[3] ?? ''), properties })
  }
  return annotations
}

/** The outer environment minus everything a runner sets, so the host's CI variables never leak into a test run. */
function hostEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue
    if (/^(GITHUB_|RUNNER_|INPUT_|ACTIONS_|GIT_|STATE_)/.test(key)) continue
    // Jest runs with --experimental-vm-modules; the action must start as it does on a runner.
    if (key === 'NODE_OPTIONS' || key === 'CI') continue
    env[key] = value
  }
  return env
}

let defaultsCache: Promise<Record<string, string>> | undefined

/** The defaults action.yml declares, as the runner fills them in; `${{ github.token }}` becomes `token`. */
export async function actionDefaults(token: string): Promise<Record<string, string>> {
  defaultsCache ??= fs.readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8').then((text) => {
    const action = parseYaml(text) as { inputs?: Record<string, { default?: unknown }> }
    const defaults: Record<string, string> = {}
    for (const [name, spec] of Object.entries(action.inputs ?? {})) {
      if (spec.default !== undefined) defaults[name] = String(spec.default)
    }
    return defaults
  })
  const defaults = { ...(await defaultsCache) }
  for (const [name, value] of Object.entries(defaults)) {
    if (value.includes('${{ github.token }}')) defaults[name] = token
  }
  return defaults
}

/** A runner's environment and files for one run, as the runner lays them out before starting a step. */
interface PreparedRun {
  env: Record<string, string>
  runDir: string
  base: string
  outputFile: string
  summaryFile: string
  runnerTemp: string
  workspace: string
}

async function prepareRun(options: RunActionOptions): Promise<PreparedRun> {
  const base = options.tempDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-sync-run-')))
  await fs.mkdir(base, { recursive: true })
  const runDir = await fs.mkdtemp(path.join(base, 'run-'))
  const runnerTemp = path.join(runDir, 'runner-temp')
  const home = path.join(runDir, 'home')
  const files = path.join(runDir, 'files')
  const workspace = options.workspace ?? path.join(runDir, 'workspace')
  await Promise.all([runnerTemp, home, files, workspace].map((dir) => fs.mkdir(dir, { recursive: true })))
  const outputFile = path.join(files, 'output')
  const summaryFile = path.join(files, 'step-summary.md')
  const eventFile = path.join(files, 'event.json')
  await Promise.all([
    ...[outputFile, summaryFile, path.join(files, 'env'), path.join(files, 'state'), path.join(files, 'path')].map((file) => fs.writeFile(file, '')),
    fs.writeFile(eventFile, JSON.stringify(options.event ?? (options.eventName === undefined || options.eventName === 'schedule' ? { schedule: '0 */8 * * *' } : {})))
  ])

  const repository = options.repository ?? 'carto/gateway-fork'
  // Like the runner: every input action.yml declares gets its default, `${{ github.token }}` being the job's token.
  // @actions/github needs a token even when the stand-in runs open; any non-empty value does then.
  const jobToken = options.token ?? options.standIn.token ?? 'stand-in-open-access'
  const inputs: Record<string, string> = { ...(await actionDefaults(jobToken)), ...options.inputs }
  const env: Record<string, string> = {
    ...hostEnv(),
    HOME: home,
    // No user git config may reach the action: ~/.gitconfig is the empty HOME's, ~/.config/git too.
    XDG_CONFIG_HOME: path.join(home, '.config'),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: options.standIn.url,
    GITHUB_API_URL: options.standIn.apiUrl,
    GITHUB_GRAPHQL_URL: `${options.standIn.url}/api/graphql`,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
    GITHUB_RUN_ID: String(randomInt(1_000_000, 9_999_999)),
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'Upstream sync',
    GITHUB_JOB: 'sync',
    GITHUB_ACTION: '__upstream-sync',
    GITHUB_ACTOR: 'github-actions[bot]',
    GITHUB_EVENT_NAME: options.eventName ?? 'schedule',
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ENV: path.join(files, 'env'),
    GITHUB_STATE: path.join(files, 'state'),
    GITHUB_PATH: path.join(files, 'path'),
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: path.join(runDir, 'tool-cache'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'stand-in-runner',
    ...(options.debug ? { RUNNER_DEBUG: '1' } : {}),
    // github.com wants a second between writes (secondary rate limits); the stand-in has no such limit.
    UPSTREAM_SYNC_WRITE_INTERVAL_MS: '0',
    // Retry waits (Octokit's 1/4/9 s back-off, Retry-After, the notification retry) in 10 ms units instead of
    // seconds: tests check the retries happen, not the clock. A test of a real wait sets it back to 1000.
    UPSTREAM_SYNC_RETRY_UNIT_MS: '10'
  }
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value
  Object.assign(env, options.env)
  return { env, runDir, base, outputFile, summaryFile, runnerTemp, workspace }
}

/** Runs the bundled action once; never throws for a failing action (exitCode says), only for a harness problem. */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const entry = options.entry ?? ACTION_ENTRY
  try {
    await fs.access(entry)
  } catch {
    throw new Error(`${entry} does not exist: run \`npm run build\` first`)
  }
  const prepared = await prepareRun(options)
  const { env, workspace, outputFile, summaryFile } = prepared
  const started = performance.now()
  const { exitCode, stdout, stderr } = await new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { cwd: options.cwd ?? workspace, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    const timer = setTimeout(() => {
      err.push(Buffer.from(`\n[harness] killed after ${options.timeoutMs ?? 120_000} ms\n`))
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 120_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') })
    })
  })
  const durationMs = performance.now() - started
  const [outputText, summary] = await Promise.all([fs.readFile(outputFile, 'utf8'), fs.readFile(summaryFile, 'utf8')])
  return finished(options, prepared, { exitCode, stdout, stderr, outputs: parseCommandFile(outputText), summary, durationMs })
}

/**
 * Runs the action's `run()` in this process with the in-memory runner, in the same runner environment `runAction`
 * gives the bundle: the integration tier's way to run the whole action in milliseconds instead of a process start.
 * The working directory is not changed (the action never reads it; the bundle tests cover that).
 */
export async function runInProcess(options: RunActionOptions): Promise<ActionRun> {
  if (options.entry) throw new Error('runInProcess runs src/, not an entry script: use runAction for `entry`')
  const prepared = await prepareRun(options)
  await routeGitThroughHelper()
  const { run } = await import('../../src/run.js')
  const runner = new MemoryRunner(prepared.env)
  const started = performance.now()
  await run(runner)
  const durationMs = performance.now() - started
  return finished(options, prepared, {
    exitCode: runner.exitCode,
    stdout: runner.log,
    stderr: '',
    outputs: { ...runner.outputs },
    summary: runner.summary,
    durationMs
  })
}

/**
 * A run in a form fit for a failure message: exit code, time, outputs, and the ends of stdout and stderr (a failed
 * assertion on a run should say what the action did).
 */
export function describeRun(run: ActionRun): string {
  const tail = (text: string): string => (text.length > 6000 ? '…' + text.slice(-6000) : text)
  return [
    `exit ${run.exitCode} after ${Math.round(run.durationMs)} ms`,
    `outputs: ${JSON.stringify(run.outputs, null, 2)}`,
    `--- stdout ---\n${tail(run.stdout)}`,
    `--- stderr ---\n${tail(run.stderr)}`
  ].join('\n')
}

type RunRecord = Pick<ActionRun, 'exitCode' | 'stdout' | 'stderr' | 'outputs' | 'summary' | 'durationMs'>

function finished(options: RunActionOptions, prepared: PreparedRun, record: RunRecord): ActionRun {
  return {
    ...record,
    annotations: parseAnnotations(record.stdout),
    runnerTemp: prepared.runnerTemp,
    workspace: prepared.workspace,
    cleanup: () => fs.rm(options.tempDir ? prepared.runDir : prepared.base, { recursive: true, force: true })
  }
}
