/** Issue 11 (6): the upstream on another server than the fork, from upstream-server-url / -api-url / -token. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { parse as parseYaml } from 'yaml'
import { isUserError } from '../../../src/errors.js'
import { readInputs } from '../../../src/settings/inputs.js'
import { defaultApiUrl, sameServer } from '../../../src/settings/upstream-host.js'
import { gitCredentials } from '../../../src/settings/urls.js'
import { MemoryRunner } from '../../../test/support/memory-runner.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const TOKEN = 'ghs_fork_token'
const UPSTREAM_TOKEN = 'github_pat_upstream'
const actionInputs = (parseYaml(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }).inputs
const defaults = Object.fromEntries(Object.entries(actionInputs).filter(([, spec]) => spec.default !== undefined).map(([name, spec]) => [name, String(spec.default).replace('${{ github.token }}', TOKEN)]))

/** An Enterprise Server runner's environment. */
const GHES = { GITHUB_REPOSITORY: 'carto/litellm', GITHUB_SERVER_URL: 'https://ghe.example.com', GITHUB_API_URL: 'https://ghe.example.com/api/v3' }
const DOTCOM = { GITHUB_REPOSITORY: 'carto/litellm', GITHUB_SERVER_URL: 'https://github.com', GITHUB_API_URL: 'https://api.github.com' }

function runnerWith(inputs: Record<string, string>, env: Record<string, string> = GHES): MemoryRunner {
  const values = { ...defaults, 'upstream-repository': 'BerriAI/litellm', ...inputs }
  return new MemoryRunner({ ...env, ...Object.fromEntries(Object.entries(values).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])) })
}

const read = (inputs: Record<string, string>, env?: Record<string, string>) => readInputs(runnerWith(inputs, env))

function inputFailure(inputs: Record<string, string>): string {
  try {
    read(inputs)
  } catch (error) {
    if (isUserError(error, 'input')) return error.message
    throw error
  }
  throw new Error('expected an input error')
}

describe('the upstream host', () => {
  it("is the fork's server, API and token by default", () => {
    expect(read({}).upstreamHost).toEqual({ serverUrl: 'https://ghe.example.com', apiUrl: 'https://ghe.example.com/api/v3', token: TOKEN, sameServer: true })
  })

  it('on github.com from an Enterprise fork: api.github.com, and no token unless upstream-token gives one', () => {
    expect(read({ 'upstream-server-url': 'https://github.com/' }).upstreamHost).toEqual({ serverUrl: 'https://github.com', apiUrl: 'https://api.github.com', sameServer: false })
    expect(read({ 'upstream-server-url': 'https://github.com', 'upstream-token': UPSTREAM_TOKEN }).upstreamHost).toMatchObject({ token: UPSTREAM_TOKEN, sameServer: false })
  })

  it('on another Enterprise server: <server>/api/v3, or the upstream-api-url given', () => {
    expect(read({ 'upstream-server-url': 'https://ghe.other.example' }).upstreamHost.apiUrl).toBe('https://ghe.other.example/api/v3')
    expect(read({ 'upstream-server-url': 'https://ghe.other.example', 'upstream-api-url': 'https://api.ghe.other.example/' }).upstreamHost.apiUrl).toBe('https://api.ghe.other.example')
  })

  it("naming the fork's own server is the default: the fork's API URL and token", () => {
    expect(read({ 'upstream-server-url': 'https://GHE.example.com/' }).upstreamHost).toEqual({ serverUrl: 'https://ghe.example.com', apiUrl: 'https://ghe.example.com/api/v3', token: TOKEN, sameServer: true })
  })

  it('upstream-token replaces the fork token on the same server too (a private upstream the job token cannot read)', () => {
    expect(read({ 'upstream-token': UPSTREAM_TOKEN }).upstreamHost).toMatchObject({ token: UPSTREAM_TOKEN, sameServer: true })
  })

  it('masks upstream-token like github-token', () => {
    const runner = runnerWith({ 'upstream-server-url': 'https://github.com', 'upstream-token': UPSTREAM_TOKEN })
    readInputs(runner)
    expect(runner.secrets).toEqual([TOKEN, UPSTREAM_TOKEN])
  })

  it('lets an upstream on another server carry the fork’s own name', () => {
    expect(read({ 'upstream-repository': 'carto/litellm', 'upstream-server-url': 'https://github.com' }).upstream).toEqual({ owner: 'carto', repo: 'litellm' })
    expect(inputFailure({ 'upstream-repository': 'carto/litellm' })).toContain('names this repository itself')
  })

  it.each([
    [{ 'upstream-server-url': 'github.com' }, "Input 'upstream-server-url' must be an http(s) URL such as https://github.com"],
    [{ 'upstream-server-url': 'ssh://github.com' }, "Input 'upstream-server-url' must be an http(s) URL such as https://github.com; it uses ssh:."],
    [{ 'upstream-server-url': 'https://api.github.com' }, "Input 'upstream-server-url' is an API address (https://api.github.com); give the server's web address"],
    [{ 'upstream-server-url': 'https://ghe.other.example/api/v3' }, "Input 'upstream-server-url' is an API address"],
    [{ 'upstream-server-url': 'https://api.octocorp.ghe.com' }, "Input 'upstream-server-url' is an API address"],
    [{ 'upstream-server-url': 'https://github.com/?tab=x' }, "Input 'upstream-server-url' must be the server's address only"],
    [{ 'upstream-server-url': 'https://github.com', 'upstream-api-url': 'https://github.com' }, "Input 'upstream-api-url' is github.com's web address; its API is https://api.github.com"],
    [{ 'upstream-server-url': 'https://github.com', 'upstream-api-url': 'api.github.com' }, "Input 'upstream-api-url' must be an http(s) URL such as https://api.github.com"],
    [{ 'upstream-api-url': 'https://api.github.com' }, "Input 'upstream-api-url' is set without 'upstream-server-url'. For an upstream on another server set 'upstream-server-url'"]
  ])('rejects %j before any request, naming the input and the fix', (inputs, message) => {
    expect(inputFailure(inputs)).toContain(message)
  })

  it('never repeats a URL that carries credentials', () => {
    const message = inputFailure({ 'upstream-server-url': 'https://user:hunter2@github.com' })
    expect(message).toContain("must not carry credentials; pass the token as 'upstream-token'")
    expect(message).not.toContain('hunter2')
  })
})

describe('derivations', () => {
  it("derives the API URL as GitHub does", () => {
    expect(defaultApiUrl('https://github.com')).toBe('https://api.github.com')
    expect(defaultApiUrl('https://ghe.example.com/')).toBe('https://ghe.example.com/api/v3')
    expect(defaultApiUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/api/v3')
    expect(defaultApiUrl('https://octocorp.ghe.com')).toBe('https://api.octocorp.ghe.com')
  })

  it('compares servers by scheme, host and port', () => {
    expect(sameServer('https://GitHub.com/', 'https://github.com')).toBe(true)
    expect(sameServer('https://github.com:443', 'https://github.com')).toBe(true)
    expect(sameServer('http://127.0.0.1:1', 'http://127.0.0.1:2')).toBe(false)
    expect(sameServer('http://ghe.example.com', 'https://ghe.example.com')).toBe(false)
  })
})

describe('git credentials', () => {
  it("give the fork's token to the fork's repository URL only, and the upstream's to the upstream's", () => {
    expect(gitCredentials(read({ 'upstream-server-url': 'https://github.com', 'upstream-token': UPSTREAM_TOKEN }))).toEqual([
      { url: 'https://ghe.example.com/carto/litellm.git', token: TOKEN },
      { url: 'https://github.com/BerriAI/litellm.git', token: UPSTREAM_TOKEN }
    ])
  })

  it('give an anonymous upstream no credential at all', () => {
    expect(gitCredentials(read({ 'upstream-server-url': 'https://github.com' }))).toEqual([{ url: 'https://ghe.example.com/carto/litellm.git', token: TOKEN }])
  })

  it('give the upstream the fork token on the fork server, as before', () => {
    expect(gitCredentials(read({}, DOTCOM))).toEqual([
      { url: 'https://github.com/carto/litellm.git', token: TOKEN },
      { url: 'https://github.com/BerriAI/litellm.git', token: TOKEN }
    ])
  })
})
