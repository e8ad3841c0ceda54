/** The shell commands the report hands out, run for real: quoting through bash, resolution through git. */
import { execFileSync, spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { buildReportView, renderPrBody } from '../../../src/report/index.js'
import { shellQuote } from '../../../src/report/markdown.js'
import type { Conflict } from '../../../src/types.js'
import { conflict, input, merge } from '../../unit/report/fixtures.js'

describe('shellQuote, through bash', () => {
  const roundTrip = (arg: string): string => execFileSync('bash', ['-c', `printf '%s' ${shellQuote(arg)}`], { encoding: 'utf8' })

  it('quotes everything else so the shell sees exactly the original', () => {
    for (const arg of ["it's.md", 'a b', 'a|b.md', 'x`y.md', '$(rm -rf /)', '*bold*.md', '-n', '', 'a\nb.md', 'tab\there', 'back\\slash', "q'\n'uote"]) {
      expect(roundTrip(arg)).toBe(arg)
    }
  })
})

describe('the resolution commands, run with real git', () => {
  let dir: string
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com'
  }
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  const write = async (cwd: string, files: Record<string, string>): Promise<void> => {
    for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(cwd, name), text)
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'report-git-'))
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('redo the merge, resolve every file by its rule and push a fast-forward merge commit', async () => {
    const names = ['keep.md', 'a|b.md', 'take.md', 'x`y.md', '*bold*.md', 'nl\nname.md', "it's.md", 'Dockerfile', 'gone.md', 'auto.py']
    const seed = path.join(dir, 'seed')
    const origin = path.join(dir, 'origin.git')
    await fs.mkdir(seed)
    git(dir, 'init', '--quiet', '--bare', origin)
    git(seed, 'init', '--quiet', '-b', 'main')
    await write(seed, Object.fromEntries([...names.map((n) => [n, 'base\n']), ['abold1.md', 'not conflicted\n']]))
    git(seed, 'add', '-A')
    git(seed, 'commit', '--quiet', '-m', 'base')
    git(seed, 'switch', '--quiet', '-c', 'upstream')
    await write(seed, Object.fromEntries([...names.map((n) => [n, 'upstream\n']), ['abold1.md', 'upstream touched\n']]))
    git(seed, 'commit', '--quiet', '-am', 'upstream release')
    const tagSha = git(seed, 'rev-parse', 'HEAD')
    git(seed, 'switch', '--quiet', 'main')
    await write(seed, Object.fromEntries(names.filter((n) => n !== 'gone.md').map((n) => [n, 'fork\n'])))
    git(seed, 'rm', '--quiet', 'gone.md')
    git(seed, 'commit', '--quiet', '-am', 'fork changes')
    const targetSha = git(seed, 'rev-parse', 'HEAD')
    git(seed, 'push', '--quiet', origin, 'main', `${tagSha}:refs/heads/upstream-sync/v2-stable`)

    const rules: Record<string, Conflict['resolution']> = {
      'keep.md': 'ours',
      'a|b.md': 'ours',
      'nl\nname.md': 'ours',
      'take.md': 'theirs',
      'x`y.md': 'theirs',
      '*bold*.md': 'theirs',
      "it's.md": 'manual',
      Dockerfile: 'manual'
    }
    const view = buildReportView(
      input({
        tag: 'v2-stable',
        targetBranch: 'main',
        syncBranch: 'upstream-sync/v2-stable',
        merge: merge({
          status: 'conflicts',
          targetSha,
          tagSha,
          headSha: tagSha,
          conflicts: [
            ...Object.entries(rules).map(([p, r]) => conflict(p, r)),
            conflict('gone.md', 'theirs', { kind: 'modify/delete', message: 'CONFLICT (modify/delete)' })
          ],
          autoResolved: [conflict('auto.py', 'theirs', { autoResolved: 'theirs' })]
        })
      })
    )
    const block = /```sh\n([\s\S]*?)\n```/.exec(renderPrBody(view))?.[1]
    expect(block).toBeDefined()

    const work = path.join(dir, 'work')
    git(dir, 'clone', '--quiet', origin, work)
    let editedManual = false
    for (const line of (block as string).split('\n')) {
      if (line.trim() === '' || line.startsWith('#')) continue
      if (line.startsWith('git add --') && !editedManual) {
        // What the human does for the manual files before marking them resolved.
        await write(work, { "it's.md": 'resolved by hand\n', Dockerfile: 'resolved by hand\n' })
        editedManual = true
      }
      const result = spawnSync('bash', ['-c', line], { cwd: work, env, encoding: 'utf8' })
      if (line.startsWith('git merge')) {
        expect(result.stdout).toContain('CONFLICT')
      } else {
        expect({ line, status: result.status, stderr: result.stderr }).toEqual({ line, status: 0, stderr: expect.any(String) })
      }
    }

    // The sync branch on origin moved forward to a merge of the target and the tag, resolved by the rules.
    const head = git(origin, 'rev-parse', 'refs/heads/upstream-sync/v2-stable')
    expect(git(origin, 'rev-parse', `${head}^1`)).toBe(targetSha)
    expect(git(origin, 'rev-parse', `${head}^2`)).toBe(tagSha)
    const show = (name: string): string => execFileSync('git', ['show', `${head}:${name}`], { cwd: origin, env, encoding: 'utf8' })
    for (const name of ['keep.md', 'a|b.md', 'nl\nname.md']) expect({ name, text: show(name) }).toEqual({ name, text: 'fork\n' })
    for (const name of ['take.md', 'x`y.md', '*bold*.md', 'gone.md', 'auto.py', 'abold1.md']) {
      expect({ name, text: show(name) }).toEqual({ name, text: 'upstream\n'.replace('upstream\n', name === 'abold1.md' ? 'upstream touched\n' : 'upstream\n') })
    }
    expect(show("it's.md")).toBe('resolved by hand\n')
    expect(show('Dockerfile')).toBe('resolved by hand\n')
  })
})
