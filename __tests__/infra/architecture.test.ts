/**
 * The shape of src/ that the redesign set (issue 10), checked on every run so it does not erode: stages as folders,
 * an orchestrator that only orchestrates, small files, no import cycles, one port over @actions/core.
 */
import { describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src')

async function sources(dir = SRC): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sources(path.join(dir, entry.name)) : Promise.resolve(entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [])))
  )
  return nested.flat().sort()
}

/** The src/ files a file imports (relative imports only, `.js` specifiers as written in ESM TypeScript). */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm)].map((match) => match[1] as string)
  return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')))
}

const relative = (file: string): string => path.relative(SRC, file)

describe('src/ layout', () => {
  it('keeps every file under 400 lines (generated templates aside) and the orchestrator at most 180', async () => {
    const long: string[] = []
    for (const file of await sources()) {
      if (relative(file).startsWith('generated/')) continue
      const lines = (await fs.readFile(file, 'utf8')).split('\n').length - 1
      if (lines > 400) long.push(`${relative(file)} (${lines})`)
    }
    expect(long).toEqual([])
    const run = (await fs.readFile(path.join(SRC, 'run.ts'), 'utf8')).split('\n').length - 1
    expect(run).toBeLessThanOrEqual(180)
  })

  it('shows its stages as folders', async () => {
    const folders = (await fs.readdir(SRC, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name)
    expect(folders).toEqual(expect.arrayContaining(['settings', 'releases', 'git', 'merge', 'publish', 'github', 'report', 'notify']))
  })

  it('has no import cycle', async () => {
    const files = await sources()
    const graph = new Map<string, string[]>()
    for (const file of files) graph.set(file, importsOf(file, await fs.readFile(file, 'utf8')).filter((target) => graph.has(target) || files.includes(target)))
    const cycles: string[] = []
    const state = new Map<string, 'visiting' | 'done'>()
    const stack: string[] = []
    const visit = (file: string): void => {
      state.set(file, 'visiting')
      stack.push(file)
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].map(relative).join(' → '))
        else if (!state.has(next)) visit(next)
      }
      stack.pop()
      state.set(file, 'done')
    }
    for (const file of files) if (!state.has(file)) visit(file)
    expect(cycles).toEqual([])
  })

  it('talks to the runner only through runner.ts', async () => {
    const users: string[] = []
    for (const file of await sources()) {
      if (/from '@actions\/core'/.test(await fs.readFile(file, 'utf8'))) users.push(relative(file))
    }
    expect(users).toEqual(['runner.ts'])
  })
})
