/**
 * The git plumbing the rebranded merge needs, each step in one process whatever the number of files: list what
 * changed between two commits, read many blobs, write many blobs, build a tree with some blobs swapped, write a
 * commit. Git is taken through `GitRunner`, which the `Git` class satisfies structurally.
 */
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseDiffTree, type RawChange } from '../git/parse.js'

export interface GitRunOptions {
  input?: string | Buffer
  env?: Record<string, string>
}

/** The slice of the `Git` class (src/git.ts) this stage uses. */
export interface GitRunner {
  /** Output of a command that must succeed (throws git's error otherwise), without the trailing newline. */
  output(args: string[], options?: GitRunOptions): Promise<string>
  /** Runs git and returns its exit code and output without throwing. */
  tryExec(args: string[], options?: GitRunOptions): Promise<{ exitCode: number; stdout: string; stderr: string }>
}

/** One path that differs between two commits (`git diff-tree -r --no-renames`): modes `000000` when absent. */
/** One path upstream (or the fork) changed since the merge base: git's raw diff entry. */
export type PathChange = Pick<RawChange, 'path' | 'srcMode' | 'dstMode' | 'srcOid' | 'dstOid'>

/** Regular files, executable or not: symlinks, submodules and absent entries are never content to rewrite. */
export function isRegularFileMode(mode: string): boolean {
  return mode === '100644' || mode === '100755'
}

/**
 * Every path that differs between `from` and `to`, renames shown as a delete and an add (the merge finds renames
 * itself). Reads trees only, never a blob.
 */
export async function changedPaths(git: GitRunner, from: string, to: string): Promise<PathChange[]> {
  return parseDiffTree(await git.output(['diff-tree', '-r', '-z', '--raw', '--no-abbrev', '--no-renames', from, to]))
}

/** Walks `text` from `start` summing UTF-8 byte lengths until `bytes` is reached: where that is, and the sum. */
function utf8End(text: string, start: number, bytes: number): { end: number; bytes: number } {
  let count = 0
  let i = start
  while (i < text.length && count < bytes) {
    const code = text.charCodeAt(i)
    if (code < 0x80) count += 1
    else if (code < 0x800) count += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      count += 4
      i++
    } else count += 3
    i++
  }
  return { end: i, bytes: count }
}

/** A blob's text as the runner decoded it; `utf8` false when the bytes are not valid UTF-8 (the text is then lossy). */
export interface BlobText {
  text: string
  utf8: boolean
}

/**
 * Reads `oids` (blobs present in the repository) with one `git cat-file --batch`. The runner hands output over as
 * UTF-8 text, which is exact for UTF-8 files, the only ones a rebrand rewrites; a blob that is not valid UTF-8 (its
 * decoded text does not re-encode to its size, or holds U+FFFD) is marked so and must be left alone. Objects are
 * delimited by their sizes, or, when an invalid blob throws the count off, by the next object's header.
 */
export async function readBlobs(git: GitRunner, oids: readonly string[]): Promise<Map<string, BlobText>> {
  const unique = [...new Set(oids)]
  const blobs = new Map<string, BlobText>()
  if (unique.length === 0) return blobs
  const out = await git.output(['cat-file', '--batch'], { input: unique.join('\n') + '\n' })
  let pos = 0
  unique.forEach((oid, index) => {
    const newline = out.indexOf('\n', pos)
    const header = out.slice(pos, newline === -1 ? undefined : newline)
    const match = /^([0-9a-f]+) blob (\d+)$/.exec(header)
    if (!match || match[1] !== oid) throw new Error(`git cat-file --batch: expected blob ${oid}, got ${JSON.stringify(header.slice(0, 120))}`)
    const start = newline + 1
    const next = unique[index + 1]
    const nextHeader = next === undefined ? undefined : `\n${next} `
    const counted = utf8End(out, start, Number(match[2]))
    // The content is followed by a newline, then the next header (or the end of the output, whose final newline
    // `output` already removed).
    const aligned =
      counted.bytes === Number(match[2]) && (nextHeader === undefined ? counted.end === out.length : out.startsWith(nextHeader, counted.end))
    if (aligned) {
      const text = out.slice(start, counted.end)
      blobs.set(oid, { text, utf8: !text.includes('\uFFFD') })
      pos = counted.end + 1
    } else {
      const found = nextHeader === undefined ? out.length : out.indexOf(nextHeader, start)
      if (found === -1) throw new Error(`git cat-file --batch: cannot find where blob ${oid} ends`)
      blobs.set(oid, { text: out.slice(start, found), utf8: false })
      pos = found + 1
    }
  })
  return blobs
}

/** Writes `contents` as blobs with one `git fast-import` (no temporary files); returns their ids, in order. */
export async function writeBlobs(git: GitRunner, contents: readonly Buffer[]): Promise<string[]> {
  if (contents.length === 0) return []
  const chunks: Buffer[] = [Buffer.from('feature done\n')]
  contents.forEach((content, index) => {
    chunks.push(Buffer.from(`blob\nmark :${index + 1}\ndata ${content.length}\n`), content, Buffer.from('\n'))
  })
  chunks.push(Buffer.from(contents.map((_, index) => `get-mark :${index + 1}\n`).join('') + 'done\n'))
  const oids = (await git.output(['fast-import', '--quiet'], { input: Buffer.concat(chunks) })).split('\n')
  if (oids.length !== contents.length) throw new Error(`git fast-import returned ${oids.length} object ids for ${contents.length} blobs`)
  return oids
}

/**
 * The tree of `treeish` with the blobs at some paths swapped (same modes), through a throwaway index:
 * `read-tree`, one `update-index --index-info`, `write-tree --missing-ok` (which never fetches the blobs it does
 * not need to read).
 */
export async function treeWithBlobs(git: GitRunner, treeish: string, blobs: ReadonlyArray<{ path: string; mode: string; oid: string }>): Promise<string> {
  if (blobs.length === 0) return git.output(['rev-parse', '--verify', '--end-of-options', `${treeish}^{tree}`])
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'upstream-sync-rebrand-'))
  const env = { GIT_INDEX_FILE: path.join(dir, `${randomBytes(6).toString('hex')}.index`) }
  try {
    await git.output(['read-tree', treeish], { env })
    const lines = blobs.map((blob) => `${blob.mode} ${blob.oid}\t${blob.path}\0`).join('')
    await git.output(['update-index', '-z', '--index-info'], { env, input: lines })
    return await git.output(['write-tree', '--missing-ok'], { env })
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

/** The fixed identity and date of the merge's synthetic commits: they are never pushed, only merged. */
const SYNTHETIC_IDENTITY: Record<string, string> = {
  GIT_AUTHOR_NAME: 'upstream-sync',
  GIT_AUTHOR_EMAIL: 'upstream-sync@localhost',
  GIT_AUTHOR_DATE: '@0 +0000',
  GIT_COMMITTER_NAME: 'upstream-sync',
  GIT_COMMITTER_EMAIL: 'upstream-sync@localhost',
  GIT_COMMITTER_DATE: '@0 +0000'
}

export async function syntheticCommit(git: GitRunner, tree: string, parents: readonly string[], message: string): Promise<string> {
  return git.output(['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent])], { env: SYNTHETIC_IDENTITY, input: message + '\n' })
}
