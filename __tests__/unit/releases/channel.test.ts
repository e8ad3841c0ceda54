import { describe, expect, it } from '@jest/globals'
import { selectCandidates } from '../../../src/releases/candidates.js'
import { compileChannel, parsePatternList } from '../../../src/releases/channel.js'
import { compareVersions } from '../../../src/releases/version.js'
import { accepted, actionDefault, defaultChannel, fixtureTags, sha } from './helpers.js'

describe('parsePatternList', () => {
  it('splits on commas and newlines, trims, drops empties and duplicates', () => {
    expect(parsePatternList('v*-stable, v*-stable.patch*')).toEqual(['v*-stable', 'v*-stable.patch*'])
    expect(parsePatternList('  v*-stable\n\n  v*-stable.patch*,\r\n*draft* , ,v*-stable\n')).toEqual([
      'v*-stable',
      'v*-stable.patch*',
      '*draft*'
    ])
    expect(parsePatternList('')).toEqual([])
  })

  it('keeps commas inside braces in their glob', () => {
    expect(parsePatternList('v{1,2}.*-stable, release-*')).toEqual(['v{1,2}.*-stable', 'release-*'])
  })
})

describe('compileChannel', () => {
  it('asks GitHub only for the literal prefix the include globs share', () => {
    expect(defaultChannel.prefix).toBe('v')
    expect(compileChannel({ include: ['v1.8*-stable', 'v1.7*-stable'], exclude: [] }).prefix).toBe('v1.')
    expect(compileChannel({ include: ['release/v*'], exclude: [] }).prefix).toBe('release/v')
    expect(compileChannel({ include: ['*-stable'], exclude: [] }).prefix).toBe('')
    expect(compileChannel({ include: ['v*', 'release-*'], exclude: [] }).prefix).toBe('')
    expect(compileChannel({ include: ['{v,V}*'], exclude: [] }).prefix).toBe('')
  })

  it('lets * match across "/" because a tag name is one name, not a path', () => {
    const channel = compileChannel({ include: ['*-stable', 'release/*'], exclude: ['*/hotfix/*'] })
    expect(channel.matches('release/v1.2.3-stable')).toBe(true)
    expect(channel.matches('release/2024/v1.2.3')).toBe(true)
    expect(channel.matches('release/hotfix/v1.2.3')).toBe(false)
    expect(channel.matches('.hidden-stable')).toBe(true)
  })

  it('matches include globs case-sensitively (like the ref listing) and exclude globs case-insensitively', () => {
    const channel = compileChannel({ include: ['v*'], exclude: parsePatternList(actionDefault('exclude-pattern')) })
    expect(channel.matches('V1.2.3')).toBe(false)
    expect(channel.matches('v1.2.3')).toBe(true)
    expect(channel.matches('v2.0.0-NIGHTLY')).toBe(false)
    expect(channel.matches('v2.0.0.RC1')).toBe(false)
    expect(channel.matches('v2.0.0-Draft')).toBe(false)
  })

  it('names tag-pattern or exclude-pattern for an invalid glob', () => {
    expect(() => compileChannel({ include: ['v[0-9*'], exclude: [] })).toThrow(
      `Input 'tag-pattern': invalid glob "v[0-9*": Missing closing: "]"`
    )
    expect(() => compileChannel({ include: ['v*'], exclude: ['*draft*', '*{rc,dev'] })).toThrow(
      `Input 'exclude-pattern': invalid glob "*{rc,dev": Missing closing: "}"`
    )
    expect(() => compileChannel({ include: ['v*(-stable'], exclude: [] })).toThrow(/^Input 'tag-pattern': invalid glob/)
  })

  it('refuses negated globs and whitespace with the fix in the message', () => {
    expect(() => compileChannel({ include: ['v*', '!*draft*'], exclude: [] })).toThrow(
      `Input 'tag-pattern': "!*draft*" starts with "!"; negated globs are not supported here, put the globs of tags to leave out in exclude-pattern instead`
    )
    expect(() => compileChannel({ include: ['v*'], exclude: ['!v*'] })).toThrow(/^Input 'exclude-pattern': "!v\*" starts with "!"/)
    expect(() => compileChannel({ include: ['v* -stable'], exclude: [] })).toThrow(
      `Input 'tag-pattern': "v* -stable" contains whitespace, which no tag name can contain; separate globs with commas or newlines`
    )
  })

  it('needs at least one include glob', () => {
    expect(() => compileChannel({ include: parsePatternList(' , \n'), exclude: [] })).toThrow(
      `Input 'tag-pattern' is empty: give at least one glob, e.g. "v*-stable, v*-stable.patch*"`
    )
  })
})

describe('the default channel over the real litellm tags', () => {
  const stable = accepted(defaultChannel)

  it.each([
    ['v1.81.9-stable', true],
    ['v1.73.6-stable.patch.1', true],
    ['v1.67.0-stable.patch2', true],
    // The typo'd tag is the stable release 1.32.34 (see parseVersion).
    ['v.1.32.34-stable', true],
    ['v1.74.3-stable-draft', false],
    ['v1.72.2-stable.debug', false],
    ['v1.74.9.rc.1', false],
    ['v1.74.5.dev1', false],
    ['v1.74.8-nightly', false],
    // A dev build that ends in -stable is still a dev build.
    ['v1.34.22.dev15-stable', false],
    ['v1.73.6.rc-draft', false],
    ['stable', false],
    ['latest', false]
  ])('%s → %s', (tag, expected) => {
    expect(fixtureTags).toContain(tag)
    expect(defaultChannel.matches(tag)).toBe(expected)
  })

  it('accepts exactly the stable tags and their patch releases', () => {
    expect(stable).toHaveLength(118)
    for (const tag of stable) expect(tag).toMatch(/^v\.?\d+\.\d+\.\d+-stable(\.patch\.?\d+)?$/)
  })

  it('never accepts drafts, debug builds, nightlies, RCs or dev builds', () => {
    const forbidden = /draft|debug|nightly|rc|dev/i
    expect(stable.filter((tag) => forbidden.test(tag))).toEqual([])
    // The excludes alone keep them out too, whatever tag-pattern lets in.
    const everything = compileChannel({ include: ['*'], exclude: defaultChannel.exclude })
    const leftIn = accepted(everything)
    expect(leftIn.filter((tag) => forbidden.test(tag))).toEqual([])
    expect(leftIn.length).toBeGreaterThan(stable.length)
  })

  it('orders the accepted set by version: monotonic, numeric, patch releases after their release', () => {
    const candidates = selectCandidates(
      fixtureTags.map((name) => ({ name, sha: sha(name), type: 'commit' as const })),
      defaultChannel
    )
    expect(candidates).toHaveLength(stable.length)
    const names = candidates.map((c) => c.tag)
    for (let i = 1; i < candidates.length; i++) {
      const newer = candidates[i - 1]
      const older = candidates[i]
      if (!newer || !older) throw new Error('unreachable')
      expect(compareVersions(older.version, newer.version)).toBeLessThan(0)
    }
    // The newest stable pick: 1.81.12 (a string sort would say 1.81.9).
    expect(names.slice(0, 4)).toEqual(['v1.81.12-stable', 'v1.81.9-stable', 'v1.81.3-stable', 'v1.81.0-stable'])
    expect(names.indexOf('v1.73.6-stable.patch.1')).toBe(names.indexOf('v1.73.6-stable') - 1)
    expect(names.indexOf('v1.67.0-stable.patch2')).toBe(names.indexOf('v1.67.0-stable') - 1)
    const typo = names.indexOf('v.1.32.34-stable')
    expect(candidates[typo]?.version.text).toBe('1.32.34-stable')
    // The typo'd tag sorts as 1.32.34, between 1.32.33 (the oldest stable tag) and 1.34.x.
    expect(names.slice(-3)).toEqual(['v1.34.21-stable', 'v.1.32.34-stable', 'v1.32.33-stable'])
  })
})
