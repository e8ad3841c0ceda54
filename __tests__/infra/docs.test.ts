import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  DocsError,
  END_MARKER,
  START_MARKER,
  codeCell,
  escapeCell,
  parseAction,
  renderActionDocs,
  replaceBetweenMarkers,
  runDocs,
  TEMPLATE_MARKERS
} from '../../scripts/docs.js'
import { templateVariablesMarkdown } from '../../src/report/index.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx')

const SAMPLE_ACTION = `name: Sample
description: A sample action
inputs:
  token:
    description: 'The token, with pull-requests: write.'
    required: false
    default: '\${{ github.token }}'
  upstream:
    description: 'owner/name | or a URL'
    required: true
  pattern:
    description: |
      Globs, one a line.
      The branch is <prefix><tag>.
    default: 'v*-stable'
  count:
    description: A number default
    default: 3
  old:
    description: Old input.
    deprecationMessage: Use pattern instead.
outputs:
  result:
    description: 'created or updated'
  conflicts:
    description: 'JSON array | of paths'
runs:
  using: node24
  main: dist/index.js
`

const SAMPLE_DOCS = [
  '<!-- Generated from action.yml by `npx tsx scripts/docs.ts`: edit action.yml, not this table. -->',
  '',
  '### Inputs',
  '',
  '| Input | Description | Default | Required |',
  '| --- | --- | --- | --- |',
  '| `token` | The token, with pull-requests: write. | `${{ github.token }}` | no |',
  '| `upstream` | owner/name \\| or a URL |  | yes |',
  '| `pattern` | Globs, one a line.<br>The branch is &lt;prefix&gt;&lt;tag&gt;. | `v*-stable` | no |',
  '| `count` | A number default | `3` | no |',
  '| `old` | **Deprecated:** Use pattern instead.<br>Old input. |  | no |',
  '',
  '### Outputs',
  '',
  '| Output | Description |',
  '| --- | --- |',
  '| `result` | created or updated |',
  '| `conflicts` | JSON array \\| of paths |'
].join('\n')

describe('renderActionDocs', () => {
  it('renders inputs (name, description, default, required) and outputs in action.yml order', () => {
    expect(renderActionDocs(SAMPLE_ACTION)).toBe(SAMPLE_DOCS)
  })

  it('is deterministic', () => {
    expect(renderActionDocs(SAMPLE_ACTION)).toBe(renderActionDocs(SAMPLE_ACTION))
  })

  it('says so when there are no inputs or outputs', () => {
    const docs = renderActionDocs('name: x\ndescription: y\nruns:\n  using: node24\n  main: i.js\n')
    expect(docs).toContain('This action has no inputs.')
    expect(docs).toContain('This action has no outputs.')
  })

  it('renders every input and output of the real action.yml, one row each', async () => {
    const actionYml = await fs.readFile(path.join(ROOT, 'action.yml'), 'utf8')
    const { inputs, outputs } = parseAction(actionYml)
    const docs = renderActionDocs(actionYml)
    expect(inputs.length).toBeGreaterThan(0)
    const [inputSection = '', outputSection = ''] = docs.split('### Outputs')
    const rows = (section: string, name: string) => section.split('\n').filter((line) => line.startsWith(`| \`${name}\` |`))
    for (const { name } of inputs) expect(rows(inputSection, name)).toHaveLength(1)
    for (const { name } of outputs) expect(rows(outputSection, name)).toHaveLength(1)
    // Every table row has exactly its columns: no unescaped `|` slipped into a cell.
    for (const line of docs.split('\n').filter((l) => l.startsWith('| `'))) {
      const cells = line.replace(/\\\|/g, '').split('|').length - 2
      expect([2, 4]).toContain(cells)
    }
  })
})

describe('cell escaping', () => {
  it('escapes pipes, newlines, HTML and Markdown specials in descriptions', () => {
    expect(escapeCell('a | b\nc <d> *e* _f_ `g` [h] \\')).toBe('a \\| b<br>c &lt;d&gt; \\*e\\* \\_f\\_ \\`g\\` \\[h\\] \\\\')
  })

  it('shows defaults as code, escaping pipes and fencing backticks', () => {
    expect(codeCell('')).toBe('`""`')
    expect(codeCell('a|b')).toBe('`a\\|b`')
    expect(codeCell('say `hi`')).toBe('`` say `hi` ``')
    expect(codeCell('one\ntwo')).toBe('`one`<br>`two`')
  })
})

describe('parseAction errors', () => {
  it('names an input without a description', () => {
    expect(() => parseAction('inputs:\n  token:\n    required: true\n')).toThrow(
      new DocsError('action.yml: inputs.token has no description; add one, it is what the README shows.')
    )
  })

  it('reports invalid YAML', () => {
    expect(() => parseAction('inputs: [unclosed')).toThrow(/^action\.yml is not valid YAML: /)
  })

  it('rejects inputs that are not a mapping', () => {
    expect(() => parseAction('inputs:\n  - token\n')).toThrow('action.yml: "inputs" must be a mapping of names to definitions.')
  })
})

describe('replaceBetweenMarkers', () => {
  const readme = `# Title\n\nIntro.\n\n${START_MARKER}\nold table\n${END_MARKER}\n\n## After\n`

  it('replaces only what lies between the markers, and is idempotent', () => {
    const once = replaceBetweenMarkers(readme, 'NEW')
    expect(once).toBe(`# Title\n\nIntro.\n\n${START_MARKER}\nNEW\n${END_MARKER}\n\n## After\n`)
    expect(replaceBetweenMarkers(once, 'NEW')).toBe(once)
  })

  it('keeps CRLF line endings', () => {
    const crlf = readme.replace(/\n/g, '\r\n')
    expect(replaceBetweenMarkers(crlf, 'a\nb')).toBe(`# Title\r\n\r\nIntro.\r\n\r\n${START_MARKER}\r\na\r\nb\r\n${END_MARKER}\r\n\r\n## After\r\n`)
  })

  it('says which marker is missing and how to add it', () => {
    expect(() => replaceBetweenMarkers('# no markers\n', 'x')).toThrow(
      `README.md has no ${START_MARKER} marker: put ${START_MARKER} and ${END_MARKER} on their own lines where the inputs and outputs tables belong.`
    )
    expect(() => replaceBetweenMarkers(`${START_MARKER}\n`, 'x')).toThrow(`README.md has no ${END_MARKER} marker`)
  })

  it('rejects swapped or repeated markers', () => {
    expect(() => replaceBetweenMarkers(`${END_MARKER}\n${START_MARKER}\n`, 'x')).toThrow('comes before')
    expect(() => replaceBetweenMarkers(`${START_MARKER}\n${END_MARKER}\n${START_MARKER}\n${END_MARKER}\n`, 'x')).toThrow('more than one')
  })
})

describe('runDocs and the CLI on temp copies', () => {
  let dir: string
  let actionFile: string
  let readmeFile: string

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-sync-docs-'))
    actionFile = path.join(dir, 'action.yml')
    readmeFile = path.join(dir, 'README.md')
    await fs.writeFile(actionFile, SAMPLE_ACTION)
    await fs.writeFile(readmeFile, `# Sample\n\n## Inputs and outputs\n\n${START_MARKER}\n${END_MARKER}\n\n## FAQ\n`)
  })

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('writes the tables, then check mode passes', async () => {
    const written = await runDocs({ actionFile, readmeFile, check: false })
    expect(written).toEqual({ ok: true, changed: true, message: 'README.md updated from action.yml.' })
    const readme = await fs.readFile(readmeFile, 'utf8')
    expect(readme).toBe(`# Sample\n\n## Inputs and outputs\n\n${START_MARKER}\n${SAMPLE_DOCS}\n${END_MARKER}\n\n## FAQ\n`)
    expect(await runDocs({ actionFile, readmeFile, check: true })).toEqual({
      ok: true,
      changed: false,
      message: 'README.md inputs and outputs match action.yml.'
    })
    expect(await runDocs({ actionFile, readmeFile, check: false })).toMatchObject({ ok: true, changed: false })
  })

  it('detects drift after action.yml changes, without touching README.md', async () => {
    await runDocs({ actionFile, readmeFile, check: false })
    const before = await fs.readFile(readmeFile, 'utf8')
    await fs.writeFile(actionFile, SAMPLE_ACTION.replace("'created or updated'", "'created, updated or skipped'"))
    const result = await runDocs({ actionFile, readmeFile, check: true })
    expect(result.ok).toBe(false)
    expect(result.message).toBe(
      'README.md is out of step with action.yml. Run `npx tsx scripts/docs.ts` and commit README.md. First difference at line 22:\n' +
        '  expected: | `result` | created, updated or skipped |\n' +
        '  found:    | `result` | created or updated |'
    )
    expect(await fs.readFile(readmeFile, 'utf8')).toBe(before)
  })

  it('CLI --check exits 1 with the message on drift and 0 once regenerated', () => {
    const run = (...args: string[]) =>
      spawnSync(TSX, [path.join(ROOT, 'scripts', 'docs.ts'), '--action', actionFile, '--readme', readmeFile, ...args], {
        encoding: 'utf8',
        cwd: dir
      })
    const drift = run('--check')
    expect(drift.status).toBe(1)
    expect(drift.stderr).toContain('README.md is out of step with action.yml. Run `npx tsx scripts/docs.ts` and commit README.md.')

    const write = run()
    expect(write.status).toBe(0)
    expect(write.stdout).toContain('README.md updated from action.yml.')

    const ok = run('--check')
    expect(ok.status).toBe(0)
    expect(ok.stdout).toContain('README.md inputs and outputs match action.yml.')
  })

  it('CLI exits 1 with one clear line when README.md has no markers', async () => {
    await fs.writeFile(readmeFile, '# Sample\n')
    const result = spawnSync(TSX, [path.join(ROOT, 'scripts', 'docs.ts'), '--check', '--action', actionFile, '--readme', readmeFile], {
      encoding: 'utf8'
    })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe(
      `README.md has no ${START_MARKER} marker: put ${START_MARKER} and ${END_MARKER} on their own lines where the inputs and outputs tables belong.`
    )
  })
})

describe('template variable block', () => {
  it('fills the template-vars markers from report.ts and checks them', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'docs-template-vars-'))
    try {
      const actionFile = path.join(dir, 'action.yml')
      const readmeFile = path.join(dir, 'README.md')
      await fs.writeFile(actionFile, 'name: x\ndescription: y\ninputs: {}\noutputs: {}\nruns:\n  using: node24\n  main: dist/index.js\n')
      await fs.writeFile(readmeFile, `${START_MARKER}\n${END_MARKER}\n\n${TEMPLATE_MARKERS.start}\nstale\n${TEMPLATE_MARKERS.end}\n`)
      expect((await runDocs({ actionFile, readmeFile, check: true })).ok).toBe(false)
      await runDocs({ actionFile, readmeFile, check: false })
      const readme = await fs.readFile(readmeFile, 'utf8')
      expect(readme).toContain(templateVariablesMarkdown())
      expect(readme).not.toContain('stale')
      expect((await runDocs({ actionFile, readmeFile, check: true })).ok).toBe(true)
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })
})
