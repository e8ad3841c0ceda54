/**
 * Parsers of git's machine-readable outputs, next to nothing else: each takes the stdout of one verb in git.ts and
 * returns typed values, so they are tested without git (__tests__/unit/git/parse.test.ts). The merge-tree parser
 * lives with the conflicts it finds (merge/conflicts.ts).
 */

/** One entry of `git diff-tree -r -z --raw --no-abbrev`. */
export interface RawChange {
  /** A, M, D, T, or R (exact renames, with `fromPath`). */
  status: string
  srcMode: string
  dstMode: string
  srcOid: string
  dstOid: string
  path: string
  /** For renames: the path before. */
  fromPath?: string
}

/** A tree entry from `git ls-tree -r -z`. */
export interface TreeEntry {
  mode: string
  type: string
  oid: string
  path: string
}

/** A commit's tree and parents. */
export interface CommitHeader {
  sha: string
  tree: string
  parents: string[]
}

/** What `git push --porcelain` said about one ref: its flag (` `, `+`, `*`, `=`, `!`, `-`) and summary. */
export interface PushedRef {
  flag: string
  summary: string
}

/** `git count-objects -v`: objects fetched arrive as packs, objects git writes itself are loose. */
export interface ObjectStats {
  objects: number
  kib: number
  packed: number
  loose: number
}

export function parseDiffTree(out: string): RawChange[] {
  const fields = out.split('\0')
  const changes: RawChange[] = []
  let i = 0
  while (i < fields.length) {
    const head = fields[i++] as string
    if (head === '') continue
    const match = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])(\d*)$/.exec(head)
    if (!match) throw new Error(`unexpected git diff-tree output: ${JSON.stringify(head.slice(0, 120))}`)
    const status = match[5] as string
    const first = fields[i++] as string
    const change: RawChange = { status, srcMode: match[1] as string, dstMode: match[2] as string, srcOid: match[3] as string, dstOid: match[4] as string, path: first }
    if (status === 'R' || status === 'C') {
      change.fromPath = first
      change.path = fields[i++] as string
    }
    changes.push(change)
  }
  return changes
}

export function parseLsTree(out: string): TreeEntry[] {
  const entries: TreeEntry[] = []
  for (const record of out.split('\0')) {
    if (!record) continue
    const tab = record.indexOf('\t')
    const [mode, type, oid] = record.slice(0, tab).split(' ')
    entries.push({ mode: mode as string, type: type as string, oid: oid as string, path: record.slice(tab + 1) })
  }
  return entries
}

/** `<sha> TAB <ref>` lines (ls-remote, for-each-ref with that format) as ref → sha. */
export function parseRefLines(out: string): Map<string, string> {
  const refs = new Map<string, string>()
  for (const line of out.split('\n')) {
    const [sha, ref] = line.split('\t')
    if (sha && ref) refs.set(ref, sha)
  }
  return refs
}

/** The ids of `rev-list` lines marked with `marker` (`-` boundary commits, `?` missing objects). */
export function markedLines(out: string, marker: '-' | '?'): string[] {
  return out
    .split('\n')
    .filter((line) => line.startsWith(marker))
    .map((line) => line.slice(1))
}

/** `<sha> <tree> <parent>...` lines (log --format='%H %T %P'). */
export function parseCommitHeaders(out: string): CommitHeader[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha = '', tree = '', ...parents] = line.split(' ').filter(Boolean)
      return { sha, tree, parents }
    })
}

/** The porcelain status line of `ref` (`<flag> TAB <from>:<to> TAB <summary>`), if git printed one. */
export function parsePushedRef(stdout: string, ref: string): PushedRef | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.split('\t')[1]?.endsWith(`:${ref}`))
  if (line === undefined) return undefined
  return { flag: line[0] ?? '', summary: line.split('\t')[2] ?? '' }
}

export function parseCountObjects(out: string): ObjectStats {
  const values = new Map<string, number>()
  for (const line of out.split('\n')) {
    const [key, value] = line.split(': ')
    if (key && value) values.set(key, Number(value))
  }
  const loose = values.get('count') ?? 0
  const packed = values.get('in-pack') ?? 0
  return { objects: loose + packed, packed, loose, kib: (values.get('size') ?? 0) + (values.get('size-pack') ?? 0) }
}

/** `--batch-check='%(objectname) %(objecttype)'` lines: the id of each line that names an object, else undefined. */
export function parseBatchCheck(out: string, count: number): Array<string | undefined> {
  const lines = out.split('\n')
  return Array.from({ length: count }, (_, i) => {
    const match = /^([0-9a-f]{40,64}) \w+$/.exec(lines[i] ?? '')
    return match ? (match[1] as string) : undefined
  })
}
