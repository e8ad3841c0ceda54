/**
 * What only GitHub can tell, and hostile data. What only GitHub can tell (an unknown upstream, a missing branch, the
 * fork's config file) fails with a message naming the thing, before anything is fetched or written; upstream's tag
 * names, paths, commit messages and release notes never reach a shell and are escaped in the PR; and the token never
 * shows up anywhere a run leaves a trace. (Bad inputs: input-validation.test.ts and the settings unit tests.)
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, jest } from '@jest/globals'
import { shellQuote } from '../../src/report/markdown.js'
import type { ActionRun } from '../../test/support/action.js'
import { clearFaults, gitTraffic, requestLog } from '../../test/support/control.js'
import { commitFiles, createTags, FORK_AUTHOR } from '../../test/support/repos.js'
import { FORK, SCENARIO_TOKEN, UPSTREAM } from '../../test/support/scenario.js'
import { addFault, comments, expectOneError, expectSuccess, forkBranch, forkPulls, listFiles, withScenario } from './helpers/safety-helpers.js'

// Each test runs the action one or more times; the e2e project's testTimeout is a global option jest ignores per project.
jest.setTimeout(120_000)

describe('what only GitHub can tell is checked before anything is written', () => {
  it('an unknown upstream: "not found or not visible to this token", nothing fetched or pushed', async () => {
    await withScenario({}, async (s) => {
      const run = await s.run({ 'upstream-repository': 'acme/no-such-gateway' })
      const message = expectOneError(run)
      expect(message).toBe(
        "upstream repository acme/no-such-gateway not found or not visible to this token. Check 'upstream-repository'; for a private upstream pass a token that can read it."
      )
      expect((await gitTraffic(s.standIn)).total.requests).toBe(0)
      expect(await forkPulls(s)).toEqual([])
    })
  })

  it('a missing target branch names target-branch', async () => {
    await withScenario({}, async (s) => {
      const run = await s.run({ 'target-branch': 'carto/no-such-branch' })
      const message = expectOneError(run)
      expect(message).toBe(`target branch carto/no-such-branch not found in ${FORK}. Check 'target-branch'.`)
      expect((await gitTraffic(s.standIn)).total.requests).toBe(0)
      expect(await forkBranch(s, 'upstream-sync/v1.1.0-stable')).toBeUndefined()
    })
  })

  it('an unknown key in the config file names the file, the key and the allowed keys', async () => {
    await withScenario({ fork: { extraFiles: { '.github/upstream-sync.yml': 'rules:\n  - paths: Dockerfile\n    resolution: ours\nchecklst:\n  - staging\n' } } }, async (s) => {
      const run = await s.run()
      const message = expectOneError(run)
      expect(message).toBe(
        "config file .github/upstream-sync.yml (branch carto/main): unknown key 'checklst' (allowed: rules, template, checklist, auto-resolve, rebrand)"
      )
      expect((await gitTraffic(s.standIn)).total.requests).toBe(0)
      expect(await forkBranch(s, 'upstream-sync/v1.1.0-stable')).toBeUndefined()
    })
  })
})

/** Shell payloads: any of them executed by a shell creates a file named `pwned`. */
const HOSTILE_TAG = 'v1.3.0-$(touch${IFS}pwned)-stable'
const HOSTILE_PATHS = ['$(touch pwned).md', '; touch pwned; #.txt', '`touch pwned`.md', 'docs/a|touch pwned.md', "it's \"quoted\" & <b>bold</b>.md"]
const HOSTILE_MESSAGE = 'Fix things @everyone `rm -rf /` $(touch pwned) #1 <img src=x onerror=alert(1)>\n\n@acme/security-team please review; | touch pwned\n'
const HOSTILE_NOTES = '## Notes\n\nThanks @everyone and @acme/maintainers! Fixes #12.\n\n`$(touch pwned)` and $(touch pwned)\n\n<script>alert(1)</script>\n'

describe('hostile upstream data', () => {
  it('tag names, paths, commit messages and release notes never reach a shell and are escaped in the PR', async () => {
    // The fork added the same paths with its own content, so each is an add/add conflict listed in the PR body.
    const forkVersions = Object.fromEntries(HOSTILE_PATHS.map((file) => [file, `fork version of ${file}\n`]))
    await withScenario({ fork: { extraFiles: forkVersions } }, async (s) => {
      const upstreamVersions = Object.fromEntries(HOSTILE_PATHS.map((file) => [file, `upstream version of ${file}\n`]))
      const release = await commitFiles(s.upstream.dir, 'main', upstreamVersions, HOSTILE_MESSAGE)
      await createTags(s.upstream.dir, [{ name: HOSTILE_TAG, rev: release, annotated: true, message: HOSTILE_MESSAGE }])
      const published = await s.api('POST', `/repos/${UPSTREAM}/releases`, { tag_name: HOSTILE_TAG, name: 'Release $(touch pwned) @everyone', body: HOSTILE_NOTES })
      expect(published.status).toBe(201)
      const workspace = await fs.mkdtemp(path.join(s.root, 'cwd-'))

      const run = await s.run({}, { workspace, cwd: workspace })
      expectSuccess(run)
      const branch = `upstream-sync/${HOSTILE_TAG}`
      expect(run.outputs).toMatchObject({ result: 'created', tag: HOSTILE_TAG, branch, 'merge-status': 'conflicts' })
      expect(JSON.parse(run.outputs.conflicts ?? '[]')).toEqual(expect.arrayContaining(HOSTILE_PATHS))
      // The branch name went to git as one argument, byte for byte.
      expect(await forkBranch(s, branch)).toBe(release)

      // Nothing was executed: no `pwned` anywhere the action or its git processes ran.
      // The scenario's root holds the run's workspace (its cwd), RUNNER_TEMP, HOME and the repositories.
      const everywhere = await listFiles(s.root)
      expect(everywhere.filter((file) => path.basename(file) === 'pwned')).toEqual([])
      for (const dir of [process.cwd(), os.tmpdir(), os.homedir()]) {
        await expect(fs.access(path.join(dir, 'pwned'))).rejects.toThrow()
      }

      const [pull] = await forkPulls(s)
      const body = pull.body as string
      // Paths are shown literally in code spans (a longer fence around a backtick), never as live Markdown or HTML.
      expect(body).toContain('`$(touch pwned).md`')
      expect(body).toContain('`` `touch pwned`.md ``')
      expect(body).toContain('`it\'s "quoted" & <b>bold</b>.md`')
      const prose = withoutCode(body)
      for (const file of HOSTILE_PATHS) expect(prose).not.toContain(file)
      // The commands to paste quote every name: outside single quotes no payload is left for a shell to run.
      const commands = shellLines(body)
      // (one command per group of files: each hostile path appears, quoted, in a command)
      expect(HOSTILE_PATHS.filter((file) => file.includes('pwned') && !commands.some((line) => line.includes(shellQuote(file))))).toEqual([])
      expect(commands.filter((line) => line.includes('pwned')).length).toBeGreaterThan(0)
      for (const line of commands) expect(line.replace(/'[^']*'/g, "''")).not.toMatch(/pwned|\$\(|`/)
      // No mention survives: every @everyone / @team is defused (in code or broken by a zero-width space).
      expect(mentionsIn(body)).toEqual([])
      expect(mentionsIn(pull.title as string)).toEqual([])
      for (const comment of await comments(s, pull.number as number)) expect(mentionsIn(comment.body as string)).toEqual([])
      expect(mentionsIn(run.summary)).toEqual([])
    })
  })
})

/**
 * Live `@mentions` in GitHub Markdown: an `@name` outside code spans and code blocks, not preceded by a word
 * character and not defused by a zero-width space.
 */
function mentionsIn(markdown: string): string[] {
  return [...withoutCode(markdown).matchAll(/(?<![\w`])@(?!&#8203;|\u200b)([A-Za-z0-9][\w-]*(?:\/[\w-]+)?)/g)].map((match) => match[0])
}

/** Markdown minus code blocks, code spans and `<code>` elements: the text GitHub renders as live Markdown. */
function withoutCode(markdown: string): string {
  return markdown
    .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '')
    .replace(/<code>[\s\S]*?<\/code>/g, '')
}

/** The lines of the ```sh blocks of a PR body. */
function shellLines(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((match) => (match[1] ?? '').split('\n')).filter((line) => line.trim() !== '')
}

describe('the token never leaks', () => {
  it('through a clean run, a conflicted run and a failing run: not in the log, outputs, summary, report, PRs, request log or RUNNER_TEMP', async () => {
    const token = SCENARIO_TOKEN
    const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')
    const secrets = [token, basic]
    const leaks: string[] = []
    const check = (where: string, text: string): void => {
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${where} contains ${secret === token ? 'the token' : 'the basic-auth header'}`)
    }

    const runTraces = async (label: string, run: ActionRun): Promise<void> => {
      // The runner consumes `::add-mask::` itself (it is how the value gets masked); nothing else may hold it.
      check(`${label} stdout`, run.stdout.replace(/^::add-mask::.*$/gm, ''))
      check(`${label} stderr`, run.stderr)
      check(`${label} outputs`, JSON.stringify(run.outputs))
      check(`${label} summary`, run.summary)
      // Everything the run left on disk: RUNNER_TEMP (report file, the action's temp repository if any), HOME.
      const runDir = path.dirname(run.runnerTemp)
      for (const file of await listFiles(runDir)) {
        check(`${label} ${path.relative(runDir, file)}`, (await fs.readFile(file)).toString('latin1'))
      }
      // The action's repository (and its auth config) is gone after the run, failed or not.
      const leftovers = (await fs.readdir(run.runnerTemp)).filter((name) => name.startsWith('upstream-sync-') && !name.endsWith('.md'))
      if (leftovers.length > 0) leaks.push(`${label} left ${leftovers.join(', ')} in RUNNER_TEMP`)
    }

    // A clean run and a conflicted one (two upstream releases: the second one conflicts) and a run whose push fails
    // after the auth header was configured.
    await withScenario({ conflict: false }, async (s) => {
      const clean = await s.run({}, { debug: true })
      expectSuccess(clean)
      // The search below does find the token where it is: in the mask command the runner consumes.
      expect(clean.stdout).toContain(`::add-mask::${token}`)
      await runTraces('clean run', clean)

      await commitFiles(s.fork.dir, s.fork.targetBranch, { 'gateway/streaming.py': 'def stream():\n    return []  # CARTO\n' }, 'CARTO: streaming stub\n', { author: FORK_AUTHOR })
      await createTags(s.upstream.dir, [{ name: 'v1.2.0-stable', rev: s.upstream.commits[4] as string, annotated: true, message: 'Stable release 1.2.0\n' }])
      const conflicted = await s.run({}, { debug: true })
      expectSuccess(conflicted)
      expect(conflicted.outputs['merge-status']).toBe('conflicts')
      await runTraces('conflicted run', conflicted)

      await createTags(s.upstream.dir, [{ name: 'v1.2.1-stable', rev: s.upstream.commits[4] as string }])
      await addFault(s.standIn, { git: 'push', message: 'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission' })
      const failing = await s.run({}, { debug: true })
      expectOneError(failing)
      await runTraces('failing run', failing)
      await clearFaults(s.standIn)

      // What the runs wrote to GitHub: PR titles, bodies, comments; and what the stand-in saw.
      for (const pull of await forkPulls(s)) {
        check(`PR #${pull.number}`, JSON.stringify({ title: pull.title, body: pull.body }))
        for (const comment of await comments(s, pull.number as number)) check(`comment on #${pull.number}`, comment.body as string)
      }
      check('request log', JSON.stringify(await requestLog(s.standIn, 'all')))
      // The repositories the action pushed to hold no config or ref with it either.
      for (const file of await listFiles(s.fork.dir)) {
        if (!/\/objects\//.test(file)) check(`fork repository ${path.relative(s.fork.dir, file)}`, (await fs.readFile(file)).toString('latin1'))
      }
    })
    expect(leaks).toEqual([])
  })
})
