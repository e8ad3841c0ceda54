/** The test/demo harness: sample repositories, the runner environment of runAction, and the scenario. */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { ACTION_ENTRY, REPO_ROOT, actionDefaults, inputEnvName, parseAnnotations, parseCommandFile, runAction } from '../../../test/support/action.js'
import {
  commitFiles,
  createFork,
  createTags,
  createUpstream,
  git,
  gitRaw,
  mergeInto,
  readFile,
  revParse,
  setBranch,
  type UpstreamRepo
} from '../../../test/support/repos.js'
import { FORK, TARGET_BRANCH, UPSTREAM, createScenario, type Scenario } from '../../../test/support/scenario.js'

const FAKE_ACTION = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-action.mjs')

describe('sample repositories', () => {
  let root: string
  let upstream: UpstreamRepo

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'harness-repos-'))
    upstream = await createUpstream(root)
  })

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true })
  })

  it('builds an upstream with tags across channels, annotated and lightweight', async () => {
    expect(upstream.dir).toBe(path.join(root, 'acme', 'gateway.git'))
    const tags = await git(upstream.dir, ['for-each-ref', '--format=%(refname:short) %(objecttype)', 'refs/tags'])
    expect(tags.split('\n').sort()).toEqual(['v1.0.0-stable tag', 'v1.1.0-nightly commit', 'v1.1.0-stable tag', 'v1.1.0.rc.1 commit', 'v1.2.0-nightly commit'])
    expect(await revParse(upstream.dir, 'main')).toBe(upstream.tags['v1.2.0-nightly'])
    expect(await readFile(upstream.dir, 'v1.1.0-stable', 'pyproject.toml')).toContain('version = "1.1.0"')
    expect(await git(upstream.dir, ['rev-list', '--count', 'main'])).toBe('5')
  })

  it('commits, deletes, marks executables and symlinks with plumbing only', async () => {
    const sha = await commitFiles(upstream.dir, 'scratch', { 'a.txt': 'a\n', 'bin/run': { content: '#!/bin/sh\n', executable: true }, link: { symlink: 'a.txt' }, 'odd "name".txt': 'x' }, 'first', { parents: [upstream.tags['v1.0.0-stable'] as string] })
    const tree = await git(upstream.dir, ['ls-tree', '-r', sha])
    expect(tree).toMatch(/^100755 blob \w+\tbin\/run$/m)
    expect(tree).toMatch(/^120000 blob \w+\tlink$/m)
    expect(tree).toContain('"odd \\"name\\".txt"')
    const second = await commitFiles(upstream.dir, 'scratch', { 'a.txt': null, 'README.md': null }, 'second')
    expect(await git(upstream.dir, ['rev-parse', `${second}^`])).toBe(sha)
    expect(await readFile(upstream.dir, second, 'a.txt')).toBeUndefined()
    expect(await readFile(upstream.dir, second, 'Dockerfile')).toContain('FROM python')
    await expect(commitFiles(upstream.dir, 'scratch', { '../escape': 'x' }, 'bad')).rejects.toThrow('invalid file path')
  })

  it('creates tags in bulk and merges like git merge, naming conflicts', async () => {
    await createTags(upstream.dir, [
      { name: 'bulk-a', rev: 'main', annotated: true, message: 'A\n' },
      { name: 'bulk-b', rev: 'v1.0.0-stable' }
    ])
    expect(await git(upstream.dir, ['cat-file', '-t', 'refs/tags/bulk-a'])).toBe('tag')
    expect(await revParse(upstream.dir, 'refs/tags/bulk-b')).toBe(upstream.tags['v1.0.0-stable'])

    await setBranch(upstream.dir, 'left', 'v1.0.0-stable')
    await commitFiles(upstream.dir, 'left', { 'docs/index.md': '# Left\n' }, 'left')
    const merge = await mergeInto(upstream.dir, 'left', 'v1.1.0-rc.1'.replace('-rc', '.rc'), 'merge rc')
    expect((await git(upstream.dir, ['rev-list', '--parents', '-n', '1', merge])).split(' ')).toHaveLength(3)
    await expect(mergeInto(upstream.dir, 'left', 'v1.1.0-stable', 'conflicting')).rejects.toThrow('docs/index.md')
  })

  it('builds a fork on an older stable tag, with or without HEAD on its target, with an optional conflict', async () => {
    const fork = await createFork(root, { upstream, fullName: 'carto/plain', setHead: false })
    expect(await git(fork.dir, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main')
    expect(await git(fork.dir, ['config', 'standin.parent'])).toBe('acme/gateway')
    expect(fork.baseSha).toBe(upstream.tags['v1.0.0-stable'])
    expect(await revParse(fork.dir, 'main')).toBe(fork.baseSha)
    expect(await revParse(fork.dir, 'carto/main')).toBe(fork.targetSha)
    expect(fork.forkCommits).toHaveLength(3)
    expect(await readFile(fork.dir, 'carto/main', 'Dockerfile')).toContain('# CARTO: begin')
    expect(await readFile(fork.dir, 'carto/main', '.github/workflows/carto-build.yml')).toContain('CARTO build')
    expect(await readFile(fork.dir, 'carto/main', 'CARTO_README.md')).toContain('CARTO fork')
    // The fork has no upstream tags of its own (the action reads them from upstream).
    expect(await git(fork.dir, ['tag', '--list'])).toBe('')

    // Without the conflict option the sample merges cleanly; with it, gateway/server.py conflicts.
    await git(fork.dir, ['fetch', '--quiet', upstream.dir, 'refs/tags/v1.1.0-stable:refs/tags/v1.1.0-stable'])
    const clean = await gitRaw(fork.dir, ['merge-tree', '--write-tree', '--name-only', 'carto/main', 'v1.1.0-stable'])
    expect(clean.code).toBe(0)
    const conflicted = await createFork(root, { upstream, fullName: 'carto/conflicted', conflict: true })
    expect(await git(conflicted.dir, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/carto/main')
    await git(conflicted.dir, ['fetch', '--quiet', upstream.dir, 'refs/tags/v1.1.0-stable:refs/tags/v1.1.0-stable'])
    const result = await gitRaw(conflicted.dir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', 'carto/main', 'v1.1.0-stable'])
    expect(result.code).toBe(1)
    expect(result.stdout.toString().trim().split('\n').slice(1)).toEqual(['gateway/server.py'])
  })
})

describe('runner files', () => {
  it('names inputs as the runner does: upper case, spaces to underscores, hyphens kept', () => {
    expect(inputEnvName('upstream-repository')).toBe('INPUT_UPSTREAM-REPOSITORY')
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT')
  })

  it('parses GITHUB_OUTPUT in both forms', () => {
    const text = 'result=created\nconflicts<<ghadelimiter_abc\n["a",\n"b=c"]\nghadelimiter_abc\nempty=\npr-url=http://x/y?a=b\n'
    expect(parseCommandFile(text)).toEqual({ result: 'created', conflicts: '["a",\n"b=c"]', empty: '', 'pr-url': 'http://x/y?a=b' })
    expect(() => parseCommandFile('x<<EOF\nvalue\n')).toThrow('missing delimiter EOF')
  })

  it('parses annotations with escaped data and properties', () => {
    expect(parseAnnotations('log line\n::warning file=a%2Cb.py,line=3::one%0Atwo\n::error::100%25\n::debug::not an annotation')).toEqual([
      { level: 'warning', message: 'one\ntwo', properties: { file: 'a,b.py', line: '3' } },
      { level: 'error', message: '100%', properties: {} }
    ])
  })

  it('resolves the bundled action from the repository root', () => {
    expect(ACTION_ENTRY).toBe(path.join(REPO_ROOT, 'dist', 'index.js'))
    expect(REPO_ROOT).toBe(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..'))
  })
})

describe('runAction and the scenario', () => {
  let s: Scenario

  beforeAll(async () => {
    s = await createScenario()
  })

  afterAll(async () => {
    await s.cleanup()
  })

  it('creates the standard scenario', async () => {
    expect(s.upstream.fullName).toBe(UPSTREAM)
    expect(s.fork.fullName).toBe(FORK)
    expect(s.fork.targetBranch).toBe(TARGET_BRANCH)
    expect((await s.api('GET', `/repos/${FORK}`)).data.default_branch).toBe(TARGET_BRANCH)
  })

  it('runs a script with the runner environment, inputs, outputs, summary and annotations', async () => {
    process.env.GITHUB_HOST_ONLY = 'must not leak'
    process.env.INPUT_STALE = 'must not leak'
    try {
      const run = await s.run({ 'dry-run': 'true', exit: '3' }, { entry: FAKE_ACTION, eventName: 'workflow_dispatch', event: { inputs: { tag: 'v1.1.0-stable' } } })
      expect(run.exitCode).toBe(3)
      expect(run.outputs.status).toBe('200')
      // Given inputs win; every other input action.yml declares gets its default, as on a runner.
      expect(JSON.parse(run.outputs.inputs as string)).toEqual({
        ...Object.fromEntries(Object.entries(await actionDefaults(s.token as string)).map(([name, value]) => [inputEnvName(name), value])),
        'INPUT_UPSTREAM-REPOSITORY': UPSTREAM,
        'INPUT_TARGET-BRANCH': TARGET_BRANCH,
        'INPUT_DRY-RUN': 'true',
        INPUT_EXIT: '3',
        'INPUT_GITHUB-TOKEN': s.token,
        'INPUT_TAG-PATTERN': 'v*-stable, v*-stable.patch*'
      })
      const vars = (run.outputs['runner-vars'] as string).split('\n')
      for (const name of ['GITHUB_SERVER_URL', 'GITHUB_API_URL', 'GITHUB_REPOSITORY', 'GITHUB_REPOSITORY_OWNER', 'GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT', 'GITHUB_WORKFLOW', 'GITHUB_EVENT_NAME', 'GITHUB_EVENT_PATH', 'GITHUB_WORKSPACE', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'RUNNER_TEMP']) {
        expect(vars).toContain(name)
      }
      expect(vars).not.toContain('GITHUB_HOST_ONLY')
      expect(JSON.parse(run.outputs.inputs as string)).not.toHaveProperty('INPUT_STALE')
      expect(JSON.parse(run.outputs.event as string)).toEqual({ inputs: { tag: 'v1.1.0-stable' } })
      expect(run.outputs['node-options']).toBe('')
      expect(run.outputs.home?.startsWith(s.root)).toBe(true)
      expect(run.outputs.cwd).toBe(run.workspace)
      expect(run.summary).toBe('## Sync\n\n| a | b |\n')
      expect(run.annotations).toEqual([
        { level: 'warning', message: 'first\nsecond', properties: { file: 'dir/a,b.py', line: '3' } },
        { level: 'error', message: 'it % failed', properties: {} }
      ])
      expect((await fs.stat(run.runnerTemp)).isDirectory()).toBe(true)
      await run.cleanup()
      await expect(fs.stat(run.runnerTemp)).rejects.toThrow()
    } finally {
      delete process.env.GITHUB_HOST_ONLY
      delete process.env.INPUT_STALE
    }
  })

  it('says to build first when the bundle is missing', async () => {
    await expect(runAction({ standIn: s.standIn, inputs: {}, entry: path.join(s.root, 'missing', 'index.js') })).rejects.toThrow('npm run build')
  })
})
