import { describe, expect, it } from '@jest/globals'
import {
  collectConflicts,
  conflictKindOf,
  isConflictRecord,
  MergeTreeParseError,
  moreSpecificKind,
  parseMergeTree,
  type MessageRecord
} from '../../../src/merge/conflicts.js'

const TREE = '172c6731e4249f103a149ea465c7be089148dd59'
const oid = (n: number): string => n.toString(16).padStart(40, '0')

/** Builds `git merge-tree --write-tree -z --messages` output the way git 2.39 writes it. */
function output(stages: Array<[number, string]>, records: Array<[string[], string, string]>): string {
  let out = `${TREE}\0`
  stages.forEach(([stage, path], i) => {
    out += `100644 ${oid(i + 1)} ${stage}\t${path}\0`
  })
  out += '\0'
  for (const [paths, type, message] of records) out += `${paths.length}\0${paths.map((p) => `${p}\0`).join('')}${type}\0${message}\n\0`
  return out
}

describe('parseMergeTree: the submodule suggestion git prints after the records', () => {
  it('is kept as the trailer, not parsed as a record (git 2.39 prints it unterminated after the last NUL)', () => {
    const tree = 'a'.repeat(40)
    const stdout = `${tree}\u0000160000 ${'b'.repeat(40)} 2\tmod\u0000\u00001\u0000mod\u0000CONFLICT (submodule not initialized)\u0000Failed to merge submodule mod (not checked out)\n\u0000\nRecursive merging with submodules currently only supports trivial cases.\n`
    const parsed = parseMergeTree(stdout)
    expect(parsed.records).toEqual([{ paths: ['mod'], type: 'CONFLICT (submodule not initialized)', message: 'Failed to merge submodule mod (not checked out)' }])
    expect(parsed.trailer).toBe('Recursive merging with submodules currently only supports trivial cases.')
    expect(() => parseMergeTree(`${tree}\u0000\u0000junk\u0000more\u0000`)).toThrow(/bad message record/)
  })
})

describe('parseMergeTree', () => {
  it('reads a clean merge without messages', () => {
    expect(parseMergeTree(`${TREE}\0`)).toEqual({ tree: TREE, stages: [], records: [] })
  })

  it('reads a clean merge with informational messages', () => {
    const parsed = parseMergeTree(`${TREE}\0\0${'1\0a.py\0Auto-merging\0Auto-merging a.py\n\0'}`)
    expect(parsed.stages).toEqual([])
    expect(parsed.records).toEqual([{ paths: ['a.py'], type: 'Auto-merging', message: 'Auto-merging a.py' }])
  })

  it('reads stages and records, keeping paths with spaces, tabs and newlines intact', () => {
    const odd = 'dir with space/tab\there\nnewline.txt'
    const parsed = parseMergeTree(
      output(
        [
          [1, odd],
          [2, odd],
          [3, odd]
        ],
        [[[odd], 'CONFLICT (contents)', `CONFLICT (content): Merge conflict in ${odd}`]]
      )
    )
    expect(parsed.tree).toBe(TREE)
    expect(parsed.stages.map((s) => [s.stage, s.path, s.mode])).toEqual([
      [1, odd, '100644'],
      [2, odd, '100644'],
      [3, odd, '100644']
    ])
    expect(parsed.records).toEqual([{ paths: [odd], type: 'CONFLICT (contents)', message: `CONFLICT (content): Merge conflict in ${odd}` }])
  })

  it('rejects output it does not understand instead of guessing', () => {
    expect(() => parseMergeTree('fatal: something\n')).toThrow(MergeTreeParseError)
    expect(() => parseMergeTree(`${TREE}\0garbage\0`)).toThrow('bad conflicted file info')
    expect(() => parseMergeTree(`${TREE}\0\0x\0a\0`)).toThrow('bad message record')
    expect(() => parseMergeTree(`${TREE}\0\x005\0a\0`)).toThrow('bad message record')
  })
})

describe('conflict kinds', () => {
  const record = (type: string, message = ''): MessageRecord => ({ paths: ['p'], type, message })

  it('maps git 2.39 merge-ort types to kinds', () => {
    const table: Array<[string, string, string]> = [
      ['CONFLICT (contents)', 'CONFLICT (content): Merge conflict in p', 'content'],
      ['CONFLICT (contents)', 'CONFLICT (add/add): Merge conflict in p', 'add/add'],
      ['CONFLICT (binary)', 'warning: Cannot merge binary files: p (HEAD vs. v1)', 'binary'],
      ['CONFLICT (file/directory)', 'CONFLICT (file/directory): directory in the way of p from HEAD; moving it to p~HEAD instead.', 'file/directory'],
      ['CONFLICT (distinct modes)', 'CONFLICT (distinct types): p had different types on each side; renamed one of them', 'distinct types'],
      ['CONFLICT (modify/delete)', 'CONFLICT (modify/delete): p deleted in v1 and modified in HEAD.', 'modify/delete'],
      ['CONFLICT (rename/rename)', 'CONFLICT (rename/rename): p renamed to a in HEAD and to b in v1.', 'rename/rename'],
      ['CONFLICT (rename involved in collision)', 'CONFLICT (rename involved in collision): rename of a -> p has content conflicts', 'rename involved in collision'],
      ['CONFLICT (rename/delete)', 'CONFLICT (rename/delete): a renamed to p in v1, but deleted in HEAD.', 'rename/delete'],
      ['CONFLICT (directory rename suggested)', 'CONFLICT (file location): p added in v1 inside a directory that was renamed', 'file location'],
      ['CONFLICT (file in way of directory rename)', 'CONFLICT (implicit dir rename): Existing file/dir at p in the way', 'directory rename'],
      ['CONFLICT(directory rename collision)', 'CONFLICT (implicit dir rename): Cannot map more than one path to p', 'directory rename'],
      ['CONFLICT(directory rename unclear split)', 'CONFLICT (directory rename split): Unclear where to place p', 'directory rename'],
      ['CONFLICT (submodule)', 'Failed to merge submodule p', 'submodule'],
      ['CONFLICT (submodule lacks merge base)', 'Failed to merge submodule p (no merge base)', 'submodule'],
      ['CONFLICT (submodule with possible resolution)', 'Failed to merge submodule p, but a possible merge resolution exists', 'submodule'],
      ['CONFLICT (submodule not initialized)', 'Failed to merge submodule p (not checked out)', 'submodule'],
      ['CONFLICT (submodule history not available)', 'Failed to merge submodule p (commits not present)', 'submodule'],
      ['CONFLICT (submodule may have rewinds)', 'Failed to merge submodule p (commits don\'t follow merge-base)', 'submodule'],
      ['CONFLICT (some future kind)', 'CONFLICT (future): p', 'other'],
      ['ERROR (object read failed)', 'error: unable to read p', 'other']
    ]
    for (const [type, message, kind] of table) {
      expect({ type, kind: conflictKindOf(record(type, message)) }).toEqual({ type, kind })
      expect(isConflictRecord(record(type, message))).toBe(true)
    }
  })

  it('does not treat informational messages as conflicts', () => {
    for (const type of ['Auto-merging', 'Path updated due to directory rename', 'Directory rename skipped since directory was renamed on both sides', 'Fast forwarding submodule']) {
      expect(isConflictRecord(record(type))).toBe(false)
    }
  })

  it('prefers the more specific kind', () => {
    expect(moreSpecificKind('content', 'binary')).toBe('binary')
    expect(moreSpecificKind('modify/delete', 'file/directory')).toBe('file/directory')
    expect(moreSpecificKind('add/add', 'content')).toBe('add/add')
    expect(moreSpecificKind('rename/rename', 'rename/rename')).toBe('rename/rename')
  })
})

describe('collectConflicts', () => {
  it('makes one conflict per unmerged path, with the most specific kind among the records naming it', () => {
    // As git 2.39 printed it for a binary file, a file/directory conflict and a rename/rename.
    const parsed = parseMergeTree(
      output(
        [
          [1, 'b.bin'],
          [2, 'b.bin'],
          [3, 'b.bin'],
          [1, 'fd~HEAD'],
          [2, 'fd~HEAD'],
          [2, 'rr-ours.txt'],
          [3, 'rr-up.txt'],
          [1, 'rr.txt']
        ],
        [
          [['b.bin'], 'CONFLICT (binary)', 'warning: Cannot merge binary files: b.bin (HEAD vs. v1)'],
          [['b.bin'], 'Auto-merging', 'Auto-merging b.bin'],
          [['b.bin'], 'CONFLICT (contents)', 'CONFLICT (content): Merge conflict in b.bin'],
          [['clean.txt'], 'Auto-merging', 'Auto-merging clean.txt'],
          [['fd~HEAD', 'fd'], 'CONFLICT (file/directory)', 'CONFLICT (file/directory): directory in the way of fd from HEAD; moving it to fd~HEAD instead.'],
          [['fd~HEAD'], 'CONFLICT (modify/delete)', 'CONFLICT (modify/delete): fd~HEAD deleted in v1 and modified in HEAD.  Version HEAD of fd~HEAD left in tree.'],
          [['rr.txt', 'rr-ours.txt', 'rr-up.txt'], 'CONFLICT (rename/rename)', 'CONFLICT (rename/rename): rr.txt renamed to rr-ours.txt in HEAD and to rr-up.txt in v1.']
        ]
      )
    )
    const groups = collectConflicts(parsed)
    const flat = groups.flatMap((group) => group.conflicts.map((c) => [c.path, c.kind, c.group]))
    expect(flat).toEqual([
      ['b.bin', 'binary', 1],
      ['fd~HEAD', 'file/directory', 2],
      ['rr-ours.txt', 'rename/rename', 3],
      ['rr-up.txt', 'rename/rename', 3],
      ['rr.txt', 'rename/rename', 3]
    ])
    expect(groups[0]?.conflicts[0]?.message).toBe('warning: Cannot merge binary files: b.bin (HEAD vs. v1)')
    expect(groups.map((group) => group.paths)).toEqual([['b.bin'], ['fd', 'fd~HEAD'], ['rr-ours.txt', 'rr-up.txt', 'rr.txt']])
  })

  it('keeps a conflict git reported without leaving stages, at the record\'s primary path', () => {
    const parsed = parseMergeTree(
      output([], [[['fd~HEAD', 'fd'], 'CONFLICT (file/directory)', 'CONFLICT (file/directory): directory in the way of fd from HEAD; moving it to fd~HEAD instead.']])
    )
    const groups = collectConflicts(parsed)
    expect(groups.flatMap((group) => group.conflicts.map((c) => [c.path, c.kind]))).toEqual([['fd~HEAD', 'file/directory']])
    expect(groups[0]?.paths).toEqual(['fd', 'fd~HEAD'])
  })

  it('links records that share a path into one group', () => {
    const parsed = parseMergeTree(
      output(
        [
          [2, 'a'],
          [3, 'c']
        ],
        [
          [['a', 'b'], 'CONFLICT (rename/delete)', 'CONFLICT (rename/delete): b renamed to a in v1, but deleted in HEAD.'],
          [['c', 'b'], 'CONFLICT (rename/delete)', 'CONFLICT (rename/delete): b renamed to c in HEAD, but deleted in v1.']
        ]
      )
    )
    const groups = collectConflicts(parsed)
    expect(groups).toHaveLength(1)
    expect(groups[0]?.paths).toEqual(['a', 'b', 'c'])
    expect(groups[0]?.conflicts.map((c) => c.path)).toEqual(['a', 'c'])
  })

  it('reports an unmerged path no record explains as other rather than dropping it', () => {
    const groups = collectConflicts(parseMergeTree(output([[2, 'x']], [])))
    expect(groups.flatMap((group) => group.conflicts.map((c) => [c.path, c.kind]))).toEqual([['x', 'other']])
  })

  it('finds nothing in a clean merge', () => {
    expect(collectConflicts(parseMergeTree(output([], [[['a'], 'Auto-merging', 'Auto-merging a']])))).toEqual([])
  })
})
