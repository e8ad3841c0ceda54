import { describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { createScenario } from '../../test/support/scenario.js'
import { REPO_ROOT } from '../../test/support/action.js'

async function count(conflict: boolean, debug: boolean): Promise<void> {
  const scenario = await createScenario({ conflict })
  const logFile = path.join(scenario.root, 'git-count.log')
  await fs.writeFile(logFile, '')
  const run = await scenario.run({}, { debug, env: { PATH: `${path.join(REPO_ROOT, '.measure')}:${process.env.PATH}`, GIT_COUNT_LOG: logFile, GIT_COUNT_STRACE: '1' } })
  expect(run.exitCode).toBe(0)
  const lines = (await fs.readFile(logFile, 'utf8')).split('\n').filter(Boolean)
  let all = 0
  const execs: Record<string, number> = {}
  for (const f of await fs.readdir(scenario.root)) {
    if (!f.startsWith('git-count.log.strace')) continue
    for (const l of (await fs.readFile(path.join(scenario.root, f), 'utf8')).split('\n')) {
      const m = /execve\("([^"]+)", \[([^\]]*)\]/.exec(l)
      if (!m || / = -1 /.test(l)) continue
      all++
      const args = m[2]!.split(', ').map((a) => a.replace(/"/g, ''))
      const key = path.basename(m[1]!) + (path.basename(m[1]!) === 'git' ? ' ' + (args[1] === '--git-dir' ? args[3] : args[1]) : '')
      execs[key] = (execs[key] ?? 0) + 1
    }
  }
  console.log(`all processes incl. git's children: ${all} ${JSON.stringify(execs)}`)
  const by: Record<string, number> = {}
  for (const l of lines) by[l] = (by[l] ?? 0) + 1
  console.log(`${conflict ? 'conflict' : 'clean'} run (debug ${debug}): ${lines.length} git processes ${JSON.stringify(by)} result=${run.outputs.result} status=${run.outputs['merge-status']}`)
  await run.cleanup()
  await scenario.cleanup()
}

describe('git process count', () => {
  it('clean', async () => { await count(false, false); await count(false, true) })
  it('conflict', async () => { await count(true, false); await count(true, true) })
})
