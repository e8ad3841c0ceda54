import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { InputError, parseChecklist, parseList, parseRepo, readInputs as readInputsFrom } from '../src/inputs.js'
import { MemoryRunner } from '../test/support/memory-runner.js'

/** Reads inputs as the action does, from INPUT_* in process.env plus the runner variables given. */
const readInputs = (env: Record<string, string>) => readInputsFrom(new MemoryRunner({ ...process.env, ...env }))

const baseEnv = { GITHUB_REPOSITORY: 'carto/gateway', GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_API_URL: 'https://ghe.example.com/api/v3', RUNNER_TEMP: '/tmp/runner' }

/** Sets INPUT_* the way the runner does: upper-case, hyphens kept. */
function setInputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) process.env[`INPUT_${name.toUpperCase()}`] = value
}

const defaults: Record<string, string> = {
  'github-token': 'ghs_secret',
  'upstream-repository': 'BerriAI/litellm',
  'tag-pattern': 'v*-stable, v*-stable.patch*',
  'exclude-pattern': '*draft*',
  'branch-prefix': 'upstream-sync/',
  labels: 'upstream-sync,automated',
  'clean-label': 'clean-merge',
  'conflict-label': 'conflicts',
  'auto-resolved-label': 'auto-resolved',
  'version-pattern': '^version\\s*=\\s*"(.+)"',
  'config-file': '.github/upstream-sync.yml',
  'commit-author': 'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
  'dry-run': 'false',
  supersede: 'true',
  'require-release': 'false'
}

async function readWith(overrides: Record<string, string>) {
  setInputs({ ...defaults, ...overrides })
  return readInputs(baseEnv)
}

describe('readInputs', () => {
  let saved: NodeJS.ProcessEnv
  beforeEach(() => {
    saved = { ...process.env }
    for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  })
  afterEach(() => {
    process.env = saved
  })

  it('reads the defaults into typed settings', async () => {
    const inputs = await readWith({})
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

  it('reads optional inputs', async () => {
    const inputs = await readWith({
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
  ])('rejects %j with a message naming the input', async (overrides, message) => {
    await expect(readWith(overrides)).rejects.toThrow(InputError)
    await expect(readWith(overrides)).rejects.toThrow(message)
  })

  it('never puts the webhook URL in its error', async () => {
    const secret = 'https://hooks.slack.com/services/T0/B0/secret'
    await expect(readWith({ 'slack-webhook-url': secret.replace('https', 'gopher') })).rejects.toThrow(/must be an http\(s\) URL; it uses gopher:/)
    await expect(readWith({ 'slack-webhook-url': secret.replace('https', 'gopher') })).rejects.not.toThrow(/secret/)
  })

  it('parses inline rules and keeps a template path for later', async () => {
    const inputs = await readWith({ rules: '- paths: Dockerfile\n  resolution: manual\n  note: check\n', template: '.github/pr.md' })
    expect(inputs.rules).toEqual([{ paths: ['Dockerfile'], resolution: 'manual', note: 'check' }])
    expect(inputs.template).toBe('.github/pr.md')
  })

  it('requires GITHUB_REPOSITORY', async () => {
    setInputs(defaults)
    await expect(readInputs({})).rejects.toThrow('GITHUB_REPOSITORY is not set')
  })

  it('builds the run URL from the runner environment', async () => {
    setInputs(defaults)
    const inputs = await readInputs({ ...baseEnv, GITHUB_RUN_ID: '42' })
    expect(inputs.runUrl).toBe('https://ghe.example.com/carto/gateway/actions/runs/42')
  })
})

describe('small parsers', () => {
  it('splits lists on commas and newlines', () => {
    expect(parseList('a, b\nc,,\n d ')).toEqual(['a', 'b', 'c', 'd'])
  })
  it('parses repositories and strips .git', () => {
    expect(parseRepo('x', 'octo-org/my.repo_name.git')).toEqual({ owner: 'octo-org', repo: 'my.repo_name' })
    expect(() => parseRepo('x', 'owner/..')).toThrow('must be owner/name')
  })
  it('parses checklists written as Markdown task lists', () => {
    expect(parseChecklist('- [x] done\n* item\nplain\n\n')).toEqual(['done', 'item', 'plain'])
  })
})
