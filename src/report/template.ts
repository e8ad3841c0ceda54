/**
 * Mustache templates, parsed and checked once: `compileTemplate` turns a template's text into an object that renders
 * a view, or throws a `UserError` naming where the template came from. Every template, built-in or custom, renders
 * with the shared partials of `templates/partials/` (the tables the PR body, summary and report file have in common).
 *
 * Mustache's HTML escaping is replaced by Markdown escaping: `{{field}}` prints a plain-text field escaped for Markdown
 * prose, `{{{field}}}` prints a field that is already Markdown (`…Md`, `…Code`, `…Cell`) or a URL (`…Url`) as it is.
 */
import Mustache from 'mustache'
import { UserError } from '../errors.js'
import { PARTIALS, PR_BODY_TEMPLATE, REPORT_TEMPLATE, SUMMARY_TEMPLATE } from '../generated/templates.js'
import { escapeMarkdown } from './markdown.js'
import { TEMPLATE_VARIABLES } from './variables.js'
import type { ReportView } from './view.js'

/** A template ready to render; its problems were found when it was compiled. */
export interface CompiledTemplate {
  /** The template's text. */
  readonly text: string
  /** Where it came from (the `template` input, a config key and file, a built-in file), for messages. */
  readonly sourceName: string
  /** Names that are no template variable, partials that do not exist, an empty template: they render as nothing. */
  readonly warnings: readonly string[]
  render(view: ReportView): string
}

const FIX = 'Fix the template, or remove the setting to use the built-in one.'

/**
 * The template line Mustache's error is about. Mustache gives a character offset; for an unclosed section that is
 * the end of the template, so the line of the section's opening tag is looked up instead.
 */
function errorLine(text: string, message: string): number | undefined {
  const at = /\bat (\d+)\s*$/.exec(message)
  if (!at?.[1]) return undefined
  let offset = Number(at[1])
  const unclosed = /^Unclosed section "(.+)" at/.exec(message)
  if (unclosed?.[1]) {
    const name = unclosed[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const opening = [...text.slice(0, offset).matchAll(new RegExp(`\\{\\{\\s*[#^]\\s*${name}\\s*\\}\\}`, 'g'))].pop()
    if (opening?.index !== undefined) offset = opening.index
  }
  return text.slice(0, offset).split('\n').length
}

/** A token of `Mustache.parse`: type, name, start, end, and for a section its children. */
type Span = [string, string, number, number, Span[]?, number?]

/** Names a template may use at any level: the view's fields and its rows' (so `{{pathCode}}` inside a list). */
const KNOWN_NAMES = new Set(TEMPLATE_VARIABLES.map((v) => v.name.split('.').pop() as string))
const PARTIAL_NAMES = Object.keys(PARTIALS).sort()

/** Looks a partial up by its own name only: `{{> constructor}}` must not find `Object.prototype.constructor`. */
function partial(name: string): string | undefined {
  return Object.hasOwn(PARTIALS, name) ? PARTIALS[name] : undefined
}

function parse(text: string, sourceName: string, errorKind: 'input' | 'config'): Span[] {
  try {
    return Mustache.parse(text) as unknown as Span[]
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const line = errorLine(text, message)
    const where = line ? ` (line ${line})` : ''
    throw new UserError(errorKind, `The PR body template from ${sourceName} is not valid Mustache${where}: ${message}. ${FIX}`, FIX, { cause: error })
  }
}

function warningsOf(spans: Span[], text: string, sourceName: string): string[] {
  const warnings = new Set<string>()
  const visit = (list: Span[]): void => {
    for (const span of list) {
      const [type, name] = span
      if (type === '>') {
        if (partial(name) === undefined) {
          warnings.add(`${sourceName}: partial {{> ${name}}} renders nothing (the partials are ${PARTIAL_NAMES.join(', ')}).`)
        }
      } else if (type === 'name' || type === '&' || type === '#' || type === '^') {
        const first = name.split('.')[0] ?? name
        if (name !== '.' && !KNOWN_NAMES.has(first)) {
          warnings.add(`${sourceName}: {{${name}}} is not a template variable and renders as nothing (see the README's template variable reference).`)
        }
      }
      if (Array.isArray(span[4])) visit(span[4])
    }
  }
  visit(spans)
  if (text.trim() === '') warnings.add(`${sourceName}: the template is empty, so the PR body will be empty.`)
  return [...warnings]
}

/**
 * Parses and checks a PR body template before anything is pushed. A template that does not parse (an unclosed
 * section, say) throws a `UserError` of `errorKind` (`input` for the `template` input, `config` for the config file)
 * naming `sourceName` with Mustache's own message and the line. Lesser problems become `warnings`.
 */
export function compileTemplate(text: string, sourceName: string, errorKind: 'input' | 'config' = 'config'): CompiledTemplate {
  const warnings = warningsOf(parse(text, sourceName, errorKind), text, sourceName)
  return {
    text,
    sourceName,
    warnings,
    // Mustache caches the parse by template text, so rendering does not parse again. Its HTML escaping is wrong for
    // Markdown (it would turn `/` into `&#x2F;`, visible inside code spans): `{{x}}` escapes for Markdown instead.
    render: (view) => Mustache.render(text, view, partial, { escape: escapeMarkdown })
  }
}

/** The warnings of `compileTemplate`, for callers that only check a template (it throws the same way). */
export function validateTemplate(text: string, sourceName: string, errorKind: 'input' | 'config' = 'config'): string[] {
  return [...compileTemplate(text, sourceName, errorKind).warnings]
}

/** A built-in template compiled on first use, once. */
function builtIn(text: string, sourceName: string): () => CompiledTemplate {
  let compiled: CompiledTemplate | undefined
  return () => (compiled ??= compileTemplate(text, sourceName))
}

const prBody = builtIn(PR_BODY_TEMPLATE, 'templates/pr-body.md')
const summary = builtIn(SUMMARY_TEMPLATE, 'templates/summary.md')
const report = builtIn(REPORT_TEMPLATE, 'templates/report.md')

/**
 * The built-in templates (`templates/*.md`, compiled into the bundle by `scripts/copy-assets.mjs`), each compiled when
 * first used: compiling the three at load took about 9 ms of every run's start, and a run with nothing to sync renders
 * only the summary (a unit test compiles each).
 */
export const BUILT_IN_TEMPLATES: { readonly prBody: CompiledTemplate; readonly summary: CompiledTemplate; readonly report: CompiledTemplate } = {
  get prBody() {
    return prBody()
  },
  get summary() {
    return summary()
  },
  get report() {
    return report()
  }
}
