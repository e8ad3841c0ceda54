import { isUserError } from '../../../src/errors.js'
import { compileRebrand, isBinary, parseRebrand, parseRebrandInput, type RebrandRule } from '../../../src/merge/rebrand-rules.js'

const ORIGIN = 'config file .github/upstream-sync.yml (branch main)'

/** The error parseRebrand throws for `value`, as `kind: message`. */
function rejection(value: unknown): string {
  try {
    parseRebrand(value, ORIGIN)
  } catch (error) {
    if (!isUserError(error)) throw error
    return `${error.kind}: ${error.message}`
  }
  throw new Error('expected the rules to be rejected')
}

const rule = (from: string, to: string, extra: Partial<RebrandRule> = {}): RebrandRule => ({ from, to, regex: false, paths: ['**'], exclude: [], ...extra })

describe('parseRebrand: valid rules', () => {
  test('defaults: literal, every file, nothing excluded; a single glob may be a string', () => {
    expect(parseRebrand([{ from: 'LiteLLM', to: 'OrizonLLM' }, { from: 'a(\\d)', to: 'b$1', regex: true, paths: 'src/**', exclude: ['src/vendor/**'] }], ORIGIN)).toEqual([
      rule('LiteLLM', 'OrizonLLM'),
      rule('a(\\d)', 'b$1', { regex: true, paths: ['src/**'], exclude: ['src/vendor/**'] })
    ])
  })

  test('no rebrand key: no rules', () => {
    expect(parseRebrand(undefined, ORIGIN)).toEqual([])
    expect(parseRebrand(null, ORIGIN)).toEqual([])
    expect(parseRebrandInput('  \n')).toEqual([])
  })

  test("chaining into a later rule's `from` is allowed: the first pass completes it", () => {
    expect(parseRebrand([{ from: 'foo', to: 'bar' }, { from: 'bar', to: 'baz' }], ORIGIN)).toHaveLength(2)
  })

  test('the inline input is the same YAML list, as text', () => {
    expect(parseRebrandInput('- from: litellm\n  to: orizonllm\n  paths: [pyproject.toml]\n')).toEqual([rule('litellm', 'orizonllm', { paths: ['pyproject.toml'] })])
  })
})

describe('parseRebrand: bad rules are rejected with the exact key and reason', () => {
  test('empty from', () => {
    expect(rejection([{ from: 'a', to: 'b' }, { from: '', to: 'x' }])).toBe(`config: ${ORIGIN}: rebrand[1].from: must not be empty`)
  })

  test('a missing or non-string to', () => {
    expect(rejection([{ from: 'a' }])).toBe(`config: ${ORIGIN}: rebrand[0].to: must be a string`)
    expect(rejection([{ from: 'a', to: 3 }])).toBe(`config: ${ORIGIN}: rebrand[0].to: must be a string`)
  })

  test('a regex that does not compile, with the engine message', () => {
    expect(rejection([{ from: '(lite', to: 'x', regex: true }])).toBe(
      `config: ${ORIGIN}: rebrand[0].from: does not compile: Invalid regular expression: /(lite/gm: Unterminated group`
    )
  })

  test('a regex that matches the empty string', () => {
    expect(rejection([{ from: 'x*', to: 'y', regex: true }])).toBe(`config: ${ORIGIN}: rebrand[0].from: matches the empty string, so it would insert \`to\` everywhere`)
  })

  test('a literal `to` containing its `from` would grow on a second pass', () => {
    expect(rejection([{ from: 'LiteLLM', to: 'OrizonLiteLLM' }])).toBe(
      `config: ${ORIGIN}: rebrand[0].to: contains \`from\` ("LiteLLM"), so applying the rule twice would grow the text`
    )
  })

  test('a `to` equal to `from` changes nothing', () => {
    expect(rejection([{ from: 'a', to: 'a' }])).toBe(`config: ${ORIGIN}: rebrand[0].to: equals \`from\`: the rule would change nothing`)
  })

  test("a regex whose `to` holds text its pattern matches, or the whole match", () => {
    expect(rejection([{ from: 'Lite[A-Z]+', to: 'OrizonLiteLLM', regex: true }])).toBe(
      `config: ${ORIGIN}: rebrand[0].to: contains text the pattern matches, so applying the rule twice would grow the text`
    )
    expect(rejection([{ from: 'LiteLLM', to: 'Orizon$&', regex: true }])).toMatch(/rebrand\[0\]\.to: uses \$& \(the whole match\)/)
  })

  test('a regex `to` naming groups the pattern lacks, or the text around the match', () => {
    expect(rejection([{ from: 'lite(llm)', to: 'orizon$2', regex: true }])).toBe(`config: ${ORIGIN}: rebrand[0].to: refers to group $2, but the pattern has 1 capture group`)
    expect(rejection([{ from: 'lite(?<rest>llm)', to: 'orizon$<other>', regex: true }])).toBe(
      `config: ${ORIGIN}: rebrand[0].to: refers to group $<other>, which the pattern does not define`
    )
    expect(rejection([{ from: 'lite', to: "orizon$'", regex: true }])).toMatch(/rebrand\[0\]\.to: \$' \(the text around the match\) is not supported/)
  })

  test("a `to` holding an earlier rule's `from` would be renamed again by a second pass", () => {
    expect(rejection([{ from: 'Lite', to: 'Orizon' }, { from: 'Proxy', to: 'Lite Gateway' }])).toBe(
      `config: ${ORIGIN}: rebrand[1].to: contains what rebrand[0] replaces ("Lite"), so a second pass would rename it again`
    )
  })

  test('unknown keys, invalid globs, not a list', () => {
    expect(rejection([{ form: 'a', from: 'a', to: 'b' }])).toBe(`config: ${ORIGIN}: rebrand[0]: unknown key 'form' (allowed: from, to, regex, paths, exclude)`)
    expect(rejection([{ from: 'a', to: 'b', exclude: ['src/[a'] }])).toMatch(/^config: .*: rebrand\[0\]\.exclude: invalid glob "src\/\[a": /)
    expect(rejection([{ from: 'a', to: 'b', paths: [] }])).toBe(`config: ${ORIGIN}: rebrand[0].paths: must list at least one glob`)
    expect(rejection({ from: 'a', to: 'b' })).toBe(`config: ${ORIGIN}: rebrand: must be a list of rules`)
  })

  test('every problem is named at once', () => {
    expect(rejection([{ from: '', to: 'x' }, { from: 'y', to: 'yy' }])).toBe(
      `config: ${ORIGIN}: rebrand[0].from: must not be empty; rebrand[1].to: contains \`from\` ("y"), so applying the rule twice would grow the text`
    )
  })

  test('the inline input fails as an input error; bad YAML too', () => {
    expect(() => parseRebrandInput('- {from: "", to: x}')).toThrow("Input 'rebrand': rebrand[0].from: must not be empty")
    for (const text of ['- {from: "", to: x}', '- [unclosed']) {
      try {
        parseRebrandInput(text)
        throw new Error('expected a rejection')
      } catch (error) {
        expect(isUserError(error, 'input')).toBe(true)
      }
    }
    expect(() => parseRebrandInput('- [unclosed')).toThrow(/^Input 'rebrand' is not valid YAML: /)
  })

  test('compileRebrand refuses a rule that bypassed validation', () => {
    expect(() => compileRebrand([rule('(', 'x', { regex: true })])).toThrow(/^rebrand\[0\]\.from: does not compile/)
  })
})

describe('applyRebrand', () => {
  test('literal rules replace every occurrence, case-sensitively, and count per rule', () => {
    const rebrand = compileRebrand([rule('LiteLLM', 'OrizonLLM'), rule('litellm', 'orizonllm')])
    expect(rebrand.applyRebrand('LiteLLM: pip install litellm; LITELLM; LiteLLM', 'README.md')).toEqual({
      text: 'OrizonLLM: pip install orizonllm; LITELLM; OrizonLLM',
      replacements: [2, 1],
      total: 3
    })
  })

  test('regex rules: numbered and named groups, $$, ^ and $ at line boundaries', () => {
    const rebrand = compileRebrand([
      rule('LITELLM_([A-Z_]+)', 'ORIZONLLM_$1', { regex: true }),
      rule('^name = "(?<pkg>lite)llm"$', 'name = "orizon-$<pkg>" # $$', { regex: true })
    ])
    expect(rebrand.applyRebrand('[project]\nname = "litellm"\nkey = LITELLM_MASTER_KEY, LITELLM_SALT\n', 'pyproject.toml')).toEqual({
      text: '[project]\nname = "orizon-lite" # $\nkey = ORIZONLLM_MASTER_KEY, ORIZONLLM_SALT\n',
      replacements: [2, 1],
      total: 3
    })
  })

  test('two-digit group references use the longest existing group', () => {
    const groups = Array.from({ length: 10 }, (_, i) => `(${String.fromCharCode(97 + i)})`).join('')
    const rebrand = compileRebrand([rule(groups, '[$10][$1]', { regex: true })])
    expect(rebrand.applyRebrand('abcdefghij', 'x').text).toBe('[j][a]')
    expect(compileRebrand([rule('(a)', '$10', { regex: true })]).applyRebrand('a', 'x').text).toBe('a0')
  })

  test('zero-length matches are never replaced', () => {
    const rebrand = compileRebrand([rule('(?=Lite)', 'X', { regex: true })])
    expect(rebrand.applyRebrand('LiteLLM', 'x')).toEqual({ text: 'LiteLLM', replacements: [0], total: 0 })
  })

  test('paths and exclude decide which rules apply to a file; rules run in order', () => {
    const rebrand = compileRebrand([rule('foo', 'bar', { paths: ['src/**'], exclude: ['src/vendor/**'] }), rule('bar', 'baz', { paths: ['src/**', '.github/**'] })])
    expect(rebrand.covers('src/a.ts')).toBe(true)
    expect(rebrand.covers('.github/workflows/ci.yml')).toBe(true)
    expect(rebrand.covers('docs/a.md')).toBe(false)
    expect(rebrand.applyRebrand('foo bar', 'src/a.ts')).toEqual({ text: 'baz baz', replacements: [1, 2], total: 3 })
    expect(rebrand.applyRebrand('foo bar', 'src/vendor/a.ts')).toEqual({ text: 'foo baz', replacements: [0, 1], total: 1 })
    expect(rebrand.applyRebrand('foo bar', 'docs/a.md')).toEqual({ text: 'foo bar', replacements: [0, 0], total: 0 })
  })

  test('line endings and a byte order mark are kept', () => {
    const rebrand = compileRebrand([rule('LiteLLM', 'OrizonLLM')])
    expect(rebrand.applyRebrand('\uFEFFLiteLLM\r\nok\r\n', 'a.txt').text).toBe('\uFEFFOrizonLLM\r\nok\r\n')
  })

  test('secondPass names the first rule that would change transformed text again', () => {
    const rebrand = compileRebrand([rule('LiteLLM', 'OrizonLLM'), rule('Start (\\w+)', 'Start $1 Start', { regex: true })])
    const once = rebrand.applyRebrand('Start LiteLLM now', 'README.md').text
    expect(once).toBe('Start OrizonLLM Start now')
    expect(rebrand.secondPass(once, 'README.md')).toBe(1)
    expect(rebrand.secondPass(rebrand.applyRebrand('LiteLLM', 'README.md').text, 'README.md')).toBeUndefined()
  })
})

describe('isBinary', () => {
  test("git's test: a NUL byte among the first 8000 bytes", () => {
    expect(isBinary(Buffer.from('plain text\n'))).toBe(false)
    expect(isBinary(Buffer.from('PNG\0data'))).toBe(true)
    const late = Buffer.alloc(8001, 0x61)
    late[8000] = 0
    expect(isBinary(late)).toBe(false)
    late[7999] = 0
    expect(isBinary(late)).toBe(true)
  })
})
