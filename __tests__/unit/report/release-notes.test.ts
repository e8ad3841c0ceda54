import { describe, expect, it } from '@jest/globals'
import { neutralizeReleaseNotes } from '../../../src/report/release-notes.js'

describe('neutralizeReleaseNotes', () => {
  const upstream = { owner: 'up', repo: 'proj' }
  const ghes = (text: string): string => neutralizeReleaseNotes(text, { upstream, serverUrl: 'https://ghe.example.com/' })
  const dotcom = (text: string): string => neutralizeReleaseNotes(text, { upstream, serverUrl: 'https://github.com' })

  it('links issues to the upstream server, through the back-link-free redirect only when shown on github.com', () => {
    expect(neutralizeReleaseNotes('#5 https://github.com/up/proj/pull/6', { upstream, serverUrl: 'https://github.com', shownOn: 'https://ghe.example.com' })).toBe(
      '[#5](https://github.com/up/proj/issues/5) https://github.com/up/proj/pull/6'
    )
    expect(neutralizeReleaseNotes('#5', { upstream, serverUrl: 'https://ghe.example.com', shownOn: 'https://github.com' })).toBe('[#5](https://ghe.example.com/up/proj/issues/5)')
    expect(neutralizeReleaseNotes('#5 @al', { upstream, serverUrl: 'https://github.com', shownOn: 'https://ghe.example.com' })).toContain('`@al`')
  })

  it('turns mentions into inline code so nobody is notified', () => {
    expect(ghes('* Fix by @alice and @org/team-x.')).toBe('* Fix by `@alice` and `@org/team-x`.')
    expect(ghes('@bob at the start')).toBe('`@bob` at the start')
  })

  it('links bare references to the upstream issue, not the fork', () => {
    expect(ghes('closes #123, GH-7 and other/lib#9')).toBe(
      'closes [#123](https://ghe.example.com/up/proj/issues/123), [GH-7](https://ghe.example.com/up/proj/issues/7) and ' +
        '[other/lib#9](https://ghe.example.com/other/lib/issues/9)'
    )
  })

  it('leaves code, e-mail addresses, URLs, entities, links and words alone', () => {
    const untouched = [
      'see `@alice #1` here',
      'mail bob@example.com',
      'https://example.com/@user/page#12',
      '<https://example.com/#1>',
      '&#123; entity',
      '[#12](https://example.com/x) and [thanks @bob](https://example.com/y)',
      'issue#12 and v1.2#3',
      '<img src="https://example.com/@2x.png" alt="@x">'
    ]
    for (const line of untouched) expect(ghes(line)).toBe(line)
  })

  it('leaves fenced code blocks alone, ``` and ~~~', () => {
    const notes = 'before @a\n```sh\n@inside #1\n```\n~~~\n@also #2\n~~~\nafter @b'
    expect(ghes(notes)).toBe('before `@a`\n```sh\n@inside #1\n```\n~~~\n@also #2\n~~~\nafter `@b`')
  })

  it('uses HTML inside raw HTML blocks, where backticks are not parsed', () => {
    expect(ghes('<p>Thanks @bob for #5</p>\n\nthen @carol')).toBe(
      '<p>Thanks <code>@bob</code> for <a href="https://ghe.example.com/up/proj/issues/5">#5</a></p>\n\nthen `@carol`'
    )
  })

  it('drops a backslash before a mention so it cannot escape the backtick', () => {
    expect(ghes('by \\@alice')).toBe('by `@alice`')
  })

  it('leaves HTML comments alone and closes one left open', () => {
    expect(ghes('<!-- by @a\n#1 -->\nok @b')).toBe('<!-- by @a\n#1 -->\nok `@b`')
    expect(ghes('text <!-- open @a')).toBe('text <!-- open @a\n-->')
  })

  it('on github.com routes links through the back-link-free redirect, keeping the visible URL', () => {
    expect(dotcom('#4')).toBe('[#4](https://redirect.github.com/up/proj/issues/4)')
    expect(dotcom('in https://github.com/up/proj/pull/5.')).toBe(
      'in [https://github.com/up/proj/pull/5](https://redirect.github.com/up/proj/pull/5).'
    )
    expect(dotcom('[PR](https://github.com/up/proj/pull/6)')).toBe('[PR](https://redirect.github.com/up/proj/pull/6)')
    expect(dotcom('<https://github.com/up/proj/pull/7>')).toBe('[https://github.com/up/proj/pull/7](https://redirect.github.com/up/proj/pull/7)')
    expect(dotcom('https://example.com/x')).toBe('https://example.com/x')
  })

  it('can be told not to rewrite links', () => {
    expect(neutralizeReleaseNotes('#4', { upstream, serverUrl: 'https://github.com', avoidBacklinks: false })).toBe(
      '[#4](https://github.com/up/proj/issues/4)'
    )
  })

  it("handles GitHub's generated release notes", () => {
    const notes = [
      "## What's Changed",
      '* feat: add x by @dev-1 in https://github.com/up/proj/pull/101',
      '* fix(proxy): y (#102) by @dev2 in https://github.com/up/proj/pull/103',
      '',
      '## New Contributors',
      '* @newbie made their first contribution in https://github.com/up/proj/pull/104',
      '',
      '**Full Changelog**: https://github.com/up/proj/compare/v1.0.0...v1.1.0'
    ].join('\n')
    const out = dotcom(notes)
    expect(out).not.toMatch(/(^|[^`])@(dev-1|dev2|newbie)\b/m)
    expect(out).toContain('`@dev-1`')
    expect(out).toContain('[#102](https://redirect.github.com/up/proj/issues/102)')
    expect(out).toContain('[https://github.com/up/proj/pull/104](https://redirect.github.com/up/proj/pull/104)')
    expect(out).toContain('## New Contributors')
  })
})
