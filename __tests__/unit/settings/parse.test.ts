import { describe, expect, it } from '@jest/globals'
import { isUserError } from '../../../src/errors.js'
import { formatDuration, parseChecklist, parseDuration, parseList, parseRepo } from '../../../src/settings/parse.js'

describe('parseDuration', () => {
  it.each([
    ['2d', 2 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['90m', 90 * 60_000],
    ['1w', 604_800_000],
    ['30s', 30_000],
    ['1d12h', 36 * 3_600_000],
    ['1 day 12 hours', 36 * 3_600_000],
    ['2 Days', 2 * 86_400_000],
    ['1.5d', 36 * 3_600_000],
    ['0', 0]
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it('treats an empty input as no wait', () => {
    expect(parseDuration('')).toBeUndefined()
    expect(parseDuration('  ')).toBeUndefined()
  })

  it.each(['2', 'd2', '2x', '2 d h', '-1d', '1.d', 'two days'])('names the input for %j', (text) => {
    expect(() => parseDuration(text)).toThrow(
      `Input 'min-release-age' "${text.trim()}" is not a duration: use a number and a unit (s, m, h, d or w), e.g. 2d, 12h or 90m`
    )
  })

  it('formats durations for messages', () => {
    expect(formatDuration(2 * 86_400_000)).toBe('2d')
    expect(formatDuration(90 * 60_000)).toBe('1h 30m')
    expect(formatDuration(0)).toBe('0s')
  })
})

describe('small parsers', () => {
  it('splits lists on commas and newlines', () => {
    expect(parseList('a, b\nc,,\n d ')).toEqual(['a', 'b', 'c', 'd'])
  })
  it('parses repositories and strips .git', () => {
    expect(parseRepo('x', 'octo-org/my.repo_name.git')).toEqual({ owner: 'octo-org', repo: 'my.repo_name' })
    expect(() => parseRepo('x', 'owner/..')).toThrow('must be owner/name')
  })
  it('parses checklists written as Markdown task lists', () => {
    expect(parseChecklist('- [x] done\n* item\nplain\n\n')).toEqual(['done', 'item', 'plain'])
  })
  it('throws input errors', () => {
    let error: unknown
    try {
      parseDuration('soon')
    } catch (caught) {
      error = caught
    }
    expect(isUserError(error, 'input')).toBe(true)
  })
})
