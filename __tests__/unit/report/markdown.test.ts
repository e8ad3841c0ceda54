import { describe, expect, it } from '@jest/globals'
import {
  blockquote,
  codeSpan,
  encodePathPart,
  escapeMarkdown,
  fencedBlock,
  inlineMarkdown,
  safeSlice,
  safeUrl,
  shellQuote,
  tableCellMarkdown,
  truncateAtLine,
  visibleControls
} from '../../../src/report/markdown.js'

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
  it('leaves plainly safe words bare', () => {
    expect(shellQuote('upstream-sync/v1.2.3-stable')).toBe('upstream-sync/v1.2.3-stable')
    expect(shellQuote('origin/main')).toBe('origin/main')
  })

  it('quotes everything else (the engine tests run each through bash)', () => {
    expect(shellQuote("it's.md")).toBe("'it'\\''s.md'")
    expect(shellQuote('-n')).toBe("'-n'")
    expect(shellQuote('')).toBe("''")
    expect(shellQuote('$(rm -rf /)')).toBe("'$(rm -rf /)'")
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
