/**
 * One CA bundle for git when the run talks to two servers (the fork's Enterprise server, the upstream's github.com).
 * git (curl) trusts either its default bundle or the one file GIT_SSL_CAINFO / http.sslCAInfo names, never both: a
 * runner set up with its company CA alone would reach the Enterprise server and fail github.com. The bundle holds the
 * public roots Node ships plus every CA file the runner names, which is also what the API client trusts
 * (github/client.ts).
 */
import { promises as fs } from 'node:fs'
import { rootCertificates } from 'node:tls'

/**
 * The CA files the runner names: NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO, SSL_CERT_FILE, CURL_CA_BUNDLE, and every
 * `http.sslCAInfo` / `http.<url>.sslCAInfo` of its git config (`network`: readNetworkConfig's settings).
 */
export function caBundleFiles(env: Readonly<Record<string, string | undefined>>, network: ReadonlyArray<readonly [string, string]>): string[] {
  const fromConfig = network.filter(([key]) => /^http\.(.+\.)?sslcainfo$/i.test(key)).map(([, value]) => value)
  const files = [env.NODE_EXTRA_CA_CERTS, env.GIT_SSL_CAINFO, env.SSL_CERT_FILE, env.CURL_CA_BUNDLE, ...fromConfig]
  return [...new Set(files.filter((file): file is string => !!file))]
}

/** Writes the public roots and `files` to `target`; undefined (nothing written) when there are no files to add. */
export async function writeCaBundle(target: string, files: readonly string[]): Promise<string | undefined> {
  if (files.length === 0) return undefined
  const extra: string[] = []
  // A file that cannot be read adds nothing; git reports the certificate it then cannot verify.
  for (const file of files) extra.push(await fs.readFile(file, 'utf8').catch(() => ''))
  await fs.writeFile(target, [...rootCertificates, ...extra].join('\n') + '\n', { mode: 0o600 })
  return target
}
