/**
 * The sync marker, a hidden line at the end of every PR body: the upstream tag and the commit the sync branch was
 * built from, as the run that wrote the body saw them. It is the action's own record, kept apart from the branch, so a
 * later run can tell an untouched sync branch from a maintainer's work on it even after upstream re-points the tag at
 * a commit that does not descend from the old one (a re-cut release), where the branch's history alone cannot say
 * whose its commits are. An HTML comment interrupts any paragraph before it, so it never shows.
 */

/** The marker line: the tag URI-encoded, the commit a SHA-1 or SHA-256 object id. */
const SYNC_MARKER = /<!-- upstream-sync: tag=(\S+) commit=([0-9a-f]{40}|[0-9a-f]{64}) -->/g

export interface SyncMarker {
  tag: string
  /** The upstream commit (the tag, peeled) the sync branch was made from. */
  commit: string
}

/** The marker line for `tag` at `commit` (the tag is URI-encoded: a ref name may contain `-->`). */
export function syncMarker(tag: string, commit: string): string {
  return `<!-- upstream-sync: tag=${encodeURIComponent(tag)} commit=${commit} -->`
}

/** The marker of a PR body written by this action (the last one, should a template print another), if any. */
export function readSyncMarker(body: string | null | undefined): SyncMarker | undefined {
  const matches = [...(body ?? '').matchAll(SYNC_MARKER)]
  const last = matches[matches.length - 1]
  if (!last?.[1] || !last[2]) return undefined
  try {
    return { tag: decodeURIComponent(last[1]), commit: last[2] }
  } catch {
    return undefined
  }
}
