/**
 * The stand-in replays answers that depend only on a repository's refs (test/stand-in/refs-state.ts): each change
 * of the refs, however it is made, must show at once, and nothing may be replayed across a change.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { BareRepo } from '../../../test/stand-in/git.js'
import { RefAnswers, refsState } from '../../../test/stand-in/refs-state.js'
import { gitTraffic } from '../../../test/support/control.js'
import { git, revParse, setBranch } from '../../../test/support/repos.js'
import { createScenario, type Scenario } from '../../../test/support/scenario.js'

let s: Scenario
let work: string
let authArgs: string[]

beforeAll(async () => {
  s = await createScenario()
  work = path.join(s.root, 'refs-state-clients')
  await fs.mkdir(work, { recursive: true })
  const basic = Buffer.from(`x-access-token:${s.token}`).toString('base64')
  authArgs = ['-c', `http.extraheader=AUTHORIZATION: basic ${basic}`, '-c', 'protocol.version=2']
})

afterAll(async () => {
  await s.cleanup()
})

/** `git ls-remote` over HTTP with protocol v2: the capability advertisement, then an ls-refs command. */
async function remoteRefs(repo: string, pattern: string): Promise<string> {
  return git('', [...authArgs, 'ls-remote', `${s.standIn.url}/${repo}.git`, pattern], { cwd: work })
}

describe('refs state', () => {
  it('changes with every loose ref, packed-refs and HEAD, and not otherwise', async () => {
    const dir = s.upstream.dir
    const first = refsState(dir)
    expect(first).toMatch(/^[0-9a-f]{40}$/)
    expect(refsState(dir)).toBe(first)

    // A new object changes nothing the refs say.
    await git(dir, ['hash-object', '-w', '--stdin'], { input: 'unrelated blob\n' })
    expect(refsState(dir)).toBe(first)

    const head = await revParse(dir, 'refs/heads/main')
    await setBranch(dir, 'state-check', head)
    const withBranch = refsState(dir)
    expect(withBranch).not.toBe(first)

    // Packing moves the loose ref into packed-refs: the same refs, stored differently, is another state (safe).
    await git(dir, ['pack-refs', '--all'])
    const packed = refsState(dir)
    expect(packed).not.toBe(withBranch)
    await git(dir, ['update-ref', '-d', 'refs/heads/state-check'])
    expect(refsState(dir)).not.toBe(packed)

    const before = refsState(dir)
    await git(dir, ['symbolic-ref', 'HEAD', 'refs/heads/other'])
    expect(refsState(dir)).not.toBe(before)
    await git(dir, ['symbolic-ref', 'HEAD', 'refs/heads/main'])
    expect(refsState(dir)).toBe(before)
  })

  it('is undefined while a lock file shows an update in flight, and for a missing repository', async () => {
    const lock = path.join(s.upstream.dir, 'refs', 'heads', 'main.lock')
    await fs.writeFile(lock, '')
    try {
      expect(refsState(s.upstream.dir)).toBeUndefined()
    } finally {
      await fs.rm(lock)
    }
    expect(refsState(s.upstream.dir)).toBeDefined()
    expect(refsState(path.join(s.root, 'no-such.git'))).toBeUndefined()
  })

  it('gives a repository made again under the same name another state, though its refs are the same', async () => {
    const dir = path.join(s.root, 'remade.git')
    await git('', ['init', '--quiet', '--bare', dir])
    const first = refsState(dir)
    await fs.rm(dir, { recursive: true })
    // Another folder made in between, so the new one cannot reuse the old one's inode number.
    await fs.mkdir(path.join(s.root, 'spacer'))
    await git('', ['init', '--quiet', '--bare', dir])
    expect(refsState(dir)).not.toBe(first)
  })
})

describe('answers kept per refs state', () => {
  it('computes once per state, asks again after a change, and never keeps a failure', async () => {
    const dir = s.fork.dir
    const answers = new RefAnswers<string>()
    let computed = 0
    const ask = (value: string, keep = true): Promise<string> =>
      answers.answer(dir, 'question', async () => {
        computed++
        return value
      }, () => keep)

    expect(await ask('first', false)).toBe('first')
    expect(await ask('second')).toBe('second')
    expect(await ask('third')).toBe('second')
    expect(computed).toBe(2)

    await setBranch(dir, 'answers-check', await revParse(dir, 'refs/heads/carto/main'))
    expect(await ask('fourth')).toBe('fourth')
    expect(computed).toBe(3)
    await git(dir, ['update-ref', '-d', 'refs/heads/answers-check'])
  })

  it('does not keep an answer computed while the refs changed', async () => {
    const dir = s.fork.dir
    const answers = new RefAnswers<string>()
    const target = await revParse(dir, 'refs/heads/carto/main')
    const racing = await answers.answer(dir, 'q', async () => {
      await setBranch(dir, 'racing', target)
      return 'seen during the change'
    }, () => true)
    expect(racing).toBe('seen during the change')
    // Back to the state the answer was asked in: it must be computed again, not replayed.
    await git(dir, ['update-ref', '-d', 'refs/heads/racing'])
    expect(await answers.answer(dir, 'q', async () => 'fresh', () => true)).toBe('fresh')
  })
})

describe("the API's ref lookups", () => {
  it('see a branch moved or deleted straight in the repository at once', async () => {
    const repo = new BareRepo(s.fork.dir)
    const target = await revParse(s.fork.dir, 'refs/heads/carto/main')
    const parent = await revParse(s.fork.dir, `${target}~1`)
    await setBranch(s.fork.dir, 'lookup-check', target)
    expect(await repo.resolve('lookup-check')).toBe(target)
    expect(await repo.refSha('refs/heads/lookup-check')).toBe(target)
    expect((await repo.listRefs('refs/heads/lookup-')).map((entry) => entry.sha)).toEqual([target])

    await setBranch(s.fork.dir, 'lookup-check', parent)
    expect(await repo.resolve('lookup-check')).toBe(parent)
    expect(await repo.refSha('refs/heads/lookup-check')).toBe(parent)
    expect((await repo.listRefs('refs/heads/lookup-')).map((entry) => entry.sha)).toEqual([parent])

    await git(s.fork.dir, ['update-ref', '-d', 'refs/heads/lookup-check'])
    expect(await repo.resolve('lookup-check')).toBeUndefined()
    expect(await repo.listRefs('refs/heads/lookup-')).toEqual([])
  })
})

describe('through git smart HTTP', () => {
  it('shows a ref written straight into the bare repository at once, after a replayed listing', async () => {
    const dir = s.fork.dir
    const target = await revParse(dir, 'refs/heads/carto/main')
    const replayed = async (): Promise<number> => (await gitTraffic(s.standIn)).repos['carto/gateway-fork']?.replayed ?? 0
    const listed = await remoteRefs('carto/gateway-fork', 'refs/heads/*')
    const before = await replayed()
    expect(await remoteRefs('carto/gateway-fork', 'refs/heads/*')).toBe(listed)
    // Both requests of the second listing (capabilities, ls-refs) were answered without http-backend.
    expect((await replayed()) - before).toBe(2)
    expect(listed).not.toContain('refs/heads/written-directly')

    // Not through the stand-in: git itself, as a test's setup does.
    await setBranch(dir, 'written-directly', target)
    expect(await remoteRefs('carto/gateway-fork', 'refs/heads/*')).toContain(`${target}\trefs/heads/written-directly`)
    await git(dir, ['update-ref', '-d', 'refs/heads/written-directly'])
    expect(await remoteRefs('carto/gateway-fork', 'refs/heads/*')).toBe(listed)
  })

  it('answers a pattern that was not asked before with its own listing', async () => {
    const tags = await remoteRefs('acme/gateway', 'refs/tags/*')
    const heads = await remoteRefs('acme/gateway', 'refs/heads/*')
    expect(tags).toContain('refs/tags/')
    expect(heads).not.toContain('refs/tags/')
    expect(heads).toContain('refs/heads/main')
  })
})
