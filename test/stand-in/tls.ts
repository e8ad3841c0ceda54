/**
 * HTTPS for the stand-in (`--tls`): a certificate authority generated at start with openssl and a server certificate
 * it signs for the listening host, so a test can check that a runner's CA bundle reaches git (git, Node and curl
 * accept the server only when given the CA file).
 */
import { promises as fs } from 'node:fs'
import { isIP } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { spawnCollect } from '../support/spawn.js'

export interface TlsMaterial {
  /** Folder holding the files (removed when the stand-in closes). */
  dir: string
  /** The CA certificate (PEM) clients must trust. */
  caFile: string
  key: Buffer
  cert: Buffer
  ca: Buffer
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const result = await spawnCollect('openssl', args, { cwd })
  if (result.code !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.trim()}`)
}

/**
 * P-256 keys: what GitHub's own certificates use besides RSA, accepted by Node, curl and git's TLS libraries, and made
 * in a millisecond where an RSA-2048 key takes a tenth of a second of CPU (tests start dozens of TLS stand-ins).
 */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']

/** A fresh CA and a server certificate for `host` (plus localhost and 127.0.0.1), valid for a day. */
export async function generateTls(host: string): Promise<TlsMaterial> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stand-in-tls-'))
  const names = new Set([`DNS:localhost`, `IP:127.0.0.1`, isIP(host) ? `IP:${host}` : `DNS:${host}`])
  await fs.writeFile(path.join(dir, 'server.ext'), `subjectAltName=${[...names].join(',')}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`)
  await openssl(['req', '-x509', ...NEW_KEY, '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=upstream-sync stand-in test CA'], dir)
  await openssl(['req', ...NEW_KEY, '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${host}`], dir)
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'server.ext'], dir)
  const [key, cert, ca] = await Promise.all(['server.key', 'server.pem', 'ca.pem'].map((file) => fs.readFile(path.join(dir, file))))
  return { dir, caFile: path.join(dir, 'ca.pem'), key: key as Buffer, cert: cert as Buffer, ca: ca as Buffer }
}
