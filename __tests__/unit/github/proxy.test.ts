/** The API proxy is chosen per server: the fork's and an upstream on another server may differ (one in NO_PROXY). */
import { describe, expect, it } from '@jest/globals'
import { proxyFor } from '../../../src/github/client.js'

describe('proxyFor', () => {
  const env = { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'ghe.corp.example, .internal.example,localhost' }

  it('sends github.com through the proxy and the Enterprise server in NO_PROXY past it', () => {
    expect(proxyFor('https://api.github.com', env)).toBe('http://proxy.corp:3128')
    expect(proxyFor('https://ghe.corp.example/api/v3', env)).toBeUndefined()
    expect(proxyFor('https://git.internal.example/api/v3', env)).toBeUndefined()
  })

  it('reads the lower-case forms, HTTP_PROXY for http, and * in NO_PROXY', () => {
    expect(proxyFor('https://api.github.com', { https_proxy: 'http://p:1' })).toBe('http://p:1')
    expect(proxyFor('http://ghe.example/api/v3', { HTTPS_PROXY: 'http://p:1' })).toBeUndefined()
    expect(proxyFor('http://ghe.example/api/v3', { HTTP_PROXY: 'http://p:2' })).toBe('http://p:2')
    expect(proxyFor('https://api.github.com', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' })).toBeUndefined()
  })

  it('matches a NO_PROXY port only on that port, and never proxies loopback', () => {
    expect(proxyFor('https://ghe.example:8443/api/v3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ghe.example:8443' })).toBeUndefined()
    expect(proxyFor('https://ghe.example/api/v3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ghe.example:8443' })).toBe('http://p:1')
    expect(proxyFor('http://127.0.0.1:4000/api/v3', { HTTP_PROXY: 'http://p:1' })).toBeUndefined()
  })
})
