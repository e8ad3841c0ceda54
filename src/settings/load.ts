/**
 * The settings stage's reads: the inputs (before any network call; an inline `template` is checked with them) and
 * the fork's own files in the target branch (config file, template file, version file). Every PR body template is
 * checked here, once, whichever setting it came from.
 */
import { configError, describeError, inputError, isUserError, UserError, type ErrorKind } from '../errors.js'
import type { GitHubApi } from '../github/api.js'
import { readVersionFromText, type Version } from '../releases/version.js'
import { validateTemplate } from '../report/index.js'
import type { Runner } from '../runner.js'
import { readInputs, type ActionInputs } from './inputs.js'
import { isInlineTemplate, parseConfigFile, resolvePolicy, type SyncPolicy } from './policy.js'

/**
 * Reads and validates every input and the runner environment (see readInputs), then checks an inline `template`
 * input, so a broken one fails before any network call. Its warnings (unknown variables) go to `runner.warning`.
 */
export function readSettings(runner: Pick<Runner, 'input' | 'env' | 'setSecret' | 'warning'>): ActionInputs {
  const inputs = readInputs(runner)
  if (inputs.template !== undefined && isInlineTemplate(inputs.template)) {
    checkTemplate(inputs.template, "Input 'template'", 'input', (warning) => runner.warning(warning))
  }
  return inputs
}

/**
 * Throws a UserError of `kind` (whose setting it is) on a template that does not parse, with the report's message;
 * reports the names that are no template variable through `warn`.
 */
function checkTemplate(text: string, source: string, kind: ErrorKind, warn: (message: string) => void): void {
  let warnings: string[]
  try {
    warnings = validateTemplate(text, source)
  } catch (error) {
    throw isUserError(error) ? error : new UserError(kind, describeError(error), undefined, { cause: error })
  }
  for (const warning of warnings) warn(warning)
}

/** The fork's policy: the config file in the target branch (missing = defaults) combined with inline inputs. */
export async function loadPolicy(
  api: GitHubApi,
  inputs: ActionInputs,
  target: string,
  warn: (message: string) => void
): Promise<{ policy: SyncPolicy; template?: string }> {
  const origin = `config file ${inputs.configFile} (branch ${target})`
  const text = await api.readForkFile(inputs.configFile, target)
  const policy = resolvePolicy(text === undefined ? undefined : parseConfigFile(text, origin), inputs, origin)
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
  // An inline `template` input was checked with the inputs; a template from the config file or a file is checked now.
  const checkedWithInputs = inputs.template !== undefined && isInlineTemplate(inputs.template)
  if (template !== undefined && !checkedWithInputs) {
    const source = policy.template?.kind === 'file' ? `${policy.template.origin} (file ${policy.template.path})` : (policy.template?.origin ?? 'template')
    checkTemplate(template, source, inputs.template !== undefined ? 'input' : 'config', warn)
  }
  return { policy, ...(template !== undefined ? { template } : {}) }
}

/** The fork's own version as a lower bound: `current-version`, else `version-file` + `version-pattern`. */
export async function loadLowerBound(api: GitHubApi, inputs: ActionInputs, target: string): Promise<Version | undefined> {
  if (inputs.currentVersion) return inputs.currentVersion
  if (!inputs.versionFile) return undefined
  const text = await api.readForkFile(inputs.versionFile, target)
  if (text === undefined) throw inputError(`version-file ${inputs.versionFile} not found in branch ${target}. Fix 'version-file' or remove it.`)
  return readVersionFromText(text, inputs.versionPattern, inputs.versionFile)
}
