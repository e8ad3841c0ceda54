/**
 * Issue 12 end to end: an upstream that renamed its stable channel (LiteLLM, from 1.84.0: plain `v1.84.0`, RCs
 * `v1.84.0-rc.N`, nightlies `v1.84.0-dev.N`; the last `-stable` tags are `v1.83.14-stable` and its `.patch.N`). The
 * upstream carries all 1,011 real litellm tags plus the new scheme, with GitHub releases marking the pre-releases as
 * upstream does. `run()` in-process against the stand-in and real git.
 *
 * `channel: branch` is in channels-branch.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createTags } from '../../test/support/repos.js'
import { startReceiver } from './helpers/receiver.js'
import { DAY_MS, expectExit, litellmTags, openWorld, type World } from './helpers/releases-world.js'

/** The new scheme: tag → [commit name, GitHub release kind]. Dev builds (nightlies) get no release, like upstream's. */
const NEW_ERA: Array<[string, 'stable' | 'pre' | 'none']> = [
  ['v1.83.14-stable', 'stable'],
  ['v1.83.14-stable.patch.1', 'stable'],
  ['v1.83.14-stable.patch.2', 'stable'],
  ['v1.83.14-stable.patch.3', 'stable'],
  ['v1.84.0-dev.1', 'none'],
  ['v1.84.0-dev.42', 'none'],
  ['v1.84.0-rc.1', 'pre'],
  ['v1.84.0-rc.2', 'pre'],
  ['v1.84.0', 'stable'],
  ['v1.84.1', 'stable'],
  ['v1.85.0-dev.3', 'none'],
  ['v1.85.0-rc.1', 'pre'],
  ['v1.85.0', 'stable'],
  ['v1.86.0-dev.7', 'none'],
  ['v1.86.0-rc.1', 'pre']
]

/**
 * Upstream: the real tags on the 1.1.0 commit, then one commit per new-era tag (each on the previous), released in
 * order a day apart. Returns the commit of each tag.
 */
async function renamedChannel(world: World): Promise<Record<string, string>> {
  const { upstream } = world.scenario
  await createTags(upstream.dir, litellmTags().map((name) => ({ name, rev: upstream.tags['v1.1.0-stable'] as string })))
  const commits: Record<string, string> = {}
  const start = Date.now() - NEW_ERA.length * DAY_MS
  for (const [index, [tag, kind]] of NEW_ERA.entries()) {
    const file = `gateway/release_${index}.py`
    commits[tag] = await world.upstreamCommit({ [file]: `VERSION = "${tag}"\n` }, `Release ${tag}\n`)
    await world.upstreamTag(tag, commits[tag] as string)
    if (kind !== 'none') await world.release({ tag, prerelease: kind === 'pre', publishedAt: new Date(start + index * DAY_MS) })
  }
  return commits
}

describe('an upstream that renamed its stable channel (LiteLLM 1.84.0)', () => {
  let world: World
  let commits: Record<string, string>
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    world = await openWorld()
    commits = await renamedChannel(world)
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await receiver.close()
    await world.close()
  })

  it('channel: tags (default) syncs the last -stable patch release and warns of the drift to v1.85.0, notifying it once', async () => {
    const hook = { 'webhook-url': `${receiver.url}/hook` }
    const run = await world.run(hook)
    expectExit(run, 0)
    expect(run.outputs).toMatchObject({ result: 'created', tag: 'v1.83.14-stable.patch.3', 'channel-drift': 'v1.85.0' })
    const warning = run.annotations.find((a) => a.level === 'warning' && a.message.startsWith('Channel drift'))
    expect(warning?.message).toContain('upstream published v1.85.0')
    expect(warning?.message).toContain('newer than v1.83.14-stable.patch.3')
    expect(warning?.message).toContain('channel: releases')
    expect(run.summary).toContain('### ⚠️ Channel drift')
    expect(run.summary).toContain('last matched `v1.83.14-stable.patch.3`')
    expect(run.summary).toContain("  channel: 'releases'")
    // Never a pre-release or a nightly among the releases it names.
    expect(run.summary).not.toMatch(/-rc\.|-dev\./)
    const events = () => receiver.received.map((r) => r.body.event)
    expect(events()).toEqual(['pr-created', 'channel-drift'])
    const drift = receiver.received[1]?.body as Record<string, unknown>
    expect(drift).toMatchObject({ event: 'channel-drift', tag: 'v1.85.0' })
    // The fork remembers the drift in a hidden ref (no branch, no tag).
    const refs = Object.keys(await world.forkRefs())
    expect(refs).toContain('refs/upstream-sync/channel-drift/v1.85.0')

    // The next run sees the same drift: still warned and output, not notified again, and cheap.
    receiver.received.length = 0
    await world.resetLog()
    const again = await world.run(hook)
    expectExit(again, 0)
    expect(again.outputs).toMatchObject({ result: 'updated', 'channel-drift': 'v1.85.0' })
    expect(again.annotations.some((a) => a.message.startsWith('Channel drift'))).toBe(true)
    expect(events()).toEqual(['pr-waiting'])
    const writes = (await world.apiRequests()).filter((entry) => entry.method !== 'GET' && entry.path.includes('channel-drift'))
    expect(writes).toEqual([])
  })

  it('channel: releases gives v1.85.0, never an -rc.N or -dev.N, and reports no drift', async () => {
    const run = await world.run({ channel: 'releases', 'dry-run': 'true' })
    expectExit(run, 0)
    expect(run.outputs).toMatchObject({ result: 'dry-run', tag: 'v1.85.0', version: '1.85.0', 'channel-drift': '' })
    expect(run.summary).not.toContain('Channel drift')
  })

  it('channel: releases with a narrowing tag-pattern keeps to it, and then the drift shows', async () => {
    const run = await world.run({ channel: 'releases', 'tag-pattern': 'v1.84.*', 'dry-run': 'true' })
    expectExit(run, 0)
    expect(run.outputs).toMatchObject({ result: 'dry-run', tag: 'v1.84.1', 'channel-drift': 'v1.85.0' })
  })

  it('pick: next catches up one release at a time: the oldest release the target lacks, then the next once merged', async () => {
    const first = await world.run({ channel: 'releases', pick: 'next', 'branch-prefix': 'catch-up/' })
    expectExit(first, 0)
    expect(first.outputs).toMatchObject({ result: 'created', tag: 'v1.83.14-stable', branch: 'catch-up/v1.83.14-stable' })
    // The maintainer merges it; the next run proposes the next release (the patch releases in turn).
    await world.forkMerges(commits['v1.83.14-stable'] as string, 'Merge upstream v1.83.14-stable')
    const second = await world.run({ channel: 'releases', pick: 'next', 'branch-prefix': 'catch-up/', 'dry-run': 'true' })
    expectExit(second, 0)
    expect(second.outputs).toMatchObject({ result: 'dry-run', tag: 'v1.83.14-stable.patch.1', 'previous-version': '1.83.14-stable' })
  })

  it('rejects an unknown channel or pick, naming the input and the choices', async () => {
    const run = await world.run({ channel: 'stable' })
    expectExit(run, 1)
    expect(run.stdout + run.stderr).toContain("Input 'channel' must be one of tags, releases, branch, got \"stable\"")
    const pick = await world.run({ pick: 'oldest' })
    expectExit(pick, 1)
    expect(pick.stdout + pick.stderr).toContain("Input 'pick' must be one of newest, next, got \"oldest\"")
  })
})
