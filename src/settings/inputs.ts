/**
 * The action's inputs and runner environment, read and validated once, before any network call, synchronously and
 * without starting a process. Everything after this module works with typed `ActionInputs`; nothing else reads an
 * input.
 *
 * One table, {@link INPUTS}, says how each input of action.yml is parsed. The runner fills in action.yml's defaults;
 * where a blank value must mean that default too, the table repeats it and a unit test keeps the two equal.
 *
 * Every error names the input and says how to fix it: a maintainer reads it in the job log at 3 a.m.
 */
import os from 'node:os'
import { inputError } from '../errors.js'
import { CHANNEL_SOURCES, compileChannel, parsePatternList, type Channel } from '../releases/channel.js'
import { PICK_MODES, type PickMode } from '../releases/decision.js'
import { parseVersionInput, type Version } from '../releases/version.js'
import type { Runner } from '../runner.js'
import type { PathRule, RepoId } from '../types.js'
import {
  parseBoolean,
  parseChecklist,
  parseDuration,
  parseHttpUrl,
  parseIdentity,
  parseList,
  parseRepo,
  parseRepoPath,
  parseVersionRegex,
  trimUrl,
  type Identity
} from './parse.js'
import { parseRebrandInput, type RebrandRule } from '../merge/rebrand-rules.js'
import { parseRulesInput } from './policy.js'
import { isValidRefName } from '../git/refname.js'
import { parseUpstreamApiUrl, parseUpstreamServerUrl, resolveUpstreamHost, type UpstreamHost } from './upstream-host.js'

export interface ActionInputs {
  token: string
  /** Web and git host, e.g. https://github.com or a GitHub Enterprise Server URL (GITHUB_SERVER_URL). */
  serverUrl: string
  /** REST API root (GITHUB_API_URL). */
  apiUrl: string
  /** The fork this workflow runs in (GITHUB_REPOSITORY). */
  fork: RepoId
  upstream: RepoId
  /** The upstream's server, API and token: the fork's own unless `upstream-server-url` names another server. */
  upstreamHost: UpstreamHost
  /** Undefined: the fork's default branch. */
  targetBranch?: string
  /** The channel: `channel` with `tag-pattern` minus `exclude-pattern`, compiled (bad globs fail here). */
  channel: Channel
  /** `upstream-branch` for `channel: branch`; undefined: upstream's default branch. */
  upstreamBranch?: string
  /** `pick`: the newest eligible release, or the next one the target lacks. */
  pick: PickMode
  /** Sync exactly this tag. */
  tag?: string
  /** `auto`: wait for a tag's release when upstream publishes releases for the channel (releases/choose.ts). */
  requireRelease: boolean | 'auto'
  /** `current-version` parsed: the fork's own upstream version as a lower bound. */
  currentVersion?: Version
  versionFile?: string
  versionPattern: string
  /** Undefined: no wait. */
  minReleaseAgeMs?: number
  supersede: boolean
  /** Keep the `Upstream sync dashboard` issue in the fork. */
  dashboard: boolean
  branchPrefix: string
  labels: string[]
  cleanLabel: string
  conflictLabel: string
  autoResolvedLabel: string
  dryRun: boolean
  configFile: string
  /** Inline overrides of the config file; undefined means "use the file's value". Validated here, before any call. */
  rules?: PathRule[]
  template?: string
  checklist?: string[]
  autoResolve?: boolean
  rebrand?: RebrandRule[]
  author: Identity
  slackWebhookUrl?: string
  webhookUrl?: string
  dispatchWorkflow?: string
  mirrorBranch?: string
  /**
   * Set when the run was triggered by a `push` to one of the sync branches (a maintainer's resolution): the run is
   * about that branch's tag only, so `tag` is its tag, and it supersedes nothing and leaves the mirror branch alone.
   */
  pushedBranch?: string
  /** Where the action keeps its own repository and report file. */
  runnerTemp: string
  /** Link to this workflow run, when the runner environment tells it. */
  runUrl?: string
}

/** How one input is read. */
interface InputSpec<T> {
  /** Parses the value (trimmed unless `raw`); `name` is the input's name, for the error message. */
  parse(value: string, name: string): T
  /** What a blank value stands for: action.yml's default for this input. */
  blank?: string
  /** Passed untrimmed: multi-line text whose layout matters. */
  raw?: boolean
  /** Masked in the log before it is parsed: it carries a credential. */
  secret?: boolean
}

/** A blank value is `undefined` (action.yml: empty means "not set"); anything else goes to `parse`. */
function optional<T>(parse: (value: string, name: string) => T): (value: string, name: string) => T | undefined {
  return (value, name) => (value.trim() === '' ? undefined : parse(value, name))
}

function nonEmpty(value: string, name: string): string {
  if (value === '') throw inputError(`Input '${name}' must not be empty.`)
  return value
}

function oneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  const found = allowed.find((option) => option === value.toLowerCase())
  if (found === undefined) throw inputError(`Input '${name}' must be one of ${allowed.join(', ')}, got "${value}".`)
  return found
}

function branchName(value: string, name: string): string {
  if (!isValidRefName(`refs/heads/${value}`)) throw inputError(`Input '${name}' is not a valid branch name: "${value}".`)
  return value
}

/**
 * The inputs, in the order they are checked (the first problem is the one reported), each with its parser. Every
 * input of action.yml is here; a unit test checks that and that each `blank` equals action.yml's default.
 */
export const INPUTS = {
  'github-token': {
    secret: true,
    parse: (value: string) => {
      if (value !== '') return value
      throw inputError(
        "Input 'github-token' is empty. Pass a token, for example `github-token: ${{ secrets.GITHUB_TOKEN }}` (the default), a PAT or a GitHub App token."
      )
    }
  },
  'upstream-repository': {
    parse: (value: string) => {
      if (value === '') throw inputError("Input 'upstream-repository' is required: the upstream project as owner/name, for example BerriAI/litellm.")
      return parseRepo("Input 'upstream-repository'", value)
    }
  },
  'upstream-server-url': { parse: optional(parseUpstreamServerUrl) },
  'upstream-api-url': { parse: optional(parseUpstreamApiUrl) },
  'upstream-token': { secret: true, parse: optional((value: string) => value) },
  'target-branch': { parse: optional(branchName) },
  'branch-prefix': {
    parse: (value: string, name: string) => {
      if (value === '' || !isValidRefName(`refs/heads/${value}v1.0.0`)) {
        throw inputError(`Input '${name}' must make valid branch names (for example upstream-sync/), got "${value}".`)
      }
      return value
    }
  },
  tag: {
    parse: optional((value: string, name: string) => {
      if (!isValidRefName(`refs/tags/${value}`)) throw inputError(`Input '${name}' is not a valid tag name: "${value}".`)
      return value
    })
  },
  channel: { parse: (value: string, name: string) => oneOf(value, name, CHANNEL_SOURCES), blank: 'tags' },
  'upstream-branch': { parse: optional(branchName) },
  pick: { parse: (value: string, name: string) => oneOf(value, name, PICK_MODES), blank: 'newest' },
  'tag-pattern': { parse: parsePatternList },
  'exclude-pattern': { parse: parsePatternList },
  labels: { parse: parseList },
  'clean-label': { parse: nonEmpty },
  'conflict-label': { parse: nonEmpty },
  'auto-resolved-label': { parse: nonEmpty },
  'current-version': { parse: optional(parseVersionInput) },
  'version-file': { parse: optional(parseRepoPath) },
  'version-pattern': { parse: parseVersionRegex, blank: '^version\\s*=\\s*"(.+)"' },
  'min-release-age': { parse: parseDuration },
  rules: { parse: optional(parseRulesInput) },
  template: { raw: true, parse: optional((value: string) => value) },
  'require-release': { parse: (value: string, name: string) => (/^auto$/i.test(value) ? ('auto' as const) : parseBoolean(value, name)), blank: 'auto' },
  supersede: { parse: parseBoolean, blank: 'true' },
  dashboard: { parse: parseBoolean, blank: 'false' },
  'dry-run': { parse: parseBoolean, blank: 'false' },
  'config-file': { parse: parseRepoPath, blank: '.github/upstream-sync.yml' },
  checklist: { raw: true, parse: optional(parseChecklist) },
  'auto-resolve': { parse: optional(parseBoolean) },
  rebrand: { raw: true, parse: optional((value: string) => parseRebrandInput(value)) },
  'commit-author': { parse: parseIdentity, blank: 'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>' },
  'slack-webhook-url': { secret: true, parse: optional(parseHttpUrl) },
  'webhook-url': { secret: true, parse: optional(parseHttpUrl) },
  'dispatch-workflow': { parse: optional((value: string) => value) },
  'mirror-branch': { parse: optional(branchName) }
} satisfies Record<string, InputSpec<unknown>>

export type InputName = keyof typeof INPUTS
type ParsedInputs = { [Name in InputName]: ReturnType<(typeof INPUTS)[Name]['parse']> }

/** Reads every input of the table through the runner, in table order. */
function readTable(runner: Pick<Runner, 'input' | 'setSecret'>): ParsedInputs {
  const parsed: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(INPUTS) as Array<[InputName, InputSpec<unknown>]>) {
    const raw = runner.input(name)
    let value = spec.raw ? raw : raw.trim()
    if (spec.blank !== undefined && value.trim() === '') value = spec.blank
    if (spec.secret && value !== '') runner.setSecret(value)
    parsed[name] = spec.parse(value, name)
  }
  return parsed as ParsedInputs
}

/**
 * The tag of a run triggered by a `push` to a sync branch (`GITHUB_EVENT_NAME` push, `GITHUB_REF`
 * `refs/heads/<branch-prefix><tag>`); undefined for any other trigger or branch.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#push
 */
export function pushedSyncTag(env: Record<string, string | undefined>, branchPrefix: string): string | undefined {
  if (env.GITHUB_EVENT_NAME !== 'push') return undefined
  const prefix = `refs/heads/${branchPrefix}`
  const ref = env.GITHUB_REF ?? ''
  return ref.startsWith(prefix) && ref.length > prefix.length ? ref.slice(prefix.length) : undefined
}

/**
 * Reads and validates every input and the runner environment. Throws an input UserError with one clear message on
 * the first problem; makes no network call and starts no process.
 */
export function readInputs(runner: Pick<Runner, 'input' | 'env' | 'setSecret'>): ActionInputs {
  const env = runner.env
  const forkName = env.GITHUB_REPOSITORY ?? ''
  if (forkName === '') {
    throw inputError('GITHUB_REPOSITORY is not set: run this action in a GitHub Actions workflow (or set it to owner/name).')
  }
  const fork = parseRepo('GITHUB_REPOSITORY', forkName)
  const read = readTable(runner)

  const serverUrl = trimUrl(env.GITHUB_SERVER_URL || 'https://github.com')
  const apiUrl = trimUrl(env.GITHUB_API_URL || 'https://api.github.com')
  const upstreamHost = resolveUpstreamHost(
    { serverUrl: read['upstream-server-url'], apiUrl: read['upstream-api-url'], token: read['upstream-token'] },
    { serverUrl, apiUrl, token: read['github-token'] }
  )
  const upstream = read['upstream-repository']
  // On another server the upstream may well carry the fork's own name (an Enterprise fork named like its project).
  if (upstreamHost.sameServer && upstream.owner.toLowerCase() === fork.owner.toLowerCase() && upstream.repo.toLowerCase() === fork.repo.toLowerCase()) {
    throw inputError(`Input 'upstream-repository' names this repository itself (${forkName}); give the upstream project instead.`)
  }
  const targetBranch = read['target-branch']
  const branchPrefix = read['branch-prefix']
  if (targetBranch !== undefined && targetBranch.startsWith(branchPrefix)) {
    throw inputError(`Input 'target-branch' (${targetBranch}) starts with 'branch-prefix' (${branchPrefix}); the sync branches must be separate from the target.`)
  }
  const channel = compileChannel({ include: read['tag-pattern'], exclude: read['exclude-pattern'], source: read.channel })
  if (read['upstream-branch'] !== undefined && channel.source !== 'branch') {
    throw inputError(`Input 'upstream-branch' applies only with channel: branch (channel is ${channel.source}); set channel: branch or remove upstream-branch.`)
  }
  if (read.pick === 'next' && channel.source === 'branch') {
    throw inputError("Input 'pick: next' picks among releases and does not apply with channel: branch; remove pick or use channel: tags or releases.")
  }
  const labels = read.labels
  const cleanLabel = read['clean-label']
  const conflictLabel = read['conflict-label']
  const autoResolvedLabel = read['auto-resolved-label']
  for (const label of [...labels, cleanLabel, conflictLabel, autoResolvedLabel]) {
    if (label.length > 50) throw inputError(`Label "${label}" is longer than GitHub's 50 characters; shorten it in 'labels'.`)
  }
  if (cleanLabel === conflictLabel) {
    throw inputError(`Inputs 'clean-label' and 'conflict-label' must differ (both are "${cleanLabel}").`)
  }
  const mirrorBranch = read['mirror-branch']
  if (mirrorBranch !== undefined && (mirrorBranch === targetBranch || mirrorBranch.startsWith(branchPrefix))) {
    throw inputError(`Input 'mirror-branch' (${mirrorBranch}) must differ from the target branch and the sync branches.`)
  }

  const pushedTag = pushedSyncTag(env, branchPrefix)
  return {
    token: read['github-token'],
    serverUrl,
    apiUrl,
    fork,
    upstream,
    upstreamHost,
    targetBranch,
    channel,
    upstreamBranch: read['upstream-branch'],
    pick: read.pick,
    tag: pushedTag ?? read.tag,
    requireRelease: read['require-release'],
    currentVersion: read['current-version'],
    versionFile: read['version-file'],
    versionPattern: read['version-pattern'],
    minReleaseAgeMs: read['min-release-age'],
    supersede: pushedTag === undefined && read.supersede,
    dashboard: read.dashboard,
    branchPrefix,
    labels,
    cleanLabel,
    conflictLabel,
    autoResolvedLabel,
    dryRun: read['dry-run'],
    configFile: read['config-file'],
    rules: read.rules,
    template: read.template,
    checklist: read.checklist,
    autoResolve: read['auto-resolve'],
    rebrand: read.rebrand,
    author: read['commit-author'],
    slackWebhookUrl: read['slack-webhook-url'],
    webhookUrl: read['webhook-url'],
    dispatchWorkflow: read['dispatch-workflow'],
    ...(pushedTag === undefined ? { mirrorBranch } : { pushedBranch: branchPrefix + pushedTag }),
    runnerTemp: env.RUNNER_TEMP || os.tmpdir(),
    runUrl: env.GITHUB_RUN_ID ? `${serverUrl}/${fork.owner}/${fork.repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined
  }
}
