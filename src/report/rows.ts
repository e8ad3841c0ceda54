/**
 * The rows of the report's lists and tables (conflicts, auto-resolved files, paths, folders, linked PRs), each built
 * from one fact of the run with its escaped and formatted variants, so that templates only pick a variant.
 */
import type { Conflict, ConflictKind, FolderChanges, LastTime, Resolution } from '../types.js'
import { codeSpan, escapeMarkdown, inlineMarkdown, safeUrl, tableCellMarkdown } from './markdown.js'

/** One conflict left for a human. */
export interface ConflictRow {
  /** The path, plain text (escaped by `{{path}}`). */
  path: string
  /** The path as inline code, for prose and lists. */
  pathCode: string
  /** The path as inline code, safe in a table cell (`|` escaped). */
  pathCell: string
  /** git's conflict kind (see ConflictKind): `content`, `add/add`, `modify/delete`, `file location`, … */
  kind: ConflictKind
  /** The fork's rule for the path: `ours`, `theirs` or `manual`. */
  rule: Resolution
  /** git's own one-line description, plain text. */
  message: string
  /** The rule's note (fork-written Markdown) on one line; empty when none. */
  noteMd: string
  /** The same note, safe in a table cell. */
  noteCell: string
  /**
   * What the fork's most recent earlier sync that changed the path on both sides kept, with a link to its PR (or
   * merge commit), e.g. "fork's ([#12](…))", flagged "⚠️" when the rule disagrees; "—" when no earlier sync did.
   * Safe in a table cell.
   */
  lastTimeCell: string
  /** The rule (`ours`/`theirs`) would not produce what the fork kept last time: a reviewer must look. */
  againstHistory: boolean
  /** Why no rule can settle this conflict by keeping one side (e.g. a `file location`), plain text; empty otherwise. */
  whyManual: string
}

/** One conflict auto-resolve settled. */
export interface AutoResolvedRow {
  path: string
  pathCode: string
  pathCell: string
  kind: ConflictKind
  /** The side kept: `ours` (the fork's version) or `theirs` (upstream's). */
  side: 'ours' | 'theirs'
  /** The side kept, spelled out: "ours (fork)" / "theirs (upstream)". Plain text. */
  sideLabel: string
  message: string
  noteMd: string
  noteCell: string
}

/** One path (fork customizations). */
export interface PathRow {
  path: string
  pathCode: string
  pathCell: string
}

/** Upstream's changes in one top-level folder. */
export interface FolderRow {
  /** The folder name, plain text; `(top level)` for files at the root. */
  folder: string
  /** The folder as inline code (or "*(top level)*"). */
  folderCode: string
  /** The same, safe in a table cell. */
  folderCell: string
  added: number
  modified: number
  deleted: number
  renamed: number
  total: number
}

export interface SupersededRow {
  number: number
  url: string
  /** `[#12](url)` */
  linkMd: string
}

export interface ShaChange {
  oldSha: string
  newSha: string
  oldShaCode: string
  newShaCode: string
}

export interface PullRequestRow {
  /** 0 when unknown. */
  number: number
  url: string
  /** `[#12](url)` (or `[pull request](url)` when the number is unknown). */
  linkMd: string
}

/** A commit's first 12 hex digits, as the report shows commits. */
export function shortSha(sha: string): string {
  return sha.slice(0, 12)
}

export function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0
}

const KEPT_LABEL: Record<LastTime['kept'], string> = { ours: "fork's", theirs: "upstream's", merged: 'a combination', deleted: 'deleted' }

/** What the fork kept last time, linked to the PR that merged it or its merge commit (see ConflictRow.lastTimeCell). */
export function lastTimeCell(lastTime: LastTime | undefined, againstHistory: boolean, forkUrl: string): string {
  if (!lastTime) return '—'
  const base = safeUrl(forkUrl)
  const label = lastTime.pullRequest ? `#${lastTime.pullRequest}` : codeSpan(shortSha(lastTime.merge), { table: true })
  const target = lastTime.pullRequest ? `${base}/pull/${lastTime.pullRequest}` : `${base}/commit/${lastTime.merge}`
  const link = base ? `[${label}](${target})` : label
  return `${againstHistory ? '⚠️ ' : ''}${KEPT_LABEL[lastTime.kept]} (${link})`
}

export function conflictRow(c: Conflict, forkUrl = ''): ConflictRow {
  return {
    path: c.path,
    pathCode: codeSpan(c.path),
    pathCell: codeSpan(c.path, { table: true }),
    kind: c.kind,
    rule: c.resolution,
    message: c.message,
    noteMd: inlineMarkdown(c.note ?? ''),
    noteCell: tableCellMarkdown(c.note ?? ''),
    lastTimeCell: lastTimeCell(c.lastTime, c.againstHistory === true, forkUrl),
    againstHistory: c.againstHistory === true,
    whyManual: c.whyManual ?? ''
  }
}

export function autoResolvedRow(c: Conflict): AutoResolvedRow {
  // `autoResolved` is always set on these; the rule is the fallback that says the same thing.
  const side = c.autoResolved ?? (c.resolution === 'theirs' ? 'theirs' : 'ours')
  const { path, pathCode, pathCell, kind, message, noteMd, noteCell } = conflictRow(c)
  return { path, pathCode, pathCell, kind, side, sideLabel: side === 'ours' ? 'ours (fork)' : 'theirs (upstream)', message, noteMd, noteCell }
}

export function pathRow(path: string): PathRow {
  return { path, pathCode: codeSpan(path), pathCell: codeSpan(path, { table: true }) }
}

export function folderRow(f: FolderChanges): FolderRow {
  const root = f.folder === '' || f.folder === '.' || f.folder === '/'
  return {
    folder: root ? '(top level)' : f.folder,
    folderCode: root ? '*(top level)*' : codeSpan(f.folder),
    folderCell: root ? '*(top level)*' : codeSpan(f.folder, { table: true }),
    added: f.added,
    modified: f.modified,
    deleted: f.deleted,
    renamed: f.renamed,
    total: f.added + f.modified + f.deleted + f.renamed
  }
}

/** Most changed first; ties by name. */
export function byChanges(a: FolderRow, b: FolderRow): number {
  return b.total - a.total || (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0)
}

export function supersededRow(pr: { number: number; url: string }): SupersededRow {
  const url = safeUrl(pr.url)
  return { number: pr.number, url, linkMd: url ? `[#${pr.number}](${url})` : `#${pr.number}` }
}

export function shaChange(change: { oldSha: string; newSha: string }): ShaChange {
  return {
    oldSha: change.oldSha,
    newSha: change.newSha,
    oldShaCode: codeSpan(shortSha(change.oldSha)),
    newShaCode: codeSpan(shortSha(change.newSha))
  }
}

export function pullRequestRow(pull: { number?: number; url: string }): PullRequestRow {
  const url = safeUrl(pull.url)
  const label = pull.number ? `#${pull.number}` : 'pull request'
  return { number: pull.number ?? 0, url, linkMd: url ? `[${label}](${url})` : escapeMarkdown(label) }
}
