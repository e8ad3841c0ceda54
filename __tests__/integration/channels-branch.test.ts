/**
 * Issue 12 end to end: an upstream that renamed its stable channel (LiteLLM, from 1.84.0: plain `v1.84.0`, RCs
 * `v1.84.0-rc.N`, nightlies `v1.84.0-dev.N`; the last `-stable` tags are `v1.83.14-stable` and its `.patch.N`). The
 * upstream carries all 1,011 real litellm tags plus the new scheme, with GitHub releases marking the pre-releases as
 * upstream does. `run()` in-process against the stand-in and real git.
 *
 * This file: `channel: branch`; the renamed stable channel is in channels.test.ts (two files, so the two test
 * workers share the load).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { revParse } from '../../test/support/repos.js'
import { expectExit, openWorld, type World } from './helpers/releases-world.js'

describe('channel: branch (following upstream main instead of releases)', () => {
  let world: World
  beforeAll(async () => {
    world = await openWorld()
  })
  afterAll(async () => {
    await world.close()
  })

  it('keeps one PR from upstream-sync/<branch>, refreshed when upstream moves; a closed PR skips that head until upstream moves on', async () => {
    const main = world.scenario.upstream.defaultBranch
    const head = (): Promise<string> => revParse(world.scenario.upstream.dir, `refs/heads/${main}`)
    const title = (sha: string, count: number) => `Upstream sync: acme/gateway ${main} @ ${sha.slice(0, 7)} (${count} new commit${count === 1 ? '' : 's'})`

    const first = await world.run({ channel: 'branch' })
    expectExit(first, 0)
    expect(first.outputs).toMatchObject({ result: 'created', branch: `upstream-sync/${main}`, tag: main, 'channel-drift': '' })
    const number = first.outputs['pr-number'] as string
    const firstPull = await world.pull(number)
    expect(firstPull.title).toMatch(new RegExp(`^Upstream sync: acme/gateway ${main} @ [0-9a-f]{7} \\(\\d+ new commits?\\)$`))
    const firstCount = Number(/\((\d+) new/.exec(firstPull.title)?.[1])

    // Upstream moves: the same PR is refreshed, its title naming the new head and one more commit.
    const moved = await world.upstreamCommit({ 'gateway/next.py': 'NEXT = 1\n' }, 'Next feature\n')
    const second = await world.run({ channel: 'branch' })
    expectExit(second, 0)
    expect(second.outputs).toMatchObject({ result: 'updated', 'pr-number': number })
    expect((await world.pull(number)).title).toBe(title(moved, firstCount + 1))
    expect((await world.pulls()).filter((pull) => pull.state === 'open')).toHaveLength(1)

    // Closed without merging: that head is skipped.
    expect((await world.scenario.api('PATCH', `/repos/${world.scenario.fork.fullName}/pulls/${number}`, { state: 'closed' })).status).toBe(200)
    const skipped = await world.run({ channel: 'branch' })
    expectExit(skipped, 0)
    expect(skipped.outputs).toMatchObject({ result: 'skipped', 'pr-url': firstPull.html_url })
    expect(skipped.stdout).toContain(`skipped until upstream's ${main} moves on`)

    // Upstream moves on: a new PR.
    const later = await world.upstreamCommit({ 'gateway/later.py': 'LATER = 1\n' }, 'Later feature\n')
    expect(await head()).toBe(later)
    const reopened = await world.run({ channel: 'branch' })
    expectExit(reopened, 0)
    expect(reopened.outputs).toMatchObject({ result: 'created', branch: `upstream-sync/${main}` })
    expect(reopened.outputs['pr-number']).not.toBe(number)
    expect((await world.pull(reopened.outputs['pr-number'] as string)).title).toBe(title(later, firstCount + 2))

    // Once the target has upstream's head, nothing to do.
    await world.forkMerges(later, `Merge upstream ${main}`)
    const current = await world.run({ channel: 'branch' })
    expectExit(current, 0)
    expect(current.outputs).toMatchObject({ result: 'up-to-date' })
  })
})
