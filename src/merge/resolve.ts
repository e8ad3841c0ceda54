/**
 * Auto-resolve: the merge result with whole groups of conflicts set to one side's version (see mergeTag).
 */
import type { Git } from '../git/git.js'
import { ZERO_OID } from '../git/git.js'
import type { TreeEntry } from '../git/parse.js'
import { byCodeUnit, type ConflictGroup } from './conflicts.js'

/** A tree's entries sorted by path, to find everything at or under a path without scanning the whole tree. */
class TreeIndex {
  private readonly entries: TreeEntry[]

  constructor(entries: TreeEntry[]) {
    this.entries = [...entries].sort((a, b) => byCodeUnit(a.path, b.path))
  }

  /** The entry at `path` (a file) and every entry under `path/` (a directory), in path order. */
  atOrUnder(path: string): TreeEntry[] {
    const found: TreeEntry[] = []
    const exact = this.entries[this.lowerBound(path)]
    if (exact?.path === path) found.push(exact)
    // Paths under `path/` are contiguous in code-unit order (other paths like `path.txt` sort apart from them).
    const prefix = path + '/'
    for (let i = this.lowerBound(prefix); i < this.entries.length && (this.entries[i] as TreeEntry).path.startsWith(prefix); i++) {
      found.push(this.entries[i] as TreeEntry)
    }
    return found
  }

  private lowerBound(path: string): number {
    let low = 0
    let high = this.entries.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if ((this.entries[mid] as TreeEntry).path < path) low = mid + 1
      else high = mid
    }
    return low
  }
}

export type Side = 'ours' | 'theirs'

/**
 * Builds the merge result with every group of conflicts resolved to its side: each path a group touches (the
 * conflicted paths and the others its records name, e.g. both destinations of a rename/rename, the file and the
 * directory of a file/directory conflict) is set to exactly what that side's commit has there: the file, the whole
 * directory, or nothing when that side deleted or renamed it away.
 */
export async function resolveTree(
  git: Git,
  mergedTree: string,
  resolutions: Array<{ group: ConflictGroup; side: Side }>,
  sides: Record<Side, string>
): Promise<string> {
  const merged = new TreeIndex(await git.listTree(mergedTree))
  const sideTrees = new Map<Side, TreeIndex>()
  const lines: string[] = []
  for (const { group, side } of resolutions) {
    let kept = sideTrees.get(side)
    if (!kept) {
      kept = new TreeIndex(await git.listTree(sides[side]))
      sideTrees.set(side, kept)
    }
    for (const groupPath of group.paths) {
      // Mode 0 removes the path from the index; then the kept side's entries (if any) take its place.
      for (const entry of merged.atOrUnder(groupPath)) lines.push(`0 ${ZERO_OID}\t${entry.path}`)
      for (const entry of kept.atOrUnder(groupPath)) lines.push(`${entry.mode} ${entry.type} ${entry.oid}\t${entry.path}`)
    }
  }
  return git.editTree(mergedTree, lines)
}
