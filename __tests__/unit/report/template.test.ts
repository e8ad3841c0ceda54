import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import Mustache from 'mustache'
import { isUserError, UserError } from '../../../src/errors.js'
import { PARTIALS, PR_BODY_TEMPLATE, REPORT_TEMPLATE, SUMMARY_TEMPLATE } from '../../../src/generated/templates.js'
import { buildReportView, compileTemplate, renderPrBody, validateTemplate } from '../../../src/report/index.js'
import { BUILT_IN_TEMPLATES } from '../../../src/report/template.js'
import { conflictsInput } from './fixtures.js'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..')

/** What a template throws, caught. */
function thrownBy(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('custom templates', () => {
  const view = buildReportView(conflictsInput())

  it('render with the same view', () => {
    const template = [
      '# {{upstream}} {{tag}} ({{mergeStatus}})',
      '{{#conflicts}}',
      '* {{{pathCode}}}: {{rule}}',
      '{{/conflicts}}',
      '{{^hasConflicts}}clean{{/hasConflicts}}',
      'notes: {{{releaseNotesMd}}}'
    ].join('\n')
    expect(validateTemplate(template, 'config key `template` (.github/pr.md)')).toEqual([])
    const compiled = compileTemplate(template, 'config key `template` (.github/pr.md)')
    expect(compiled.warnings).toEqual([])
    const body = renderPrBody(view, compiled)
    expect(body).toContain('# BerriAI/litellm v1.81.9-stable (conflicts)\n* `.github/workflows/carto-ci.yml`: ours\n* `Dockerfile`: manual\n')
    expect(body).toContain('notes: > ## What')
  })

  it('a bad template fails with the source, the line and Mustache’s message', () => {
    const bad = 'line one\n{{#conflicts}}\n* {{path}}\n'
    expect(() => validateTemplate(bad, 'input `template` (.github/sync-pr.md)')).toThrow(UserError)
    expect(() => validateTemplate(bad, 'input `template` (.github/sync-pr.md)')).toThrow(
      /^The PR body template from input `template` \(\.github\/sync-pr\.md\) is not valid Mustache \(line 2\): Unclosed section "conflicts" at \d+\. /
    )
    expect(() => renderPrBody(view, compileTemplate(bad, 'config key `template`'))).toThrow(/config key `template`/)
  })

  it('a bad template is a config error, or an input error when the caller says it came from the input', () => {
    const bad = 'line one\n{{#conflicts}}\n* {{path}}\n'
    const fromConfig = thrownBy(() => compileTemplate(bad, 'config key `template`'))
    expect(isUserError(fromConfig, 'config')).toBe(true)
    expect((fromConfig as UserError).fix).toBe('Fix the template, or remove the setting to use the built-in one.')
    expect((fromConfig as UserError).message).toMatch(/ at \d+\. Fix the template, or remove the setting to use the built-in one\.$/)
    expect(isUserError(thrownBy(() => compileTemplate(bad, "Input 'template'", 'input')), 'input')).toBe(true)
  })

  it('names the line of the section left open, not where Mustache noticed', () => {
    expect(() => compileTemplate('one\ntwo\n{{#a}}\n{{/b}}', 'x')).toThrow(/^The PR body template from x is not valid Mustache \(line 3\): Unclosed section "a" at /)
  })

  it('warns about names that are no template variable, and partials that do not exist', () => {
    const warnings = validateTemplate('{{tagg}} {{#conflicts}}{{pathCode}}{{notAField}}{{/conflicts}} {{> header}} {{refreshedFrom.oldSha}}', 'x.md')
    expect(warnings).toEqual([
      'x.md: {{tagg}} is not a template variable and renders as nothing (see the README\'s template variable reference).',
      'x.md: {{notAField}} is not a template variable and renders as nothing (see the README\'s template variable reference).',
      'x.md: partial {{> header}} renders nothing (the partials are auto-resolved-table, conflict-groups, conflicts-table, customizations-list, folders-table, not-settleable-list, rebrand-section).'
    ])
  })

  it('warns about an empty template', () => {
    expect(compileTemplate('  \n', 'x.md').warnings).toEqual(['x.md: the template is empty, so the PR body will be empty.'])
  })

  it('may include the shared partials, as a copy of the built-in body does', () => {
    const compiled = compileTemplate('Folders:\n{{> folders-table}}\nCustomized:\n{{> customizations-list}}', 'x.md')
    expect(compiled.warnings).toEqual([])
    expect(compiled.render(view)).toBe(
      [
        'Folders:',
        '| Folder | Added | Modified | Deleted | Renamed |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| `litellm` | 3 | 9 | 1 | 1 |',
        '| `docs` | 1 | 2 | 0 | 0 |',
        '| *(top level)* | 0 | 0 | 0 | 0 |',
        'Customized:',
        '- `litellm/proxy/server.py`', // the conflicted Dockerfile is listed with the conflicts only
        ''
      ].join('\n')
    )
  })

  it('finds partials by their own names only', () => {
    const compiled = compileTemplate('a{{> constructor}}b{{> toString}}c', 'x.md')
    expect(compiled.warnings).toHaveLength(2)
    expect(compiled.render(view)).toBe('abc')
  })
})

describe('the shipped templates', () => {
  it('compile without warnings, each once, on first use', () => {
    for (const name of ['prBody', 'summary', 'report'] as const) {
      const compiled = BUILT_IN_TEMPLATES[name]
      expect(compiled.warnings).toEqual([])
      expect(BUILT_IN_TEMPLATES[name]).toBe(compiled)
    }
  })

  it('are the generated constants, byte for byte (run `node scripts/copy-assets.mjs --generate` if this fails)', () => {
    expect(BUILT_IN_TEMPLATES.prBody.text).toBe(PR_BODY_TEMPLATE)
    expect(BUILT_IN_TEMPLATES.summary.text).toBe(SUMMARY_TEMPLATE)
    expect(BUILT_IN_TEMPLATES.report.text).toBe(REPORT_TEMPLATE)
    expect(PR_BODY_TEMPLATE).toBe(readFileSync(path.join(root, 'templates', 'pr-body.md'), 'utf8'))
    expect(SUMMARY_TEMPLATE).toBe(readFileSync(path.join(root, 'templates', 'summary.md'), 'utf8'))
    expect(REPORT_TEMPLATE).toBe(readFileSync(path.join(root, 'templates', 'report.md'), 'utf8'))
    const partialFiles = readdirSync(path.join(root, 'templates', 'partials')).filter((name) => name.endsWith('.md'))
    expect(Object.keys(PARTIALS).sort()).toEqual(partialFiles.map((name) => name.replace(/\.md$/, '')).sort())
    for (const name of partialFiles) {
      expect(PARTIALS[name.replace(/\.md$/, '')]).toBe(readFileSync(path.join(root, 'templates', 'partials', name), 'utf8'))
    }
  })

  it('parse as Mustache', () => {
    expect(() => Mustache.parse(PR_BODY_TEMPLATE)).not.toThrow()
    for (const text of Object.values(PARTIALS)) expect(() => Mustache.parse(text)).not.toThrow()
  })

  it('are each shared by at least two of the built-in templates', () => {
    for (const name of Object.keys(PARTIALS)) {
      const users = [PR_BODY_TEMPLATE, SUMMARY_TEMPLATE, REPORT_TEMPLATE].filter((text) => text.includes(`{{> ${name}}}`))
      expect({ name, users: users.length >= 2 }).toEqual({ name, users: true })
    }
  })
})
