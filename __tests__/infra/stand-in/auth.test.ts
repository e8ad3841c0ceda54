/** Token authentication in GitHub's forms, for the API and for git, and the open mode without a token. */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startStandIn, type StandIn } from '../../../test/stand-in/server.js'
import { api, requestLog } from '../../../test/support/control.js'
import { createUpstream, gitRaw } from '../../../test/support/repos.js'

const TOKEN = 'ghs_authTestToken0000000000000000000000'
let root: string
let secured: StandIn
let open: StandIn
let publicRead: StandIn

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'stand-in-auth-'))
  await createUpstream(root)
  secured = await startStandIn({ root, token: TOKEN })
  open = await startStandIn({ root })
  publicRead = await startStandIn({ root, token: TOKEN, publicRead: true })
})

afterAll(async () => {
  await Promise.all([secured.close(), open.close(), publicRead.close()])
  await fs.rm(root, { recursive: true, force: true })
})

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

async function lsRemote(standIn: StandIn, header?: string, service = 'git-upload-pack'): Promise<Response> {
  return fetch(`${standIn.url}/acme/gateway.git/info/refs?service=${service}`, { headers: header ? { authorization: header } : {} })
}

describe('API authentication', () => {
  it('answers GitHub 401 "Bad credentials" without a token or with a wrong one', async () => {
    for (const token of [null, 'wrong']) {
      const response = await api(secured, 'GET', '/repos/acme/gateway', undefined, { token })
      expect(response.status).toBe(401)
      expect(response.data).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' })
    }
  })

  it('accepts "token T", "Bearer T" and basic auth with T as password', async () => {
    for (const header of [`token ${TOKEN}`, `Bearer ${TOKEN}`, `bearer ${TOKEN}`, basic('x-access-token', TOKEN)]) {
      const response = await fetch(`${secured.apiUrl}/repos/acme/gateway`, { headers: { authorization: header } })
      expect(response.status).toBe(200)
    }
  })

  it('never stores the token, only the scheme', async () => {
    const log = JSON.stringify(await requestLog(secured, 'all'))
    expect(log).toContain('"auth":"bearer"')
    expect(log).not.toContain(TOKEN)
  })

  it('is open without a token', async () => {
    const response = await api(open, 'GET', '/repos/acme/gateway', undefined, { token: null })
    expect(response.status).toBe(200)
    const withAnyToken = await api(open, 'GET', '/repos/acme/gateway', undefined, { token: 'anything' })
    expect(withAnyToken.status).toBe(200)
  })
})

describe('git authentication', () => {
  it('answers 401 with a Basic realm challenge without credentials or with a wrong password', async () => {
    for (const header of [undefined, basic('x-access-token', 'wrong'), `token ${TOKEN}`]) {
      const response = await lsRemote(secured, header)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="GitHub"')
    }
  })

  it('accepts basic auth with the token as password, whatever the user name', async () => {
    for (const user of ['x-access-token', 'someone']) {
      const response = await lsRemote(secured, basic(user, TOKEN))
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('refs/tags/v1.1.0-stable')
    }
  })

  it('fails a real git client without credentials the way git reports it', async () => {
    const result = await gitRaw('', ['ls-remote', `${secured.url}/acme/gateway.git`])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/could not read Username|Authentication failed/)
    // A wrong token in an extra header gets the same 401, after which git would prompt for credentials (as it does
    // against GitHub): with prompts disabled it gives up.
    const wrong = await gitRaw('', ['-c', `http.extraheader=AUTHORIZATION: ${basic('x-access-token', 'wrong')}`, 'ls-remote', `${secured.url}/acme/gateway.git`], { env: { GIT_TERMINAL_PROMPT: '0' } })
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toMatch(/could not read Username|Authentication failed/)
  })

  it('is open without a token; publicRead lets fetches through but not pushes', async () => {
    expect((await lsRemote(open)).status).toBe(200)
    expect((await lsRemote(open, undefined, 'git-receive-pack')).status).toBe(200)
    expect((await lsRemote(publicRead)).status).toBe(200)
    expect((await lsRemote(publicRead, undefined, 'git-receive-pack')).status).toBe(401)
    expect((await lsRemote(publicRead, basic('x-access-token', TOKEN), 'git-receive-pack')).status).toBe(200)
  })
})
