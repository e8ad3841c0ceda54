/**
 * Upstream release notes, shown in the fork's PR: kept as Markdown, but with mentions and bare issue references
 * defused so that showing them neither notifies anyone upstream nor links the fork's own, unrelated issues.
 */
import { isGitHubDotCom } from '../settings/upstream-host.js'
import type { RepoId } from '../types.js'
import { encodePathPart, safeUrl } from './markdown.js'

export interface NeutralizeOptions {
  /** The repository the notes come from: bare `#123` and `GH-123` become links to its issues. */
  upstream: RepoId
  /** The upstream's server, where its issues are, e.g. `https://github.com`. */
  serverUrl: string
  /** The server of the page showing the notes (the fork's PR); default: `serverUrl`. */
  shownOn?: string
  /**
   * Point links to github.com through `https://redirect.github.com`, GitHub's documented way to link an issue or PR
   * without adding a "mentioned this" cross-reference to its timeline (Dependabot and Renovate do the same); without
   * it every sync PR would leave a back-link on every upstream PR its release notes list. The visible text is kept.
   * Default: on when the notes are shown on `https://github.com`. A page on an Enterprise server leaves no back-link
   * on github.com (and GitHub Enterprise has no such redirect), so links from there go straight to their server.
   */
  avoidBacklinks?: boolean
}

/** Whether a line is raw HTML to GitHub, where Markdown (backticks included) is not parsed. */
type LineMode = 'markdown' | 'html'

interface NotesContext {
  issueBase: string
  upstream: RepoId
  rewriteUrl: (url: string) => string
}

/**
 * Upstream release notes, made safe to show in the fork:
 * - `@user` and `@org/team` become inline code (`<code>` inside raw HTML, where backticks are not parsed), so nobody
 *   upstream is notified;
 * - bare `#123`, `GH-123` and `owner/repo#123` become explicit links to the *upstream* issue, so GitHub does not
 *   link the fork's own, unrelated issue of that number;
 * - code blocks, code spans, URLs, e-mail addresses, existing links and HTML tags are left as they are (links to
 *   github.com are routed through the back-link-free redirect, see `avoidBacklinks`).
 *
 * Indented code blocks are not detected (they are indistinguishable from list continuations without a full parser);
 * a mention inside one merely shows with backticks, and nothing inside a code block pings anyone anyway.
 */
export function neutralizeReleaseNotes(markdown: string, options: NeutralizeOptions): string {
  const serverUrl = options.serverUrl.replace(/\/+$/, '')
  const avoidBacklinks = options.avoidBacklinks ?? isGitHubDotCom(options.shownOn ?? serverUrl)
  // Only github.com's own issues leave a back-link (and only it has the redirect).
  const base = avoidBacklinks && isGitHubDotCom(serverUrl) ? 'https://redirect.github.com' : serverUrl
  const context: NotesContext = {
    issueBase: base,
    upstream: options.upstream,
    // `<…>` is the bracketed form of a link destination.
    rewriteUrl: (url) => (avoidBacklinks ? url.replace(/^(<?)https?:\/\/(?:www\.)?github\.com\//i, '$1https://redirect.github.com/') : url)
  }

  const out: string[] = []
  let fence: { char: string; length: number } | undefined
  let inHtmlBlock = false
  let inComment = false
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (fence) {
      out.push(line)
      const close = /^[\s>]*(`{3,}|~{3,})\s*$/.exec(line)
      if (close?.[1] && close[1][0] === fence.char && close[1].length >= fence.length) fence = undefined
      continue
    }
    if (inComment) {
      const end = line.indexOf('-->')
      if (end < 0) {
        out.push(line)
        continue
      }
      inComment = false
      const rest = neutralizeLine(line.slice(end + 3), inHtmlBlock ? 'html' : 'markdown', context)
      out.push(line.slice(0, end + 3) + rest.text)
      inComment = rest.openComment
      continue
    }
    const open = /^[\s>]*(`{3,}|~{3,})(.*)$/.exec(line)
    if (open?.[1] && !(open[1][0] === '`' && (open[2] ?? '').includes('`'))) {
      fence = { char: open[1][0] as string, length: open[1].length }
      out.push(line)
      continue
    }
    if (line.trim() === '') {
      inHtmlBlock = false
      out.push(line)
      continue
    }
    // A line that starts with a tag opens an HTML block until the next blank line (CommonMark's rules 6 and 7,
    // erring towards HTML: the HTML-mode output is also correct inline in Markdown). Comments track themselves.
    if (!inHtmlBlock && /^ {0,3}<\/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)/.test(line)) inHtmlBlock = true
    const result = neutralizeLine(line, inHtmlBlock ? 'html' : 'markdown', context)
    out.push(result.text)
    inComment = result.openComment
  }
  // An HTML comment left open would swallow everything rendered after the notes.
  if (inComment) out.push('-->')
  return out.join('\n')
}

const AUTOLINK = /^<((?:https?|ftp|mailto):[^\s<>]*|[^\s<>@]+@[^\s<>]+)>/i
const HTML_TAG = /^<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/
const BARE_URL = /^(?:https?:\/\/|www\.)[^\s<]*/i

function neutralizeLine(line: string, mode: LineMode, context: NotesContext): { text: string; openComment: boolean } {
  let out = ''
  let textStart = 0
  let i = 0
  const flush = (end: number): void => {
    out += neutralizeText(line.slice(textStart, end), mode, context)
  }
  while (i < line.length) {
    const ch = line[i]
    if (ch === '\\' && i + 1 < line.length && line[i + 1] !== '@' && line[i + 1] !== '#') {
      // A backslash escape (other than before `@`/`#`, which neutralizeText handles): skip the escaped character.
      i += 2
      continue
    }
    if (ch === '`') {
      const run = /^`+/.exec(line.slice(i))?.[0] ?? '`'
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g')
      close.lastIndex = i + run.length
      const match = close.exec(line)
      if (match) {
        flush(i)
        out += line.slice(i, match.index + run.length)
        i = textStart = match.index + run.length
      } else {
        i += run.length
      }
      continue
    }
    if (ch === '<') {
      const rest = line.slice(i)
      if (rest.startsWith('<!--')) {
        const end = rest.indexOf('-->', 4)
        flush(i)
        if (end < 0) return { text: out + rest, openComment: true }
        out += rest.slice(0, end + 3)
        i = textStart = i + end + 3
        continue
      }
      const auto = AUTOLINK.exec(rest)
      if (auto?.[1]) {
        flush(i)
        const target = auto[1]
        const rewritten = context.rewriteUrl(target)
        out += rewritten === target ? auto[0] : linkTo(target, rewritten, mode)
        i = textStart = i + auto[0].length
        continue
      }
      const tag = HTML_TAG.exec(rest)
      if (tag) {
        flush(i)
        out += rewriteHtmlAttributes(tag[0], context)
        i = textStart = i + tag[0].length
        continue
      }
    }
    if (ch === '[' || (ch === '!' && line[i + 1] === '[')) {
      const link = matchLink(line, ch === '!' ? i + 1 : i)
      if (link) {
        flush(i)
        // Nothing inside a link is auto-linked by GitHub, so its text stays as written; only the destination is
        // routed around back-links.
        out += line.slice(i, link.destStart) + context.rewriteUrl(line.slice(link.destStart, link.destEnd)) + line.slice(link.destEnd, link.end)
        i = textStart = link.end
        continue
      }
    }
    if ((ch === 'h' || ch === 'H' || ch === 'w' || ch === 'W') && (i === 0 || !/[A-Za-z0-9]/.test(line[i - 1] ?? ''))) {
      const url = BARE_URL.exec(line.slice(i))?.[0]
      if (url) {
        const trimmed = trimUrl(url)
        flush(i)
        const rewritten = context.rewriteUrl(trimmed)
        out += rewritten === trimmed ? trimmed : linkTo(trimmed, rewritten, mode)
        i = textStart = i + trimmed.length
        continue
      }
    }
    i++
  }
  flush(line.length)
  return { text: out, openComment: false }
}

/** Drops what GFM's autolinker also leaves out of a bare URL: trailing punctuation and an unbalanced `)`. */
function trimUrl(url: string): string {
  let result = url.replace(/[.,:;!?'"*_~]+$/, '')
  while (result.endsWith(')') && (result.match(/\(/g)?.length ?? 0) < (result.match(/\)/g)?.length ?? 0)) {
    result = result.slice(0, -1).replace(/[.,:;!?'"*_~]+$/, '')
  }
  return result
}

function linkTo(text: string, url: string, mode: LineMode): string {
  if (mode === 'html') return `<a href="${url.replace(/"/g, '%22')}">${text}</a>`
  return `[${text.replace(/[[\]\\]/g, '\\$&')}](${safeUrl(url) || url})`
}

function rewriteHtmlAttributes(tag: string, context: NotesContext): string {
  return tag.replace(/(\bhref\s*=\s*["']?)(https?:\/\/[^"'\s>]+)/gi, (_all, prefix: string, url: string) => prefix + context.rewriteUrl(url))
}

/**
 * Finds an inline link `[text](dest "title")` or reference link `[text][ref]` starting at `start` (a `[`), with
 * balanced brackets in the text and one level of parentheses in the destination.
 */
function matchLink(line: string, start: number): { destStart: number; destEnd: number; end: number } | undefined {
  let depth = 0
  let i = start
  for (; i < line.length; i++) {
    const ch = line[i]
    if (ch === '\\') {
      i++
    } else if (ch === '[') {
      depth++
    } else if (ch === ']') {
      depth--
      if (depth === 0) break
    }
  }
  if (depth !== 0 || i >= line.length) return undefined
  const after = i + 1
  if (line[after] === '(') {
    const dest = /^\(\s*(<[^<>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)/.exec(line.slice(after))
    if (!dest || dest[1] === undefined) return undefined
    const destStart = after + dest[0].indexOf(dest[1])
    return { destStart, destEnd: destStart + dest[1].length, end: after + dest[0].length }
  }
  if (line[after] === '[') {
    const ref = /^\[[^\]]*\]/.exec(line.slice(after))
    if (!ref) return undefined
    const end = after + ref[0].length
    return { destStart: end, destEnd: end, end }
  }
  return undefined
}

/**
 * Mentions and references in plain text of the notes. `refs` are those GitHub would auto-link: `#123` (not part of a
 * word or an HTML entity like `&#123;`), `GH-123`, `owner/repo#123`; mentions are `@user` / `@org/team` not preceded
 * by a word character (so e-mail addresses are left alone).
 */
const TOKEN =
  /(?<![A-Za-z0-9_&])#(\d+)\b|(?<![A-Za-z0-9_])GH-(\d+)\b|(?<![A-Za-z0-9_./-])([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)#(\d+)\b|(?<![A-Za-z0-9_`])@([A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)?)/gi

function neutralizeText(text: string, mode: LineMode, context: NotesContext): string {
  if (text === '') return text
  let out = ''
  let last = 0
  TOKEN.lastIndex = 0
  for (let match = TOKEN.exec(text); match; match = TOKEN.exec(text)) {
    let start = match.index
    // `\@user` / `\#1`: the backslash would escape our backtick or bracket, so it goes.
    const dropBackslash = text[start - 1] === '\\'
    out += text.slice(last, dropBackslash ? start - 1 : start)
    const [whole, issue, ghIssue, owner, repo, crossIssue, mention] = match
    if (mention !== undefined) {
      out += mode === 'html' ? `<code>@${mention}</code>` : `\`@${mention}\``
    } else {
      const target: RepoId = owner && repo ? { owner, repo: repo.replace(/\.git$/i, '') } : context.upstream
      const number = issue ?? ghIssue ?? crossIssue ?? ''
      const url = `${context.issueBase}/${encodePathPart(target.owner)}/${encodePathPart(target.repo)}/issues/${number}`
      out += linkTo(whole, url, mode)
    }
    start += whole.length
    last = start
  }
  return out + text.slice(last)
}
