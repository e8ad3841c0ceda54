import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { parse as parseYaml } from 'yaml'
import { isUserError, UserError } from '../../../src/errors.js'
import { INPUTS, readInputs } from '../../../src/settings/inputs.js'
import { readSettings } from '../../../src/settings/load.js'
import { MemoryRunner } from '../../../test/support/memory-runner.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const TOKEN = 'ghs_secret'

/** action.yml's inputs, as the runner fills in their defaults (`${{ github.token }}` becomes the job's token). */
const actionInputs = (parseYaml(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }).inputs
const actionDefaults: Record<string, string> = Object.fromEntries(
  Object.entries(actionInputs)
    .filter(([, spec]) => spec.default !== undefined)
    .map(([name, spec]) => [name, String(spec.default).replace('${{ github.token }}', TOKEN)])
)

const baseEnv = { GITHUB_REPOSITORY: 'carto/gateway', GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_API_URL: 'https://ghe.example.com/api/v3', RUNNER_TEMP: '/tmp/runner' }

/** INPUT_* as the runner sets them: upper-case, hyphens kept. */
function inputEnv(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]))
}

/** A runner with action.yml's defaults, `upstream-repository: BerriAI/litellm` and the given inputs. */
function runnerWith(overrides: Record<string, string>, env: Record<string, string> = baseEnv): MemoryRunner {
  return new MemoryRunner({ ...env, ...inputEnv({ ...actionDefaults, 'upstream-repository': 'BerriAI/litellm', ...overrides }) })
}

const readWith = (overrides: Record<string, string>) => readInputs(runnerWith(overrides))

/** What `work` throws (it must throw). */
function thrown(work: () => unknown): Error {
  try {
    work()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}

describe('the input table', () => {
  it('reads every input action.yml declares, and no other', () => {
    expect(Object.keys(INPUTS).sort()).toEqual(Object.keys(actionInputs).sort())
  })

  it("gives a blank input action.yml's default wherever it has one of its own", () => {
    for (const [name, spec] of Object.entries(INPUTS)) {
      if ('blank' in spec) expect({ name, blank: spec.blank }).toEqual({ name, blank: actionDefaults[name] })
    }
  })
})

describe('readInputs', () => {
  it('reads the defaults into typed settings', () => {
    const inputs = readWith({ 'exclude-pattern': '*draft*' })
    expect(inputs.fork).toEqual({ owner: 'carto', repo: 'gateway' })
    expect(inputs.upstream).toEqual({ owner: 'BerriAI', repo: 'litellm' })
    expect(inputs.serverUrl).toBe('https://ghe.example.com')
    expect(inputs.apiUrl).toBe('https://ghe.example.com/api/v3')
    expect(inputs.targetBranch).toBeUndefined()
    expect(inputs.channel.matches('v1.81.9-stable')).toBe(true)
    expect(inputs.channel.matches('v1.73.6-stable.patch.1')).toBe(true)
    expect(inputs.channel.matches('v1.74.3-stable-draft')).toBe(false)
    expect(inputs.labels).toEqual(['upstream-sync', 'automated'])
    expect(inputs.dryRun).toBe(false)
    expect(inputs.supersede).toBe(true)
    expect(inputs.autoResolve).toBeUndefined()
    expect(inputs.author).toEqual({ name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' })
    expect(inputs.runnerTemp).toBe('/tmp/runner')
  })

  it("reads blank inputs with an action.yml default as that default", () => {
    const inputs = readWith({ 'version-pattern': ' ', 'config-file': '', 'commit-author': '', supersede: '', 'dry-run': '', 'require-release': '' })
    expect(inputs.versionPattern).toBe(actionDefaults['version-pattern'])
    expect(inputs.configFile).toBe('.github/upstream-sync.yml')
    expect(inputs.author.name).toBe('github-actions[bot]')
    expect({ supersede: inputs.supersede, dryRun: inputs.dryRun, requireRelease: inputs.requireRelease }).toEqual({ supersede: true, dryRun: false, requireRelease: 'auto' })
  })

  it('reads optional inputs', () => {
    const inputs = readWith({
      'target-branch': 'carto/main',
      tag: 'v1.81.9-stable',
      'min-release-age': '2d',
      'auto-resolve': 'true',
      checklist: '- [ ] CI green\n- staging ok\n',
      'dry-run': 'TRUE'
    })
    expect(inputs.targetBranch).toBe('carto/main')
    expect(inputs.tag).toBe('v1.81.9-stable')
    expect(inputs.minReleaseAgeMs).toBe(2 * 86_400_000)
    expect(inputs.currentVersion).toBeUndefined()
    expect(inputs.autoResolve).toBe(true)
    expect(inputs.checklist).toEqual(['CI green', 'staging ok'])
    expect(inputs.dryRun).toBe(true)
  })

  it.each([
    [{ 'upstream-repository': '' }, "Input 'upstream-repository' is required"],
    [{ 'upstream-repository': 'not a repo' }, "Input 'upstream-repository' must be owner/name"],
    [{ 'upstream-repository': 'a/b/c' }, 'must be owner/name'],
    [{ 'upstream-repository': 'carto/gateway' }, 'names this repository itself'],
    [{ 'github-token': '' }, "Input 'github-token' is empty"],
    [{ 'target-branch': 'bad..branch' }, "Input 'target-branch' is not a valid branch name"],
    [{ 'target-branch': 'upstream-sync/x' }, "starts with 'branch-prefix'"],
    [{ 'branch-prefix': 'bad prefix ~' }, "Input 'branch-prefix' must make valid branch names"],
    [{ tag: 'v1..2' }, "Input 'tag' is not a valid tag name"],
    [{ 'dry-run': 'maybe' }, "Input 'dry-run' must be true or false"],
    [{ 'min-release-age': 'two days' }, "Input 'min-release-age' \"two days\" is not a duration"],
    [{ 'current-version': 'banana' }, "Input 'current-version'"],
    [{ 'tag-pattern': 'v[1-stable' }, "Input 'tag-pattern'"],
    [{ 'version-pattern': '(unclosed' }, "Input 'version-pattern' is not a valid regular expression"],
    [{ 'version-pattern': 'version = .*' }, 'needs a capture group'],
    [{ 'version-file': '../outside.toml' }, "Input 'version-file' must be a path inside the repository"],
    [{ 'config-file': '/etc/passwd' }, "Input 'config-file' must be a path inside the repository"],
    [{ 'commit-author': 'nobody' }, "Input 'commit-author' must look like"],
    [{ 'slack-webhook-url': 'not a url' }, "Input 'slack-webhook-url' must be an http(s) URL"],
    [{ 'webhook-url': 'ftp://x.example/hook' }, "Input 'webhook-url' must be an http(s) URL"],
    [{ 'clean-label': 'conflicts' }, "'clean-label' and 'conflict-label' must differ"],
    [{ labels: 'x'.repeat(51) }, "longer than GitHub's 50 characters"],
    [{ 'tag-pattern': ' , ' }, "Input 'tag-pattern' is empty"],
    [{ 'exclude-pattern': '!nightly' }, "Input 'exclude-pattern'"],
    [{ 'mirror-branch': 'upstream-sync/mirror' }, "Input 'mirror-branch'"],
    [{ rules: '- paths: [a]\n  resolution: mine\n' }, "Input 'rules': [0].resolution"],
    [{ rules: '- paths: ["[x"]\n  resolution: ours\n' }, "Input 'rules': rules[0].paths: invalid glob"],
    [{ template: '{{#open}}\nnever closed\n' }, "Input 'template'"]
  ])('rejects %j with an input error naming the input', (overrides, message) => {
    const error = thrown(() => readSettings(runnerWith(overrides)))
    expect(isUserError(error, 'input')).toBe(true)
    expect(error.message).toContain(message)
  })

  it('never puts the webhook URL in its error, and masks it', () => {
    const secret = 'https://hooks.slack.com/services/T0/B0/secret'
    const runner = runnerWith({ 'slack-webhook-url': secret.replace('https', 'gopher') })
    const error = thrown(() => readInputs(runner))
    expect(error.message).toMatch(/must be an http\(s\) URL; it uses gopher:/)
    expect(error.message).not.toMatch(/secret/)
    expect(runner.secrets).toEqual([TOKEN, secret.replace('https', 'gopher')])
  })

  it('masks the token and the webhook URLs', () => {
    const runner = runnerWith({ 'slack-webhook-url': 'https://hooks.slack.com/services/T0/B0/s1', 'webhook-url': 'https://hooks.example/s2' })
    readInputs(runner)
    expect(runner.secrets).toEqual([TOKEN, 'https://hooks.slack.com/services/T0/B0/s1', 'https://hooks.example/s2'])
  })

  it('parses inline rules and keeps a template path for later', () => {
    const inputs = readWith({ rules: '- paths: Dockerfile\n  resolution: manual\n  note: check\n', template: '.github/pr.md' })
    expect(inputs.rules).toEqual([{ paths: ['Dockerfile'], resolution: 'manual', note: 'check' }])
    expect(inputs.template).toBe('.github/pr.md')
  })

  it('keeps an inline template and a checklist as written, untrimmed', () => {
    const inputs = readWith({ template: 'Sync {{tag}}\n', checklist: '  - one\n' })
    expect(inputs.template).toBe('Sync {{tag}}\n')
    expect(inputs.checklist).toEqual(['one'])
  })

  it('requires GITHUB_REPOSITORY', () => {
    expect(() => readInputs(runnerWith({}, {}))).toThrow('GITHUB_REPOSITORY is not set')
  })

  it('builds the run URL from the runner environment', () => {
    const inputs = readInputs(runnerWith({}, { ...baseEnv, GITHUB_RUN_ID: '42' }))
    expect(inputs.runUrl).toBe('https://ghe.example.com/carto/gateway/actions/runs/42')
  })
})

/**
 * The cases the bundled action once ran one by one (e2e/input-validation.test.ts), in its world: fork
 * carto/gateway-fork, upstream acme/gateway, target branch carto/main. Each fails with one input error whose message
 * names the input (and says what is wrong); readSettings takes no API client, so nothing can have been requested.
 * [case, inputs, the input the message must name, more text it must contain]
 */
const scenarioCases: Array<[string, Record<string, string>, string, string]> = [
  ['an empty token', { 'github-token': '' }, 'github-token', 'is empty'],
  ['a missing upstream-repository', { 'upstream-repository': '' }, 'upstream-repository', 'is required'],
  ['an upstream-repository without owner', { 'upstream-repository': 'gateway' }, 'upstream-repository', 'must be owner/name'],
  ['an upstream-repository with three parts', { 'upstream-repository': 'acme/gateway/extra' }, 'upstream-repository', 'must be owner/name'],
  ['an upstream-repository that is a URL', { 'upstream-repository': 'https://github.com/acme/gateway' }, 'upstream-repository', 'must be owner/name'],
  ['an upstream-repository with shell syntax', { 'upstream-repository': 'acme/gateway;touch pwned' }, 'upstream-repository', 'must be owner/name'],
  ['the fork as its own upstream', { 'upstream-repository': 'carto/gateway-fork' }, 'upstream-repository', 'names this repository itself'],
  ['a bad boolean (dry-run)', { 'dry-run': 'maybe' }, 'dry-run', 'must be true or false'],
  ['a bad boolean (supersede)', { supersede: '1' }, 'supersede', 'must be true or false'],
  ['a bad boolean (require-release)', { 'require-release': 'yes please' }, 'require-release', 'must be true or false'],
  ['an invalid tag-pattern glob', { 'tag-pattern': 'v[*-stable' }, 'tag-pattern', ''],
  ['an invalid exclude-pattern glob', { 'exclude-pattern': '*nightly*, [' }, 'exclude-pattern', ''],
  ['an empty tag-pattern', { 'tag-pattern': ' , ' }, 'tag-pattern', 'is empty'],
  ['an invalid target-branch', { 'target-branch': 'carto..main' }, 'target-branch', 'not a valid branch name'],
  ['a target-branch inside the sync branches', { 'target-branch': 'upstream-sync/main' }, 'target-branch', "starts with 'branch-prefix'"],
  ['an invalid branch-prefix', { 'branch-prefix': 'sync~/' }, 'branch-prefix', 'must make valid branch names'],
  ['an invalid tag', { tag: 'v1.0 stable' }, 'tag', 'not a valid tag name'],
  ['a version-pattern that is not a regex', { 'version-pattern': 'version = "(.+"' }, 'version-pattern', 'not a valid regular expression'],
  ['a version-pattern without a capture group', { 'version-pattern': '^version = .+' }, 'version-pattern', 'capture group'],
  ['a bad current-version', { 'current-version': 'banana' }, 'current-version', 'not a version number'],
  ['a bad min-release-age', { 'min-release-age': 'soon' }, 'min-release-age', ''],
  ['a bad commit-author', { 'commit-author': 'nobody' }, 'commit-author', 'Name <email@example.com>'],
  ['a webhook-url that is not a URL', { 'webhook-url': 'not a url' }, 'webhook-url', 'must be an http(s) URL'],
  ['a slack-webhook-url with another scheme', { 'slack-webhook-url': 'ftp://hooks.example/x' }, 'slack-webhook-url', 'must be an http(s) URL'],
  ['a config-file outside the repository', { 'config-file': '../secrets.yml' }, 'config-file', 'must be a path inside the repository'],
  ['a version-file outside the repository', { 'version-file': '/etc/passwd' }, 'version-file', 'must be a path inside the repository'],
  ['equal clean and conflict labels', { 'clean-label': 'sync', 'conflict-label': 'sync' }, 'clean-label', 'must differ'],
  ['an empty conflict-label', { 'conflict-label': ' ' }, 'conflict-label', 'must not be empty'],
  ['a label over 50 characters', { labels: `upstream-sync,${'x'.repeat(51)}` }, 'labels', "GitHub's 50 characters"],
  ['a mirror-branch equal to the target', { 'mirror-branch': 'carto/main' }, 'mirror-branch', 'must differ'],
  ['inline rules that are not YAML', { rules: '- paths: [unclosed\n' }, 'rules', 'not valid YAML'],
  ['inline rules with an unknown key', { rules: '- paths: Dockerfile\n  resolution: ours\n  owner: me\n' }, 'rules', "unknown key 'owner'"],
  ['inline rules with an invalid glob', { rules: '- paths: "docs/[abc"\n  resolution: theirs\n' }, 'rules', 'invalid glob'],
  ['an inline template that is not valid Mustache', { template: '## Sync {{tag}}\n{{#conflicts}}\n- {{path}}\n' }, 'template', '']
]

describe('a run triggered by a push to a sync branch', () => {
  // GITHUB_EVENT_NAME and GITHUB_REF as the runner sets them for `on: push`:
  // https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#push
  const pushed = (ref: string, overrides: Record<string, string> = {}) =>
    readInputs(runnerWith({ 'mirror-branch': 'upstream-main', ...overrides }, { ...baseEnv, GITHUB_EVENT_NAME: 'push', GITHUB_REF: ref }))

  it("is about that branch's tag only: no superseding, no mirror", () => {
    const inputs = pushed('refs/heads/upstream-sync/v1.81.9-stable', { tag: 'v1.80.0-stable' })
    expect(inputs).toMatchObject({ tag: 'v1.81.9-stable', supersede: false, pushedBranch: 'upstream-sync/v1.81.9-stable' })
    expect(inputs.mirrorBranch).toBeUndefined()
  })

  it('follows branch-prefix, and leaves any other push (or trigger) as it is', () => {
    expect(pushed('refs/heads/sync/v2.0.0', { 'branch-prefix': 'sync/' })).toMatchObject({ tag: 'v2.0.0', pushedBranch: 'sync/v2.0.0' })
    const other = pushed('refs/heads/main')
    expect(other).toMatchObject({ supersede: true, mirrorBranch: 'upstream-main' })
    expect(other.tag).toBeUndefined()
    expect(other.pushedBranch).toBeUndefined()
    const scheduled = readInputs(runnerWith({}, { ...baseEnv, GITHUB_EVENT_NAME: 'schedule', GITHUB_REF: 'refs/heads/upstream-sync/v1.81.9-stable' }))
    expect(scheduled.pushedBranch).toBeUndefined()
  })
})

describe('invalid inputs are rejected before any network call', () => {
  const scenarioEnv = { GITHUB_REPOSITORY: 'carto/gateway-fork', RUNNER_TEMP: '/tmp/runner' }

  it.each(scenarioCases)('%s: one error naming the input', (_name, overrides, inputName, detail) => {
    const runner = runnerWith({ 'upstream-repository': 'acme/gateway', 'target-branch': 'carto/main', ...overrides }, scenarioEnv)
    const error = thrown(() => readSettings(runner))
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).kind).toBe('input')
    expect(error.message).toContain(`'${inputName}'`)
    if (detail) expect(error.message).toContain(detail)
    // One error, nothing else said: no warning, no output.
    expect(runner.annotations).toEqual([])
    expect(runner.outputs).toEqual({})
  })

  it('says where a broken inline template breaks, once', () => {
    const runner = runnerWith({ template: 'Sync {{tag}}\n{{#conflicts}}\n- {{path}}\n' })
    const error = thrown(() => readSettings(runner))
    expect(error.message).toMatch(/^The PR body template from Input 'template' is not valid Mustache \(line 2\): Unclosed section "conflicts"/)
  })

  it("warns about an inline template's unknown variables when the inputs are read", () => {
    const runner = runnerWith({ template: 'Sync {{tga}}\n' })
    readSettings(runner)
    expect(runner.annotations.map((annotation) => annotation.message)).toEqual([
      "Input 'template': {{tga}} is not a template variable and renders as nothing (see the README's template variable reference)."
    ])
  })
})

describe('rebrand input', () => {
  it('is undefined when blank (the config file decides) and parsed rules otherwise', () => {
    expect(readWith({}).rebrand).toBeUndefined()
    expect(readWith({ rebrand: '- from: LiteLLM\n  to: OrizonLLM\n  paths: README.md\n' }).rebrand).toEqual([
      { from: 'LiteLLM', to: 'OrizonLLM', regex: false, paths: ['README.md'], exclude: [] }
    ])
  })

  it('fails as an input error naming the input, the key and the reason', () => {
    const error = thrown(() => readWith({ rebrand: "- from: '(unclosed'\n  to: x\n  regex: true\n" }))
    expect(isUserError(error, 'input')).toBe(true)
    expect(error.message).toMatch(/^Input 'rebrand': rebrand\[0\]\.from: does not compile: /)
    expect(thrown(() => readWith({ rebrand: '- from: [' })).message).toMatch(/^Input 'rebrand' is not valid YAML: /)
  })
})

describe('channel, pick and upstream-branch (issue 12)', () => {
  it('reads the channel and pick, defaulting to tags and newest', () => {
    expect(readWith({}).channel.source).toBe('tags')
    expect(readWith({}).pick).toBe('newest')
    const inputs = readWith({ channel: 'branch', 'upstream-branch': 'main' })
    expect([inputs.channel.source, inputs.upstreamBranch]).toEqual(['branch', 'main'])
    expect(readWith({ channel: 'Releases', pick: 'next' }).channel).toMatchObject({ source: 'releases', narrowed: false })
  })

  it('narrows channel: releases only when the patterns differ from the defaults', () => {
    const narrowed = readWith({ channel: 'releases', 'tag-pattern': 'v1.*' }).channel
    expect(narrowed.narrowed).toBe(true)
    expect([narrowed.matches('v1.84.0'), narrowed.matches('v2.0.0')]).toEqual([true, false])
    expect(readWith({ channel: 'releases' }).channel.matches('v1.84.0')).toBe(true)
  })

  it('rejects a combination that would be silently ignored, naming the input and the fix', () => {
    expect(thrown(() => readWith({ 'upstream-branch': 'main' })).message).toContain("Input 'upstream-branch' applies only with channel: branch")
    expect(thrown(() => readWith({ channel: 'branch', pick: 'next' })).message).toContain("Input 'pick: next'")
    expect(thrown(() => readWith({ 'upstream-branch': 'a..b', channel: 'branch' })).message).toContain("Input 'upstream-branch' is not a valid branch name")
  })
})
