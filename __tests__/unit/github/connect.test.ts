/** One client when the upstream is on the fork's server with the fork's token; its own client otherwise. */
import { describe, expect, it } from '@jest/globals'
import { connect } from '../../../src/github/connect.js'
import { silentLog } from '../../../src/runner.js'

const base = { fork: { owner: 'carto', repo: 'litellm' }, upstream: { owner: 'BerriAI', repo: 'litellm' }, token: 'ghs_fork', apiUrl: 'https://ghe.example.com/api/v3' }
const options = { log: silentLog, timing: {}, env: {} }

describe('connect', () => {
  it("shares the fork's client when the upstream is on its server with its token", () => {
    const api = connect({ ...base, upstreamHost: { apiUrl: base.apiUrl, token: base.token, sameServer: true } }, options)
    expect(api.upstreamOctokit).toBe(api.octokit)
  })

  it('builds the upstream its own client on another server, with or without a token', () => {
    for (const token of [undefined, 'github_pat_x']) {
      const api = connect({ ...base, upstreamHost: { apiUrl: 'https://api.github.com', ...(token ? { token } : {}), sameServer: false } }, options)
      expect(api.upstreamOctokit).not.toBe(api.octokit)
    }
  })
})
