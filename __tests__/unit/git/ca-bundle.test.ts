/** With two servers git gets one bundle: every CA file the runner names, from its environment and its git config. */
import { describe, expect, it } from '@jest/globals'
import { caBundleFiles } from '../../../src/git/ca-bundle.js'

describe('caBundleFiles', () => {
  it('takes the CA variables and every http.sslCAInfo, scoped or not, once each', () => {
    const env = { NODE_EXTRA_CA_CERTS: '/ca/node.pem', GIT_SSL_CAINFO: '/ca/git.pem', SSL_CERT_FILE: '/ca/git.pem', HOME: '/home/runner' }
    const network: Array<[string, string]> = [
      ['http.sslcainfo', '/ca/global.pem'],
      ['http.https://ghe.example.com/.sslcainfo', '/ca/ghe.pem'],
      ['http.proxy', 'http://proxy:3128']
    ]
    expect(caBundleFiles(env, network)).toEqual(['/ca/node.pem', '/ca/git.pem', '/ca/global.pem', '/ca/ghe.pem'])
  })

  it('is empty when the runner names none', () => {
    expect(caBundleFiles({}, [['http.proxy', 'http://proxy:3128']])).toEqual([])
  })
})
