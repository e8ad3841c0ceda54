/**
 * Try the bundled action from a laptop, always as a dry run: it reads the fork and upstream, merges in a temp folder and
 * prints the PR it would open, but pushes nothing and writes nothing through the API.
 *
 *   GITHUB_TOKEN=$(gh auth token) npm run local -- --upstream BerriAI/litellm --repo carto/litellm --target carto/main
 *
 * Any action input can be passed as `--<input-name> value` (for example `--tag v1.81.9-stable`). `--server-url` and
 * `--api-url` point it at GitHub Enterprise Server (or the local stand-in).
 */
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export interface LocalOptions {
  repo: string
  serverUrl: string
  apiUrl: string
  token: string
  inputs: Record<string, string>
}

const USAGE =
  'Usage: npm run local -- --upstream OWNER/NAME --repo OWNER/FORK [--target BRANCH] [--<input> VALUE ...] [--server-url URL --api-url URL]\n' +
  'The token comes from GITHUB_TOKEN (for example GITHUB_TOKEN=$(gh auth token)).'

/** Parses `--name value` pairs; `--upstream` and `--target` are short for the inputs of those names. */
export function parseLocalArgs(argv: string[], env: Record<string, string | undefined>): LocalOptions {
  const inputs: Record<string, string> = {}
  let repo = env.GITHUB_REPOSITORY ?? ''
  let serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com'
  let apiUrl = env.GITHUB_API_URL ?? 'https://api.github.com'
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? ''
    const value = argv[i + 1]
    if (!flag.startsWith('--') || value === undefined) throw new Error(`Expected --name value pairs, got "${flag}".\n${USAGE}`)
    i++
    const name = flag.slice(2)
    if (name === 'repo') repo = value
    else if (name === 'server-url') serverUrl = value
    else if (name === 'api-url') apiUrl = value
    else if (name === 'upstream') inputs['upstream-repository'] = value
    else if (name === 'target') inputs['target-branch'] = value
    else inputs[name] = value
  }
  const token = env.GITHUB_TOKEN ?? env.GH_TOKEN ?? ''
  if (!repo) throw new Error(`--repo OWNER/FORK is required.\n${USAGE}`)
  if (!inputs['upstream-repository']) throw new Error(`--upstream OWNER/NAME is required.\n${USAGE}`)
  if (!token) throw new Error(`Set GITHUB_TOKEN to a token that can read both repositories.\n${USAGE}`)
  // Never anything but a dry run from a laptop: this tool is for looking, not for changing a fork.
  inputs['dry-run'] = 'true'
  return { repo, serverUrl, apiUrl, token, inputs }
}

/** The runner's environment for the action: action.yml defaults, then the given inputs, as INPUT_<NAME> variables. */
export async function runnerEnv(options: LocalOptions, tempDir: string): Promise<Record<string, string>> {
  const action = parse(await fs.readFile(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('GITHUB_') && !key.startsWith('INPUT_') && !key.startsWith('RUNNER_')) env[key] = value
  }
  const values: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (spec.default !== undefined) values[name] = spec.default.includes('${{') ? '' : spec.default
  }
  Object.assign(values, options.inputs, { 'github-token': options.token })
  for (const [name, value] of Object.entries(values)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  await fs.writeFile(path.join(tempDir, 'summary.md'), '')
  await fs.writeFile(path.join(tempDir, 'output.txt'), '')
  return {
    ...env,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: options.repo,
    GITHUB_REPOSITORY_OWNER: options.repo.split('/')[0] ?? '',
    GITHUB_SERVER_URL: options.serverUrl,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    RUNNER_TEMP: tempDir,
    GITHUB_WORKSPACE: tempDir,
    GITHUB_STEP_SUMMARY: path.join(tempDir, 'summary.md'),
    GITHUB_OUTPUT: path.join(tempDir, 'output.txt')
  }
}

/** GITHUB_OUTPUT as written by @actions/core: `name<<DELIMITER`, the value's lines, `DELIMITER`. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^=<]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match) continue
    const [, name = '', delimiter = ''] = match
    const value: string[] = []
    while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] ?? '')
    outputs[name] = value.join('\n')
  }
  return outputs
}

async function main(): Promise<void> {
  const options = parseLocalArgs(process.argv.slice(2), process.env)
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-sync-local-'))
  try {
    const env = await runnerEnv(options, tempDir)
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'index.js')], { env, stdio: 'inherit' })
      child.on('error', reject)
      child.on('close', (exitCode) => resolve(exitCode ?? 1))
    })
    console.log('\n--- job summary ---\n' + (await fs.readFile(env.GITHUB_STEP_SUMMARY as string, 'utf8')))
    const outputs = parseOutputs(await fs.readFile(env.GITHUB_OUTPUT as string, 'utf8'))
    console.log('--- outputs ---\n' + Object.entries(outputs).map(([name, value]) => `${name}=${value}`).join('\n'))
    process.exitCode = code
  } finally {
    await fs.rm(tempDir, { recursive: true, force: true })
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exitCode = 1
  })
}
