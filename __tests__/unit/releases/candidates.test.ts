import { describe, expect, it } from '@jest/globals'
import { selectCandidates } from '../../../src/releases/candidates.js'
import { compileChannel, parsePatternList } from '../../../src/releases/channel.js'
import { actionDefault, defaultChannel, fixtureTags, recordingLogger, sha, version } from './helpers.js'

describe('selectCandidates', () => {
  const refs = fixtureTags.map((name) => ({ name, sha: sha(name), type: 'commit' as const }))

  it('skips tags that match but carry no version, with a debug line, without failing', () => {
    const log = recordingLogger()
    const everything = compileChannel({ include: ['*'], exclude: defaultChannel.exclude })
    const candidates = selectCandidates(refs, everything, { log })
    expect(candidates.map((c) => c.tag)).not.toContain('latest')
    expect(log.debugs.sort()).toEqual([
      'tag "latest" matches tag-pattern but carries no version number; skipped',
      'tag "pr-litellm-spend-logs-db" matches tag-pattern but carries no version number; skipped',
      'tag "stable" matches tag-pattern but carries no version number; skipped',
      'tag "test" matches tag-pattern but carries no version number; skipped'
    ])
  })

  it('drops the fork’s own version and older, by release number whatever its spelling', () => {
    const newer = selectCandidates(refs, defaultChannel, { minVersion: version('1.81.9') })
    expect(newer.map((c) => c.tag)).toEqual(['v1.81.12-stable'])
    const afterPatch = selectCandidates(refs, defaultChannel, { minVersion: version('v1.73.6-stable') })
    expect(afterPatch.map((c) => c.tag)).toContain('v1.73.6-stable.patch.1')
    expect(afterPatch.map((c) => c.tag)).not.toContain('v1.73.6-stable')
  })

  it('follows custom patterns from the inputs', () => {
    const nightly = compileChannel({ include: parsePatternList('v1.81*-nightly'), exclude: [] })
    const tags = selectCandidates(refs, nightly).map((c) => c.tag)
    expect(tags.length).toBeGreaterThan(0)
    for (const tag of tags) expect(tag).toMatch(/^v1\.81\.\d+-nightly$/)
    const noPatches = compileChannel({
      include: parsePatternList(actionDefault('tag-pattern')),
      exclude: [...defaultChannel.exclude, '*patch*']
    })
    expect(selectCandidates(refs, noPatches).map((c) => c.tag).filter((t) => t.includes('patch'))).toEqual([])
  })
})
