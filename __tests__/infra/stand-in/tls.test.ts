/**
 * The stand-in over HTTPS (`tls: true`): a CA generated at start signs the server's certificate, so clients reach it
 * only when they trust that CA (the case of a runner whose CA bundle must reach git).
 */
import { promises as fs } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { api, asOwner, requestLog } from '../../../test/support/control.js'
import { gitRaw } from '../../../test/support/repos.js'
import { createWorld, type World } from './helpers/world.js'

let w: World

beforeAll(async () => {
  w = await createWorld({ tls: true })
})

afterAll(async () => {
  await w.close()
})

describe('HTTPS', () => {
  it('serves the API and the controls to clients that trust its CA', async () => {
    expect(w.standIn.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(w.standIn.apiUrl).toBe(`${w.standIn.url}/api/v3`)
    const caFile = w.standIn.caFile as string
    expect(await fs.readFile(caFile, 'utf8')).toContain('-----BEGIN CERTIFICATE-----')
    const repo = await w.api('GET', '/repos/carto/gateway-fork')
    expect(repo.status).toBe(200)
    expect(repo.data.clone_url).toBe(`${w.standIn.url}/carto/gateway-fork.git`)
    expect((await asOwner(w.standIn, 'GET', '/repos/acme/gateway')).status).toBe(200)
    expect((await requestLog(w.standIn)).map((e) => e.path)).toEqual(['/api/v3/repos/carto/gateway-fork'])
    // Without the CA the certificate is refused.
    await expect(fetch(`${w.standIn.apiUrl}/repos/acme/gateway`)).rejects.toThrow()
    await expect(api({ ...w.standIn, caFile: undefined }, 'GET', '/repos/acme/gateway')).rejects.toThrow()
  })

  it('serves git to a client given the CA, and a client without it fails on the certificate', async () => {
    const refused = await gitRaw('', [...w.gitAuth, 'ls-remote', `${w.standIn.url}/acme/gateway.git`])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/certificate|SSL/i)
    const trusted = await gitRaw('', [...w.gitAuth, '-c', `http.sslCAInfo=${w.standIn.caFile}`, 'ls-remote', `${w.standIn.url}/acme/gateway.git`, 'refs/tags/v1.1.0-stable'])
    expect(trusted.code).toBe(0)
    expect(trusted.stdout.toString()).toContain('refs/tags/v1.1.0-stable')
  })
})
