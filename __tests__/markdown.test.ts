import { execFileSync } from 'node:child_process'
import { describe, expect, it } from '@jest/globals'
import {
  blockquote,
  codeSpan,
  encodePathPart,
  escapeMarkdown,
  fencedBlock,
  inlineMarkdown,
  neutralizeReleaseNotes,
  safeSlice,
  safeUrl,
  shellQuote,
  tableCellMarkdown,
  truncateAtLine,
  visibleControls
} from '../src/markdown.js'

const ZWSP = '&#8203;'

describe('escapeMarkdown', () => {
  it('backslash-escapes inline syntax and keeps ordinary punctuation readable', () => {
    expect(escapeMarkdown('v1.2.3-stable')).toBe('v1.2.3-stable')
    expect(escapeMarkdown('*a*_b_`c`[d](e)<f>|g~h&i\\j')).toBe('\\*a\\*\\_b\\_\\`c\\`\\[d\\](e)\\<f\\>\\|g\\~h\\&i\\\\j')
  })

  it('keeps a value on one line and drops control characters', () => {
    expect(escapeMarkdown('a\nb\r\nc\u0007d')).toBe('a b c d')
  })

  it('defuses mentions and issue references but leaves e-mail addresses alone', () => {
    expect(escapeMarkdown('thanks @alice, see #12 and GH-3; mail bob@example.com')).toBe(
      `thanks @${ZWSP}alice, see #${ZWSP}12 and GH-${ZWSP}3; mail bob@example.com`
    )
    expect(escapeMarkdown('@org/team')).toBe(`@${ZWSP}org/team`)
  })

  it('escapes what would start a heading, list or quote at the start of a line', () => {
    expect(escapeMarkdown('# title')).toBe('\\# title')
    expect(escapeMarkdown('- item')).toBe('\\- item')
    expect(escapeMarkdown('1. item')).toBe('1\\. item')
    expect(escapeMarkdown('> quote')).toBe('\\> quote')
  })

  it('prints numbers and nothing for null', () => {
    expect(escapeMarkdown(42)).toBe('42')
    expect(escapeMarkdown(undefined)).toBe('')
  })
})

describe('codeSpan', () => {
  it('wraps plain text in single backticks', () => {
    expect(codeSpan('src/app.ts')).toBe('`src/app.ts`')
  })

  it('uses a longer fence than any backtick run inside, padded when needed', () => {
    expect(codeSpan('x`y.md')).toBe('``x`y.md``')
    expect(codeSpan('a``b')).toBe('```a``b```')
    expect(codeSpan('`start')).toBe('`` `start ``')
    expect(codeSpan('end ')).toBe('` end  `')
  })

  it('escapes pipes only for table cells', () => {
    expect(codeSpan('a|b.md')).toBe('`a|b.md`')
    expect(codeSpan('a|b.md', { table: true })).toBe('`a\\|b.md`')
  })

  it('shows control characters the way git quotes them, on one line', () => {
    expect(codeSpan('a\nb\tc\u001b')).toBe('`a\\nb\\tc\\x1b`')
    expect(visibleControls('x\ry')).toBe('x\\ry')
  })

  it('renders nothing for an empty value', () => {
    expect(codeSpan('')).toBe('')
  })
})

describe('fencedBlock', () => {
  it('uses three backticks for ordinary content', () => {
    expect(fencedBlock('echo hi', 'sh')).toBe('```sh\necho hi\n```')
  })

  it('cannot be closed early by a fence inside the content', () => {
    const block = fencedBlock('a\n```\nb', 'sh')
    expect(block.startsWith('````sh\n')).toBe(true)
    expect(block.endsWith('\n````')).toBe(true)
  })
})

describe('inlineMarkdown and tableCellMarkdown', () => {
  it('keeps fork-written Markdown but puts it on one line', () => {
    expect(inlineMarkdown('check `# CARTO:`\n  sections')).toBe('check `# CARTO:` sections')
  })

  it('makes a note safe in a table cell without double-escaping pipes', () => {
    expect(tableCellMarkdown('a | b\nc `x|y` \\| d')).toBe('a \\| b<br>c `x\\|y` \\| d')
  })
})

describe('shellQuote', () => {
  const roundTrip = (arg: string): string => execFileSync('bash', ['-c', `printf '%s' ${shellQuote(arg)}`], { encoding: 'utf8' })

  it('leaves plainly safe words bare', () => {
    expect(shellQuote('upstream-sync/v1.2.3-stable')).toBe('upstream-sync/v1.2.3-stable')
    expect(shellQuote('origin/main')).toBe('origin/main')
  })

  it('quotes everything else so the shell sees exactly the original', () => {
    for (const arg of ["it's.md", 'a b', 'a|b.md', 'x`y.md', '$(rm -rf /)', '*bold*.md', '-n', '', 'a\nb.md', 'tab\there', 'back\\slash', "q'\n'uote"]) {
      expect(roundTrip(arg)).toBe(arg)
    }
  })

  it('keeps a name with a newline on one line', () => {
    expect(shellQuote('a\nb')).toBe("$'a\\nb'")
  })
})

describe('URLs', () => {
  it('encodes a path part but keeps slashes, and encodes what would end a Markdown link', () => {
    expect(encodePathPart('release/1.0 (beta)!')).toBe('release/1.0%20%28beta%29%21')
  })

  it('accepts only http(s) URLs and makes them safe as a link destination', () => {
    expect(safeUrl('https://example.com/a(b) c')).toBe('https://example.com/a%28b%29%20c')
    expect(safeUrl('javascript:alert(1)')).toBe('')
    expect(safeUrl(undefined)).toBe('')
  })
})

describe('blockquote and truncation', () => {
  it('quotes every line', () => {
    expect(blockquote('a\n\nb')).toBe('> a\n>\n> b')
  })

  it('cuts at a line boundary', () => {
    expect(truncateAtLine('one\ntwo\nthree', 9)).toBe('one\ntwo')
    expect(truncateAtLine('short', 10)).toBe('short')
    expect(truncateAtLine('abcdef', 3)).toBe('abc')
  })

  it('never splits a surrogate pair', () => {
    expect(safeSlice('a😀b', 2)).toBe('a')
    expect(safeSlice('a😀b', 3)).toBe('a😀')
  })
})

describe('neutralizeReleaseNotes', () => {
  const upstream = { owner: 'up', repo: 'proj' }
  const ghes = (text: string): string => neutralizeReleaseNotes(text, { upstream, serverUrl: 'https://ghe.example.com/' })
  const dotcom = (text: string): string => neutralizeReleaseNotes(text, { upstream, serverUrl: 'https://github.com' })

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
