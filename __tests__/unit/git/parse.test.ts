import { describe, expect, it } from '@jest/globals'
import { markedLines, parseBatchCheck, parseCommitHeaders, parseCountObjects, parseDiffTree, parseLsTree, parsePushedRef, parseRefLines } from '../../../src/git/parse.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const C = 'c'.repeat(40)

describe('git output parsers', () => {
  it('diff-tree -z --raw, with exact renames', () => {
    const out = `:100644 100644 ${A} ${B} M\0src/a.py\0:000000 100644 ${'0'.repeat(40)} ${C} A\0new file\0:100644 100644 ${A} ${A} R100\0old/x\0new/x\0`
    expect(parseDiffTree(out)).toEqual([
      { status: 'M', srcMode: '100644', dstMode: '100644', srcOid: A, dstOid: B, path: 'src/a.py' },
      { status: 'A', srcMode: '000000', dstMode: '100644', srcOid: '0'.repeat(40), dstOid: C, path: 'new file' },
      { status: 'R', srcMode: '100644', dstMode: '100644', srcOid: A, dstOid: A, path: 'new/x', fromPath: 'old/x' }
    ])
    expect(() => parseDiffTree('garbage\0')).toThrow('unexpected git diff-tree output')
  })

  it('ls-tree -r -z, paths with tabs and spaces kept whole', () => {
    expect(parseLsTree(`100644 blob ${A}\ta b\tc\x00120000 blob ${B}\tlink\0`)).toEqual([
      { mode: '100644', type: 'blob', oid: A, path: 'a b\tc' },
      { mode: '120000', type: 'blob', oid: B, path: 'link' }
    ])
  })

  it('ls-remote lines, rev-list markers, commit headers and batch-check answers', () => {
    expect(parseRefLines(`${A}\trefs/heads/main\n${B}\trefs/tags/v1^{}\n`)).toEqual(
      new Map([
        ['refs/heads/main', A],
        ['refs/tags/v1^{}', B]
      ])
    )
    expect(markedLines(`${A}\n-${B}\n?${C}\n`, '-')).toEqual([B])
    expect(markedLines(`${A}\n-${B}\n?${C}\n`, '?')).toEqual([C])
    expect(parseCommitHeaders(`${A} ${B}\n${C} ${B} ${A} ${C}\n`)).toEqual([
      { sha: A, tree: B, parents: [] },
      { sha: C, tree: B, parents: [A, C] }
    ])
    expect(parseBatchCheck(`${A} commit\nv9^{commit} missing\n`, 3)).toEqual([A, undefined, undefined])
  })

  it('push --porcelain status lines and count-objects figures', () => {
    const stdout = `To file:///fork.git\n!\t${A}:refs/heads/upstream-sync/v1\t[rejected] (stale info)\nDone\n`
    expect(parsePushedRef(stdout, 'refs/heads/upstream-sync/v1')).toEqual({ flag: '!', summary: '[rejected] (stale info)' })
    expect(parsePushedRef(stdout, 'refs/heads/other')).toBeUndefined()
    expect(parseCountObjects('count: 3\nsize: 4\nin-pack: 10\npacks: 1\nsize-pack: 20\nprune-packable: 0\n')).toEqual({ objects: 13, packed: 10, loose: 3, kib: 24 })
  })
})
