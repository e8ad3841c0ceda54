/**
 * The benchmark's repository generator at a tiny scale: the shape the benchmark relies on (a fork behind the newest
 * stable tag, with conflicts; a synced copy that contains it), determinism and the cache.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { FORK, SYNCED_FORK, UPSTREAM, generate, git, parseScale, type Manifest } from '../../bench/generate.js'
import { Random } from '../../bench/content.js'
import { gitCommands, parseTimings } from '../../bench/run.js'

describe('parseScale', () => {
  it('knows the named scales', () => {
    expect(parseScale('default')).toMatchObject({ name: 'default', commits: 30_000, files: 10_000, tags: 1_000, forkCommits: 200, conflictFiles: 40 })
    expect(parseScale('smoke')).toMatchObject({ name: 'smoke', commits: 2_000, files: 1_000, tags: 100 })
    expect(parseScale('small').commits).toBeLessThan(parseScale('default').commits)
  })

  it('scales the default by a factor, keeping a fork that still conflicts', () => {
    const half = parseScale('0.5')
    expect(half).toMatchObject({ name: 'x0.5', commits: 15_000, files: 5_000, tags: 500, forkCommits: 100, conflictFiles: 20 })
    const tiny = parseScale('0.001')
    expect(tiny.conflictFiles).toBeGreaterThanOrEqual(3)
    expect(tiny.forkCommits).toBeGreaterThanOrEqual(10)
  })

  it('rejects anything else, saying what is allowed', () => {
    expect(() => parseScale('huge')).toThrow(/default, small, smoke or a factor/)
    expect(() => parseScale('0')).toThrow(/factor/)
    expect(() => parseScale('11')).toThrow(/factor/)
  })
})

describe('Random', () => {
  it('is deterministic for a seed', () => {
    const a = new Random(42)
    const b = new Random(42)
    const draws = Array.from({ length: 5 }, () => [a.next(), b.next()])
    for (const [x, y] of draws) expect(x).toBe(y)
    expect(new Random(43).next()).not.toBe(new Random(42).next())
  })
})

describe('generate (tiny scale)', () => {
  const scale = { ...parseScale('0.01'), name: 'test-tiny' }
  let workDir: string
  let manifest: Manifest
  const gitDir = (name: string): string => path.join(manifest.root, `${name}.git`)
  const out = async (name: string, args: string[]): Promise<string> => (await git(['--git-dir', gitDir(name), ...args])).stdout.trim()

  beforeAll(async () => {
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-generate-'))
    manifest = await generate(scale, { workDir })
  }, 60_000)

  afterAll(async () => {
    await fs.rm(workDir, { recursive: true, force: true })
  })

  it('builds an upstream with the asked-for shape and channels', async () => {
    expect(manifest.upstream.commits).toBeGreaterThan(scale.commits * 0.8)
    expect(manifest.upstream.commits).toBeLessThan(scale.commits * 1.2)
    expect(manifest.upstream.files).toBeGreaterThan(scale.files * 0.7)
    expect(manifest.upstream.tags).toBeGreaterThanOrEqual(scale.tags * 0.7)
    const tags = (await out(UPSTREAM, ['tag', '--list'])).split('\n')
    expect(tags).toContain(manifest.newestStable.tag)
    expect(tags).toContain(manifest.baseTag.tag)
    expect(tags.every((tag) => /^v1\.\d+\.\d+/.test(tag))).toBe(true)
    expect(tags.some((tag) => /^v1\.\d+\.\d+$/.test(tag))).toBe(true)
    expect(manifest.newestStable.tag).toMatch(/^v1\.\d+\.\d+-stable$/)
    // PR merges make the history non-linear, as upstream histories are.
    expect(Number(await out(UPSTREAM, ['rev-list', '--count', '--merges', 'main']))).toBeGreaterThan(0)
  })

  it('makes a fork behind the newest stable tag that conflicts with it', async () => {
    const target = `refs/heads/${manifest.targetBranch}`
    expect(await out(FORK, ['symbolic-ref', 'HEAD'])).toBe(target)
    expect(await out(FORK, ['config', 'standin.parent'])).toBe(UPSTREAM)
    const hasTag = await git(['--git-dir', gitDir(FORK), 'cat-file', '-e', `${manifest.newestStable.sha}^{commit}`], { allowFail: true })
    expect(hasTag.code).not.toBe(0)
    expect((await git(['--git-dir', gitDir(FORK), 'merge-base', '--is-ancestor', manifest.baseTag.sha, target], { allowFail: true })).code).toBe(0)
    expect(Number(await out(FORK, ['rev-list', '--count', `${manifest.baseTag.sha}..${target}`]))).toBe(scale.forkCommits)
    expect(manifest.commitsBehind).toBeGreaterThan(0)
    expect(manifest.conflicts.length).toBe(scale.conflictFiles)
    expect(manifest.conflicts).toContain('Dockerfile')
    const files = (await out(FORK, ['ls-tree', '-r', '--name-only', target])).split('\n')
    expect(files).toEqual(expect.arrayContaining(['.github/upstream-sync.yml', '.github/workflows/carto-upstream-sync.yml']))
    expect(await out(FORK, ['show', `${target}:Dockerfile`])).toContain('# CARTO:')
    // The fork only has the tags it forked with.
    expect(manifest.fork.tags).toBeLessThan(manifest.upstream.tags)
  })

  it('makes a synced fork whose target already contains the newest stable tag', async () => {
    const target = `refs/heads/${manifest.targetBranch}`
    expect((await git(['--git-dir', gitDir(SYNCED_FORK), 'merge-base', '--is-ancestor', manifest.newestStable.sha, target], { allowFail: true })).code).toBe(0)
    expect((await git(['--git-dir', gitDir(SYNCED_FORK), 'merge-base', '--is-ancestor', manifest.forkTip, target], { allowFail: true })).code).toBe(0)
  })

  it('is deterministic and cached', async () => {
    const cached = await generate(scale, { workDir })
    expect(cached.generationSeconds).toBe(manifest.generationSeconds)
    const otherDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-generate-'))
    try {
      const again = await generate(scale, { workDir: otherDir })
      expect(again.forkTip).toBe(manifest.forkTip)
      expect(again.syncedTip).toBe(manifest.syncedTip)
      expect(again.newestStable).toEqual(manifest.newestStable)
    } finally {
      await fs.rm(otherDir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('run helpers', () => {
  it('reads the action\'s step timings from its debug log', () => {
    const log = ['::group::Merge', '::debug::timing: Read inputs: 12 ms', 'info line', '::debug::timing: Fetch what the merge needs: 4711 ms', '::debug::timings: a=1ms'].join('\n')
    expect(parseTimings(log)).toEqual([
      { step: 'Read inputs', ms: 12 },
      { step: 'Fetch what the merge needs', ms: 4711 }
    ])
  })

  it('sums git trace2 events into top-level commands with their sub-processes', () => {
    const events = [
      { event: 'start', sid: 'A', argv: ['git', '--git-dir', '/tmp/x/repo.git', 'fetch', 'http://127.0.0.1:4242/o/r.git'] },
      { event: 'start', sid: 'A/B', argv: ['/usr/lib/git-core/git-remote-http', 'origin'] },
      { event: 'exit', sid: 'A/B', t_abs: 0.5 },
      { event: 'exit', sid: 'A', t_abs: 0.75 },
      { event: 'atexit', sid: 'A', t_abs: 0.8 },
      { event: 'start', sid: 'C', argv: ['git', 'merge-tree', '--write-tree'] },
      { event: 'exit', sid: 'C', t_abs: 0.1 }
    ]
    const text = events.map((event) => JSON.stringify(event)).join('\n') + '\nnot json\n'
    expect(gitCommands(text)).toEqual([
      { argv: 'git fetch o/r.git', seconds: 0.8, children: [{ argv: 'git-remote-http origin', seconds: 0.5 }] },
      { argv: 'git merge-tree --write-tree', seconds: 0.1, children: [] }
    ])
  })
})
