/**
 * A big conflicted sync end to end (issue 13): run() in-process against the stand-in and real git, with a few
 * hundred conflicts, most of them generated files under one folder whose rule says "take upstream's". The PR body
 * must open with the kind of work, group the conflicts by folder and rule in collapsible sections, give one command
 * per group, list as "customizations touched" only the files that merged cleanly, and stay under GitHub's limit
 * (65,536 characters: https://github.com/orgs/community/discussions/27190), with every row in the job summary.
 * The commands are then run in a clone of the fork, as a maintainer would, and must resolve the sync by the rules.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { git, readFile, type FileChanges } from '../../test/support/repos.js'
import { expectExit, lines, mergeOracle, openWorld } from './helpers/releases-world.js'

const TAG = 'v2.0.0-stable'
const GENERATED = 300

const CONFIG = `rules:
  - paths: ['ui/out/**']
    resolution: theirs
    note: 'Generated UI build: take upstream'
  - paths: ['proxy/hooks.py']
    resolution: ours
`

describe('a sync of a few hundred conflicts, most under one generated folder', () => {
  it('opens with the kind of work, groups the conflicts, gives one command per group, and the commands resolve it', async () => {
    const world = await openWorld()
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'grouped-report-'))
    try {
      const chunk = (i: number): string => `ui/out/static/chunks/${String(i).padStart(4, '0')}.js`
      const all = (make: (i: number) => string): FileChanges => Object.fromEntries(Array.from({ length: GENERATED }, (_, i) => [chunk(i), make(i)]))
      const base = await world.upstreamCommit(
        {
          ...all((i) => lines(`chunk${i}`)),
          'proxy/hooks.py': lines('hooks'),
          'proxy/server.py': lines('server'),
          'docs/guide.md': lines('guide')
        },
        'Release 1.0\n'
      )
      await world.upstreamTag('v1.0.0-stable', base)
      await world.forkMerges(base, 'Merge upstream v1.0.0-stable')
      const target = world.scenario.fork.targetBranch
      await world.forkCommit(
        target,
        {
          ...all((i) => lines(`chunk${i}`, 30, { 5: `fork build ${i}` })),
          'proxy/hooks.py': lines('hooks', 30, { 5: 'CARTO hook' }),
          'proxy/server.py': lines('server', 30, { 5: 'CARTO server' }),
          'docs/guide.md': lines('guide', 30, { 1: 'CARTO intro' }),
          '.github/upstream-sync.yml': CONFIG
        },
        'CARTO: customizations and a rebuilt UI\n'
      )
      const release = await world.upstreamCommit(
        {
          ...all((i) => lines(`chunk${i}`, 30, { 5: `upstream build ${i}` })),
          [chunk(0)]: null, // upstream dropped one chunk the fork rebuilt: modify/delete
          'proxy/hooks.py': lines('hooks', 30, { 5: 'upstream hook' }),
          'proxy/server.py': lines('server', 30, { 5: 'upstream server' }),
          'docs/guide.md': lines('guide', 30, { 30: 'upstream outro' })
        },
        'Release 2.0\n'
      )
      await world.upstreamTag(TAG, release)
      const oracle = mergeOracle(world, TAG)
      expect(oracle.conflicts).toHaveLength(GENERATED + 2)

      const run = await world.run()
      expectExit(run, 0)
      expect(run.outputs).toMatchObject({ result: 'created', 'merge-status': 'conflicts' })
      expect((JSON.parse(run.outputs.conflicts as string) as string[]).sort()).toEqual(oracle.conflicts.map((c) => c.path).sort())

      const pull = await world.pull(run.outputs['pr-number'] as string)
      const body = pull.body ?? ''
      expect(body.length).toBeLessThan(65_536)
      // The first lines say what kind of work this is.
      expect(body.split('\n').slice(0, 6).join('\n')).toContain(
        "**To resolve:** 300 files under `ui/out/static/chunks/` (rule: upstream's), 1 file under `proxy/` (rule: the fork's), 1 manual."
      )
      // One row per group, each group in a collapsible section.
      expect(body).toContain("| `ui/out/static/chunks/` | upstream's | 300 | content 299, modify/delete 1 |")
      expect(body).toContain("| `proxy/` | the fork's | 1 | content 1 |")
      expect(body).toContain("| `proxy/` | manual | 1 | content 1 |")
      expect(body).toContain("<details><summary><code>ui/out/static/chunks/</code> · rule: upstream's · 300 files</summary>")
      expect(body.match(/<details>/g)).toHaveLength(3)
      // One command for the 300 generated files.
      expect(body).toContain('git checkout --no-overlay --theirs -- ui/out/static/chunks/ && git add -u -- ui/out/static/chunks/\n')
      expect(body).toContain('git checkout --no-overlay --ours -- proxy/hooks.py && git add -u -- proxy/hooks.py\n')
      expect(body).toContain('git add -- proxy/server.py\n')
      // "Customizations touched" holds only the clean merge (docs/guide.md), not the conflicted files.
      expect(body).toMatch(/Review them first:\n\n- `docs\/guide\.md`\n\n###/)
      // The job summary keeps every row.
      expect(run.summary.split('\n').filter((line) => /^\| `ui\/out\/static\/chunks\/\d{4}\.js` \|/.test(line))).toHaveLength(GENERATED)

      // A maintainer pastes the commands in a clone of the fork.
      const clone = path.join(work, 'clone')
      await git(work, ['clone', '--quiet', world.scenario.fork.dir, clone])
      const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'M', GIT_AUTHOR_EMAIL: 'm@example.com', GIT_COMMITTER_NAME: 'M', GIT_COMMITTER_EMAIL: 'm@example.com' }
      const block = /```sh\n([\s\S]*?)\n```/.exec(body.slice(body.indexOf('### Resolve the conflicts')))?.[1] ?? ''
      for (const line of block.split('\n')) {
        if (line.trim() === '' || line.startsWith('#')) continue
        if (line.startsWith('git add --')) await fs.writeFile(path.join(clone, 'proxy/server.py'), lines('server', 30, { 5: 'CARTO + upstream server' }))
        const result = spawnSync('bash', ['-c', line], { cwd: clone, env, encoding: 'utf8' })
        if (!line.startsWith('git merge')) expect({ line, status: result.status, stderr: result.stderr }).toEqual({ line, status: 0, stderr: expect.any(String) })
      }
      const head = (await world.forkBranch(`upstream-sync/${TAG}`)) as string
      const show = (file: string): string => execFileSync('git', ['show', `${head}:${file}`], { cwd: world.scenario.fork.dir, encoding: 'utf8' })
      expect(show(chunk(7))).toBe(await readFile(world.scenario.upstream.dir, TAG, chunk(7)))
      expect(spawnSync('git', ['cat-file', '-e', `${head}:${chunk(0)}`], { cwd: world.scenario.fork.dir }).status).not.toBe(0) // upstream deleted it
      expect(show('proxy/hooks.py')).toBe(lines('hooks', 30, { 5: 'CARTO hook' }))
      expect(show('proxy/server.py')).toBe(lines('server', 30, { 5: 'CARTO + upstream server' }))
      expect(show('docs/guide.md')).toBe(lines('guide', 30, { 1: 'CARTO intro', 30: 'upstream outro' }))
    } finally {
      await fs.rm(work, { recursive: true, force: true })
      await world.close()
    }
  })
})
