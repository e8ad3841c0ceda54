/**
 * The partial-clone side of the run's repository: both remotes configured as promisor remotes (as `git clone
 * --filter=…` would), branches fetched as commits only, and objects fetched by id. What to fetch for a merge is
 * decided in merge/fetch.ts.
 */
import { UserError } from '../errors.js'
import type { Git } from './git.js'
import { GitError } from './process.js'
import { isValidRefName } from './refname.js'

/** Remote names inside the action's repository. */
export const FORK_REMOTE = 'origin'
export const UPSTREAM_REMOTE = 'upstream'

/**
 * Configures the remotes so missing objects are fetched on demand. Both remotes are promisors: blobs only upstream
 * has (files the new upstream commits added or changed, in a dry run) must be fetchable too. Git asks promisor
 * remotes in config order with the `extensions.partialClone` one last, so naming upstream there makes the fork the
 * first one asked. Written straight into the config file: no process.
 */
export async function configurePartialClone(git: Git, forkUrl: string, upstreamUrl: string): Promise<void> {
  // Once per repository: a second `remote.*.url` line would make the URL a multi-valued setting.
  if (git.writtenConfig(`remote.${FORK_REMOTE}.url`) === forkUrl && git.writtenConfig(`remote.${UPSTREAM_REMOTE}.url`) === upstreamUrl) return
  await git.setConfig([
    ['core.repositoryformatversion', '1'],
    [`remote.${FORK_REMOTE}.url`, forkUrl],
    [`remote.${FORK_REMOTE}.promisor`, 'true'],
    [`remote.${FORK_REMOTE}.partialclonefilter`, 'tree:0'],
    [`remote.${UPSTREAM_REMOTE}.url`, upstreamUrl],
    [`remote.${UPSTREAM_REMOTE}.promisor`, 'true'],
    [`remote.${UPSTREAM_REMOTE}.partialclonefilter`, 'blob:none'],
    ['extensions.partialClone', UPSTREAM_REMOTE],
    // Keep every fetched pack as a pack: exploding a fetch into loose objects costs time on big fetches, and with
    // fetched objects in packs and the objects git writes itself (merge results) loose, the debug numbers can
    // tell the two apart.
    ['fetch.unpackLimit', '1'],
    // The run's repository is thrown away; never spend time on commit-graphs or gc.
    ['gc.auto', '0'],
    ['maintenance.auto', 'false']
  ])
}

/** Throws an error naming `what` when `ref` is not a valid git ref name. */
export function requireValidRef(ref: string, what: string, kind: 'input' | 'upstream' = 'input'): void {
  if (!isValidRefName(ref)) {
    throw new UserError(kind, `${what} ${JSON.stringify(ref.replace(/^refs\/(heads|tags)\//, ''))} is not a valid git ref name`)
  }
}

/**
 * The remote to fetch the fork's `branches` from, once their names are checked: the named promisor remote when it is
 * the fork, so objects fetched from it are lazily completed like the rest; otherwise the URL itself.
 */
function forkRemote(git: Git, remoteUrl: string, branches: readonly string[]): string {
  for (const branch of branches) requireValidRef(`refs/heads/${branch}`, 'branch')
  return git.writtenConfig(`remote.${FORK_REMOTE}.url`) === remoteUrl ? FORK_REMOTE : remoteUrl
}

/**
 * Reads the fork's `branches` (names, not full refs) and fetches those that exist, commits only, into
 * `refs/remotes/origin/<branch>`. Returns each branch's head, or undefined for a branch the fork does not have.
 * Used for the target and sync branches, to re-read a sync branch after a lost push race and to inspect older
 * sync branches before deleting them. `alsoFetch`: more refspecs for the same request (`+<commit id>:<ref>`).
 */
export async function fetchBranches(git: Git, remoteUrl: string, branches: readonly string[], alsoFetch: readonly string[] = []): Promise<Record<string, string | undefined>> {
  const heads: Record<string, string | undefined> = {}
  if (branches.length === 0) return heads
  const remote = forkRemote(git, remoteUrl, branches)
  const remoteRefs = await git.lsRemote(remote, branches.map((branch) => `refs/heads/${branch}`), { refsOnly: true })
  const present = branches.filter((branch) => remoteRefs.has(`refs/heads/${branch}`))
  if (present.length > 0) {
    const refspecs = present.map((branch) => `+refs/heads/${branch}:refs/remotes/${FORK_REMOTE}/${branch}`)
    // Commits only: the few trees a run reads are fetched by id afterwards (see merge/fetch.ts).
    await git.fetchRefs(remote, [...refspecs, ...alsoFetch], { filter: 'tree:0' })
  }
  const local = await git.refCommits(`refs/remotes/${FORK_REMOTE}`)
  const stale: string[] = []
  for (const branch of branches) {
    const ref = `refs/remotes/${FORK_REMOTE}/${branch}`
    heads[branch] = remoteRefs.has(`refs/heads/${branch}`) ? local.get(ref) : undefined
    // A branch gone from the fork must not be read from an earlier fetch.
    if (heads[branch] === undefined && local.has(ref)) stale.push(ref)
  }
  await git.deleteRefs(stale)
  return heads
}

/**
 * The target branch (which must exist) and the sync branch (which may not), commits only, in one request with no
 * listing first: the target by name, the sync branch through the pattern `<sync branch>*`, which matches nothing
 * when the branch does not exist (an exact name would fail the fetch) and may match longer names too, whose heads are
 * left aside. The server lists only refs under the names asked for (protocol v2's ref prefixes). fetchBranches asks
 * with ls-remote first: on the benchmark that round trip held back the run's longest fetch by 60 ms. Returns both
 * heads; `target` is undefined when the fork has no such branch (the fetch found no ref by that name).
 */
export async function fetchTargetAndSyncBranch(
  git: Git,
  remoteUrl: string,
  branches: { target: string; sync: string },
  alsoFetch: readonly string[] = []
): Promise<{ target?: string; sync?: string }> {
  const { target, sync } = branches
  // A pattern that would match the target too would fetch it twice into one ref: the listing tells them apart.
  if (target.startsWith(sync)) {
    const heads = await fetchBranches(git, remoteUrl, [target, sync], alsoFetch)
    return { ...(heads[target] ? { target: heads[target] } : {}), ...(heads[sync] ? { sync: heads[sync] } : {}) }
  }
  const remote = forkRemote(git, remoteUrl, [target, sync])
  const refspecs = [`+refs/heads/${target}:refs/remotes/${FORK_REMOTE}/${target}`, `+refs/heads/${sync}*:refs/remotes/${FORK_REMOTE}/${sync}*`]
  if ((await git.fetchRefs(remote, [...refspecs, ...alsoFetch], { filter: 'tree:0', missingOk: true })) === 'missing-ref') return {}
  const local = await git.refCommits(`refs/remotes/${FORK_REMOTE}`)
  const [targetSha, syncSha] = [local.get(`refs/remotes/${FORK_REMOTE}/${target}`), local.get(`refs/remotes/${FORK_REMOTE}/${sync}`)]
  return { ...(targetSha ? { target: targetSha } : {}), ...(syncSha ? { sync: syncSha } : {}) }
}

/** Fetches objects the run cannot do without: a failure is the run's failure, with git's message. */
export async function fetchObjectsOrFail(git: Git, remote: string, oids: readonly string[]): Promise<void> {
  const result = await git.fetchObjects(remote, oids)
  if (result && result.exitCode !== 0) throw new GitError(['fetch', remote], result.exitCode, result.stderr, result.stdout)
}
