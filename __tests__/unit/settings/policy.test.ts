import { describe, expect, it } from '@jest/globals'
import { isUserError } from '../../../src/errors.js'
import { DEFAULT_CHECKLIST, parseConfigFile, parseRulesInput, resolvePolicy, type PolicyInputs } from '../../../src/settings/policy.js'

const origin = 'config file .github/upstream-sync.yml'

/** The inline inputs resolvePolicy reads. */
function inputs(overrides: PolicyInputs = {}): PolicyInputs {
  return { ...overrides }
}

/** What `work` throws (it must throw). */
function thrown(work: () => unknown): unknown {
  try {
    work()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

const forkConfig = `
rules:
  - paths: ['.github/workflows/carto-*', 'CARTO_*.md', 'docs/CARTO_*']
    resolution: ours
    note: Fork-only files
  - paths: ['litellm/**', 'tests/**', pyproject.toml]
    resolution: theirs
  - paths: [Dockerfile, Makefile]
    resolution: manual
    note: 'check # CARTO: sections'
template: .github/upstream-sync-template.md
checklist:
  - Docker image builds
auto-resolve: true
`

describe('parseConfigFile', () => {
  it('reads a complete fork config', () => {
    const file = parseConfigFile(forkConfig, origin)
    const policy = resolvePolicy(file, inputs(), origin)
    expect(policy.rules).toEqual([
      { paths: ['.github/workflows/carto-*', 'CARTO_*.md', 'docs/CARTO_*'], resolution: 'ours', note: 'Fork-only files' },
      { paths: ['litellm/**', 'tests/**', 'pyproject.toml'], resolution: 'theirs' },
      { paths: ['Dockerfile', 'Makefile'], resolution: 'manual', note: 'check # CARTO: sections' }
    ])
    expect(policy.template).toEqual({ kind: 'file', path: '.github/upstream-sync-template.md', origin: `${origin}: template` })
    expect(policy.checklist).toEqual(['Docker image builds'])
    expect(policy.autoResolve).toBe(true)
  })

  it('treats an empty file as defaults', () => {
    const policy = resolvePolicy(parseConfigFile('', origin), inputs(), origin)
    expect(policy).toEqual({ rules: [], template: undefined, checklist: DEFAULT_CHECKLIST, autoResolve: false, rebrand: [] })
  })

  it('accepts a single glob string for paths', () => {
    const policy = resolvePolicy(parseConfigFile('rules:\n  - paths: "*.md"\n    resolution: theirs\n', origin), inputs(), origin)
    expect(policy.rules[0]?.paths).toEqual(['*.md'])
  })

  it.each([
    ['unknown: 1\n', "config file .github/upstream-sync.yml: unknown key 'unknown' (allowed: rules, template, checklist, auto-resolve, rebrand)"],
    ['rules:\n  - paths: [a]\n    resolution: mine\n', 'rules[0].resolution'],
    ['rules:\n  - paths: [a]\n    resolution: ours\n    notes: typo\n', "rules[0]: unknown key 'notes' (allowed: paths, resolution, note)"],
    ['rules:\n  - resolution: ours\n', 'rules[0].paths'],
    ['rules:\n  - paths: []\n    resolution: ours\n', 'rules[0].paths'],
    ['auto-resolve: sometimes\n', 'auto-resolve'],
    ['rules: [\n', 'is not valid YAML'],
    ['rules:\n  - paths: ["src/[abc"]\n    resolution: ours\n', 'rules[0].paths: invalid glob "src/[abc"']
  ])('rejects bad config %j with the exact key', (text, message) => {
    expect(isUserError(thrown(() => parseConfigFile(text, origin)), 'config')).toBe(true)
    expect(() => parseConfigFile(text, origin)).toThrow(message)
  })
})

describe('resolvePolicy with inline inputs', () => {
  it('lets inputs replace the file', () => {
    const file = parseConfigFile(forkConfig, origin)
    const policy = resolvePolicy(
      file,
      inputs({ rules: parseRulesInput('- paths: ["**"]\n  resolution: manual\n'), template: 'Sync {{tag}}\n', checklist: ['one'], autoResolve: false }),
      origin
    )
    expect(policy.rules).toEqual([{ paths: ['**'], resolution: 'manual' }])
    expect(policy.template).toEqual({ kind: 'inline', text: 'Sync {{tag}}\n', origin: "Input 'template'" })
    expect(policy.checklist).toEqual(['one'])
    expect(policy.autoResolve).toBe(false)
  })

  it('works with no file at all', () => {
    const policy = resolvePolicy(undefined, inputs({ rules: parseRulesInput('- paths: Dockerfile\n  resolution: ours\n') }), origin)
    expect(policy.rules).toEqual([{ paths: ['Dockerfile'], resolution: 'ours' }])
  })

  it('lists the keys a rule allows when an inline rule has an unknown one', () => {
    expect(() => parseRulesInput('- paths: x\n  resolution: ours\n  owner: me\n')).toThrow("Input 'rules': [0]: unknown key 'owner' (allowed: paths, resolution, note)")
  })

  it('names the rules input in its errors, as an input error', () => {
    expect(() => parseRulesInput('- paths: x\n  resolution: nope\n')).toThrow("Input 'rules': [0].resolution")
    expect(isUserError(thrown(() => parseRulesInput('- paths: x\n  resolution: nope\n')), 'input')).toBe(true)
    expect(isUserError(thrown(() => parseRulesInput('- paths: [unclosed\n')), 'input')).toBe(true)
  })

  it('refuses template paths outside the repository', () => {
    expect(() => resolvePolicy(undefined, inputs({ template: '../secrets.md' }), origin)).toThrow('template path must be inside the repository')
  })
})

describe('rebrand in the config file', () => {
  const config = "rebrand:\n  - from: LiteLLM\n    to: OrizonLLM\n    exclude: docs/legacy/**\n  - from: 'litellm-(\\w+)'\n    to: 'orizon-$1'\n    regex: true\n    paths: [README.md, 'src/**']\n"

  it('reads the rules, with the defaults filled in', () => {
    expect(resolvePolicy(parseConfigFile(config, origin), inputs(), origin).rebrand).toEqual([
      { from: 'LiteLLM', to: 'OrizonLLM', regex: false, paths: ['**'], exclude: ['docs/legacy/**'] },
      { from: 'litellm-(\\w+)', to: 'orizon-$1', regex: true, paths: ['README.md', 'src/**'], exclude: [] }
    ])
  })

  it('lets the inline input replace the file rules', () => {
    const inline = [{ from: 'Acme', to: 'Carto', regex: false, paths: ['**'], exclude: [] }]
    expect(resolvePolicy(parseConfigFile(config, origin), inputs({ rebrand: inline }), origin).rebrand).toEqual(inline)
  })

  it.each([
    ["rebrand:\n  - from: ''\n    to: X\n", `${origin}: rebrand[0].from: must not be empty`],
    ['rebrand:\n  - from: Lite\n    to: LiteLLM\n', `${origin}: rebrand[0].to: contains \`from\` ("Lite"), so applying the rule twice would grow the text`],
    ['rebrand:\n  - from: a\n    to: b\n    glob: x\n', `${origin}: rebrand[0]: unknown key 'glob' (allowed: from, to, regex, paths, exclude)`],
    ['rebrand: LiteLLM\n', `${origin}: rebrand: must be a list of rules`]
  ])('rejects %j with the exact key and reason (a config error)', (text, message) => {
    const error = thrown(() => parseConfigFile(text, origin))
    expect(isUserError(error, 'config')).toBe(true)
    expect((error as Error).message).toBe(message)
  })
})

describe("the README's rebrand example", () => {
  it('is valid config, and renames as the README says', async () => {
    const { readFile } = await import('node:fs/promises')
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('### Rebrand'))
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
    const { compileRebrand } = await import('../../../src/merge/rebrand-rules.js')
    const rebrand = compileRebrand(resolvePolicy(parseConfigFile(yaml, origin), inputs(), origin).rebrand)
    expect(rebrand.rules).toHaveLength(4)
    expect(rebrand.applyRebrand('LiteLLM is a gateway: docker run litellm-proxy\n', 'README.md').text).toBe('OrizonLLM is a gateway: docker run orizon-proxy\n')
    expect(rebrand.applyRebrand('name = "litellm"\ndescription = "LiteLLM proxy"\n', 'pyproject.toml').text).toBe('name = "orizon-llm"\ndescription = "OrizonLLM proxy"\n')
    expect(rebrand.applyRebrand('TITLE = "LiteLLM Admin UI"\n', 'ui/app/src/title.tsx').text).toBe('TITLE = "Orizon Console"\n')
    expect(rebrand.applyRebrand('LiteLLM 1.0\n', 'docs/release_notes/v1.md').text).toBe('LiteLLM 1.0\n')
  })
})
