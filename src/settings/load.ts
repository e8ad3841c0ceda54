/**
 * The settings stage's reads: the inputs (before any network call; an inline `template` is checked with them) and
 * the fork's own files in the target branch (config file, template file, version file). Every PR body template is
 * checked here, once, whichever setting it came from.
 */
import { configError, describeError, inputError, isUserError, UserError, type ErrorKind } from '../errors.js'
import type { GitHubApi } from '../github/api.js'
import { readVersionFromText, type Version } from '../releases/version.js'
import { compileTemplate, type CompiledTemplate } from '../report/index.js'
import type { Runner } from '../runner.js'
import { readInputs, type ActionInputs } from './inputs.js'
import { isInlineTemplate, parseConfigFile, resolvePolicy, type SyncPolicy } from './policy.js'

/**
 * Reads and validates every input and the runner environment (see readInputs), then checks an inline `template`
 * input, so a broken one fails before any network call. Its warnings (unknown variables) go to `runner.warning`.
 */
/** The inputs, with an inline `template` input compiled (and so checked) before any network call. */
export interface Settings extends ActionInputs {
  inlineTemplate?: CompiledTemplate
}

export function readSettings(runner: Pick<Runner, 'input' | 'env' | 'setSecret' | 'warning'>): Settings {
  const inputs = readInputs(runner)
  if (inputs.template === undefined || !isInlineTemplate(inputs.template)) return inputs
  return { ...inputs, inlineTemplate: compile(inputs.template, "Input 'template'", 'input', (warning) => runner.warning(warning)) }
}

/**
 * Compiles a template once, throwing a UserError of `kind` (whose setting it is) when it does not parse, and reports
 * the names that are no template variable through `warn`.
 */
function compile(text: string, source: string, kind: ErrorKind, warn: (message: string) => void): CompiledTemplate {
  let template: CompiledTemplate
  try {
    template = compileTemplate(text, source, kind === 'input' ? 'input' : 'config')
  } catch (error) {
    throw isUserError(error) ? error : new UserError(kind, describeError(error), undefined, { cause: error })
  }
  for (const warning of template.warnings) warn(warning)
  return template
}

/** The fork's policy: the config file in the target branch (missing = defaults) combined with inline inputs. */
export async function loadPolicy(
  api: GitHubApi,
  inputs: Settings,
  target: string,
  warn: (message: string) => void
): Promise<{ policy: SyncPolicy; template?: CompiledTemplate }> {
  if (inputs.inlineTemplate) return { policy: resolvePolicy(await readConfigFile(api, inputs, target), inputs, configOrigin(inputs, target)), template: inputs.inlineTemplate }
  const policy = resolvePolicy(await readConfigFile(api, inputs, target), inputs, configOrigin(inputs, target))
  let template: string | undefined
  if (policy.template?.kind === 'inline') template = policy.template.text
  if (policy.template?.kind === 'file') {
    const { path, origin: source } = policy.template
    template = await api.readForkFile(path, target)
    if (template === undefined) {
      const message = `${source}: template file ${path} not found in branch ${target}.`
      throw inputs.template !== undefined ? inputError(message) : configError(message)
    }
  }
  if (template === undefined) return { policy }
  // An inline `template` input was compiled with the inputs; a template from the config file or a file is now.
  const source = policy.template?.kind === 'file' ? `${policy.template.origin} (file ${policy.template.path})` : (policy.template?.origin ?? 'template')
  return { policy, template: compile(template, source, inputs.template !== undefined ? 'input' : 'config', warn) }
}

function configOrigin(inputs: ActionInputs, target: string): string {
  return `config file ${inputs.configFile} (branch ${target})`
}

async function readConfigFile(api: GitHubApi, inputs: ActionInputs, target: string) {
  const text = await api.readForkFile(inputs.configFile, target)
  return text === undefined ? undefined : parseConfigFile(text, configOrigin(inputs, target))
}

/** The fork's own version as a lower bound: `current-version`, else `version-file` + `version-pattern`. */
export async function loadLowerBound(api: GitHubApi, inputs: ActionInputs, target: string): Promise<Version | undefined> {
  if (inputs.currentVersion) return inputs.currentVersion
  if (!inputs.versionFile) return undefined
  const text = await api.readForkFile(inputs.versionFile, target)
  if (text === undefined) throw inputError(`version-file ${inputs.versionFile} not found in branch ${target}. Fix 'version-file' or remove it.`)
  return readVersionFromText(text, inputs.versionPattern, inputs.versionFile)
}
