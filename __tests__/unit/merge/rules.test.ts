import { describe, expect, it } from '@jest/globals'
import { compileRules, matchRule, RuleError } from '../../../src/merge/rules.js'
import type { PathRule } from '../../../src/types.js'

/** The rules of a typical fork of an LLM gateway (issue 4's example). */
const forkRules: PathRule[] = [
  { paths: ['.github/workflows/carto-*', 'CARTO_*.md', 'docs/CARTO_*'], resolution: 'ours', note: 'fork-only files' },
  { paths: ['litellm/**', 'tests/**', 'pyproject.toml'], resolution: 'theirs' },
  { paths: ['Dockerfile', 'Makefile'], resolution: 'manual', note: 'check `# CARTO:` sections' }
]

describe('compileRules', () => {
  const rules = compileRules(forkRules)

  it('applies the first matching rule', () => {
    expect(rules.match('.github/workflows/carto-deploy.yml')).toEqual({ resolution: 'ours', note: 'fork-only files', ruleIndex: 0, pattern: '.github/workflows/carto-*' })
    expect(rules.match('CARTO_README.md')).toMatchObject({ resolution: 'ours', ruleIndex: 0 })
    expect(rules.match('docs/CARTO_setup.md')).toMatchObject({ resolution: 'ours', pattern: 'docs/CARTO_*' })
    expect(rules.match('litellm/proxy/server.py')).toEqual({ resolution: 'theirs', ruleIndex: 1, pattern: 'litellm/**' })
    expect(rules.match('pyproject.toml')).toMatchObject({ resolution: 'theirs' })
    expect(rules.match('Dockerfile')).toEqual({ resolution: 'manual', note: 'check `# CARTO:` sections', ruleIndex: 2, pattern: 'Dockerfile' })
  })

  it('is first match wins even when a later rule is more specific', () => {
    const ordered = compileRules([
      { paths: ['litellm/**'], resolution: 'theirs' },
      { paths: ['litellm/carto/**'], resolution: 'ours' }
    ])
    expect(ordered.match('litellm/carto/hook.py').resolution).toBe('theirs')
  })

  it('leaves unmatched paths manual, without a note', () => {
    expect(rules.match('README.md')).toEqual({ resolution: 'manual' })
    expect(compileRules([]).match('anything')).toEqual({ resolution: 'manual' })
  })

  it('matches whole paths: a glob without a slash is anchored at the root', () => {
    expect(rules.match('sub/CARTO_notes.md')).toEqual({ resolution: 'manual' })
    expect(rules.match('docker/Dockerfile')).toEqual({ resolution: 'manual' })
    expect(compileRules([{ paths: ['**/Dockerfile'], resolution: 'ours' }]).match('docker/Dockerfile').resolution).toBe('ours')
  })

  it('matches dotfiles and dot folders with * and **', () => {
    const dotted = compileRules([{ paths: ['**'], resolution: 'theirs' }])
    expect(dotted.match('.github/workflows/ci.yml').resolution).toBe('theirs')
    expect(compileRules([{ paths: ['config/*'], resolution: 'ours' }]).match('config/.env.example').resolution).toBe('ours')
  })

  it('names the rule and the problem for rules that could never apply', () => {
    expect(() => compileRules([{ paths: [], resolution: 'ours' }])).toThrow(new RuleError(0, 'paths must list at least one glob'))
    expect(() => compileRules([...forkRules, { paths: ['a', ''], resolution: 'ours' }])).toThrow('rules[3]: paths must be non-empty strings, got ""')
    expect(() => compileRules([{ paths: ['a'], resolution: 'mine' as never }])).toThrow('rules[0]: resolution must be ours, theirs or manual, got "mine"')
  })
})

describe('matchRule', () => {
  it('is the one-off form of compileRules', () => {
    expect(matchRule('tests/test_x.py', forkRules)).toMatchObject({ resolution: 'theirs' })
  })
})
