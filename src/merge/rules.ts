/**
 * The fork's path rules: an ordered list of globs, each with a resolution. The first rule with a glob matching a
 * path decides it (first match wins); a path no rule matches is `manual`, so nothing is ever resolved by accident.
 *
 * Globs are picomatch globs matched against the whole repository-relative path with `/` separators (like
 * `.gitignore` patterns that contain a slash): `CARTO_*.md` matches only at the root, `docs/**` matches everything
 * under `docs/`, and a glob starting with `**` then `/Makefile` matches a Makefile at any depth. `dot: true` lets `*` and `**` match dotfiles and dot
 * folders, so `.github/**` and `**` behave as a fork maintainer expects.
 */
import picomatch from 'picomatch'
import { UserError } from '../errors.js'
import type { PathRule, Resolution } from '../types.js'

/** What the rules say for one path. */
export interface RuleMatch {
  resolution: Resolution
  note?: string
  /** Index of the matching rule in the list, or undefined when no rule matched (then `manual`). */
  ruleIndex?: number
  /** The glob that matched, for the report. */
  pattern?: string
}

const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true, windows: false }

/** An error in one rule of the fork's configuration (kind `config`), naming the rule and the glob. */
export class RuleError extends UserError {
  constructor(
    readonly ruleIndex: number,
    message: string
  ) {
    super('config', `rules[${ruleIndex}]: ${message}`)
    this.name = 'RuleError'
  }
}

/** Compiled rules: `match(path)` answers what the first matching rule says. */
export interface CompiledRules {
  match(path: string): RuleMatch
}

/**
 * Compiles the rules once (picomatch builds a RegExp per glob), failing on a rule that could never be applied:
 * no globs, an empty glob, or an unknown resolution. The error names the rule's index so a config loader can point
 * at the exact key.
 */
export function compileRules(rules: readonly PathRule[]): CompiledRules {
  const compiled = rules.map((rule, index) => {
    if (rule.resolution !== 'ours' && rule.resolution !== 'theirs' && rule.resolution !== 'manual') {
      throw new RuleError(index, `resolution must be ours, theirs or manual, got ${JSON.stringify(rule.resolution)}`)
    }
    if (!Array.isArray(rule.paths) || rule.paths.length === 0) {
      throw new RuleError(index, 'paths must list at least one glob')
    }
    const matchers = rule.paths.map((pattern) => {
      if (typeof pattern !== 'string' || pattern.trim() === '') {
        throw new RuleError(index, `paths must be non-empty strings, got ${JSON.stringify(pattern)}`)
      }
      try {
        return { pattern, test: picomatch(pattern, GLOB_OPTIONS) }
      } catch (error) {
        throw new RuleError(index, `invalid glob ${JSON.stringify(pattern)}: ${(error as Error).message}`)
      }
    })
    return { rule, index, matchers }
  })

  return {
    match(path: string): RuleMatch {
      for (const { rule, index, matchers } of compiled) {
        const hit = matchers.find((matcher) => matcher.test(path))
        if (hit) {
          return {
            resolution: rule.resolution,
            ruleIndex: index,
            pattern: hit.pattern,
            ...(rule.note !== undefined ? { note: rule.note } : {})
          }
        }
      }
      return { resolution: 'manual' }
    }
  }
}

/** One-off form of `compileRules(rules).match(path)`. */
export function matchRule(path: string, rules: readonly PathRule[]): RuleMatch {
  return compileRules(rules).match(path)
}
