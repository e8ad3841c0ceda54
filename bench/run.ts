/**
 * The benchmark: the action against the usual hand-written sync script, on generated repositories of a large fork,
 * served by the local GitHub stand-in.
 *
 *   npm run bench -- [--scale default|small|smoke|<factor>] [--runs N] [--check] [--results FILE]
 *
 * In one process and alternating, so that machine noise hits every scenario alike (A B C A B C …):
 *   A  the action (`node dist/index.js`) syncing the newest stable upstream tag into the fork's target branch;
 *   B  the baseline: full `git clone` of the fork, `git fetch upstream --tags`, `git merge -X theirs <tag>`, push;
 *   C  the action when the target branch already contains that tag (a no-op run).
 * Each run starts from the same state: a fresh copy of the fork's bare repository and a fresh stand-in (no PRs,
 * labels or logs left from the run before), and a fresh RUNNER_TEMP and HOME.
 *
 * Measured per run: wall time of the process, git bytes received and sent as the stand-in counted them, API
 * requests in the stand-in's log, and peak memory (the largest process of the run's tree, from wait4's ru_maxrss
 * through /usr/bin/time; without it, the peak VmHWM seen by polling /proc, which can miss short-lived processes).
 *
 * Results go to stdout and to bench/results.md at the default scale (bench/work/results-<scale>.md otherwise, so a CI
 * smoke run never overwrites the committed results). `--check` exits 1 unless the action received fewer git bytes
 * than the baseline and the no-op run made at most 4 API requests.
 */
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startStandIn, type StandIn } from '../test/stand-in/server.js'
import { actionDefaults, inputEnvName, parseCommandFile } from '../test/support/action.js'
import { api, gitTraffic, requestLog, resetLog, type RequestLogEntry } from '../test/support/control.js'
import { BENCH_DIR, FORK, SYNCED_FORK, UPSTREAM, WORK_DIR, generate, git, parseScale, type Manifest, type Scale } from './generate.js'

const REPO_ROOT = path.resolve(BENCH_DIR, '..')
const ACTION_ENTRY = path.join(REPO_ROOT, 'dist', 'index.js')
const TOKEN = 'bench-token-0123456789'
const TIME_BIN = '/usr/bin/time'

/** Targets of issue 6 (default scale). */
const TARGETS = { wallRatio: 0.2, receivedRatio: 0.1, noopRequests: 4, noopWallMs: 1000, loadMs: 200 }

type Scenario = 'A' | 'B' | 'C' | 'D' | 'E'

const SCENARIO_NAMES: Record<Scenario, string> = {
  A: 'A action: sync newest stable tag (a fork in the upstream network)',
  B: 'B baseline: clone + fetch --tags + merge + push (same fork)',
  C: 'C action: no-op (already up to date)',
  D: 'D action: the same sync into a private duplicate (no fork network)',
  E: 'E baseline: the same script on the private duplicate'
}

/** Scenarios whose fork is a private duplicate: the copy of the fork leaves the upstream's network. */
const DUPLICATE: ReadonlySet<Scenario> = new Set(['D', 'E'])

interface RunResult {
  scenario: Scenario
  ok: boolean
  /** Why the run failed (exit code and the end of its log). */
  failure?: string
  wallMs: number
  /** Git bytes the client received (the stand-in's response bodies) and sent (its request bodies, as on the wire). */
  receivedBytes: number
  sentBytes: number
  /** Received from the upstream repository only (its history). */
  upstreamReceivedBytes: number
  gitRequests: number
  apiRequests: number
  apiCalls: string[]
  maxRssKb?: number
  cpuMs?: number
  outputs: Record<string, string>
  /** `timing: <step>: <ms> ms` debug lines of the action. */
  steps: Array<{ step: string; ms: number }>
  /** The run's stdout (each line with its time since the start) and stderr, and the stand-in's request logs. */
  log: string
  /** When the run's process started (epoch ms): the request logs give their times from it. */
  startedMs?: number
}

interface Options {
  scale: Scale
  runs: number
  check: boolean
  resultsFile: string
  /** Folder to keep each run's log in (`--logs`), for digging into a run. */
  logsDir?: string
  /** One extra, unmeasured run of A and of B with git's trace2 on, for the per-command breakdown (`--no-profile`: off). */
  profile: boolean
  /**
   * `--only A,C`: run just these scenarios and print their medians, for a quick look while working on one of them
   * (with `--logs` for the timelines). Writes no results file: a ratio needs its baseline from the same run.
   */
  only?: Scenario[]
  /** `--cpu-prof DIR`: every action run writes node's CPU profile there (`--cpu-prof`), for where node's time goes. */
  cpuProfiles?: string
}

interface Profile {
  wallMs: number
  commands: GitCommand[]
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(name)
    if (index >= 0) {
      const next = argv[index + 1]
      if (next === undefined || next.startsWith('--')) throw new Error(`${name} needs a value.`)
      return next
    }
    return argv.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1)
  }
  const known = new Set(['--scale', '--runs', '--check', '--results', '--logs', '--no-profile', '--only', '--cpu-prof'])
  for (const arg of argv) {
    if (arg.startsWith('--') && !known.has(arg.split('=')[0] ?? arg)) {
      throw new Error(`Unknown option ${arg}. Usage: npm run bench -- [--scale default|small|smoke|<factor>] [--runs N] [--check] [--results FILE] [--logs DIR] [--no-profile] [--only A,C] [--cpu-prof DIR]`)
    }
  }
  const scale = parseScale(value('--scale') ?? 'default')
  const runsText = value('--runs')
  const runs = runsText === undefined ? (scale.name === 'smoke' ? 1 : 3) : Number(runsText)
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error(`--runs must be a whole number from 1 to 20; got "${runsText}".`)
  const resultsFile = value('--results') ?? (scale.name === 'default' ? path.join(BENCH_DIR, 'results.md') : path.join(WORK_DIR, `results-${scale.name}.md`))
  const logsDir = value('--logs')
  const onlyText = value('--only')
  const only = onlyText?.split(',').map((name) => name.trim().toUpperCase())
  const unknown = only?.filter((name) => !(name in SCENARIO_NAMES))
  if (only && (only.length === 0 || (unknown?.length ?? 0) > 0)) throw new Error(`--only takes scenario letters from A to E separated by commas, e.g. --only A,C; got "${onlyText}".`)
  if (only && argv.includes('--check')) throw new Error('--only and --check do not go together: the check needs every scenario.')
  return {
    scale,
    runs,
    check: argv.includes('--check'),
    resultsFile: path.resolve(resultsFile),
    profile: !argv.includes('--no-profile'),
    ...(logsDir ? { logsDir: path.resolve(logsDir) } : {}),
    ...(only ? { only: only as Scenario[] } : {}),
    ...(value('--cpu-prof') ? { cpuProfiles: path.resolve(value('--cpu-prof') as string) } : {})
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes with wall time and peak memory

interface Measured {
  exitCode: number
  wallMs: number
  /** When the process started, in epoch milliseconds (the zero of the log's timeline). */
  startedMs: number
  stdout: string
  /** stdout with each line's arrival time in front (`+1234 ms`): where a run's time goes, line by line. */
  timeline: string
  stderr: string
  maxRssKb?: number
  /** User + system CPU time of the process and the processes it waited for (with /usr/bin/time only). */
  cpuMs?: number
}

let timeBinAvailable: boolean | undefined
async function hasTimeBin(): Promise<boolean> {
  if (timeBinAvailable === undefined) {
    timeBinAvailable = await fs.access(TIME_BIN).then(
      () => true,
      () => false
    )
  }
  return timeBinAvailable
}

/** Peak VmHWM over the process tree under `rootPid`, by polling /proc (fallback when /usr/bin/time is missing). */
function pollPeakRss(rootPid: number): { stop: () => number | undefined } {
  let peak: number | undefined
  const sample = async (): Promise<void> => {
    const parents = new Map<number, number>()
    for (const entry of await fs.readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(entry)) continue
      const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (Number.isFinite(ppid)) parents.set(Number(entry), ppid)
    }
    const inTree = (pid: number): boolean => {
      for (let current = pid, depth = 0; depth < 64; depth++) {
        if (current === rootPid) return true
        const parent = parents.get(current)
        if (parent === undefined || parent <= 1) return false
        current = parent
      }
      return false
    }
    for (const pid of parents.keys()) {
      if (!inTree(pid)) continue
      const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
      const hwm = /VmHWM:\s+(\d+)/.exec(status)
      if (hwm) peak = Math.max(peak ?? 0, Number(hwm[1]))
    }
  }
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    void sample().finally(() => (running = false))
  }, 50)
  return {
    stop: () => {
      clearInterval(timer)
      return peak
    }
  }
}

/** Runs `command args` and measures it; never throws for a failing command (exitCode says). */
async function measure(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs?: number }): Promise<Measured> {
  const useTime = await hasTimeBin()
  const rssFile = path.join(options.cwd, `.maxrss-${process.pid}-${Date.now()}`)
  const [file, argv] = useTime ? [TIME_BIN, ['-f', '%M %U %S', '-o', rssFile, command, ...args]] : [command, args]
  const started = performance.now()
  const stamped: string[] = []
  let partial = ''
  const stamp = (chunk: Buffer): void => {
    const at = `+${String(Math.round(performance.now() - started)).padStart(5)} ms `
    const lines = (partial + chunk.toString('utf8')).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) stamped.push(at + line)
  }
  const result = await new Promise<{ exitCode: number; stdout: string; stderr: string; polled?: number }>((resolve, reject) => {
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    const poller = !useTime && child.pid !== undefined ? pollPeakRss(child.pid) : undefined
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk)
      stamp(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    const timeoutMs = options.timeoutMs ?? 20 * 60_000
    const timer = setTimeout(() => {
      err.push(Buffer.from(`\n[bench] killed after ${timeoutMs / 1000} s\n`))
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      poller?.stop()
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), polled: poller?.stop() })
    })
  })
  const wallMs = performance.now() - started
  let maxRssKb = result.polled
  let cpuMs: number | undefined
  if (useTime) {
    const text = await fs.readFile(rssFile, 'utf8').catch(() => '')
    await fs.rm(rssFile, { force: true })
    // /usr/bin/time writes "Command exited with non-zero status N" before the values when the command fails.
    const [rss, user, system] = (text.trim().split('\n').pop() ?? '').split(' ').map(Number)
    if (rss !== undefined && Number.isFinite(rss) && rss > 0) maxRssKb = rss
    if (user !== undefined && system !== undefined && Number.isFinite(user + system)) cpuMs = (user + system) * 1000
  }
  return {
    exitCode: result.exitCode,
    wallMs,
    startedMs: Math.round(performance.timeOrigin + started),
    stdout: result.stdout,
    timeline: [...stamped, ...(partial ? [partial] : [])].join('\n'),
    stderr: result.stderr,
    ...(maxRssKb !== undefined ? { maxRssKb } : {}),
    ...(cpuMs !== undefined ? { cpuMs } : {})
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios

/** The environment the runner gives every step: the host's PATH and the like, nothing of the outer CI or git. */
function baseEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(GITHUB_|RUNNER_|INPUT_|ACTIONS_|GIT_|STATE_)/.test(key) || key === 'NODE_OPTIONS' || key === 'CI') continue
    env[key] = value
  }
  return { ...env, HOME: home, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' }
}

/** `::debug::timing: <step>: <ms> ms` lines (RUNNER_DEBUG=1). */
export function parseTimings(stdout: string): Array<{ step: string; ms: number }> {
  const steps: Array<{ step: string; ms: number }> = []
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::debug::timing: (.+): (\d+(?:\.\d+)?) ms$/.exec(line)
    if (match) steps.push({ step: match[1] ?? '', ms: Number(match[2]) })
  }
  return steps
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n')
}

/**
 * Where the runs' own folders go (the script's clone and checkout, the action's RUNNER_TEMP and HOME). A hosted
 * runner starts on a fresh disk; this machine's ext4 has made and deleted millions of files, and creating files on it
 * became the slowest thing it does: checking out the fork's 9,461 files took 3.7–9.3 s there (almost all system
 * time) against 0.8 s on tmpfs. So the runs use /dev/shm when it has room (BENCH_RUNS_DIR overrides it), which
 * spares the script, not the action, a cost no runner has. The served repositories stay on disk.
 */
async function runsFolder(fallback: string): Promise<{ dir: string; label: string }> {
  const chosen = process.env.BENCH_RUNS_DIR
  if (chosen) return { dir: await fs.mkdtemp(path.join(chosen, 'upstream-sync-bench-runs-')), label: `${chosen} (BENCH_RUNS_DIR)` }
  try {
    const stats = await fs.statfs('/dev/shm')
    if (stats.bavail * stats.bsize >= 4 * 1024 ** 3) return { dir: await fs.mkdtemp(path.join('/dev/shm', 'upstream-sync-bench-runs-')), label: '/dev/shm (tmpfs)' }
  } catch {
    // No RAM disk: the runs share the system's temporary folder.
  }
  return { dir: fallback, label: `${os.tmpdir()} (no /dev/shm with 4 GiB free)` }
}

class Bench {
  private readonly live: string

  constructor(
    private readonly manifest: Manifest,
    tempRoot: string,
    private readonly runsRoot: string,
    /** Where node's CPU profiles of the action's runs go (`--cpu-prof`); none when undefined. */
    private readonly cpuProfiles?: string
  ) {
    this.live = path.join(tempRoot, 'root')
  }

  /**
   * The served root: upstream and the synced fork hard-linked (instant; no run writes to them: C finds nothing to
   * do), the fork copied by resetFork() before every run (A and B push to it).
   */
  async prepareRoot(): Promise<void> {
    await fs.rm(this.live, { recursive: true, force: true })
    for (const name of [UPSTREAM, SYNCED_FORK]) {
      const target = path.join(this.live, `${name}.git`)
      await fs.mkdir(path.dirname(target), { recursive: true })
      await run('cp', ['-al', path.join(this.manifest.root, `${name}.git`), target])
    }
  }

  /**
   * A fresh copy of the fork. `duplicate`: the copy is no longer a fork of the upstream (no `standin.parent`), so
   * its server shares no objects with upstream and compare answers 404 for upstream's new commits, as for a private
   * duplicate (an imported or mirrored copy) on GitHub.
   */
  async resetFork(duplicate = false): Promise<void> {
    const target = path.join(this.live, `${FORK}.git`)
    await fs.rm(target, { recursive: true, force: true })
    await fs.mkdir(path.dirname(target), { recursive: true })
    await run('cp', ['-a', path.join(this.manifest.root, `${FORK}.git`), target])
    if (duplicate) await run('git', ['--git-dir', target, 'config', '--unset', 'standin.parent'])
  }

  private async withStandIn(work: (standIn: StandIn) => Promise<Omit<RunResult, 'receivedBytes' | 'sentBytes' | 'upstreamReceivedBytes' | 'gitRequests' | 'apiRequests' | 'apiCalls'>>): Promise<RunResult> {
    const standIn = await startStandIn({ root: this.live, token: TOKEN })
    try {
      for (const release of this.manifest.releases) {
        const response = await api(standIn, 'POST', `/repos/${UPSTREAM}/releases`, { tag_name: release.tag, name: release.name, body: release.body, draft: release.draft, prerelease: release.prerelease })
        if (response.status !== 201) throw new Error(`Creating release ${release.tag} on the stand-in failed: ${response.status} ${JSON.stringify(response.data)}`)
      }
      // The fork has synced before, as every fork after its first run: the action's labels exist. (A first run ever
      // creates them too: three more writes, a second apart, once per fork.)
      for (const fork of [FORK, SYNCED_FORK]) {
        for (const name of ['upstream-sync', 'automated', 'clean-merge', 'conflicts', 'auto-resolved']) {
          const response = await api(standIn, 'POST', `/repos/${fork}/labels`, { name, color: 'ededed' })
          if (response.status !== 201) throw new Error(`Creating label ${name} in ${fork} on the stand-in failed: ${response.status}`)
        }
      }
      await resetLog(standIn)
      const result = await work(standIn)
      const traffic = await gitTraffic(standIn)
      const calls = await requestLog(standIn, 'api')
      const gitCalls = await requestLog(standIn, 'git')
      // Each request with its start and end since the run's start: the run's timeline, with its stdout's.
      const line = (call: RequestLogEntry): string =>
        `${result.startedMs !== undefined ? `+${String(call.startedMs - result.startedMs).padStart(5)} ms → +${String(call.startedMs - result.startedMs + call.durationMs).padStart(5)} ms` : call.at.slice(11, 23)} ${call.method} ${call.path}?${call.query} ${call.status} ${call.durationMs} ms`
      const upstream = Object.entries(traffic.repos).find(([name]) => name.toLowerCase() === UPSTREAM)?.[1]
      return {
        ...result,
        receivedBytes: traffic.total.sentBytes,
        sentBytes: traffic.total.receivedBytes,
        upstreamReceivedBytes: upstream?.sentBytes ?? 0,
        gitRequests: traffic.total.requests,
        apiRequests: calls.length,
        apiCalls: calls.map((call) => `${call.method} ${call.path}${call.query ? '?' + call.query : ''} → ${call.status}`),
        log:
          `${result.log}\n--- stand-in: API requests ---\n${calls.map(line).join('\n')}` +
          `\n--- stand-in: git requests ---\n${gitCalls.map(line).join('\n')}` +
          `\n--- stand-in: git traffic ---\n${JSON.stringify(traffic, null, 2)}\n`
      }
    } finally {
      await standIn.close()
    }
  }

  /**
   * A, C and D: the bundled action with a runner's environment, no checkout. `debug`: RUNNER_DEBUG=1, for the step
   * timings (an extra run, not a measured one).
   */
  async action(scenario: 'A' | 'C' | 'D', { trace, debug = false }: { trace?: string; debug?: boolean } = {}): Promise<RunResult> {
    const repository = scenario === 'C' ? SYNCED_FORK : FORK
    return this.withStandIn(async (standIn) => {
      const dir = await fs.mkdtemp(path.join(this.runsRoot, `run-${scenario}-`))
      try {
        const [home, temp, workspace] = ['home', 'runner-temp', 'workspace'].map((name) => path.join(dir, name)) as [string, string, string]
        await Promise.all([home, temp, workspace].map((folder) => fs.mkdir(folder)))
        const outputFile = path.join(dir, 'output')
        const summaryFile = path.join(dir, 'summary.md')
        await fs.writeFile(outputFile, '')
        await fs.writeFile(summaryFile, '')
        const inputs: Record<string, string> = {
          ...(await actionDefaults(TOKEN)),
          'upstream-repository': UPSTREAM,
          'target-branch': this.manifest.targetBranch
        }
        const env: NodeJS.ProcessEnv = {
          ...baseEnv(home),
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_SERVER_URL: standIn.url,
          GITHUB_API_URL: standIn.apiUrl,
          GITHUB_REPOSITORY: repository,
          GITHUB_REPOSITORY_OWNER: repository.split('/')[0],
          GITHUB_RUN_ID: '4242',
          GITHUB_EVENT_NAME: 'schedule',
          GITHUB_WORKSPACE: workspace,
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: summaryFile,
          RUNNER_TEMP: temp,
          RUNNER_OS: 'Linux',
          // Debug output only for the extra runs that give the per-step table: debug mode does work of its own (a
          // `git count-objects` before and after each fetch for its figures), and users run without it.
          ...(debug ? { RUNNER_DEBUG: '1' } : {}),
          // No UPSTREAM_SYNC_WRITE_INTERVAL_MS: the action spaces its write requests one second apart, as it does on
          // github.com (GitHub's secondary rate limits), so the benchmark measures what users wait for.
          ...(trace ? { GIT_TRACE2_EVENT: trace } : {})
        }
        for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value
        const measured = await measure(process.execPath, [...(this.cpuProfiles ? ['--cpu-prof', `--cpu-prof-dir=${this.cpuProfiles}`] : []), ACTION_ENTRY], { env, cwd: workspace })
        const outputs = parseCommandFile(await fs.readFile(outputFile, 'utf8'))
        const expected = scenario === 'C' ? ['up-to-date'] : ['created']
        const ok = measured.exitCode === 0 && expected.includes(outputs.result ?? '')
        return {
          scenario,
          ok,
          ...(ok ? {} : { failure: `exit ${measured.exitCode}, result "${outputs.result ?? ''}" (expected ${expected.join('/')})\n${tail(measured.stdout.split('\n').filter((line) => !line.startsWith('::debug::')).join('\n'))}\n${tail(measured.stderr)}` }),
          wallMs: measured.wallMs,
          ...(measured.maxRssKb !== undefined ? { maxRssKb: measured.maxRssKb } : {}),
          ...(measured.cpuMs !== undefined ? { cpuMs: measured.cpuMs } : {}),
          outputs,
          steps: parseTimings(measured.stdout),
          startedMs: measured.startedMs,
          log: `${measured.timeline}\n--- stderr ---\n${measured.stderr}`
        }
      } finally {
        await fs.rm(dir, { recursive: true, force: true })
      }
    })
  }

  /** B and E: what hand-written sync workflows do (actions/checkout with fetch-depth: 0 is the same full clone). */
  async baseline(scenario: 'B' | 'E' = 'B', trace?: string): Promise<RunResult> {
    const tag = this.manifest.newestStable.tag
    return this.withStandIn(async (standIn) => {
      const dir = await fs.mkdtemp(path.join(this.runsRoot, `run-${scenario}-`))
      try {
        const home = path.join(dir, 'home')
        await fs.mkdir(home)
        const script = [
          'set -euo pipefail',
          'git clone --quiet "$FORK_URL" work',
          'cd work',
          'git remote add upstream "$UPSTREAM_URL"',
          'git fetch --quiet upstream --tags',
          // Conflicts: take upstream's side so the result can be pushed; what -X cannot settle is committed as is.
          'if ! git merge --quiet --no-edit -X theirs "$TAG" >/dev/null; then git add -A && git commit --quiet --no-edit; fi',
          'git push --quiet origin "HEAD:refs/heads/baseline-sync/$TAG"',
          // The PR, as such scripts open it (`gh pr create`): one API request.
          'curl --silent --show-error --fail --output /dev/null -H "Authorization: token $TOKEN" -H "Content-Type: application/json" ' +
            '-d "{\\"head\\":\\"baseline-sync/$TAG\\",\\"base\\":\\"$TARGET\\",\\"title\\":\\"Sync $TAG\\"}" "$API_URL/repos/$FORK_REPO/pulls"'
        ].join('\n')
        const auth = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`
        const env: NodeJS.ProcessEnv = {
          ...baseEnv(home),
          FORK_URL: `${standIn.url}/${FORK}.git`,
          UPSTREAM_URL: `${standIn.url}/${UPSTREAM}.git`,
          TAG: tag,
          TOKEN,
          TARGET: this.manifest.targetBranch,
          API_URL: standIn.apiUrl,
          FORK_REPO: FORK,
          // The token as actions/checkout passes it: an extra header, never in a URL or on a command line.
          GIT_CONFIG_COUNT: '3',
          GIT_CONFIG_KEY_0: `http.${standIn.url}/.extraheader`,
          GIT_CONFIG_VALUE_0: auth,
          GIT_CONFIG_KEY_1: 'user.name',
          GIT_CONFIG_VALUE_1: 'Sync Bot',
          GIT_CONFIG_KEY_2: 'user.email',
          GIT_CONFIG_VALUE_2: 'sync-bot@example.com',
          ...(trace ? { GIT_TRACE2_EVENT: trace } : {})
        }
        const measured = await measure('bash', ['-c', script], { env, cwd: dir })
        const ok = measured.exitCode === 0
        return {
          scenario,
          ok,
          ...(ok ? {} : { failure: `exit ${measured.exitCode}\n${tail(measured.stdout)}\n${tail(measured.stderr)}` }),
          wallMs: measured.wallMs,
          ...(measured.maxRssKb !== undefined ? { maxRssKb: measured.maxRssKb } : {}),
          ...(measured.cpuMs !== undefined ? { cpuMs: measured.cpuMs } : {}),
          outputs: {},
          steps: [],
          startedMs: measured.startedMs,
          log: `${measured.timeline}\n--- stderr ---\n${measured.stderr}`
        }
      } finally {
        await fs.rm(dir, { recursive: true, force: true })
      }
    })
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${Buffer.concat(err).toString('utf8').trim()}`))
    )
  })
}

// ---------------------------------------------------------------------------------------------------------------
// git's own timings (trace2 events of a profiled run)

export interface GitCommand {
  argv: string
  seconds: number
  /** Processes it started (remote helpers, index-pack, pack-objects, lazy fetches), longest first. */
  children: Array<{ argv: string; seconds: number }>
}

/** Shortens a command line for the report: no --git-dir, no temp paths or stand-in URLs, at most 100 characters. */
function shortArgv(argv: string[]): string {
  const parts: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--git-dir' || arg === '-C') {
      i++
      continue
    }
    if (arg.startsWith('--git-dir=')) continue
    parts.push(arg.replace(/^\/usr\/lib\/git-core\//, '').replace(/https?:\/\/127\.0\.0\.1:\d+\//g, '').replace(/\/tmp\/[^\s'"]+/g, '$TMP'))
  }
  const text = parts.join(' ')
  return text.length > 100 ? `${text.slice(0, 99)}…` : text
}

/** Top-level git commands of a trace2 event file (GIT_TRACE2_EVENT) with their durations and children. */
export function gitCommands(traceText: string): GitCommand[] {
  const starts = new Map<string, string[]>()
  const ends = new Map<string, number>()
  for (const line of traceText.split('\n')) {
    if (!line.startsWith('{')) continue
    let event: { event?: string; sid?: string; argv?: string[]; t_abs?: number }
    try {
      event = JSON.parse(line) as typeof event
    } catch {
      continue
    }
    if (!event.sid) continue
    if (event.event === 'start' && event.argv) starts.set(event.sid, event.argv)
    if ((event.event === 'exit' || event.event === 'atexit') && typeof event.t_abs === 'number') ends.set(event.sid, Math.max(ends.get(event.sid) ?? 0, event.t_abs))
  }
  const commands: GitCommand[] = []
  for (const [sid, argv] of starts) {
    if (sid.includes('/')) continue
    const children = [...starts.entries()]
      .filter(([child]) => child.startsWith(`${sid}/`))
      .map(([child, childArgv]) => ({ argv: shortArgv(childArgv), seconds: ends.get(child) ?? 0 }))
      .sort((x, y) => y.seconds - x.seconds)
    commands.push({ argv: shortArgv(argv), seconds: ends.get(sid) ?? 0, children })
  }
  return commands
}

// ---------------------------------------------------------------------------------------------------------------
// The floor: what a merge of the tag needs at the least, in bytes

interface Floor {
  /** The target branch's commits without trees or blobs (`--filter=tree:0`): enough to find the merge base locally. */
  commitsOnly: number
  /** Its commits and trees (`--filter=blob:none`). */
  commitsAndTrees: number
  /** The trees of the three commits a merge reads: merge base, target, tag. */
  threeTrees: number
  /** The blobs of the files both sides changed (merge base, target and tag versions). */
  mergeBlobs: number
  /** Upstream's objects from the fork's base to the tag: what a push sends when the server does not share them. */
  upstreamNew: number
}

/** Bytes of the pack `git pack-objects --stdout` makes for `input` (streamed, never held in memory). */
function packSize(gitDir: string, args: string[], input: string, env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['--git-dir', gitDir, 'pack-objects', '--stdout', '--quiet', ...args], {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...env },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let bytes = 0
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`git pack-objects failed (${code}): ${Buffer.concat(err).toString('utf8').trim()}`))))
    // A command that does not read its input may exit first: its exit code tells, not EPIPE.
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
  })
}

async function floorReference(manifest: Manifest): Promise<Floor> {
  const forkDir = path.join(manifest.root, `${FORK}.git`)
  const upstreamDir = path.join(manifest.root, `${UPSTREAM}.git`)
  // Both repositories' objects in one view (through the environment only; nothing is written).
  const both = { GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(forkDir, 'objects') }
  const target = `refs/heads/${manifest.targetBranch}`
  const mergeBase = (await gitWithEnv(['--git-dir', upstreamDir, 'merge-base', manifest.forkTip, manifest.newestStable.sha], both)).stdout.trim()
  const trees = (await gitWithEnv(['--git-dir', upstreamDir, 'rev-list', '--objects', '--no-object-names', '--no-walk', '--filter=blob:none', mergeBase, manifest.forkTip, manifest.newestStable.sha], both)).stdout
  const specs = manifest.conflicts.flatMap((file) => [mergeBase, manifest.forkTip, manifest.newestStable.sha].map((commit) => `${commit}:${file}`))
  const blobs = (await gitWithEnv(['--git-dir', upstreamDir, 'cat-file', '--batch-check=%(objectname) %(objecttype)'], both, specs.join('\n') + '\n')).stdout
    .split('\n')
    .filter((line) => line.endsWith(' blob'))
    .map((line) => line.split(' ')[0])
  return {
    commitsOnly: await packSize(forkDir, ['--revs', '--filter=tree:0'], `${target}\n`),
    commitsAndTrees: await packSize(forkDir, ['--revs', '--filter=blob:none'], `${target}\n`),
    threeTrees: await packSize(upstreamDir, [], trees, both),
    mergeBlobs: await packSize(upstreamDir, [], [...new Set(blobs)].join('\n') + '\n', both),
    upstreamNew: await packSize(upstreamDir, ['--revs'], `${manifest.newestStable.sha}\n^${manifest.baseTag.sha}\n`)
  }
}

function gitWithEnv(args: string[], env: Record<string, string>, input = ''): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve({ stdout: Buffer.concat(out).toString('utf8') }) : reject(new Error(`git ${args.join(' ')} failed (${code}): ${Buffer.concat(err).toString('utf8').trim()}`))))
    // A command that does not read its input may exit first: its exit code tells, not EPIPE.
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
  })
}

function floorTable(floor: Floor | undefined, a: Summary, b: Summary, manifest: Manifest): string {
  if (!floor) return '_Not computed._'
  return table([
    ['What', 'bytes'],
    [`Full clone of the fork (B's clone; its pack on disk)`, mb(manifest.fork.packBytes)],
    [`The target's commits and trees, no blobs (\`--filter=blob:none\`)`, mb(floor.commitsAndTrees)],
    [`The target's commits only (\`--filter=tree:0\`): enough to find the merge base locally`, mb(floor.commitsOnly)],
    ['Trees of the merge base, the target and the tag (what merge-tree reads)', mb(floor.threeTrees)],
    [`Blobs of the ${manifest.conflicts.length} files both sides changed, three versions each`, mb(floor.mergeBlobs)],
    [`Upstream objects from \`${manifest.baseTag.tag}\` to \`${manifest.newestStable.tag}\` (what a push sends when the server does not share the fork network's objects)`, mb(floor.upstreamNew)],
    ['**Measured: A received / B received**', `${mb(a.receivedBytes)} / ${mb(b.receivedBytes)}`]
  ])
}

// ---------------------------------------------------------------------------------------------------------------
// Bundle size and load time

interface BundleStats {
  bytes: number
  distBytes: number
  /** Wall time of `node dist/index.js` with no runner environment: node start, bundle load, input validation. */
  processMs: number
  /** Inside node: `import()` of the bundle until its top-level run() returned (load + validation failure). */
  importMs: number
  /** The fastest of the import timings: the cost with the least interference from other work on the machine. */
  importMinMs: number
  /** `node -e 0`, for reference: the part of processMs that is node itself. */
  nodeMs: number
}

async function bundleStats(tempRoot: string): Promise<BundleStats> {
  const bytes = (await fs.stat(ACTION_ENTRY)).size
  let distBytes = 0
  for (const entry of await fs.readdir(path.dirname(ACTION_ENTRY), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) distBytes += (await fs.stat(path.join(entry.parentPath ?? entry.path, entry.name))).size
  }
  const cwd = await fs.mkdtemp(path.join(tempRoot, 'load-'))
  const env = baseEnv(cwd)
  const processTimes: number[] = []
  const importTimes: number[] = []
  const nodeTimes: number[] = []
  const importer = `const t = performance.now(); await import(${JSON.stringify(new URL(`file://${ACTION_ENTRY}`).href)}); console.log('import-ms=' + (performance.now() - t).toFixed(1))`
  for (let i = 0; i < 7; i++) {
    processTimes.push((await measure(process.execPath, [ACTION_ENTRY], { env, cwd })).wallMs)
    const imported = await measure(process.execPath, ['--input-type=module', '-e', importer], { env, cwd })
    const match = /import-ms=([\d.]+)/.exec(imported.stdout)
    if (match) importTimes.push(Number(match[1]))
    nodeTimes.push((await measure(process.execPath, ['-e', '0'], { env, cwd })).wallMs)
  }
  await fs.rm(cwd, { recursive: true, force: true })
  return { bytes, distBytes, processMs: median(processTimes), importMs: median(importTimes), importMinMs: Math.min(...importTimes), nodeMs: median(nodeTimes) }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function median(values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

function mb(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a'
  if (bytes < 10_000) return `${bytes} B`
  if (bytes < 1_000_000) return `${(bytes / 1e3).toFixed(1)} kB`
  return `${(bytes / 1e6).toFixed(1)} MB`
}

function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`
}

function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a'
  return (a / b).toFixed(3)
}

/**
 * The channel drift the no-op run reported, if any. The generated upstream publishes plain `vX.Y.Z` releases newer than
 * its newest `-stable` tag, which is exactly a drift (issue 12): telling the user costs the releases listing, one
 * request more than a no-op run with a healthy channel.
 */
function noopDrift(c: Summary): string | undefined {
  return c.typical?.outputs['channel-drift'] || undefined
}

function noopBudget(c: Summary): number {
  return TARGETS.noopRequests + (noopDrift(c) ? 1 : 0)
}

interface Summary {
  scenario: Scenario
  runs: RunResult[]
  ok: boolean
  wallMs: number
  wallMin: number
  wallMax: number
  receivedBytes: number
  sentBytes: number
  upstreamReceivedBytes: number
  apiRequests: number
  gitRequests: number
  maxRssKb: number
  cpuMs: number
  /** The run with the median wall time (its step timings and outputs are reported). */
  typical?: RunResult
  /** The extra run with RUNNER_DEBUG=1 whose `timing:` lines give the per-step table. */
  stepsRun?: RunResult
}

function summarize(scenario: Scenario, runs: RunResult[]): Summary {
  const good = runs.filter((r) => r.ok)
  const pool = good.length > 0 ? good : runs
  const walls = pool.map((r) => r.wallMs)
  const wallMs = median(walls)
  const typical = [...pool].sort((a, b) => Math.abs(a.wallMs - wallMs) - Math.abs(b.wallMs - wallMs))[0]
  return {
    scenario,
    runs,
    ok: runs.length > 0 && good.length === runs.length,
    wallMs,
    wallMin: Math.min(...walls),
    wallMax: Math.max(...walls),
    receivedBytes: median(pool.map((r) => r.receivedBytes)),
    sentBytes: median(pool.map((r) => r.sentBytes)),
    upstreamReceivedBytes: median(pool.map((r) => r.upstreamReceivedBytes)),
    apiRequests: Math.max(...pool.map((r) => r.apiRequests)),
    gitRequests: median(pool.map((r) => r.gitRequests)),
    maxRssKb: Math.max(...pool.map((r) => r.maxRssKb ?? NaN)),
    cpuMs: median(pool.map((r) => r.cpuMs ?? NaN)),
    ...(typical ? { typical } : {})
  }
}

interface Verdict {
  name: string
  value: string
  met: boolean | undefined
}

function verdicts(a: Summary, b: Summary, c: Summary, bundle: BundleStats | undefined, scale: Scale, d?: Summary, e?: Summary): Verdict[] {
  const atDefault = scale.name === 'default'
  const scaled = (met: boolean): boolean | undefined => (atDefault ? met : undefined)
  return [
    { name: `A/B wall time ≤ ${TARGETS.wallRatio} (default scale; a fork in the upstream network)`, value: ratio(a.wallMs, b.wallMs), met: a.ok && b.ok ? scaled(a.wallMs / b.wallMs <= TARGETS.wallRatio) : false },
    ...(d && e
      ? [{ name: `D/E wall time ≤ ${TARGETS.wallRatio} (default scale; a private duplicate)`, value: ratio(d.wallMs, e.wallMs), met: d.ok && e.ok ? scaled(d.wallMs / e.wallMs <= TARGETS.wallRatio) : false }]
      : []),
    {
      name: `A bytes received ≤ ${TARGETS.receivedRatio * 100}% of B (default scale)`,
      value: `${((a.receivedBytes / b.receivedBytes) * 100).toFixed(1)}%`,
      met: a.ok && b.ok ? scaled(a.receivedBytes / b.receivedBytes <= TARGETS.receivedRatio) : false
    },
    {
      name: `No-op: ≤ ${TARGETS.noopRequests} API requests (+1 while it reports a channel drift)`,
      value: `${c.apiRequests}${noopDrift(c) ? ` (drift to ${noopDrift(c)} reported)` : ''}`,
      met: c.ok && c.apiRequests <= noopBudget(c)
    },
    { name: 'No-op: no git transfer of upstream history', value: `${mb(c.upstreamReceivedBytes)} from upstream, ${mb(c.receivedBytes)} in all`, met: c.ok && c.upstreamReceivedBytes === 0 },
    { name: `No-op: process under ${TARGETS.noopWallMs / 1000} s wall (bundle load included)`, value: seconds(c.wallMs), met: c.ok && c.wallMs < TARGETS.noopWallMs },
    {
      name: `Bundle loads in under ${TARGETS.loadMs} ms`,
      value: bundle ? `${bundle.importMs.toFixed(0)} ms import, median of 7 (fastest ${bundle.importMinMs.toFixed(0)} ms; ${bundle.processMs.toFixed(0)} ms as a process, node alone ${bundle.nodeMs.toFixed(0)} ms)` : 'n/a',
      met: bundle ? bundle.importMs < TARGETS.loadMs : false
    }
  ]
}

function mark(met: boolean | undefined): string {
  return met === undefined ? 'n/a (smaller scale)' : met ? 'met' : 'MISSED'
}

function table(rows: string[][]): string {
  const [header, ...body] = rows
  if (!header) return ''
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n')
}

function resultsTable(a: Summary, b: Summary, c: Summary, d?: Summary, e?: Summary): string[][] {
  const row = (s: Summary): string[] => [
    SCENARIO_NAMES[s.scenario] + (s.ok ? '' : ' (FAILED)'),
    `${seconds(s.wallMs)} (${seconds(s.wallMin)}–${seconds(s.wallMax)})`,
    mb(s.receivedBytes),
    mb(s.sentBytes),
    String(s.apiRequests),
    String(s.gitRequests),
    seconds(s.cpuMs),
    Number.isFinite(s.maxRssKb) ? `${(s.maxRssKb / 1024).toFixed(0)} MB` : 'n/a'
  ]
  return [
    ['Scenario', 'wall, median (min–max)', 'git received', 'git sent', 'API requests', 'git HTTP requests', 'client CPU', 'peak RSS'],
    row(a),
    row(b),
    row(c),
    ...(d && e ? [row(d), row(e)] : []),
    ['**A/B**', ratio(a.wallMs, b.wallMs), ratio(a.receivedBytes, b.receivedBytes), ratio(a.sentBytes, b.sentBytes), '', '', ratio(a.cpuMs, b.cpuMs), ratio(a.maxRssKb, b.maxRssKb)],
    ...(d && e ? [['**D/E**', ratio(d.wallMs, e.wallMs), ratio(d.receivedBytes, e.receivedBytes), ratio(d.sentBytes, e.sentBytes), '', '', ratio(d.cpuMs, e.cpuMs), ratio(d.maxRssKb, e.maxRssKb)]] : [])
  ]
}

function stepsTable(run: RunResult | undefined): string {
  if (!run || run.steps.length === 0) return '_No `timing:` lines in the log (is RUNNER_DEBUG honoured by this build?)._'
  const total = run.wallMs
  const accounted = run.steps.reduce((sum, s) => sum + s.ms, 0)
  const rows = run.steps.map((s) => [s.step, `${s.ms} ms`, `${((s.ms / total) * 100).toFixed(0)}%`])
  rows.push(['(outside steps: node start, bundle load, summary, cleanup)', `${Math.max(0, Math.round(total - accounted))} ms`, `${(((total - accounted) / total) * 100).toFixed(0)}%`])
  return table([['Step', 'time', 'share of wall'], ...rows])
}

async function machine(load: { start: number; end: number }): Promise<string[]> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const gitVersion = (await git(['--version'])).stdout.trim()
  const commit = (await git(['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, allowFail: true })).stdout.trim() || 'unknown'
  const dirty = (await git(['status', '--porcelain', '--', 'src', 'dist'], { cwd: REPO_ROOT, allowFail: true })).stdout.trim() !== ''
  return [
    `- Machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`,
    `- Node ${process.version}, ${gitVersion}`,
    `- Load average (1 min) when the runs started / ended: ${load.start.toFixed(2)} / ${load.end.toFixed(2)} on ${os.cpus().length} cores (anything above ~0.5 means other work shared the machine and wall times are noisier)`,
    `- Commit: ${commit}${dirty ? ' (with uncommitted changes in src/ or dist/)' : ''}`,
    `- Peak memory: ${(await hasTimeBin()) ? 'ru_maxrss of the largest process in the run (/usr/bin/time -f %M)' : 'peak VmHWM polled from /proc every 50 ms (no /usr/bin/time)'}`
  ]
}

function pct(part: number, whole: number): string {
  return Number.isFinite(part) && Number.isFinite(whole) && whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : 'n/a'
}

/** A short reading of the numbers, computed from them (so it never goes stale when the numbers change). */
function reading(
  a: Summary,
  b: Summary,
  c: Summary,
  bundle: BundleStats | undefined,
  manifest: Manifest,
  profiles: Partial<Record<'A' | 'B', Profile>>,
  floor: Floor | undefined,
  d: Summary,
  e: Summary
): string[] {
  const lines: string[] = []
  const steps = a.stepsRun?.steps ?? []
  const writes = (a.typical?.apiCalls ?? []).filter((call) => !call.startsWith('GET ')).length
  if (a.ok && steps.length > 0) {
    const sorted = [...steps].sort((x, y) => y.ms - x.ms)
    const top = sorted.slice(0, 3).map((s) => `${s.step} ${seconds(s.ms)} (${((s.ms / a.wallMs) * 100).toFixed(0)}%)`)
    let text = `- **Where A's time goes**: ${top.join(', ')} of ${seconds(a.wallMs)}.`
    const profile = profiles.A
    if (profile) {
      const sum = (pattern: RegExp): number => profile.commands.filter((command) => pattern.test(command.argv)).reduce((total, command) => total + command.seconds * 1000, 0)
      const inGit = sum(/./)
      text +=
        ` In the profiled run git took ${seconds(inGit)} of ${seconds(profile.wallMs)} (fetches ${seconds(sum(/^git fetch/))}, push ${seconds(sum(/^git push/))}, ` +
        `${profile.commands.length} commands in all); the other ${seconds(profile.wallMs - inGit)} is node: start and bundle load and ${a.apiRequests} API requests, ` +
        `${writes} of them writes spaced one second apart as on github.com (GitHub's rule for content-creating requests).`
    }
    lines.push(text)
  }
  if (b.ok && profiles.B) {
    const clone = profiles.B.commands.find((command) => command.argv.startsWith('git clone'))
    if (clone) {
      const parts = clone.children.slice(0, 2).map((child) => `${child.argv.split(' ').slice(0, 2).join(' ')} ${seconds(child.seconds * 1000)}`)
      lines.push(
        `- **Where B's time goes**: the full clone, ${seconds(clone.seconds * 1000)} of ${seconds(profiles.B.wallMs)} in the profiled run (${parts.join(', ')}; then the checkout of ${manifest.fork.files} files); fetch, merge and push are the rest.`
      )
    }
  }
  if (a.ok && b.ok) {
    lines.push(
      `- **Bytes, fork in the network (A)**: A received ${mb(a.receivedBytes)} (${pct(a.receivedBytes, b.receivedBytes)} of B's ${mb(b.receivedBytes)}): ${mb(a.receivedBytes - a.upstreamReceivedBytes)} from the fork` +
        (floor ? ` (for scale: the target's ${manifest.fork.commits} commits alone pack to ${mb(floor.commitsOnly)}, with their trees to ${mb(floor.commitsAndTrees)})` : '') +
        ` and ${mb(a.upstreamReceivedBytes)} from upstream: the tag's new commits and their trees, and the blobs of the files both sides changed. ` +
        `No other upstream blob: the compare showed the fork's server has the tag's commit, so the push negotiates and sends only the merge's own objects. B received every object of the fork's history and of upstream's tags.`
    )
  }
  if (d.ok && e.ok) {
    lines.push(
      `- **Bytes, private duplicate (D)**: D received ${mb(d.receivedBytes)} (${pct(d.receivedBytes, e.receivedBytes)} of E's ${mb(e.receivedBytes)}): ${mb(d.upstreamReceivedBytes)} from upstream, the tag's new commits with their blobs, which the push must send` +
        (floor ? ` (${mb(floor.upstreamNew)} as one pack)` : '') +
        ` and, in the same request, the old versions of the files upstream changed (over HTTP git always pushes a thin pack, whose deltas need them as bases: this halves the upload); ${mb(d.receivedBytes - d.upstreamReceivedBytes)} from the fork.`
    )
  }
  if (floor && b.ok) {
    const local = floor.commitsOnly + floor.threeTrees + floor.mergeBlobs + floor.upstreamNew
    const shared = floor.threeTrees + floor.mergeBlobs
    lines.push(
      `- **The floor**: finding the merge base locally needs the target's commits, not their trees (${mb(floor.commitsOnly)} instead of ${mb(floor.commitsAndTrees)}); ` +
        `the merge itself reads three trees (${mb(floor.threeTrees)}) and the blobs of the files both sides changed (${mb(floor.mergeBlobs)}); the push needs upstream's new objects (${mb(floor.upstreamNew)}). ` +
        `That is ${mb(local)} (${pct(local, b.receivedBytes)} of B) for a private duplicate, whose push must carry upstream's new objects. ` +
        `A fork in the upstream network needs none of them: ${mb(floor.commitsOnly + shared)} with the fork's commits, about ${mb(shared)} if the merge base came from the compare API. In time: node start and bundle load (${bundle ? `${bundle.processMs.toFixed(0)} ms` : 'n/a'}), the API round trips, ` +
        `one second per write after the first on github.com, and the fetches above — B's time instead grows with the size of the whole history.`
    )
  }
  if (a.ok && b.ok && d.ok && e.ok) {
    lines.push(
      `- **Sent**: into the fork in the network, A ${mb(a.sentBytes)} (push negotiation finds the tag's commit on the server) and B ${mb(b.sentBytes)} ` +
        `(the fork's receive-pack advertises the network's refs as \`.have\` lines, as stock git does with alternates; which alternate refs GitHub advertises is not documented, so B's figure is a lower bound). ` +
        `Into the private duplicate, D ${mb(d.sentBytes)} and E ${mb(e.sentBytes)}: both push the ${manifest.commitsBehind} upstream commits it lacks.`
    )
  }
  if (c.ok) {
    lines.push(`- **No-op**: ${c.apiRequests} API request(s) (${c.typical?.apiCalls.join('; ') ?? ''}), ${c.gitRequests} git request(s), ${seconds(c.wallMs)} wall.`)
  }
  if (bundle) lines.push(`- **Bundle**: ${mb(bundle.bytes)} (dist/ ${mb(bundle.distBytes)} in all); importing it and failing input validation takes ${bundle.importMs.toFixed(0)} ms inside node, ${bundle.processMs.toFixed(0)} ms as a process, of which node itself is ${bundle.nodeMs.toFixed(0)} ms.`)
  lines.push(
    `- **Caveats**: everything runs on one machine over loopback, so B's transfer costs only CPU here; on a hosted runner fetching ${mb(b.receivedBytes)} from GitHub, B takes longer and the wall ratio moves in A's favour. ` +
      `The generated history (${mb(manifest.fork.packBytes)} packed) is lighter than the "gigabytes" of a real large fork, which also favours B. Runs alternate A B C D E to spread machine noise; the table shows min–max, and the ratios are of medians ` +
      `(the baseline alone spans ${seconds(b.wallMin)}–${seconds(b.wallMax)} here, so one run's ratio can land well off the median's). ` +
      `The fork network is the stand-in's model of GitHub's (one object store per network, read by each fork): what GitHub's receive-pack advertises from it is not documented, which is why the action's push negotiates rather than relying on it.`
  )
  return lines
}

function profileTable(profile: Profile | undefined, limit: number): string {
  if (!profile || profile.commands.length === 0) return '_Not profiled._'
  const sorted = [...profile.commands].sort((x, y) => y.seconds - x.seconds)
  const inGit = sorted.reduce((sum, command) => sum + command.seconds, 0)
  const rows = sorted.slice(0, limit).map((command) => [
    `\`${command.argv.replace(/\|/g, '\\|').replace(/`/g, "'")}\``,
    seconds(command.seconds * 1000),
    command.children
      .slice(0, 2)
      .filter((child) => child.seconds >= 0.05)
      .map((child) => `${child.argv.split(' ').slice(0, 2).join(' ')} ${seconds(child.seconds * 1000)}`)
      .join(', ')
  ])
  const rest = sorted.slice(limit)
  if (rest.length > 0) rows.push([`${rest.length} more git commands`, seconds(rest.reduce((sum, command) => sum + command.seconds, 0) * 1000), ''])
  rows.push([`**all ${sorted.length} git commands** (wall of the profiled run: ${seconds(profile.wallMs)})`, seconds(inGit * 1000), ''])
  return table([['git command', 'time', 'longest sub-processes'], ...rows])
}

function report(
  options: Options,
  manifest: Manifest,
  { a, b, c, d, e }: Record<'a' | 'b' | 'c' | 'd' | 'e', Summary>,
  bundle: BundleStats | undefined,
  machineLines: string[],
  notes: string[],
  profiles: Partial<Record<'A' | 'B', Profile>>,
  floor: Floor | undefined
): string {
  const { scale } = manifest
  const out: string[] = []
  out.push('# Benchmark results', '')
  out.push(`Generated by \`npm run bench -- --scale ${scale.name} --runs ${options.runs}\` on ${new Date().toISOString().slice(0, 10)}. Runs alternate A B C D E.`, '')
  out.push(...machineLines, '')
  out.push('## Repositories (generated, bench/generate.ts)', '')
  out.push(
    table([
      ['', 'commits', 'files', 'tags', 'pack'],
      [`upstream ${manifest.upstream.fullName} (main)`, String(manifest.upstream.commits), String(manifest.upstream.files), String(manifest.upstream.tags), mb(manifest.upstream.packBytes)],
      [`fork ${manifest.fork.fullName} (${manifest.targetBranch})`, String(manifest.fork.commits), String(manifest.fork.files), String(manifest.fork.tags), mb(manifest.fork.packBytes)]
    ]),
    ''
  )
  out.push(
    `Scale \`${scale.name}\`: ${scale.commits} commits, ${scale.files} files, ${scale.tags} tags asked; the fork is ${manifest.commitsBehind} commits behind ` +
      `\`${manifest.newestStable.tag}\` (forked at \`${manifest.baseTag.tag}\`), has ${scale.forkCommits} commits of its own and ${manifest.conflicts.length} files conflicting with the tag. ` +
      `Tags by channel: ${Object.entries(manifest.tagChannels)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}. File text gzips ${manifest.sampleCompressionRatio}x (source-like); big generated files of ${(1.2 * scale.bigFileFactor).toFixed(1)}–${(4 * scale.bigFileFactor).toFixed(1)} MB and docs images are included.`,
    ''
  )
  out.push('## Results', '')
  out.push(table(resultsTable(a, b, c, d, e)), '')
  out.push(
    'A, B and C use the fork as GitHub\'s Fork button makes it: in the upstream\'s fork network, whose objects GitHub stores once for all its repositories. ' +
      'D and E run the same sync on a private duplicate of it (an imported or mirrored copy, no shared objects), as companies keep private forks of public projects.',
    ''
  )
  out.push(
    'Bytes are git HTTP bodies counted by the stand-in (received = what it sent, sent = what it received on the wire); API requests from its request log. ' +
      "Client CPU is user + system time of the run's own processes (node, git, remote helpers), not the stand-in's; it is less sensitive to a busy machine than wall time.",
    ''
  )
  out.push('## Targets (issue 6)', '')
  out.push(table([['Target', 'measured', ''], ...verdicts(a, b, c, bundle, scale, d, e).map((v) => [v.name, v.value, mark(v.met)])]), '')
  out.push('## Where the time goes', '')
  out.push(
    "From one extra run of each with RUNNER_DEBUG=1 (its `::debug::timing:` lines), after the measured runs: those run without debug, as users run the action (debug mode starts a `git count-objects` before and after each fetch for its figures).",
    ''
  )
  out.push(`A:`, '', stepsTable(a.stepsRun), '')
  out.push(`C, the no-op run:`, '', stepsTable(c.stepsRun), '')
  out.push(`D, the sync into the private duplicate:`, '', stepsTable(d.stepsRun), '')
  out.push(
    'git commands of one extra profiled run of each (GIT_TRACE2_EVENT; not one of the measured runs). Times are each process\'s own wall time; sub-processes run inside it.',
    '',
    '**A** (longest first):',
    '',
    profileTable(profiles.A, 12),
    '',
    '**B**:',
    '',
    profileTable(profiles.B, 8),
    ''
  )
  out.push(
    '## The floor',
    '',
    'What a merge of the tag needs at the least, in bytes: packs made with `git pack-objects --stdout` on the generated repositories (deltas inside each pack).',
    '',
    floorTable(floor, a, b, manifest),
    ''
  )
  out.push('## Reading', '', ...reading(a, b, c, bundle, manifest, profiles, floor, d, e), ...notes, '')
  const failures = [a, b, c, d, e].flatMap((s) => s.runs.filter((r) => !r.ok).map((r) => `### ${SCENARIO_NAMES[r.scenario]}\n\n\`\`\`\n${r.failure ?? ''}\n\`\`\``))
  if (failures.length > 0) out.push('## Failed runs', '', ...failures, '')
  return out.join('\n')
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2))
  const log = (message: string): void => console.log(message)
  const manifest = await generate(options.scale, { log })

  let bundle: BundleStats | undefined
  const notes: string[] = []
  const actionBuilt = await fs.access(ACTION_ENTRY).then(
    () => true,
    () => false
  )
  if (!actionBuilt) notes.push(`- ${path.relative(REPO_ROOT, ACTION_ENTRY)} is missing (run \`npm run build\`): A and C could not run.`)
  if (!(await hasTimeBin())) log(`${TIME_BIN} not found: peak memory is polled from /proc (approximate).`)

  const tempRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-sync-bench-'))
  const runs = await runsFolder(tempRoot)
  const results: Record<Scenario, RunResult[]> = { A: [], B: [], C: [], D: [], E: [] }
  const profiles: Partial<Record<'A' | 'B', Profile>> = {}
  const stepRuns: Partial<Record<'A' | 'C' | 'D', RunResult>> = {}
  let loadStart = NaN
  let loadEnd = NaN
  try {
    const bench = new Bench(manifest, tempRoot, runs.dir, options.cpuProfiles)
    await bench.prepareRoot()
    const missing = (scenario: Scenario): RunResult => ({
      scenario,
      ok: false,
      failure: 'dist/index.js is missing',
      wallMs: NaN,
      receivedBytes: NaN,
      sentBytes: NaN,
      upstreamReceivedBytes: NaN,
      gitRequests: NaN,
      apiRequests: NaN,
      apiCalls: [],
      outputs: {},
      steps: [],
      log: ''
    })
    loadStart = os.loadavg()[0] ?? NaN
    for (let round = 1; round <= options.runs; round++) {
      for (const scenario of ['A', 'B', 'C', 'D', 'E'] as const) {
        if (options.only && !options.only.includes(scenario)) continue
        await bench.resetFork(DUPLICATE.has(scenario))
        const result = scenario === 'B' || scenario === 'E' ? await bench.baseline(scenario) : actionBuilt ? await bench.action(scenario) : missing(scenario)
        results[scenario].push(result)
        if (options.logsDir) {
          await fs.mkdir(options.logsDir, { recursive: true })
          await fs.writeFile(path.join(options.logsDir, `run-${round}-${scenario}.log`), result.log)
        }
        log(
          `run ${round}/${options.runs} ${scenario}: ${result.ok ? 'ok' : 'FAILED'} ${seconds(result.wallMs)}, received ${mb(result.receivedBytes)}, sent ${mb(result.sentBytes)}, ` +
            `${result.apiRequests} API requests${result.outputs.result ? `, result ${result.outputs.result}` : ''}${result.outputs['merge-status'] ? ` (${result.outputs['merge-status']})` : ''}`
        )
        if (!result.ok && result.failure) log(result.failure.replace(/^/gm, '    '))
      }
    }
    loadEnd = os.loadavg()[0] ?? NaN
    for (const scenario of ['A', 'C', 'D'] as const) {
      if (!actionBuilt || (options.only && !options.only.includes(scenario))) continue
      await bench.resetFork(DUPLICATE.has(scenario))
      const result = await bench.action(scenario, { debug: true })
      stepRuns[scenario] = result
      if (options.logsDir) await fs.mkdir(options.logsDir, { recursive: true }).then(() => fs.writeFile(path.join(options.logsDir as string, `debug-${scenario}.log`), result.log))
      log(`debug run ${scenario} (step timings, not measured): ${result.ok ? 'ok' : 'FAILED'} ${seconds(result.wallMs)}`)
    }
    if (options.only) {
      for (const scenario of options.only) {
        const walls = results[scenario].filter((result) => result.ok).map((result) => result.wallMs)
        log(`${SCENARIO_NAMES[scenario]}: median ${walls.length > 0 ? seconds(median(walls)) : '-'} of ${walls.length} good run(s)`)
      }
      return options.only.every((scenario) => results[scenario].every((result) => result.ok)) ? 0 : 1
    }
    if (options.profile) {
      for (const scenario of ['A', 'B'] as const) {
        if (scenario === 'A' && !results.A.some((r) => r.ok)) continue
        await bench.resetFork()
        const trace = path.join(options.logsDir ?? tempRoot, `profile-${scenario}.trace2`)
        await fs.mkdir(path.dirname(trace), { recursive: true })
        // trace2 appends: start from an empty file, or a kept log of an earlier bench would be counted again.
        await fs.rm(trace, { force: true })
        const result = scenario === 'A' ? await bench.action('A', { trace }) : await bench.baseline('B', trace)
        const commands = gitCommands(await fs.readFile(trace, 'utf8').catch(() => ''))
        if (result.ok) profiles[scenario] = { wallMs: result.wallMs, commands }
        log(`profile ${scenario}: ${result.ok ? 'ok' : 'FAILED'} ${seconds(result.wallMs)}, ${commands.length} git commands, ${seconds(commands.reduce((sum, c) => sum + c.seconds, 0) * 1000)} in git`)
      }
    }
    if (actionBuilt) bundle = await bundleStats(tempRoot)
  } finally {
    await fs.rm(tempRoot, { recursive: true, force: true })
    if (runs.dir !== tempRoot) await fs.rm(runs.dir, { recursive: true, force: true })
  }

  const a = { ...summarize('A', results.A), ...(stepRuns.A ? { stepsRun: stepRuns.A } : {}) }
  const b = summarize('B', results.B)
  const c = { ...summarize('C', results.C), ...(stepRuns.C ? { stepsRun: stepRuns.C } : {}) }
  const d = { ...summarize('D', results.D), ...(stepRuns.D ? { stepsRun: stepRuns.D } : {}) }
  const e = summarize('E', results.E)
  const synced = a.typical?.outputs
  if (synced?.tag && synced.tag !== manifest.newestStable.tag) notes.push(`- Note: the action chose ${synced.tag}, the generator's newest stable tag is ${manifest.newestStable.tag}.`)
  if (synced?.conflicts) {
    const count = (JSON.parse(synced.conflicts) as string[]).length
    if (count !== manifest.conflicts.length) notes.push(`- Note: the action reported ${count} conflicted files, \`git merge-tree\` ${manifest.conflicts.length}.`)
  }

  const machineLines = [...(await machine({ start: loadStart, end: loadEnd })), `- Run folders (the script's clone, the action's RUNNER_TEMP): ${runs.label}; see runsFolder() in bench/run.ts for why`]
  const floor = await floorReference(manifest).catch((error: unknown) => {
    notes.push(`- The floor could not be computed: ${error instanceof Error ? error.message : String(error)}`)
    return undefined
  })
  const text = report(options, manifest, { a, b, c, d, e }, bundle, machineLines, notes, profiles, floor)
  await fs.mkdir(path.dirname(options.resultsFile), { recursive: true })
  await fs.writeFile(options.resultsFile, text)
  console.log('')
  console.log(table(resultsTable(a, b, c, d, e)))
  console.log('')
  for (const v of verdicts(a, b, c, bundle, manifest.scale, d, e)) console.log(`${mark(v.met).padEnd(20)} ${v.name}: ${v.value}`)
  console.log(`\nWritten to ${path.relative(process.cwd(), options.resultsFile)}`)

  if (!options.check) return 0
  const problems: string[] = []
  if (!a.ok) problems.push('the action run (A) failed')
  if (!b.ok) problems.push('the baseline run (B) failed')
  if (!c.ok) problems.push('the no-op action run (C) failed')
  if (!d.ok) problems.push('the action run on a private duplicate (D) failed')
  if (!e.ok) problems.push('the baseline run on a private duplicate (E) failed')
  if (d.ok && e.ok && !(d.receivedBytes < e.receivedBytes)) problems.push(`on the private duplicate the action received ${mb(d.receivedBytes)}, not less than the baseline's ${mb(e.receivedBytes)}`)
  if (a.ok && b.ok && !(a.receivedBytes < b.receivedBytes)) problems.push(`the action received ${mb(a.receivedBytes)}, not less than the baseline's ${mb(b.receivedBytes)}`)
  if (c.ok && c.apiRequests > noopBudget(c)) problems.push(`the no-op run made ${c.apiRequests} API requests (budget ${noopBudget(c)}): ${c.typical?.apiCalls.join('; ')}`)
  if (problems.length > 0) {
    console.error(`bench --check failed: ${problems.join('; ')}.`)
    return 1
  }
  console.log(`bench --check passed: the action received ${mb(a.receivedBytes)} vs the baseline's ${mb(b.receivedBytes)}; the no-op run made ${c.apiRequests} API requests.`)
  return 0
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main()
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      process.exit(1)
    })
}
