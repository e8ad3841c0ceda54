/**
 * runGit's `largeOutput`: git writes its output to a file next to the repository instead of a pipe (so it never waits
 * for node to read), and the run gets the same result as through the pipe, with nothing left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readdirSync } from 'node:fs'
import { GitProcess, runGit } from '../../../src/git/process.js'
import { runGit as testGit, TempDir, WorkTree } from '../helpers/merge-repos.js'

let tmp: TempDir
let gitDir: string

beforeAll(() => {
  tmp = new TempDir()
  const work = WorkTree.create(tmp.join('work'), 'main')
  for (let i = 0; i < 300; i++) work.write(`file-${i}.txt`, `${i}\n`).commit(`commit ${i}`)
  gitDir = tmp.join('served.git')
  testGit(tmp.path, ['clone', '--quiet', '--bare', work.dir, gitDir])
})
afterAll(() => tmp.cleanup())

describe('runGit largeOutput', () => {
  it('gives the same output and exit code as the pipe, and removes its file', async () => {
    const git = new GitProcess(gitDir)
    const before = readdirSync(gitDir).sort()
    const piped = await git.tryExec(['rev-list', '--parents', 'main', '--'])
    const filed = await git.tryExec(['rev-list', '--parents', 'main', '--'], { largeOutput: true })
    expect(piped.stdout.split('\n').filter(Boolean)).toHaveLength(300)
    expect(filed).toEqual(piped)
    expect(readdirSync(gitDir).sort()).toEqual(before)
  })

  it('keeps a failure a failure: exit code and stderr, the file removed', async () => {
    const before = readdirSync(gitDir).sort()
    const failed = await runGit(gitDir, ['rev-list', 'no-such-branch', '--'], { largeOutput: true })
    expect(failed.exitCode).toBe(128)
    expect(failed.stderr).toContain('no-such-branch')
    expect(failed.stdout).toBe('')
    expect(readdirSync(gitDir).sort()).toEqual(before)
  })
})

describe('GitProcess.settled', () => {
  it('resolves once every git of the repository has ended, those started meanwhile included', async () => {
    const git = new GitProcess(gitDir)
    const ended: string[] = []
    void git.tryExec(['rev-list', '--parents', 'main', '--']).then(() => {
      ended.push('walk')
      // Started while the first one ran: settled waits for it too.
      void git.tryExec(['count-objects', '-v']).then(() => ended.push('count'))
    })
    await git.settled()
    expect(ended).toEqual(['walk', 'count'])
    // Nothing running: resolves at once.
    await git.settled()
  })
})
