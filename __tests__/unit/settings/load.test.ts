import { describe, expect, it } from '@jest/globals'
import { isUserError } from '../../../src/errors.js'
import { compileTemplate } from '../../../src/report/index.js'
import type { GitHubApi } from '../../../src/github/api.js'
import { parseVersion } from '../../../src/releases/version.js'
import type { ActionInputs } from '../../../src/settings/inputs.js'
import { loadLowerBound, loadPolicy } from '../../../src/settings/load.js'

/** A fork whose target branch holds `files`; records every read. */
function forkWith(files: Record<string, string>): GitHubApi & { reads: string[] } {
  const reads: string[] = []
  const api = {
    reads,
    readForkFile: async (path: string, ref: string) => {
      reads.push(`${ref}:${path}`)
      return files[path]
    }
  }
  return api as unknown as GitHubApi & { reads: string[] }
}

function inputs(overrides: Partial<ActionInputs> = {}): ActionInputs {
  return { configFile: '.github/upstream-sync.yml', versionPattern: '^version\\s*=\\s*"(.+)"', ...overrides } as ActionInputs
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: Error) => error
  )
}

describe('loadPolicy', () => {
  it('names the file, the key and the allowed keys for an unknown key (a config error)', async () => {
    const api = forkWith({ '.github/upstream-sync.yml': 'rules:\n  - paths: Dockerfile\n    resolution: ours\nchecklst:\n  - staging\n' })
    const error = await rejection(loadPolicy(api, inputs(), 'carto/main', () => undefined))
    expect(error.message).toBe(
      "config file .github/upstream-sync.yml (branch carto/main): unknown key 'checklst' (allowed: rules, template, checklist, auto-resolve, rebrand)"
    )
    expect(isUserError(error, 'config')).toBe(true)
  })

  it('reads the template file the config names and checks it, naming the key and the file', async () => {
    const api = forkWith({ '.github/upstream-sync.yml': 'template: .github/sync-pr.md\n', '.github/sync-pr.md': 'Sync {{tag}}\n{{/conflicts}}\n' })
    const error = await rejection(loadPolicy(api, inputs(), 'carto/main', () => undefined))
    expect(error.message).toContain('config file .github/upstream-sync.yml (branch carto/main): template (file .github/sync-pr.md) is not valid Mustache (line 2)')
    expect(isUserError(error, 'config')).toBe(true)
    expect(api.reads).toEqual(['carto/main:.github/upstream-sync.yml', 'carto/main:.github/sync-pr.md'])
  })

  it('says which template file is missing', async () => {
    const api = forkWith({ '.github/upstream-sync.yml': 'template: .github/gone.md\n' })
    const error = await rejection(loadPolicy(api, inputs(), 'carto/main', () => undefined))
    expect(error.message).toBe('config file .github/upstream-sync.yml (branch carto/main): template: template file .github/gone.md not found in branch carto/main.')
    const fromInput = await rejection(loadPolicy(forkWith({}), inputs({ template: '.github/gone.md' }), 'main', () => undefined))
    expect(isUserError(fromInput, 'input')).toBe(true)
  })

  it('warns once about unknown variables of a file template; an inline template input was checked with the inputs', async () => {
    const warnings: string[] = []
    const api = forkWith({ '.github/upstream-sync.yml': 'template: .github/sync-pr.md\n', '.github/sync-pr.md': 'Sync {{tga}}\n' })
    const { template } = await loadPolicy(api, inputs(), 'main', (warning) => warnings.push(warning))
    expect(template?.text).toBe('Sync {{tga}}\n')
    expect(warnings).toHaveLength(1)
    // readSettings compiled (and warned about) the inline input: loadPolicy uses that compilation as it is.
    const compiled = compileTemplate('Sync {{tga}}\n', "Input 'template'", 'input')
    const inline = await loadPolicy(forkWith({}), { ...inputs({ template: 'Sync {{tga}}\n' }), inlineTemplate: compiled }, 'main', (warning) => warnings.push(warning))
    expect(inline.template).toBe(compiled)
    expect(warnings).toHaveLength(1)
  })
})

describe('loadLowerBound', () => {
  it('prefers current-version and reads version-file otherwise', async () => {
    const current = parseVersion('1.81.9')
    expect(await loadLowerBound(forkWith({}), inputs({ currentVersion: current }), 'main')).toBe(current)
    expect(await loadLowerBound(forkWith({}), inputs(), 'main')).toBeUndefined()
    const version = await loadLowerBound(forkWith({ 'pyproject.toml': 'version = "1.73.6"\n' }), inputs({ versionFile: 'pyproject.toml' }), 'main')
    expect(version?.text).toBe('1.73.6')
  })

  it('names version-file when it is missing, and the pattern when it does not match (input errors)', async () => {
    const missing = await rejection(loadLowerBound(forkWith({}), inputs({ versionFile: 'pyproject.toml' }), 'main'))
    expect(missing.message).toBe("version-file pyproject.toml not found in branch main. Fix 'version-file' or remove it.")
    expect(isUserError(missing, 'input')).toBe(true)
    const unmatched = await rejection(loadLowerBound(forkWith({ 'pyproject.toml': 'name = "x"\n' }), inputs({ versionFile: 'pyproject.toml' }), 'main'))
    expect(unmatched.message).toContain('does not match anything in pyproject.toml')
    expect(isUserError(unmatched, 'input')).toBe(true)
  })
})
