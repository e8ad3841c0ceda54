/**
 * Markdown safety for everything the action writes into a PR body, job summary or report: upstream data (tag names,
 * paths, release names and notes) is untrusted, and GitHub's Markdown is full of active syntax — emphasis, tables,
 * raw HTML, `@mentions` that notify people, `#123` references that link (and back-link) issues.
 *
 * Three kinds of output, each for one context:
 * - `escapeMarkdown`: plain text for prose and table cells (outside code);
 * - `codeSpan` / `fencedBlock`: literal text as inline code / a code block (paths, commands);
 * - `neutralizeReleaseNotes` (release-notes.ts): upstream's own Markdown, kept as Markdown but with mentions and bare
 *   references defused.
 */

/**
 * A zero-width space as an HTML entity. Placed right after `@` or `#` it breaks GitHub's mention and issue-reference
 * detection (which works on the rendered text) while the reader still sees `@name` / `#12` — Dependabot's technique.
 * Used for plain-text values, where a code span would change how the value reads.
 */
const ZWSP = '&#8203;'

/** ASCII control characters (C0 and DEL). */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g

/**
 * Escapes plain text for Markdown prose or a table cell (not for code spans or raw HTML): every character with
 * inline meaning is backslash-escaped, line breaks become spaces (a value is one line), a leading character that
 * would start a heading, list or quote is escaped, and `@name`, `#12`, `GH-12` are defused so the text neither
 * notifies anyone nor links an unrelated issue of the repository the text is shown in.
 */
export function escapeMarkdown(value: unknown): string {
  let text = String(value ?? '')
    .replace(/\r\n?|\n/g, ' ')
    .replace(CONTROL_CHARS, ' ')
  text = text.replace(/[\\`*_[\]<>|~&]/g, '\\$&')
  // Order matters: the entity inserted for `@` contains `#8`, so references are defused first.
  text = text.replace(/#(?=\d)/g, `#${ZWSP}`)
  text = text.replace(/(^|[^A-Za-z0-9_])@(?=[A-Za-z0-9])/g, `$1@${ZWSP}`)
  text = text.replace(/(^|[^A-Za-z0-9_])(GH)-(?=\d)/gi, `$1$2-${ZWSP}`)
  // Block syntax only matters at the start of a line; values usually sit mid-line, but a custom template may not.
  text = text.replace(/^(\s*)([#+\-=])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2')
  return text
}

/**
 * Makes control characters visible the way `git` quotes paths (`\n`, `\t`, `\x1b`), so a path with a newline stays
 * on one line and reads unambiguously.
 */
export function visibleControls(text: string): string {
  return text.replace(CONTROL_CHARS, (ch) => {
    switch (ch) {
      case '\n':
        return '\\n'
      case '\r':
        return '\\r'
      case '\t':
        return '\\t'
      default:
        return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`
    }
  })
}

function longestRun(text: string, char: string): number {
  let longest = 0
  let current = 0
  for (const ch of text) {
    current = ch === char ? current + 1 : 0
    if (current > longest) longest = current
  }
  return longest
}

export interface CodeSpanOptions {
  /**
   * The span goes into a GFM table cell: `|` is escaped as `\|` (GFM removes the backslash inside cells, code spans
   * included). Outside a table the backslash would show, so this is off by default.
   */
  table?: boolean
}

/**
 * Literal text as inline code, whatever it contains: the fence is one backtick longer than the longest backtick run
 * inside (so a path like ``x`y.md`` stays whole), padded with spaces when the text starts or ends with a backtick or
 * a space, and control characters are made visible.
 */
export function codeSpan(text: string, options: CodeSpanOptions = {}): string {
  let content = visibleControls(text)
  if (content === '') return ''
  if (options.table) content = content.replace(/\|/g, '\\|')
  const fence = '`'.repeat(longestRun(content, '`') + 1)
  const pad = /^[` ]|[` ]$/.test(content) ? ' ' : ''
  return `${fence}${pad}${content}${pad}${fence}`
}

/**
 * A fenced code block that nothing inside can close early: the fence is longer than any backtick run in the content.
 */
export function fencedBlock(content: string, language = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(content, '`') + 1))
  return `${fence}${language}\n${content.replace(/\n+$/, '')}\n${fence}`
}

/**
 * Markdown written by the fork itself (rule notes, checklist items) as one line: it stays Markdown — a note like
 * "check `# CARTO:` sections" keeps its code span — but cannot break the surrounding list item or paragraph.
 */
export function inlineMarkdown(markdown: string): string {
  return markdown.replace(/\s*(?:\r\n?|\n)\s*/g, ' ').replace(CONTROL_CHARS, ' ').trim()
}

/**
 * Fork-written Markdown made safe for a GFM table cell: one line (breaks become `<br>`), and every unescaped `|`
 * escaped so it cannot split the cell — inside code spans too, where GFM also honours `\|` in tables.
 */
export function tableCellMarkdown(markdown: string): string {
  return markdown
    .trim()
    .replace(/\s*(?:\r\n?|\n)\s*/g, '<br>')
    .replace(CONTROL_CHARS, ' ')
    .replace(/(?<!\\)\|/g, '\\|')
}

/**
 * Quotes one argument for a POSIX shell (bash, zsh) so a pasted command does exactly what it shows: bare when it is
 * plainly safe, single-quoted otherwise, and ANSI-C quoted (`$'a\nb'`) when it holds control characters, so that
 * the command stays on one line.
 */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_./:@%+=,-]+$/.test(arg) && !arg.startsWith('-')) return arg
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(arg)) {
    const body = visibleControls(arg.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))
    return `$'${body}'`
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

/**
 * Percent-encodes a value for use as part of a URL path: like `encodeURIComponent`, but `/` is kept (tag and branch
 * names with slashes are addressed with them on GitHub) and `( ) ! * '` are encoded too, so the URL is safe inside a
 * Markdown link destination.
 */
export function encodePathPart(value: string): string {
  return encodeURIComponent(value)
    .replace(/%2F/gi, '/')
    .replace(/[()!*']/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
}

/**
 * An http(s) URL made safe for a Markdown link destination (`[text](url)`): characters that would end or break the
 * destination are percent-encoded. Any other scheme (`javascript:` and the like) yields `''`.
 */
export function safeUrl(url: string | undefined): string {
  if (!url || !/^https?:\/\/\S/i.test(url.trim())) return ''
  return url.trim().replace(/[()<>"'`\\ ]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}

/** Prefixes every line with `> `, which also contains the quoted Markdown: an unclosed fence or HTML block ends with the quote. */
export function blockquote(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => (line.trim() === '' ? '>' : `> ${line}`))
    .join('\n')
}

/**
 * Cuts text to at most `maxChars` UTF-16 units at a line boundary (or, for a single huge line, at a character that
 * does not split a surrogate pair). Returns the text unchanged when it fits.
 */
export function truncateAtLine(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text
  if (maxChars <= 0) return ''
  const cut = text.lastIndexOf('\n', maxChars)
  if (cut > 0) return text.slice(0, cut)
  return safeSlice(text, maxChars)
}

/** `text.slice(0, end)` that never leaves half of a surrogate pair at the end. */
export function safeSlice(text: string, end: number): string {
  if (end >= text.length) return text
  const code = text.charCodeAt(end - 1)
  const highSurrogate = code >= 0xd800 && code <= 0xdbff
  return text.slice(0, highSurrogate ? end - 1 : end)
}


/** `1 file`, `3 files`: a count with its noun, for prose. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
