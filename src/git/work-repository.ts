/**
 * The run's own bare repository under RUNNER_TEMP: created on first use (a run with nothing new needs none, and
 * starts no git at all), with the git version checked then, and removed at the end with the tokens' auth headers,
 * whatever happened.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { Git } from './git.js'
import { networkEnv, readNetworkConfig } from './process.js'
import { caBundleFiles, writeCaBundle } from './ca-bundle.js'
import { requireGitVersion } from './version.js'

export interface WorkRepositoryOptions {
  /** Where to create it (RUNNER_TEMP). */
  parentDir: string
  /**
   * Each token with the URL it authenticates to (a server, or one repository's URL); nothing else gets a credential.
   * The fork's and the upstream's may be on different servers, so each goes only where it belongs.
   */
  auth: ReadonlyArray<{ url: string; token: string }>
  /**
   * The runner's environment: its CA bundle and proxy variables reach git, and so do the connection settings of its
   * system and global git config (http.sslCAInfo, http.proxy…), written into the repository's own config.
   */
  env?: Readonly<Record<string, string | undefined>>
  /**
   * The fork and the upstream are on different servers: git gets one CA bundle holding the public roots and every CA
   * file the runner names (see caBundleFiles), since GIT_SSL_CAINFO or http.sslCAInfo would otherwise replace git's
   * default bundle for both servers, and a private CA for the Enterprise server would fail github.com.
   */
  twoServers?: boolean
}

export class WorkRepository {
  private dir?: string
  private git?: Promise<Git>

  constructor(private readonly options: WorkRepositoryOptions) {}

  /** The repository, created (and git's version checked) on the first call. */
  get(): Promise<Git> {
    this.git ??= this.create()
    return this.git
  }

  private async create(): Promise<Git> {
    await requireGitVersion()
    this.dir = await fs.mkdtemp(path.join(this.options.parentDir, 'upstream-sync-'))
    const env = this.options.env ?? {}
    const network = await readNetworkConfig(env)
    const variables = networkEnv(env)
    const bundle = this.options.twoServers ? await writeCaBundle(path.join(this.dir, 'ca-bundle.pem'), caBundleFiles(env, network)) : undefined
    // The environment variable wins over any http.sslCAInfo, scoped or not, so it is the one place to set.
    if (bundle) variables.GIT_SSL_CAINFO = bundle
    const git = await Git.init(path.join(this.dir, 'repo.git'), variables)
    if (network.length > 0) await git.setConfig(network)
    for (const credential of this.options.auth) await git.configureAuth(credential.url, credential.token)
    return git
  }

  async dispose(): Promise<void> {
    const git = await this.git?.catch(() => undefined)
    // A run that failed while a push or a background fetch (merge/fetch.ts) still ran lets it finish first: a push
    // cut off mid-way is refused by the server anyway, but its repository must not vanish under it.
    await git?.process.settled()
    await git?.removeAuth().catch(() => undefined)
    if (this.dir) await fs.rm(this.dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined)
  }
}
