import { spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')

describe('the shipped templates', () => {
  it('match what the generator writes (run `node scripts/copy-assets.mjs --generate` if this fails)', () => {
    const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'copy-assets.mjs'), '--check'], { encoding: 'utf8' })
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' })
  })
})

describe('scripts/copy-assets.mjs', () => {
  let dir: string
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'copy-assets-'))
    await fs.mkdir(path.join(dir, 'scripts'))
    await fs.copyFile(path.join(root, 'scripts', 'copy-assets.mjs'), path.join(dir, 'scripts', 'copy-assets.mjs'))
    await fs.mkdir(path.join(dir, 'templates'))
    await fs.writeFile(path.join(dir, 'templates', 'pr-body.md'), 'Hello {{tag}}\r\n"quoted" `code`\n')
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })
  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'scripts', 'copy-assets.mjs'), ...args], { encoding: 'utf8' })

  it('detects a stale module, regenerates it, and fails a build bundled from the stale one', async () => {
    expect(run('--check').status).toBe(1)
    expect(run('--generate').status).toBe(0)
    expect(run('--check').status).toBe(0)
    const generated = await fs.readFile(path.join(dir, 'src', 'generated', 'templates.ts'), 'utf8')
    expect(generated).toContain('export const PR_BODY_TEMPLATE: string = [\n  "Hello {{tag}}",\n  "\\"quoted\\" `code`",\n  ""\n].join(\'\\n\')')

    // A build after the generated module is current copies the templates next to the bundle.
    const build = run()
    expect(build.status).toBe(0)
    expect(await fs.readFile(path.join(dir, 'dist', 'templates', 'pr-body.md'), 'utf8')).toBe('Hello {{tag}}\r\n"quoted" `code`\n')

    await fs.writeFile(path.join(dir, 'templates', 'pr-body.md'), 'Changed\n')
    const stale = run()
    expect(stale.status).toBe(1)
    expect(stale.stderr).toContain('was stale, so dist/index.js was bundled with old templates: run the build again')
    expect(run('--check').status).toBe(0)
  })

  it('generates PARTIALS, by name, from templates/partials/', async () => {
    await fs.mkdir(path.join(dir, 'templates', 'partials'), { recursive: true })
    await fs.writeFile(path.join(dir, 'templates', 'partials', 'b-list.md'), '- {{.}}\n')
    await fs.writeFile(path.join(dir, 'templates', 'partials', 'a-table.md'), '| a |\n')
    expect(run('--check').status).toBe(1)
    expect(run('--generate').status).toBe(0)
    const generated = await fs.readFile(path.join(dir, 'src', 'generated', 'templates.ts'), 'utf8')
    expect(generated).toContain(
      'export const PARTIALS: Readonly<Record<string, string>> = {\n  "a-table": [\n    "| a |",\n    ""\n  ].join(\'\\n\'),\n  "b-list": [\n    "- {{.}}",\n    ""\n  ].join(\'\\n\')\n}\n'
    )
  })
})
