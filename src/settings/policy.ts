/**
 * The fork's sync policy: path rules, PR template, testing checklist, auto-resolve and rebrand rules. It comes from a YAML file in
 * the target branch (`config-file`, default `.github/upstream-sync.yml`) and/or inline inputs; an input that is set
 * replaces the file's key. Bad config fails the run with the exact key and reason, before anything is fetched.
 * Pure: load.ts reads the file from the fork.
 */
import picomatch from 'picomatch'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { z } from 'zod'
import { configError, inputError, type UserError } from '../errors.js'
import { parseRebrand, type RebrandRule } from '../merge/rebrand-rules.js'
import type { PathRule } from '../types.js'

/** Where the PR template comes from: Mustache text given inline, or a file in the target branch. */
export type TemplateSource = { kind: 'inline'; text: string; origin: string } | { kind: 'file'; path: string; origin: string }

export interface SyncPolicy {
  rules: PathRule[]
  template?: TemplateSource
  checklist: string[]
  autoResolve: boolean
  /** The rebrand rules (merge/rebrand-rules.ts); empty: a plain merge. */
  rebrand: RebrandRule[]
}

export const DEFAULT_CHECKLIST = [
  'CI passes on the sync branch',
  'Fork customizations listed above still behave as intended',
  'Upstream release notes read for breaking changes, migrations and new settings',
  'Deployed to a staging environment and smoke-tested'
]

/** The config file's schemas, built on first use (zod schemas cost time to build; a run with nothing to sync reads none). */
function buildSchemas() {
  const globList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  const ruleSchema = z.strictObject({
    paths: globList,
    resolution: z.enum(['ours', 'theirs', 'manual']),
    note: z.string().optional()
  })
  const rulesSchema = z.array(ruleSchema)
  const fileSchema = z.strictObject({
    rules: rulesSchema.optional(),
    template: z.string().min(1).optional(),
    checklist: z.array(z.string().min(1)).optional(),
    'auto-resolve': z.boolean().optional(),
    // Validated by parseRebrand, whose messages name the rule's own keys.
    rebrand: z.unknown().optional()
  })
  return { rulesSchema, fileSchema }
}

type Schemas = ReturnType<typeof buildSchemas>
let built: Schemas | undefined
const schemas = (): Schemas => (built ??= buildSchemas())

export type ConfigFile = Omit<z.infer<Schemas['fileSchema']>, 'rebrand'> & { rebrand?: RebrandRule[] }

/** The inline inputs name themselves `Input '<name>'`; anything else comes from the config file. */
const INPUT_ORIGIN = /^Input '/

/** An error about `origin`: an input error when an inline input is wrong, a config error when the config file is. */
function policyError(origin: string, message: string): UserError {
  return INPUT_ORIGIN.test(origin) ? inputError(message) : configError(message)
}

/** `rules[2].resolution: Invalid option: expected one of "ours"|"theirs"|"manual"` */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.reduce<string>(
        (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
        ''
      )
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((key) => `'${key}'`).join(', ')
        return `${where ? where + ': ' : ''}unknown key ${keys} (allowed: ${allowedKeysAt(where)})`
      }
      return `${where || '(top level)'}: ${issue.message}`
    })
    .join('; ')
}

function allowedKeysAt(where: string): string {
  // A rule of the config file is at `rules[2]`; one of the inline `rules` input (a bare list) at `[2]`.
  return /^(rules)?\[\d+\]$/.test(where) ? 'paths, resolution, note' : 'rules, template, checklist, auto-resolve, rebrand'
}

function parseYamlText(text: string, origin: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true })
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split('\n')[0] : String(error)
    throw policyError(origin, `${origin} is not valid YAML: ${detail}`)
  }
}

/** Rejects globs picomatch cannot compile (unbalanced brackets and the like), naming where they came from. */
function checkGlobs(rules: PathRule[], origin: string): void {
  rules.forEach((rule, index) => {
    for (const glob of rule.paths) {
      try {
        picomatch.makeRe(glob, { strictBrackets: true, dot: true })
      } catch (error) {
        throw policyError(origin, `${origin}: rules[${index}].paths: invalid glob "${glob}": ${(error as Error).message}`)
      }
    }
  })
}

function toRules(parsed: z.infer<Schemas['rulesSchema']>): PathRule[] {
  return parsed.map((rule) => ({
    paths: typeof rule.paths === 'string' ? [rule.paths] : rule.paths,
    resolution: rule.resolution,
    ...(rule.note !== undefined ? { note: rule.note } : {})
  }))
}

/** Parses and validates the config file's text. `origin` names it in errors, e.g. `config file .github/upstream-sync.yml`. */
export function parseConfigFile(text: string, origin: string): ConfigFile {
  const data = parseYamlText(text, origin) ?? {}
  const result = schemas().fileSchema.safeParse(data)
  if (!result.success) throw policyError(origin, `${origin}: ${describeIssues(result.error)}`)
  if (result.data.rules) checkGlobs(toRules(result.data.rules), origin)
  const { rebrand, ...rest } = result.data
  return rebrand === undefined ? rest : { ...rest, rebrand: parseRebrand(rebrand, origin, INPUT_ORIGIN.test(origin) ? 'input' : 'config') }
}

/** Parses the inline `rules` input (a YAML list of rules). */
export function parseRulesInput(text: string): PathRule[] {
  const origin = "Input 'rules'"
  const result = schemas().rulesSchema.safeParse(parseYamlText(text, origin))
  if (!result.success) throw policyError(origin, `${origin}: ${describeIssues(result.error)}`)
  const rules = toRules(result.data)
  checkGlobs(rules, origin)
  return rules
}

/** A template value is inline Mustache when it spans lines or has a tag; otherwise it is a path in the target branch. */
export function isInlineTemplate(value: string): boolean {
  return value.includes('\n') || value.includes('{{')
}

function templateSource(value: string, origin: string): TemplateSource {
  if (isInlineTemplate(value)) return { kind: 'inline', text: value, origin }
  const path = value.trim().replace(/^\.\//, '')
  if (path.startsWith('/') || path.split('/').includes('..')) {
    throw policyError(origin, `${origin}: template path must be inside the repository, got "${value}".`)
  }
  return { kind: 'file', path, origin }
}

/** The inline inputs that override the config file's keys; undefined means "use the file's value". */
export interface PolicyInputs {
  rules?: PathRule[]
  template?: string
  checklist?: string[]
  autoResolve?: boolean
  rebrand?: RebrandRule[]
}

/** Combines the file (if any) with the inline inputs; inputs that are set win. */
export function resolvePolicy(file: ConfigFile | undefined, inputs: PolicyInputs, fileOrigin: string): SyncPolicy {
  const rules = inputs.rules ?? toRules(file?.rules ?? [])
  let template: TemplateSource | undefined
  if (inputs.template !== undefined) template = templateSource(inputs.template, "Input 'template'")
  else if (file?.template !== undefined) template = templateSource(file.template, `${fileOrigin}: template`)
  return {
    rules,
    template,
    checklist: inputs.checklist ?? file?.checklist ?? DEFAULT_CHECKLIST,
    autoResolve: inputs.autoResolve ?? file?.['auto-resolve'] ?? false,
    rebrand: inputs.rebrand ?? file?.rebrand ?? []
  }
}
