/**
 * Keeps the README's inputs and outputs tables in step with action.yml, and its PR template variable table in step
 * with src/report/variables.ts (derived from the report view): one source of truth each.
 *
 *   npx tsx scripts/docs.ts           rewrites the block between the markers in README.md
 *   npx tsx scripts/docs.ts --check   exits 1 when README.md is out of step (for CI)
 *
 * Options `--action FILE` and `--readme FILE` point at other files (tests use temp copies).
 *
 * The output is deterministic (action.yml order, no dates), so `--check` is a plain string comparison.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse } from 'yaml'
import { templateVariablesMarkdown } from '../src/report/index.js'

export const START_MARKER = '<!-- action-docs:start -->'
export const END_MARKER = '<!-- action-docs:end -->'
/** The PR template's variable reference, generated from src/report/variables.ts. */
export const TEMPLATE_MARKERS = { start: '<!-- template-vars:start -->', end: '<!-- template-vars:end -->' }
const GENERATED_NOTE = '<!-- Generated from action.yml by `npx tsx scripts/docs.ts`: edit action.yml, not this table. -->'

interface ActionInput {
  name: string
  description: string
  default?: string
  required: boolean
  deprecationMessage?: string
}

interface ActionOutput {
  name: string
  description: string
}

/** A problem with action.yml or README.md that a maintainer must fix; the CLI prints only its message. */
export class DocsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DocsError'
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads the inputs and outputs of an action.yml, checking the shape GitHub requires. */
export function parseAction(actionYml: string): { inputs: ActionInput[]; outputs: ActionOutput[] } {
  let doc: unknown
  try {
    doc = parse(actionYml)
  } catch (error) {
    throw new DocsError(`action.yml is not valid YAML: ${(error as Error).message}`)
  }
  if (!isRecord(doc)) throw new DocsError('action.yml must be a mapping with name, description, inputs, outputs and runs.')

  const section = (key: 'inputs' | 'outputs'): [string, Record<string, unknown>][] => {
    const value = doc[key]
    if (value === undefined || value === null) return []
    if (!isRecord(value)) throw new DocsError(`action.yml: "${key}" must be a mapping of names to definitions.`)
    return Object.entries(value).map(([name, def]) => {
      if (!isRecord(def)) throw new DocsError(`action.yml: ${key}.${name} must be a mapping with at least a description.`)
      if (typeof def.description !== 'string' || def.description.trim() === '') {
        throw new DocsError(`action.yml: ${key}.${name} has no description; add one, it is what the README shows.`)
      }
      return [name, def]
    })
  }

  const inputs = section('inputs').map(([name, def]): ActionInput => {
    const required = def.required === true || def.required === 'true'
    const input: ActionInput = { name, description: def.description as string, required }
    // YAML may type a default as a number or boolean (default: 3, default: false); GitHub reads it as a string.
    if (def.default !== undefined && def.default !== null) input.default = String(def.default)
    if (typeof def.deprecationMessage === 'string') input.deprecationMessage = def.deprecationMessage
    return input
  })
  const outputs = section('outputs').map(([name, def]): ActionOutput => ({ name, description: def.description as string }))
  return { inputs, outputs }
}

/**
 * Text for a table cell: Markdown and HTML specials are escaped (descriptions in action.yml are plain text, and
 * `<tag>` would otherwise vanish as an unknown HTML tag), `|` cannot end the cell, newlines become `<br>`.
 */
export function escapeCell(text: string): string {
  return text
    .trim()
    .replace(/\\/g, '\\\\')
    .replace(/([`*_[\]|])/g, '\\$1')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, '<br>')
}

/**
 * A value shown as code. Inside a table a code span still needs `|` escaped (GFM splits the row first); a value that
 * contains backticks gets a longer fence; each line of a multi-line value is its own span.
 */
export function codeCell(value: string): string {
  if (value === '') return '`""`'
  return value
    .split(/\r?\n/)
    .map((line) => {
      const longestRun = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))
      const fence = '`'.repeat(longestRun + 1)
      const padded = longestRun > 0 || line.startsWith(' ') || line.endsWith(' ') ? ` ${line} ` : line
      return `${fence}${padded.replace(/\|/g, '\\|')}${fence}`
    })
    .join('<br>')
}

/** The Markdown that goes between the README markers: an inputs table and an outputs table. */
export function renderActionDocs(actionYml: string): string {
  const { inputs, outputs } = parseAction(actionYml)
  const lines: string[] = [GENERATED_NOTE, '', '### Inputs', '']
  if (inputs.length === 0) {
    lines.push('This action has no inputs.')
  } else {
    lines.push('| Input | Description | Default | Required |', '| --- | --- | --- | --- |')
    for (const input of inputs) {
      const deprecated = input.deprecationMessage ? `**Deprecated:** ${escapeCell(input.deprecationMessage)}<br>` : ''
      const def = input.default === undefined ? '' : codeCell(input.default)
      lines.push(`| \`${input.name}\` | ${deprecated}${escapeCell(input.description)} | ${def} | ${input.required ? 'yes' : 'no'} |`)
    }
  }
  lines.push('', '### Outputs', '')
  if (outputs.length === 0) {
    lines.push('This action has no outputs.')
  } else {
    lines.push('| Output | Description |', '| --- | --- |')
    for (const output of outputs) lines.push(`| \`${output.name}\` | ${escapeCell(output.description)} |`)
  }
  return lines.join('\n')
}

/** Replaces what lies between the markers (the markers stay). Throws a DocsError naming the fix when they are missing. */
export function replaceBetweenMarkers(
  readme: string,
  generated: string,
  readmeName = 'README.md',
  markers: { start: string; end: string } = { start: START_MARKER, end: END_MARKER }
): string {
  const START_MARKER = markers.start
  const END_MARKER = markers.end
  const start = readme.indexOf(START_MARKER)
  const end = readme.indexOf(END_MARKER)
  if (start === -1 || end === -1) {
    throw new DocsError(
      `${readmeName} has no ${start === -1 ? START_MARKER : END_MARKER} marker: put ${START_MARKER} and ${END_MARKER} ` +
        'on their own lines where the inputs and outputs tables belong.'
    )
  }
  if (end < start) throw new DocsError(`${readmeName}: ${END_MARKER} comes before ${START_MARKER}; swap them.`)
  if (readme.indexOf(START_MARKER, start + 1) !== -1 || readme.indexOf(END_MARKER, end + 1) !== -1) {
    throw new DocsError(`${readmeName} has more than one ${START_MARKER} / ${END_MARKER} pair; keep exactly one.`)
  }
  const eol = readme.includes('\r\n') ? '\r\n' : '\n'
  const body = generated.replace(/\r?\n/g, eol)
  return `${readme.slice(0, start + START_MARKER.length)}${eol}${body}${eol}${readme.slice(end)}`
}

/** The first line where two texts differ, 1-based, for a check failure that says where to look. */
function firstDifference(a: string, b: string): { line: number; expected: string; actual: string } | undefined {
  const left = a.split(/\r?\n/)
  const right = b.split(/\r?\n/)
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return { line: i + 1, expected: left[i] ?? '(end of file)', actual: right[i] ?? '(end of file)' }
  }
  return undefined
}

export interface DocsRunOptions {
  actionFile: string
  readmeFile: string
  check: boolean
}

export interface DocsRunResult {
  /** false only in check mode, when README.md is out of step. */
  ok: boolean
  changed: boolean
  message: string
}

/** The whole command, without process.exit, so tests can run it on temp files. */
export async function runDocs(options: DocsRunOptions): Promise<DocsRunResult> {
  const readmeName = path.basename(options.readmeFile)
  const [actionYml, readme] = await Promise.all([
    readFile(options.actionFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new DocsError(`Cannot read ${options.actionFile}: ${error.code ?? error.message}.`)
    }),
    readFile(options.readmeFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new DocsError(`Cannot read ${options.readmeFile}: ${error.code ?? error.message}.`)
    })
  ])
  let updated = replaceBetweenMarkers(readme, renderActionDocs(actionYml), readmeName)
  if (readme.includes(TEMPLATE_MARKERS.start)) {
    updated = replaceBetweenMarkers(updated, templateVariablesMarkdown(), readmeName, TEMPLATE_MARKERS)
  }
  const changed = updated !== readme
  if (options.check) {
    if (!changed) return { ok: true, changed: false, message: `${readmeName} inputs and outputs match action.yml.` }
    const diff = firstDifference(updated, readme)
    const where = diff ? ` First difference at line ${diff.line}:\n  expected: ${diff.expected}\n  found:    ${diff.actual}` : ''
    return {
      ok: false,
      changed: true,
      message: `${readmeName} is out of step with action.yml. Run \`npx tsx scripts/docs.ts\` and commit ${readmeName}.${where}`
    }
  }
  if (changed) await writeFile(options.readmeFile, updated)
  return { ok: true, changed, message: changed ? `${readmeName} updated from action.yml.` : `${readmeName} already up to date.` }
}

function parseArgs(argv: string[], root: string): DocsRunOptions {
  const options: DocsRunOptions = { actionFile: path.join(root, 'action.yml'), readmeFile: path.join(root, 'README.md'), check: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = (): string => {
      const next = argv[++i]
      if (next === undefined) throw new DocsError(`${arg} needs a file path.`)
      return path.resolve(next)
    }
    if (arg === '--check') options.check = true
    else if (arg === '--action') options.actionFile = value()
    else if (arg === '--readme') options.readmeFile = value()
    else throw new DocsError(`Unknown argument ${arg}. Usage: tsx scripts/docs.ts [--check] [--action action.yml] [--readme README.md]`)
  }
  return options
}

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  try {
    const result = await runDocs(parseArgs(process.argv.slice(2), root))
    if (result.ok) {
      console.log(result.message)
    } else {
      console.error(result.message)
      process.exitCode = 1
    }
  } catch (error) {
    console.error(error instanceof DocsError ? error.message : error)
    process.exitCode = 1
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main()
