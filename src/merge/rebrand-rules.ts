/**
 * The fork's rebrand rules: `from` → `to` replacements the merge applies to what upstream brings (see
 * rebrand-merge.ts), so a renamed product stays renamed release after release. Pure: no git, no I/O.
 *
 * A rule is `{ from, to, regex?, paths?, exclude? }`. `paths` and `exclude` are globs matched like the path rules
 * (rules.ts): picomatch on the whole repository-relative path, `dot: true`; `paths` defaults to every file. For one
 * file, the rules whose globs cover it run in list order, each on the previous one's output.
 *
 * - A literal rule replaces every occurrence of `from` (case-sensitive, left to right, non-overlapping).
 * - A regex rule (`regex: true`) is a JavaScript pattern compiled with flags `gm` (so `^` and `$` match at line
 *   starts and ends); `to` may name capture groups as `$1`…`$99` or `$<name>`, and `$$` is a literal `$`. A match of
 *   zero length is never replaced.
 *
 * "Applying twice would grow": the merge base and upstream's new version get the same transformation, and text that
 * already carries the fork's name (an upstream commit contributed by the fork, say) must come out unchanged, so the
 * rules must be idempotent: rules(rules(x)) = rules(x). A rule is rejected when a second pass would find, inside the
 * text the first pass wrote, something to replace again:
 * - literal: `to` contains its own `from` (`LiteLLM` → `OrizonLiteLLM` would give `OrizonOrizonLiteLLM`), or the
 *   `from` of an earlier rule (a second pass would rename that part of the output again). A later rule's `from`
 *   inside `to` is chaining, which the first pass already completed;
 * - regex: a literal piece of `to` (the text between group references) contains a match of its own pattern, or of an
 *   earlier rule's; or `to` uses `$&` (the whole match, which by definition matches again). Text copied through a
 *   capture group can still make the output match again (`(\w+)-litellm` → `$1-litellm-x`), which only the actual
 *   text can tell: the merge applies the rules a second time to every file it transformed and fails, naming the rule
 *   and the file, when that changes anything (see `secondPass`).
 * Binary files (a NUL byte in the first 8000 bytes, git's own test) are never transformed.
 */
import picomatch from 'picomatch'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { z } from 'zod'
import { configError, inputError, type UserError } from '../errors.js'

export interface RebrandRule {
  from: string
  to: string
  regex: boolean
  /** Globs of the files the rule applies to; `['**']` when the config gave none. */
  paths: string[]
  exclude: string[]
}

/** What the rules did to one file's text. */
export interface RebrandApplication {
  text: string
  /** Replacements per rule, indexed like the rule list (0 for rules that did not apply or did not match). */
  replacements: number[]
  total: number
}

export interface CompiledRebrand {
  readonly rules: readonly RebrandRule[]
  /** True when at least one rule's globs cover `path`: only such files are read at all. */
  covers(path: string): boolean
  applyRebrand(text: string, path: string): RebrandApplication
  /**
   * The first rule that would change `transformed` (the output of applyRebrand for `path`) again, or undefined when
   * the text is a fixed point, as idempotent rules guarantee.
   */
  secondPass(transformed: string, path: string): number | undefined
}

const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true, windows: false }
const REGEX_FLAGS = 'gm'
/** git's binary test (xdiff's buffer_is_binary): a NUL byte among the first 8000 bytes. */
const BINARY_PROBE_BYTES = 8000

export function isBinary(content: Uint8Array): boolean {
  return content.subarray(0, BINARY_PROBE_BYTES).includes(0)
}

// ---------------------------------------------------------------------------------------------------------------
// The replacement template of a regex rule

type TemplatePart = { literal: string } | { group: number } | { name: string } | { whole: true }

/**
 * Splits a regex rule's `to` into literal text and group references, with JavaScript's replacement syntax (`$$`,
 * `$&`, `$n`/`$nn` with the longest existing group number, `$<name>`). `` $` `` and `$'` (the text around the match)
 * are refused: they copy unrelated text and always grow it.
 */
function parseTemplate(to: string, groupCount: number): { parts: TemplatePart[]; error?: string } {
  const parts: TemplatePart[] = []
  let literal = ''
  const flush = (): void => {
    if (literal) parts.push({ literal })
    literal = ''
  }
  for (let i = 0; i < to.length; i++) {
    const char = to[i] as string
    const next = to[i + 1]
    if (char !== '$' || next === undefined) {
      literal += char
      continue
    }
    if (next === '$') {
      literal += '$'
      i++
    } else if (next === '&') {
      flush()
      parts.push({ whole: true })
      i++
    } else if (next === '`' || next === "'") {
      return { parts, error: `$${next} (the text around the match) is not supported; use capture groups` }
    } else if (next === '<') {
      const end = to.indexOf('>', i + 2)
      if (end === -1) return { parts, error: `unterminated group reference ${JSON.stringify(to.slice(i))}` }
      flush()
      parts.push({ name: to.slice(i + 2, end) })
      i = end
    } else if (/[0-9]/.test(next)) {
      const two = Number(to.slice(i + 1, i + 3))
      const useTwo = /^[0-9]{2}$/.test(to.slice(i + 1, i + 3)) && two >= 1 && two <= groupCount
      const number = useTwo ? two : Number(next)
      if (number === 0 || number > groupCount) {
        return { parts, error: `refers to group $${number}, but the pattern has ${groupCount} capture group${groupCount === 1 ? '' : 's'}` }
      }
      flush()
      parts.push({ group: number })
      i += useTwo ? 2 : 1
    } else {
      literal += char
    }
  }
  flush()
  return { parts }
}

function expandTemplate(parts: readonly TemplatePart[], match: RegExpExecArray): string {
  let out = ''
  for (const part of parts) {
    if ('literal' in part) out += part.literal
    else if ('whole' in part) out += match[0]
    else if ('group' in part) out += match[part.group] ?? ''
    else out += match.groups?.[part.name] ?? ''
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// One rule's text transformation

interface Replacer {
  /** Replaces every match in `text`; returns the new text and how many replacements were made. */
  replace(text: string): { text: string; count: number }
  /** True when `text` holds something this rule would replace. */
  matchesIn(text: string): boolean
}

function literalReplacer(from: string, to: string): Replacer {
  return {
    replace(text) {
      const pieces = text.split(from)
      return { text: pieces.join(to), count: pieces.length - 1 }
    },
    matchesIn: (text) => text.includes(from)
  }
}

function regexReplacer(pattern: RegExp, parts: readonly TemplatePart[]): Replacer {
  // Every match comes from exec so the template sees the same groups; zero-length matches are left alone.
  const matches = (text: string): RegExpExecArray[] => [...text.matchAll(pattern)].filter((match) => match[0] !== '')
  return {
    replace(text) {
      let out = ''
      let last = 0
      const found = matches(text)
      for (const match of found) {
        out += text.slice(last, match.index) + expandTemplate(parts, match)
        last = match.index + match[0].length
      }
      return { text: found.length === 0 ? text : out + text.slice(last), count: found.length }
    },
    matchesIn: (text) => matches(text).length > 0
  }
}

/** The rule's replacer, or the reason (naming the key) it cannot be one. */
function buildReplacer(rule: { from: string; to: string; regex?: boolean | undefined }): { replacer?: Replacer; key?: 'from' | 'to'; error?: string; literals: string[] } {
  if (!rule.regex) return { replacer: literalReplacer(rule.from, rule.to), literals: [rule.to] }
  let pattern: RegExp
  try {
    pattern = new RegExp(rule.from, REGEX_FLAGS)
  } catch (error) {
    return { key: 'from', error: `does not compile: ${(error as Error).message}`, literals: [] }
  }
  if (new RegExp(rule.from, REGEX_FLAGS.replace('g', '')).test('')) {
    return { key: 'from', error: 'matches the empty string, so it would insert `to` everywhere', literals: [] }
  }
  // A pattern plus an empty alternative matches '' and reports every group, so this counts the groups.
  const groupCount = (new RegExp(`${rule.from}|`).exec('') as RegExpExecArray).length - 1
  const template = parseTemplate(rule.to, groupCount)
  if (template.error) return { key: 'to', error: template.error, literals: [] }
  const names = new Set(Object.keys(new RegExp(`${rule.from}|`).exec('')?.groups ?? {}))
  const unknown = template.parts.find((part) => 'name' in part && !names.has(part.name))
  if (unknown && 'name' in unknown) return { key: 'to', error: `refers to group $<${unknown.name}>, which the pattern does not define`, literals: [] }
  if (template.parts.some((part) => 'whole' in part)) {
    return { key: 'to', error: 'uses $& (the whole match), whose text matches `from` again, so applying the rule twice would grow it; capture the part to keep in a group', literals: [] }
  }
  const literals = template.parts.flatMap((part) => ('literal' in part ? [part.literal] : []))
  return { replacer: regexReplacer(pattern, template.parts), literals }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

/**
 * The `rebrand` list's schema, built on first use: zod schemas cost time to build, and most runs read no rebrand rules
 * (building every schema at load was about 8 ms of each run's start).
 */
function buildRebrandSchema() {
  const globList = z
    .union([z.string().min(1, 'must not be empty'), z.array(z.string().min(1, 'globs must not be empty')).min(1, 'must list at least one glob')])
    .transform((value) => (typeof value === 'string' ? [value] : value))

  const ruleSchema = z
    .strictObject({
      from: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
      to: z.string({ error: 'must be a string' }),
      regex: z.boolean().optional(),
      paths: globList.optional(),
      exclude: globList.optional()
    })
    .superRefine((rule, ctx) => {
      if (typeof rule.from !== 'string' || rule.from === '' || typeof rule.to !== 'string') return
      const built = buildReplacer(rule)
      if (built.error) {
        ctx.addIssue({ code: 'custom', path: [built.key as string], message: built.error })
        return
      }
      if (rule.to === rule.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'equals `from`: the rule would change nothing' })
      else if (built.literals.some((piece) => built.replacer?.matchesIn(piece))) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: rule.regex
            ? 'contains text the pattern matches, so applying the rule twice would grow the text'
            : `contains \`from\` (${JSON.stringify(rule.from)}), so applying the rule twice would grow the text`
        })
      }
      for (const key of ['paths', 'exclude'] as const) {
        for (const glob of rule[key] ?? []) {
          try {
            picomatch.makeRe(glob, { ...GLOB_OPTIONS, strictBrackets: true })
          } catch (error) {
            ctx.addIssue({ code: 'custom', path: [key], message: `invalid glob ${JSON.stringify(glob)}: ${(error as Error).message}` })
          }
        }
      }
    })

  // The `rebrand` list: issue paths are relative to it, so formatIssues prefixes `rebrand`.
  const rebrandSchema = z.array(ruleSchema).superRefine((rules, ctx) => {
    rules.forEach((rule, index) => {
      if (typeof rule?.to !== 'string' || rule.to === rule.from) return
      for (let earlier = 0; earlier < index; earlier++) {
        const other = rules[earlier]
        if (typeof other?.from !== 'string' || other.from === '') continue
        const built = buildReplacer(other)
        if (built.replacer && buildReplacer(rule).literals.some((piece) => built.replacer?.matchesIn(piece))) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'to'],
            message: `contains what rebrand[${earlier}] replaces (${JSON.stringify(other.from)}), so a second pass would rename it again`
          })
        }
      }
    })
  })
  return rebrandSchema
}

let rebrandSchemaBuilt: ReturnType<typeof buildRebrandSchema> | undefined
const rebrandSchema = (): ReturnType<typeof buildRebrandSchema> => (rebrandSchemaBuilt ??= buildRebrandSchema())

const ALLOWED_KEYS = 'from, to, regex, paths, exclude'

/** `rebrand[1].from: must not be empty`, one clause per issue. */
function formatIssues(error: z.ZodError): string {
  const clauses = error.issues.map((issue) => {
    let key = 'rebrand'
    for (const segment of issue.path) key += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`
    if (issue.code === 'unrecognized_keys') return `${key}: unknown key ${issue.keys.map((name) => `'${name}'`).join(', ')} (allowed: ${ALLOWED_KEYS})`
    if (issue.code === 'invalid_type' && issue.path.length === 0) return `${key}: must be a list of rules`
    return `${key}: ${issue.message}`
  })
  return [...new Set(clauses)].join('; ')
}

type ErrorKind = 'config' | 'input'
const makeError = (kind: ErrorKind, message: string): UserError => (kind === 'config' ? configError(message) : inputError(message))

/**
 * Validates an already-parsed `rebrand` value (the config file's key). `origin` starts every message, e.g.
 * `config file .github/upstream-sync.yml (branch main)`; the error is a `config` or `input` UserError.
 */
export function parseRebrand(value: unknown, origin: string, kind: ErrorKind = 'config'): RebrandRule[] {
  if (value === undefined || value === null) return []
  const result = rebrandSchema().safeParse(value)
  if (!result.success) throw makeError(kind, `${origin}: ${formatIssues(result.error)}`)
  return result.data.map((rule) => ({
    from: rule.from,
    to: rule.to,
    regex: rule.regex ?? false,
    paths: rule.paths ?? ['**'],
    exclude: rule.exclude ?? []
  }))
}

/** Parses the inline `rebrand` input: the same YAML list as the config file's key, as text. Empty text: no rules. */
export function parseRebrandInput(text: string, origin = "Input 'rebrand'"): RebrandRule[] {
  if (text.trim() === '') return []
  let value: unknown
  try {
    value = parseYaml(text, { prettyErrors: true })
  } catch (error) {
    throw inputError(`${origin} is not valid YAML: ${error instanceof YAMLParseError ? error.message.split('\n')[0] : String(error)}`)
  }
  return parseRebrand(value, origin, 'input')
}

// ---------------------------------------------------------------------------------------------------------------
// Compiling

/** Compiles validated rules (from parseRebrand); throws a config error for rules that bypassed validation. */
export function compileRebrand(rules: readonly RebrandRule[]): CompiledRebrand {
  const compiled = rules.map((rule, index) => {
    const built = buildReplacer(rule)
    if (!built.replacer) throw configError(`rebrand[${index}].${built.key}: ${built.error}`)
    const included = picomatch(rule.paths.length > 0 ? rule.paths : ['**'], GLOB_OPTIONS)
    const excluded = rule.exclude.length > 0 ? picomatch(rule.exclude, GLOB_OPTIONS) : () => false
    return { replacer: built.replacer, covers: (path: string) => included(path) && !excluded(path) }
  })
  const applyRebrand = (text: string, path: string): RebrandApplication => {
    const replacements = compiled.map(() => 0)
    let current = text
    compiled.forEach((rule, index) => {
      if (!rule.covers(path)) return
      const result = rule.replacer.replace(current)
      current = result.text
      replacements[index] = result.count
    })
    return { text: current, replacements, total: replacements.reduce((sum, count) => sum + count, 0) }
  }
  return {
    rules,
    covers: (path) => compiled.some((rule) => rule.covers(path)),
    applyRebrand,
    secondPass(transformed, path) {
      const again = applyRebrand(transformed, path)
      return again.text === transformed ? undefined : again.replacements.findIndex((count) => count > 0)
    }
  }
}
