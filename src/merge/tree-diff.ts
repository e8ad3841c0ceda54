/**
 * Tree comparisons for the history and audit stages: which version of a path each commit holds, read from tree
 * entries only (mode and object id), never from blobs. A blob-less or tree-less partial clone therefore never fetches
 * a file's content for these questions, only the trees the caller made sure are present.
 *
 * Many comparisons go through ONE `git diff-tree --stdin` process: each input line `<commit> <base>` asks for the
 * diff from `base` to `commit`, and `--always` makes every line produce its header even when nothing changed, so the
 * output splits back into one change list per line.
 */

/**
 * The little of git these stages need. The action's `Git` class satisfies it structurally; tests may pass any object
 * that runs git the same way (throwing on a non-zero exit, output without its trailing newline).
 */
export interface GitReader {
  output(args: string[], options?: { input?: string; largeOutput?: boolean }): Promise<string>
}

/** The full commit ids of `names` (commit ids, branches, tags: an annotated tag is peeled), in one git process. */
export async function resolveCommits(git: GitReader, names: readonly string[]): Promise<string[]> {
  const option = names.find((name) => name.startsWith('-'))
  if (option !== undefined) throw new Error(`not a revision: ${option}`)
  // git 2.39's rev-parse has no --end-of-options; the names cannot be options (checked above) and `--` ends them.
  const out = await git.output(['rev-parse', ...names.map((name) => `${name}^{commit}`), '--'])
  return out.split('\n').filter((line) => line !== '--')
}

/** What a resolution kept of a path both sides had changed. */
export type Kept = 'ours' | 'theirs' | 'merged' | 'deleted'

/**
 * A path's version in one commit, `<mode> <object id>` as the tree entry says; undefined when the commit does not have
 * the path. A mode change (a file made executable) is a change of version.
 */
export type Version = string | undefined

/**
 * What `result` kept, given both sides' versions. The sides are compared first, so a result equal to a side that had
 * deleted the path is that side (`ours` when the fork had deleted it): `deleted` means the result dropped a path both
 * sides still had, `merged` that it holds a version neither side had (a hand or three-way merge).
 */
export function classifyKept(result: Version, ours: Version, theirs: Version): Kept {
  if (result === ours) return 'ours'
  if (result === theirs) return 'theirs'
  return result === undefined ? 'deleted' : 'merged'
}

/** One entry of a raw diff from a base to a commit. */
export interface TreeChange {
  /** The path in the commit (the new path of a rename). */
  path: string
  /** The path in the base when it differs (a rename). */
  from?: string
  /** `M`, `A`, `D`, `T` or `R` (the similarity score is dropped). */
  status: string
  /** The base's version of the path (of `from` for a rename). */
  before: Version
  /** The commit's version. */
  after: Version
}

export interface DiffOptions {
  /** Limits the diffs to these paths (taken literally, never as globs). */
  paths?: readonly string[]
  /** Detect renames like `git merge` does (`-M`); exact renames cost nothing, similar ones read the blobs involved. */
  renames?: boolean
}

const NULL_OID = /^0+$/

/**
 * The raw diffs from `base` to `commit` for each pair, in one git process. Every id must be a full commit id (the
 * `--stdin` protocol takes hex ids only).
 */
export async function diffTrees(git: GitReader, pairs: ReadonlyArray<{ commit: string; base: string }>, options: DiffOptions = {}): Promise<TreeChange[][]> {
  if (pairs.length === 0) return []
  // An empty pathspec list would mean "everything": callers asking about no paths get empty diffs without git.
  if (options.paths && options.paths.length === 0) return pairs.map(() => [])
  const args = ['--literal-pathspecs', 'diff-tree', '--stdin', '--always', '-r', '-z', '--raw', options.renames ? '-M' : '--no-renames']
  if (options.paths) args.push('--', ...options.paths)
  const input = pairs.map(({ commit, base }) => `${commit} ${base}\n`).join('')
  const tokens = (await git.output(args, { input })).split('\0')
  return splitDiffOutput(tokens, pairs.map((pair) => pair.commit))
}

/** Splits diff-tree's `-z` output into one change list per input line, checking each header against its line. */
function splitDiffOutput(tokens: string[], headers: string[]): TreeChange[][] {
  const lists: TreeChange[][] = []
  let current: TreeChange[] | undefined
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string
    if (token === '') continue
    if (!token.startsWith(':')) {
      const expected = headers[lists.length]
      if (token.trim() !== expected) throw new Error(`git diff-tree answered for ${token.trim()} where ${expected ?? 'nothing'} was expected`)
      current = []
      lists.push(current)
      continue
    }
    if (!current) throw new Error('git diff-tree printed a change before any commit header')
    // :<old mode> <new mode> <old oid> <new oid> <status>, then the path (two paths for a rename or copy).
    const [oldMode, newMode, oldOid, newOid, status] = token.slice(1).split(' ') as [string, string, string, string, string]
    const letter = status.charAt(0)
    const first = tokens[++i] as string
    const change: TreeChange = {
      path: first,
      status: letter,
      before: NULL_OID.test(oldOid) ? undefined : `${oldMode} ${oldOid}`,
      after: NULL_OID.test(newOid) ? undefined : `${newMode} ${newOid}`
    }
    if (letter === 'R' || letter === 'C') {
      change.from = first
      change.path = tokens[++i] as string
    }
    current.push(change)
  }
  if (lists.length !== headers.length) throw new Error(`git diff-tree answered ${lists.length} of ${headers.length} comparisons`)
  return lists
}

/** Changes keyed by the path they are about in the commit. */
export function byPath(changes: readonly TreeChange[]): Map<string, TreeChange> {
  return new Map(changes.map((change) => [change.path, change]))
}
