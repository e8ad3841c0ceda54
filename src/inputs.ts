/**
 * The action's inputs and runner environment, read and validated once, before any network call. Everything after
 * this module works with typed `ActionInputs`; nothing else reads an input.
 *
 * Every error names the input and says how to fix it: a maintainer reads it in the job log at 3 a.m.
 */
import os from 'node:os'
import { isInlineTemplate, parseRulesInput } from './config.js'
import { InputError } from './errors.js'
import type { Runner } from './runner.js'
import { Git } from './git/git.js'
import { validateTemplate } from './report.js'
import { compileChannel, parseDuration, parsePatternList, parseVersionInput, type Channel, type Version } from './releases.js'
import type { PathRule, RepoId } from './types.js'

export { InputError }

export interface Identity {
  name: string
  email: string
}

export interface ActionInputs {
  token: string
  /** Web and git host, e.g. https://github.com or a GitHub Enterprise Server URL (GITHUB_SERVER_URL). */
  serverUrl: string
  /** REST API root (GITHUB_API_URL). */
  apiUrl: string
  /** The fork this workflow runs in (GITHUB_REPOSITORY). */
  fork: RepoId
  upstream: RepoId
  /** Undefined: the fork's default branch. */
  targetBranch?: string
  /** The tag channel: `tag-pattern` minus `exclude-pattern`, compiled (bad globs fail here). */
  channel: Channel
  /** Sync exactly this tag. */
  tag?: string
  requireRelease: boolean
  /** `current-version` parsed: the fork's own upstream version as a lower bound. */
  currentVersion?: Version
  versionFile?: string
  versionPattern: string
  /** Undefined: no wait. */
  minReleaseAgeMs?: number
  supersede: boolean
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
  author: Identity
  slackWebhookUrl?: string
  webhookUrl?: string
  dispatchWorkflow?: string
  mirrorBranch?: string
  /** Where the action keeps its own repository and report file. */
  runnerTemp: string
  /** Link to this workflow run, when the runner environment tells it. */
  runUrl?: string
}

/** The runner the inputs are read from: set by readInputs for the helpers below. */
let current: Pick<Runner, 'input' | 'env' | 'setSecret'>

/** Reads an input the way @actions/core does (INPUT_<NAME>, spaces as underscores), trimmed. */
function input(name: string): string {
  return current.input(name).trim()
}

/** Comma- and/or newline-separated list, blanks dropped. */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
}

function parseBoolean(name: string, fallback: boolean): boolean
function parseBoolean(name: string, fallback: undefined): boolean | undefined
function parseBoolean(name: string, fallback: boolean | undefined): boolean | undefined {
  const value = input(name)
  if (value === '') return fallback
  if (/^(true|yes|on)$/i.test(value)) return true
  if (/^(false|no|off)$/i.test(value)) return false
  throw new InputError(`Input '${name}' must be true or false, got "${value}".`)
}

const REPO_PATTERN = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/

export function parseRepo(name: string, value: string): RepoId {
  const cleaned = value.replace(/\.git$/, '')
  const match = REPO_PATTERN.exec(cleaned)
  if (!match || cleaned.endsWith('/.') || cleaned.endsWith('/..')) {
    throw new InputError(`${name} must be owner/name (for example BerriAI/litellm), got "${value}".`)
  }
  return { owner: match[1] as string, repo: match[2] as string }
}

function parseIdentity(value: string): Identity {
  const match = /^\s*(.+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value)
  if (!match) {
    throw new InputError(`Input 'commit-author' must look like "Name <email@example.com>", got "${value}".`)
  }
  return { name: match[1] as string, email: match[2] as string }
}

function parseUrl(name: string, value: string): string | undefined {
  if (value === '') return undefined
  current.setSecret(value) // webhook URLs carry their credential in the path
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError(`Input '${name}' must be an http(s) URL; the value given is not a URL.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`Input '${name}' must be an http(s) URL; it uses ${url.protocol}.`)
  }
  return value
}

function parseRegex(name: string, value: string): string {
  try {
    new RegExp(value, 'm')
  } catch (error) {
    throw new InputError(`Input '${name}' is not a valid regular expression: ${(error as Error).message}.`)
  }
  if (!/\((?!\?)/.test(value)) {
    throw new InputError(`Input '${name}' needs a capture group around the version, for example ^version\\s*=\\s*"(.+)".`)
  }
  return value
}

/** A repository-relative path: no absolute paths, no `..`, so nothing outside the fork is read. */
function parseRepoPath(name: string, value: string): string {
  const normalized = value.replace(/^\.\//, '')
  if (normalized === '' || normalized.startsWith('/') || normalized.split('/').includes('..')) {
    throw new InputError(`Input '${name}' must be a path inside the repository such as .github/upstream-sync.yml, got "${value}".`)
  }
  return normalized
}

function trimUrl(value: string): string {
  return value.replace(/\/+$/, '')
}

/**
 * Reads and validates every input and the runner environment. Throws InputError with one clear message on the first
 * problem; makes no network call.
 */
export async function readInputs(runner: Pick<Runner, 'input' | 'env' | 'setSecret'>): Promise<ActionInputs> {
  current = runner
  const env = runner.env
  const token = input('github-token')
  if (token === '') {
    throw new InputError(
      "Input 'github-token' is empty. Pass a token, for example `github-token: ${{ secrets.GITHUB_TOKEN }}` (the default), a PAT or a GitHub App token."
    )
  }
  runner.setSecret(token)

  const forkName = env.GITHUB_REPOSITORY ?? ''
  if (forkName === '') {
    throw new InputError('GITHUB_REPOSITORY is not set: run this action in a GitHub Actions workflow (or set it to owner/name).')
  }
  const fork = parseRepo('GITHUB_REPOSITORY', forkName)
  const upstreamValue = input('upstream-repository')
  if (upstreamValue === '') {
    throw new InputError("Input 'upstream-repository' is required: the upstream project as owner/name, for example BerriAI/litellm.")
  }
  const upstream = parseRepo("Input 'upstream-repository'", upstreamValue)
  if (upstream.owner.toLowerCase() === fork.owner.toLowerCase() && upstream.repo.toLowerCase() === fork.repo.toLowerCase()) {
    throw new InputError(`Input 'upstream-repository' names this repository itself (${forkName}); give the upstream project instead.`)
  }

  const targetBranch = input('target-branch') || undefined
  if (targetBranch !== undefined && !(await Git.isValidRefName(`refs/heads/${targetBranch}`))) {
    throw new InputError(`Input 'target-branch' is not a valid branch name: "${targetBranch}".`)
  }
  const branchPrefix = input('branch-prefix')
  if (branchPrefix === '' || !(await Git.isValidRefName(`refs/heads/${branchPrefix}v1.0.0`))) {
    throw new InputError(`Input 'branch-prefix' must make valid branch names (for example upstream-sync/), got "${branchPrefix}".`)
  }
  if (targetBranch !== undefined && targetBranch.startsWith(branchPrefix)) {
    throw new InputError(`Input 'target-branch' (${targetBranch}) starts with 'branch-prefix' (${branchPrefix}); the sync branches must be separate from the target.`)
  }
  const tag = input('tag') || undefined
  if (tag !== undefined && !(await Git.isValidRefName(`refs/tags/${tag}`))) {
    throw new InputError(`Input 'tag' is not a valid tag name: "${tag}".`)
  }

  const channel = asInputError(() =>
    compileChannel({ include: parsePatternList(input('tag-pattern')), exclude: parsePatternList(input('exclude-pattern')) })
  )

  const labels = parseList(input('labels'))
  const cleanLabel = input('clean-label')
  const conflictLabel = input('conflict-label')
  const autoResolvedLabel = input('auto-resolved-label')
  for (const [name, value] of [
    ['clean-label', cleanLabel],
    ['conflict-label', conflictLabel],
    ['auto-resolved-label', autoResolvedLabel]
  ] as const) {
    if (value === '') throw new InputError(`Input '${name}' must not be empty.`)
  }
  for (const label of [...labels, cleanLabel, conflictLabel, autoResolvedLabel]) {
    if (label.length > 50) throw new InputError(`Label "${label}" is longer than GitHub's 50 characters; shorten it in 'labels'.`)
  }
  if (cleanLabel === conflictLabel) {
    throw new InputError(`Inputs 'clean-label' and 'conflict-label' must differ (both are "${cleanLabel}").`)
  }

  const currentValue = input('current-version')
  const currentVersion = currentValue ? asInputError(() => parseVersionInput(currentValue, 'current-version')) : undefined
  const versionFileValue = input('version-file')
  const versionFile = versionFileValue ? parseRepoPath('version-file', versionFileValue) : undefined
  const versionPattern = parseRegex('version-pattern', input('version-pattern') || '^version\\s*=\\s*"(.+)"')
  const minReleaseAgeMs = asInputError(() => parseDuration(input('min-release-age'), 'min-release-age'))

  const rulesValue = input('rules')
  const rules = rulesValue ? parseRulesInput(rulesValue) : undefined
  const templateValue = runner.input('template').trim() === '' ? undefined : runner.input('template')
  if (templateValue !== undefined && isInlineTemplate(templateValue)) {
    asInputError(() => validateTemplate(templateValue, "Input 'template'"))
  }
  const checklistValue = runner.input('checklist')
  const serverUrl = trimUrl(env.GITHUB_SERVER_URL || 'https://github.com')
  const apiUrl = trimUrl(env.GITHUB_API_URL || 'https://api.github.com')
  const runUrl =
    env.GITHUB_RUN_ID !== undefined && env.GITHUB_RUN_ID !== ''
      ? `${serverUrl}/${fork.owner}/${fork.repo}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined

  return {
    token,
    serverUrl,
    apiUrl,
    fork,
    upstream,
    targetBranch,
    channel,
    tag,
    requireRelease: parseBoolean('require-release', false),
    currentVersion,
    versionFile,
    versionPattern,
    minReleaseAgeMs,
    supersede: parseBoolean('supersede', true),
    branchPrefix,
    labels,
    cleanLabel,
    conflictLabel,
    autoResolvedLabel,
    dryRun: parseBoolean('dry-run', false),
    configFile: parseRepoPath('config-file', input('config-file') || '.github/upstream-sync.yml'),
    rules,
    template: templateValue,
    checklist: checklistValue.trim() === '' ? undefined : parseChecklist(checklistValue),
    autoResolve: parseBoolean('auto-resolve', undefined),
    author: parseIdentity(input('commit-author') || 'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>'),
    slackWebhookUrl: parseUrl('slack-webhook-url', input('slack-webhook-url')),
    webhookUrl: parseUrl('webhook-url', input('webhook-url')),
    dispatchWorkflow: input('dispatch-workflow') || undefined,
    mirrorBranch: await parseMirrorBranch(input('mirror-branch'), targetBranch, branchPrefix),
    runnerTemp: env.RUNNER_TEMP || os.tmpdir(),
    runUrl
  }
}

/** Re-throws a validation error of another module as an InputError naming the input. */
function asInputError<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new InputError(/^Input '/.test(message) ? message : `Input ${message.replace(/^([a-z-]+)\b/, "'$1'")}`)
  }
}

/** Checklist items, one a line; a leading `- [ ]` or `-` is accepted and dropped. */
export function parseChecklist(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*[-*]\s*(\[[ xX]\]\s*)?/, '').trim())
    .filter((line) => line.length > 0)
}

async function parseMirrorBranch(value: string, target: string | undefined, prefix: string): Promise<string | undefined> {
  if (value === '') return undefined
  if (!(await Git.isValidRefName(`refs/heads/${value}`))) {
    throw new InputError(`Input 'mirror-branch' is not a valid branch name: "${value}".`)
  }
  if (value === target || value.startsWith(prefix)) {
    throw new InputError(`Input 'mirror-branch' (${value}) must differ from the target branch and the sync branches.`)
  }
  return value
}
