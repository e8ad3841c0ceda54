/**
 * The change summary of a sync, for the report: upstream's changes since the merge base by top-level folder, and
 * the fork's customizations upstream touched. Pure: computed from diff-tree entries.
 */
import type { RawChange } from '../git/parse.js'
import type { ChangeSummary, FolderChanges } from '../types.js'
import { byCodeUnit } from './conflicts.js'

/** Upstream's changes since the merge base, for the report. */
export function summarizeChanges(commits: number, upstreamChanges: readonly RawChange[]): ChangeSummary {
  const folders = new Map<string, FolderChanges>()
  for (const change of upstreamChanges) {
    const slash = change.path.indexOf('/')
    const folder = slash === -1 ? '(root)' : change.path.slice(0, slash)
    let entry = folders.get(folder)
    if (!entry) {
      entry = { folder, added: 0, modified: 0, deleted: 0, renamed: 0 }
      folders.set(folder, entry)
    }
    if (change.status === 'A') entry.added++
    else if (change.status === 'D') entry.deleted++
    else if (change.status === 'R') entry.renamed++
    else entry.modified++ // M, T (type change); diff-tree reports nothing else without -C
  }
  return {
    commits,
    files: upstreamChanges.length,
    byFolder: [...folders.values()].sort((a, b) => byCodeUnit(a.folder, b.folder))
  }
}

/** Paths the fork changed that upstream changed too (renames count by both their names), in path order. */
export function forkCustomizationsTouched(forkChanges: readonly RawChange[], upstreamChanges: readonly RawChange[]): string[] {
  const upstreamPaths = new Set<string>()
  for (const change of upstreamChanges) {
    upstreamPaths.add(change.path)
    if (change.fromPath) upstreamPaths.add(change.fromPath)
  }
  return [...new Set(forkChanges.map((change) => change.path))].filter((changed) => upstreamPaths.has(changed)).sort(byCodeUnit)
}
