/**
 * The release channel: which upstream tags are candidates at all, from the `tag-pattern` and `exclude-pattern` globs,
 * compiled once when the inputs are read (a bad glob fails the run before any network call, naming the input).
 */
import picomatch from 'picomatch'
import { inputError } from '../errors.js'


/** action.yml's default `tag-pattern`: LiteLLM's stable channel until 1.83.14 and its patch releases. */
export const DEFAULT_TAG_PATTERN = 'v*-stable, v*-stable.patch*'
/** action.yml's default `exclude-pattern`. */
export const DEFAULT_EXCLUDE_PATTERN = '*draft*, *debug*, *nightly*, *.rc*, *-rc*, *.dev*, *-dev*'

/**
 * Where the channel's releases come from (the `channel` input): `tags`, the upstream tags matching the patterns, or
 * `releases`, upstream's published GitHub releases not marked pre-release (GitHub's own stable flag); `branch`, the
 * head of an upstream branch (`upstream-branch`) instead of releases (see branch.ts).
 */
export const CHANNEL_SOURCES = ['tags', 'releases', 'branch'] as const
export type ChannelSource = (typeof CHANNEL_SOURCES)[number]

/** The inputs a channel is made of: the globs (see {@link parsePatternList}) and the source. */
export interface ChannelPatterns {
  /** `tag-pattern`: a tag must match at least one of these. */
  include: readonly string[]
  /** `exclude-pattern`: a tag matching any of these is never a candidate. */
  exclude: readonly string[]
  /** `channel`; `tags` when not given. */
  source?: ChannelSource
}

/** A compiled channel: which upstream tags are release candidates at all. */
export interface Channel extends ChannelPatterns {
  readonly source: ChannelSource
  /**
   * True when the patterns select tags: always for `tags`; for `releases` only when `tag-pattern` or
   * `exclude-pattern` differ from their defaults (then they narrow the releases), else every release matches.
   */
  readonly narrowed: boolean
  /**
   * The longest literal prefix common to every include glob (`v` for the defaults): `listTags` asks GitHub only for
   * tags starting with it, in one request. Empty when a glob starts with a wildcard.
   */
  readonly prefix: string
  /** True when the tag name matches an include glob and no exclude glob. */
  matches(tag: string): boolean
}

/**
 * Glob semantics, chosen for tag names rather than file paths:
 * - `*` matches any run of characters, `/` included (`bash: true` makes a single star a globstar), because a tag
 *   such as `release/v1.2.3-stable` is one name, not a path; `?` matches one character other than `/`;
 * - `dot: true`: a leading `.` is an ordinary character;
 * - `strictBrackets`: an unbalanced `[`, `(` or `{` is an error instead of a silent literal, so a typo in a pattern
 *   fails the run before any network call;
 * - `windows: false`: tag names never use backslashes as separators, whatever the runner's OS.
 */
const GLOB_OPTIONS = { bash: true, dot: true, strictBrackets: true, windows: false } as const

/**
 * Include globs match case-sensitively, like git and GitHub's prefix listing of refs (so `prefix` is exact).
 * Exclude globs match case-insensitively: `*nightly*` must also keep out `v2.0.0-NIGHTLY` and `*.rc*` `v2.0.0.RC1`;
 * excluding too much is the safe side.
 */
const EXCLUDE_OPTIONS = { ...GLOB_OPTIONS, nocase: true } as const

/** Characters that may start glob syntax: the literal prefix of a glob ends before the first of them. */
const GLOB_SYNTAX = /[*?[\]{}()!+@\\]/

/**
 * Splits a `tag-pattern` / `exclude-pattern` input into globs: separated by commas and/or newlines, trimmed, empty
 * entries dropped, duplicates removed. Commas inside braces belong to the glob (`v{1,2}.*-stable` stays whole).
 */
export function parsePatternList(text: string): string[] {
  const globs: string[] = []
  let current = ''
  let braceDepth = 0
  const flush = (): void => {
    const glob = current.trim()
    if (glob && !globs.includes(glob)) globs.push(glob)
    current = ''
  }
  for (const char of text) {
    if (char === '{') braceDepth++
    else if (char === '}' && braceDepth > 0) braceDepth--
    if (char === '\n' || char === '\r' || (char === ',' && braceDepth === 0)) flush()
    else current += char
  }
  flush()
  return globs
}

/** The text of a glob before its first wildcard or other glob syntax. */
function literalPrefix(glob: string): string {
  const index = glob.search(GLOB_SYNTAX)
  return index === -1 ? glob : glob.slice(0, index)
}

/** Longest common string prefix of all the given strings. */
export function commonPrefix(strings: readonly string[]): string {
  if (strings.length === 0) return ''
  let prefix = strings[0] ?? ''
  for (const s of strings) {
    let i = 0
    while (i < prefix.length && i < s.length && prefix[i] === s[i]) i++
    prefix = prefix.slice(0, i)
  }
  return prefix
}

function compileGlobs(
  globs: readonly string[],
  inputName: 'tag-pattern' | 'exclude-pattern',
  options: picomatch.PicomatchOptions
): Array<(tag: string) => boolean> {
  return globs.map((glob) => {
    if (glob.startsWith('!')) {
      throw inputError(
        `Input '${inputName}': "${glob}" starts with "!"; negated globs are not supported here, ` +
          (inputName === 'tag-pattern'
            ? 'put the globs of tags to leave out in exclude-pattern instead'
            : 'list the tags to leave out as plain globs')
      )
    }
    if (/\s/.test(glob)) {
      throw inputError(
        `Input '${inputName}': "${glob}" contains whitespace, which no tag name can contain; separate globs with commas or newlines`
      )
    }
    try {
      return picomatch(glob, options)
    } catch (error) {
      // picomatch suggests escaping with a backslash, which tag names cannot contain anyway: drop that hint.
      const reason = (error as Error).message.replace(/\s+-\s+use .*$/, '')
      throw inputError(`Input '${inputName}': invalid glob "${glob}": ${reason}`)
    }
  })
}

/**
 * Compiles a channel from its globs (usually `parsePatternList(input)` for each input).
 * @throws an input UserError naming `tag-pattern` or `exclude-pattern` for an empty include list or an invalid glob.
 */
export function compileChannel(patterns: ChannelPatterns): Channel {
  const include = [...patterns.include]
  const exclude = [...patterns.exclude]
  if (include.length === 0) {
    throw inputError(`Input 'tag-pattern' is empty: give at least one glob, e.g. "v*-stable, v*-stable.patch*"`)
  }
  const included = compileGlobs(include, 'tag-pattern', GLOB_OPTIONS)
  const excluded = compileGlobs(exclude, 'exclude-pattern', EXCLUDE_OPTIONS)
  const source = patterns.source ?? 'tags'
  const isDefault = (globs: readonly string[], text: string): boolean => globs.join('\n') === parsePatternList(text).join('\n')
  const narrowed = source === 'tags' || !isDefault(include, DEFAULT_TAG_PATTERN) || !isDefault(exclude, DEFAULT_EXCLUDE_PATTERN)
  if (!narrowed) return { include, exclude, source, narrowed, prefix: '', matches: () => true }
  return {
    include,
    exclude,
    source,
    narrowed,
    prefix: commonPrefix(include.map(literalPrefix)),
    matches: (tag) => included.some((isMatch) => isMatch(tag)) && !excluded.some((isMatch) => isMatch(tag))
  }
}

/** The channel in words, for messages: `tag-pattern "v*-stable" minus exclude-pattern "*draft*"`. */
export function describeChannel(channel: Channel): string {
  if (channel.source === 'branch') return 'channel "branch"'
  if (channel.source === 'releases') {
    const narrowing = channel.narrowed ? ` tagged ${describePatterns(channel)}` : ''
    return `channel "releases" (published releases not marked pre-release${narrowing})`
  }
  return describePatterns(channel)
}

function describePatterns(channel: Channel): string {
  const exclude = channel.exclude.length > 0 ? ` minus exclude-pattern "${channel.exclude.join(', ')}"` : ''
  return `tag-pattern "${channel.include.join(', ')}"${exclude}`
}
