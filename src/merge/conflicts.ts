/**
 * Parsing of `git merge-tree --write-tree -z` output into the conflicts a resolver faces.
 *
 * With `-z` the output is (git-merge-tree(1), "OUTPUT"):
 *
 *   <toplevel tree OID> NUL
 *   <mode> SP <object> SP <stage> TAB <path> NUL      (one per conflicted stage; absent when clean)
 *   NUL                                               (start of the messages section)
 *   <n> NUL <path1> NUL ... <pathN> NUL <type> NUL <message> NUL   (one record per message)
 *
 * `<type>` is git's *stable* short description (merge-ort.c `type_short_descriptions`, "relied upon by external
 * tools ... DO NOT change any of these strings"), so conflict kinds come from it, never from the English message.
 * The one exception is add/add: merge-ort reports it with type `CONFLICT (contents)` and only the message says
 * `CONFLICT (add/add)` (handle_content_merge picks the reason "content" or "add/add"); the message prefix is the
 * only place git exposes it. Git runs with LC_ALL=C (see git/process.ts), so that prefix is never translated.
 *
 * Mapping (git 2.39 merge-ort.c, type → ConflictKind):
 *   CONFLICT (contents)                        → content (add/add when the message says `CONFLICT (add/add)`)
 *   CONFLICT (binary)                          → binary (git also emits `CONFLICT (contents)` for the same path)
 *   CONFLICT (file/directory)                  → file/directory
 *   CONFLICT (distinct modes)                  → distinct types (git's message: `CONFLICT (distinct types)`, e.g. a
 *                                                file on one side, a symlink on the other; one is moved to `path~side`)
 *   CONFLICT (modify/delete)                   → modify/delete
 *   CONFLICT (rename/rename)                   → rename/rename
 *   CONFLICT (rename involved in collision)    → rename involved in collision (a rename with content conflicts
 *                                                colliding with another path)
 *   CONFLICT (rename/delete)                   → rename/delete
 *   CONFLICT (directory rename suggested)      → file location (message `CONFLICT (file location)`: a path added in a
 *                                                folder the other side renamed; git puts it at the suggested location)
 *   CONFLICT (file in way of directory rename), CONFLICT(directory rename collision),
 *   CONFLICT(directory rename unclear split)   → directory rename (message `CONFLICT (implicit dir rename)` or
 *                                                `CONFLICT (directory rename split)`)
 *   CONFLICT (submodule*)                      → submodule
 * A path added on both sides with the same content but different modes (100644 / 100755) is reported by git as
 * `CONFLICT (add/add)`; its stages differ only in mode, and it is named `mode` here.
 *   ERROR (...)                                → other (git aborts such merges; kept so nothing is lost)
 *   anything else starting with CONFLICT       → other (a newer git's new type is still a conflict)
 * After the records, git may print a plain-text suggestion (for submodule conflicts: "Recursive merging with
 * submodules currently only supports trivial cases..."), not NUL-terminated: it is kept as `trailer`.
 * Informational types (`Auto-merging`, `Path updated due to directory rename`, `Directory rename skipped ...`,
 * `Fast forwarding submodule`) are not conflicts.
 *
 * What counts as one conflict: every path left unmerged (with stages) is one conflict, exactly the paths
 * `git diff --diff-filter=U` lists after a plain `git merge`; its kind is the most specific kind among the conflict
 * records that name it. A conflict record that names no unmerged path (git reported a conflict but left no stages)
 * becomes one conflict at the record's primary path, so nothing git calls a conflict is dropped. Records that share
 * a path are one *group* (the three paths of a rename/rename, the file and directory of a file/directory conflict):
 * auto-resolve applies to a group as a whole.
 */
import type { ConflictKind } from '../types.js'

/** One conflicted stage of the "Conflicted file info" section. */
export interface StageEntry {
  mode: string
  oid: string
  /** 1 = merge base, 2 = ours (the target branch), 3 = theirs (the tag). */
  stage: 1 | 2 | 3
  path: string
}

/** One record of the informational messages section. */
export interface MessageRecord {
  /** Paths the message is about; the first is the primary path. */
  paths: string[]
  /** git's stable short type, e.g. `CONFLICT (rename/delete)` or `Auto-merging`. */
  type: string
  /** git's full message, without the trailing newline. */
  message: string
}

export interface MergeTreeOutput {
  tree: string
  stages: StageEntry[]
  records: MessageRecord[]
  /** Text git printed after the last record (the submodule suggestion), trimmed; empty when none. */
  trailer?: string
}

/** A conflict as merge-tree reports it, before the fork's rules are applied. */
export interface RawConflict {
  path: string
  kind: ConflictKind
  message: string
  /** Conflicts with the same group number must be resolved together. */
  group: number
  /** For `file location`: the path where the file was added (git moved it to `path`, its suggested location). */
  addedAt?: string
}

/** A set of conflicts that must be resolved together, with every path they touch. */
export interface ConflictGroup {
  id: number
  /** Every path named by the group's records or unmerged stages. */
  paths: string[]
  conflicts: RawConflict[]
}

export class MergeTreeParseError extends Error {
  constructor(message: string) {
    super(`unexpected git merge-tree output: ${message}`)
    this.name = 'MergeTreeParseError'
  }
}

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/

/** Parses the stdout of `git merge-tree --write-tree -z [--messages] <ours> <theirs>` (without --name-only). */
export function parseMergeTree(stdout: string): MergeTreeOutput {
  const fields = stdout.split('\0')
  let i = 0
  const tree = fields[i++] ?? ''
  if (!OID.test(tree)) throw new MergeTreeParseError(`expected a tree id first, got ${JSON.stringify(tree.slice(0, 80))}`)

  const stages: StageEntry[] = []
  while (i < fields.length && fields[i] !== '') {
    const field = fields[i++] as string
    const match = /^(\d{6}) ([0-9a-f]+) ([123])\t([\s\S]*)$/.exec(field)
    if (!match) throw new MergeTreeParseError(`bad conflicted file info ${JSON.stringify(field.slice(0, 200))}`)
    stages.push({
      mode: match[1] as string,
      oid: match[2] as string,
      stage: Number(match[3]) as 1 | 2 | 3,
      path: match[4] as string
    })
  }
  i++ // the NUL that opens the messages section (or the end of a clean merge's output)

  const records: MessageRecord[] = []
  let trailer = ''
  // A trailing empty field is what the final NUL leaves behind.
  while (i < fields.length && !(i === fields.length - 1 && fields[i] === '')) {
    const countField = fields[i++] as string
    if (i === fields.length && !/^\d+$/.test(countField)) {
      trailer = countField.trim() // the last field, not NUL-terminated: git's plain-text suggestion
      break
    }
    const count = Number(countField)
    if (!/^\d+$/.test(countField) || i + count + 2 > fields.length) {
      throw new MergeTreeParseError(`bad message record at ${JSON.stringify(countField.slice(0, 80))}`)
    }
    const paths = fields.slice(i, i + count)
    i += count
    const type = fields[i++] as string
    const message = (fields[i++] as string).replace(/\n+$/, '')
    records.push({ paths, type, message })
  }
  return { tree, stages, records, ...(trailer ? { trailer } : {}) }
}

/** True for records that report a conflict (or a merge error), false for informational ones like Auto-merging. */
export function isConflictRecord(record: MessageRecord): boolean {
  return /^(CONFLICT|ERROR)\b/.test(record.type)
}

/** The ConflictKind for one conflict record (see the mapping table at the top of this file). */
export function conflictKindOf(record: MessageRecord): ConflictKind {
  const type = record.type
  if (type === 'CONFLICT (contents)') {
    return record.message.startsWith('CONFLICT (add/add)') ? 'add/add' : 'content'
  }
  if (type === 'CONFLICT (binary)') return 'binary'
  if (type === 'CONFLICT (file/directory)') return 'file/directory'
  if (type === 'CONFLICT (distinct modes)') return 'distinct types'
  if (type === 'CONFLICT (modify/delete)') return 'modify/delete'
  if (type === 'CONFLICT (rename/rename)') return 'rename/rename'
  if (type === 'CONFLICT (rename involved in collision)') return 'rename involved in collision'
  if (type === 'CONFLICT (rename/delete)') return 'rename/delete'
  if (type === 'CONFLICT (directory rename suggested)') return 'file location'
  if (/^CONFLICT ?\((file in way of directory rename|directory rename collision|directory rename unclear split)\)$/.test(type)) return 'directory rename'
  if (type.startsWith('CONFLICT (submodule')) return 'submodule'
  return 'other'
}

/**
 * When several records name the same path, the most specific kind describes it best: a binary file also gets a
 * `contents` record, a file moved aside by a file/directory conflict also gets a modify/delete one, and so on.
 * Lower index = more specific.
 */
const KIND_PRIORITY: readonly ConflictKind[] = [
  'file location',
  'directory rename',
  'distinct types',
  'file/directory',
  'rename/rename',
  'rename/delete',
  'rename involved in collision',
  'submodule',
  'binary',
  'modify/delete',
  'other',
  'mode',
  'add/add',
  'content'
]

export function moreSpecificKind(a: ConflictKind, b: ConflictKind): ConflictKind {
  return KIND_PRIORITY.indexOf(a) <= KIND_PRIORITY.indexOf(b) ? a : b
}

/** Groups the merge's conflicts (see the file comment for what one conflict and one group are). */
export function collectConflicts(output: Pick<MergeTreeOutput, 'stages' | 'records'>): ConflictGroup[] {
  const conflictRecords = output.records.filter(isConflictRecord)
  const unmerged: string[] = []
  const seen = new Set<string>()
  for (const entry of output.stages) {
    if (!seen.has(entry.path)) {
      seen.add(entry.path)
      unmerged.push(entry.path)
    }
  }

  // Union-find over paths: the paths of one record belong together.
  const parent = new Map<string, string>()
  const find = (path: string): string => {
    let root = path
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root) as string
    parent.set(path, root)
    return root
  }
  const union = (a: string, b: string): void => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent.set(rb, ra)
  }
  for (const path of unmerged) find(path)
  for (const record of conflictRecords) {
    const [first, ...rest] = record.paths
    if (first === undefined) continue
    find(first)
    for (const path of rest) union(first, path)
  }

  // The most specific record for each path it names.
  const bestRecord = new Map<string, { kind: ConflictKind; record: MessageRecord }>()
  for (const record of conflictRecords) {
    const kind = conflictKindOf(record)
    for (const path of record.paths) {
      const current = bestRecord.get(path)
      if (!current || moreSpecificKind(kind, current.kind) !== current.kind) bestRecord.set(path, { kind, record })
    }
  }

  const raw: RawConflict[] = []
  const reported = new Set<string>()
  const stagesOf = new Map<string, StageEntry[]>()
  for (const entry of output.stages) stagesOf.set(entry.path, [...(stagesOf.get(entry.path) ?? []), entry])
  for (const path of unmerged) {
    const best = bestRecord.get(path)
    const conflict: RawConflict = {
      path,
      kind: refineKind(best?.kind ?? 'other', stagesOf.get(path) ?? []),
      message: best?.record.message ?? `${path}: left unmerged by git merge-tree`,
      group: 0
    }
    const addedAt = conflict.kind === 'file location' ? best?.record.paths.find((other) => other !== path) : undefined
    if (addedAt !== undefined) conflict.addedAt = addedAt
    raw.push(conflict)
    reported.add(path)
  }
  for (const record of conflictRecords) {
    const primary = record.paths[0]
    if (primary === undefined || record.paths.some((path) => reported.has(path))) continue
    const best = bestRecord.get(primary)
    raw.push({ path: primary, kind: best?.kind ?? conflictKindOf(record), message: best?.record.message ?? record.message, group: 0 })
    reported.add(primary)
  }

  const groups = new Map<string, ConflictGroup>()
  const groupOf = (path: string): ConflictGroup => {
    const root = find(path)
    let group = groups.get(root)
    if (!group) {
      group = { id: groups.size + 1, paths: [], conflicts: [] }
      groups.set(root, group)
    }
    return group
  }
  for (const conflict of raw) {
    const group = groupOf(conflict.path)
    conflict.group = group.id
    group.conflicts.push(conflict)
  }
  for (const path of parent.keys()) {
    const group = groups.get(find(path))
    if (group) group.paths.push(path)
  }
  for (const group of groups.values()) group.paths.sort(byCodeUnit)
  return [...groups.values()]
}

/** An add/add whose two sides hold the same blob in different modes (100644 / 100755) is a mode conflict. */
function refineKind(kind: ConflictKind, stages: readonly StageEntry[]): ConflictKind {
  if (kind !== 'add/add' && kind !== 'content') return kind
  const ours = stages.find((entry) => entry.stage === 2)
  const theirs = stages.find((entry) => entry.stage === 3)
  return ours && theirs && ours.oid === theirs.oid && ours.mode !== theirs.mode ? 'mode' : kind
}

/** Sorts like git does (byte order for ASCII paths), independent of the locale. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
