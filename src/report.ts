/**
 * The pull request is the product: its title and body, the job summary and the report file are built here from one
 * view of the run, so that a reviewer can act on the PR without opening the workflow log.
 *
 * `buildReportView` does all escaping and formatting; the Mustache templates stay logic-less. Mustache's HTML escaping
 * is replaced by Markdown escaping: `{{field}}` prints a plain-text field escaped for Markdown prose, `{{{field}}}`
 * prints a field that is already Markdown (`…Md`, `…Code`, `…Cell`) or a URL (`…Url`) as it is.
 *
 * Bodies stay under GitHub's 65,536-character limit by rendering, measuring and shrinking: long lists are cut with
 * "…and N more" (their full versions go to the job summary and the report file), the release notes are cut last,
 * and a hard cut is the safety net.
 */
import Mustache from 'mustache'
import { PR_BODY_TEMPLATE, REPORT_TEMPLATE, SUMMARY_TEMPLATE } from './generated/templates.js'
import {
  blockquote,
  codeSpan,
  encodePathPart,
  escapeMarkdown,
  fencedBlock,
  inlineMarkdown,
  neutralizeReleaseNotes,
  safeSlice,
  safeUrl,
  shellQuote,
  tableCellMarkdown,
  truncateAtLine
} from './markdown.js'
import type { Conflict, ConflictKind, FolderChanges, MergeResult, ReleaseInfo, RepoId, Resolution } from './types.js'

/** The built-in PR body template (`templates/pr-body.md`, compiled into the bundle by `scripts/copy-assets.mjs`). */
export const DEFAULT_TEMPLATE: string = PR_BODY_TEMPLATE

/** GitHub rejects PR bodies longer than this many characters. */
export const PR_BODY_MAX_CHARS = 65_536
/** GitHub rejects a step's job summary larger than this many bytes. */
export const SUMMARY_MAX_BYTES = 1_048_576
/** GitHub rejects PR titles longer than this many characters. */
export const PR_TITLE_MAX_CHARS = 256

// ---------------------------------------------------------------------------------------------------------------------
// Input

/** Everything a run knows that the PR body, summary and report show. */
export interface ReportInput {
  upstream: RepoId
  /** The fork (`GITHUB_REPOSITORY`). */
  fork: RepoId
  /** `GITHUB_SERVER_URL`, e.g. `https://github.com`. */
  serverUrl: string
  /** The upstream tag being synced. */
  tag: string
  /** Its version, e.g. `1.81.9`. */
  version: string
  /** The newest upstream version the target branch already contains, when known. */
  previousVersion?: string
  /** The tag of that version, when known (enables the compare link). */
  previousTag?: string
  /** The fork's branch the PR targets. */
  targetBranch: string
  /** The sync branch, `<branch-prefix><tag>`. */
  syncBranch: string
  /** Upstream's GitHub release for the tag, if it published one. */
  release?: ReleaseInfo
  merge: MergeResult
  /** The workflow run's URL (`${server}/${repo}/actions/runs/${id}`). */
  runUrl?: string
  /** The fork's checklist items (Markdown, one item each). */
  checklist: string[]
  dryRun: boolean
  /** Set when upstream moved the tag to another commit and the open PR was refreshed. */
  refreshedFrom?: { oldSha: string; newSha: string }
  /** Older sync PRs this one supersedes (closed by the run). */
  supersedes?: { number: number; url: string }[]
}

/** What the run did, known only after the PR was opened; shown by the job summary and the report file. */
export interface RunOutcome {
  /** The `result` output: `created`, `updated`, `up-to-date`, `skipped` or `dry-run`. */
  result: string
  /** One line on what happened, e.g. "Opened PR #12 for v1.81.9-stable (conflicts)." */
  message?: string
  /** The sync PR (for `skipped`: the closed PR that means "skip this release"; its number may be unknown). */
  pullRequest?: { number?: number; url: string }
}

/**
 * The job summary of any run, including those that never got to a merge (`up-to-date`, `skipped`): with a `view`
 * it is the full report, without one a short table of what is known. The shape `main.ts` hands over.
 */
export interface SummaryInput {
  view?: ReportView
  result: string
  message: string
  /** `owner/name` */
  upstream: string
  /** The target branch. */
  target: string
  tag?: string
  previousVersion?: string
  version?: string
  prUrl?: string
  prNumber?: number
}

// ---------------------------------------------------------------------------------------------------------------------
// View

/** One conflict left for a human. */
export interface ConflictRow {
  /** The path, plain text (escaped by `{{path}}`). */
  path: string
  /** The path as inline code, for prose and lists. */
  pathCode: string
  /** The path as inline code, safe in a table cell (`|` escaped). */
  pathCell: string
  /** git's conflict kind: `content`, `add/add`, `modify/delete`, `rename/delete`, `rename/rename`, `binary`, … */
  kind: ConflictKind
  /** The fork's rule for the path: `ours`, `theirs` or `manual`. */
  rule: Resolution
  /** git's own one-line description, plain text. */
  message: string
  /** The rule's note (fork-written Markdown) on one line; empty when none. */
  noteMd: string
  /** The same note, safe in a table cell. */
  noteCell: string
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

/**
 * What the templates render. Field kinds: *text* is plain text, escaped for Markdown prose by `{{name}}` (not for
 * use inside code spans or raw HTML); *md* is ready Markdown and *url* a ready URL, both printed with `{{{name}}}`;
 * *bool* and *list* drive `{{#name}}…{{/name}}` sections; *number* prints with `{{name}}`.
 * `TEMPLATE_VARIABLES` documents every field (and a test keeps it in step with this type).
 */
export interface ReportView {
  upstream: string
  fork: string
  tag: string
  version: string
  previousVersion: string
  previousTag: string
  targetBranch: string
  syncBranch: string
  releaseName: string
  mergeStatus: 'clean' | 'conflicts'
  targetSha: string
  targetShortSha: string
  tagSha: string
  headSha: string

  commits: number
  files: number
  conflictCount: number
  autoResolvedCount: number
  customizationCount: number
  folderCount: number

  upstreamUrl: string
  forkUrl: string
  releaseUrl: string
  tagUrl: string
  compareUrl: string
  runUrl: string
  syncBranchUrl: string
  targetBranchUrl: string

  tagCode: string
  syncBranchCode: string
  targetBranchCode: string
  targetShaCode: string
  versionChangeMd: string
  mergeStatusMd: string
  supersedesMd: string
  releaseNotesMd: string
  resolveCommandsMd: string
  rollbackCommandsMd: string
  rollbackResetMd: string
  moreDetailsMd: string

  dryRun: boolean
  clean: boolean
  hasConflicts: boolean
  hasAutoResolved: boolean
  allAutoResolved: boolean
  hasCustomizations: boolean
  hasFolders: boolean
  hasChecklist: boolean
  hasRelease: boolean
  hasReleaseName: boolean
  hasReleaseNotes: boolean
  releaseNotesTruncated: boolean
  hasPrevious: boolean
  hasCompare: boolean
  hasRun: boolean
  hasSupersedes: boolean
  refreshed: boolean
  truncated: boolean

  conflicts: ConflictRow[]
  conflictsMore: number
  autoResolved: AutoResolvedRow[]
  autoResolvedMore: number
  customizations: PathRow[]
  customizationsMore: number
  folders: FolderRow[]
  foldersMore: number
  checklist: string[]
  supersedes: SupersededRow[]
  refreshedFrom: ShaChange | null

  result: string
  hasResult: boolean
  message: string
  hasMessage: boolean
  pullRequest: PullRequestRow | null
  hasPullRequest: boolean
}

/** One documented template variable. */
export interface TemplateVariable {
  name: string
  kind: 'text' | 'md' | 'url' | 'bool' | 'number' | 'list' | 'object'
  description: string
}

/**
 * The template variable reference: every field of `ReportView` (and of its list rows, as `list.field`), for custom
 * template authors. `templateVariablesMarkdown()` renders it as the README's table.
 */
export const TEMPLATE_VARIABLES: readonly TemplateVariable[] = [
  { name: 'upstream', kind: 'text', description: 'The upstream repository, `owner/name`.' },
  { name: 'fork', kind: 'text', description: 'The fork, `owner/name`.' },
  { name: 'tag', kind: 'text', description: 'The upstream tag being synced, e.g. `v1.81.9-stable`.' },
  { name: 'version', kind: 'text', description: 'The version of that tag, e.g. `1.81.9`.' },
  { name: 'previousVersion', kind: 'text', description: 'The newest upstream version the target branch already has; empty when unknown.' },
  { name: 'previousTag', kind: 'text', description: 'The tag of that version; empty when unknown.' },
  { name: 'targetBranch', kind: 'text', description: 'The fork branch the PR merges into.' },
  { name: 'syncBranch', kind: 'text', description: 'The PR branch, `<branch-prefix><tag>`.' },
  { name: 'releaseName', kind: 'text', description: "Title of upstream's GitHub release (mentions and references defused); empty when none." },
  { name: 'mergeStatus', kind: 'text', description: '`clean` or `conflicts`.' },
  { name: 'targetSha', kind: 'text', description: "The target branch's commit the merge was made on: the rollback point." },
  { name: 'targetShortSha', kind: 'text', description: 'Its first 12 hex digits.' },
  { name: 'tagSha', kind: 'text', description: "The upstream tag's commit." },
  { name: 'headSha', kind: 'text', description: 'What the sync branch points at: the merge commit, or the tag commit while conflicts remain.' },
  { name: 'commits', kind: 'number', description: 'Upstream commits the target branch does not have yet.' },
  { name: 'files', kind: 'number', description: 'Files upstream changed since the merge base.' },
  { name: 'conflictCount', kind: 'number', description: 'Conflicted files left for a human.' },
  { name: 'autoResolvedCount', kind: 'number', description: 'Conflicts settled by auto-resolve.' },
  { name: 'customizationCount', kind: 'number', description: 'Fork-customized files upstream also changed.' },
  { name: 'folderCount', kind: 'number', description: 'Top-level folders upstream changed.' },
  { name: 'upstreamUrl', kind: 'url', description: "The upstream repository's page." },
  { name: 'forkUrl', kind: 'url', description: "The fork's page." },
  { name: 'releaseUrl', kind: 'url', description: "Upstream's release page for the tag (`…/releases/tag/<tag>`); empty when there is no release." },
  { name: 'tagUrl', kind: 'url', description: "Upstream's tree at the tag." },
  { name: 'compareUrl', kind: 'url', description: 'Upstream compare view `previousTag...tag`; empty when the previous tag is unknown.' },
  { name: 'runUrl', kind: 'url', description: 'The workflow run; empty when unknown.' },
  { name: 'syncBranchUrl', kind: 'url', description: 'The sync branch in the fork.' },
  { name: 'targetBranchUrl', kind: 'url', description: 'The target branch in the fork.' },
  { name: 'tagCode', kind: 'md', description: 'The tag as inline code.' },
  { name: 'syncBranchCode', kind: 'md', description: 'The sync branch as inline code.' },
  { name: 'targetBranchCode', kind: 'md', description: 'The target branch as inline code.' },
  { name: 'targetShaCode', kind: 'md', description: 'The target commit (short) as inline code.' },
  { name: 'versionChangeMd', kind: 'md', description: '`previous` → `new`, or the new version alone when the previous one is unknown.' },
  { name: 'mergeStatusMd', kind: 'md', description: 'Merge status with an icon and counts, e.g. "⚠️ **conflicts** in 3 files".' },
  { name: 'supersedesMd', kind: 'md', description: 'Links to the older sync PRs this one supersedes, comma separated.' },
  { name: 'releaseNotesMd', kind: 'md', description: "Upstream's release notes as a block quote, mentions and bare references defused; cut (with a link) only when the body would exceed GitHub's limit." },
  { name: 'resolveCommandsMd', kind: 'md', description: "A shell code block that redoes the merge on the sync branch and resolves each file by the fork's rules." },
  { name: 'rollbackCommandsMd', kind: 'md', description: 'A shell code block that reverts the merge after the PR was merged.' },
  { name: 'rollbackResetMd', kind: 'md', description: 'The force-push that puts the target branch back to `targetSha`, as inline code.' },
  { name: 'moreDetailsMd', kind: 'md', description: 'Where the full lists are (job summary and report file of the run), for after a cut list.' },
  { name: 'dryRun', kind: 'bool', description: 'The run was a dry run: nothing was pushed.' },
  { name: 'clean', kind: 'bool', description: 'The merge is clean (possibly after auto-resolve); the branch holds the merge commit.' },
  { name: 'hasConflicts', kind: 'bool', description: 'Conflicts remain for a human.' },
  { name: 'hasAutoResolved', kind: 'bool', description: 'Auto-resolve settled at least one conflict.' },
  { name: 'allAutoResolved', kind: 'bool', description: 'Auto-resolve settled every conflict (PR labelled `auto-resolved`).' },
  { name: 'hasCustomizations', kind: 'bool', description: '`customizations` is not empty.' },
  { name: 'hasFolders', kind: 'bool', description: '`folders` is not empty.' },
  { name: 'hasChecklist', kind: 'bool', description: '`checklist` is not empty.' },
  { name: 'hasRelease', kind: 'bool', description: 'Upstream published a GitHub release for the tag.' },
  { name: 'hasReleaseName', kind: 'bool', description: 'The release has a name other than the tag.' },
  { name: 'hasReleaseNotes', kind: 'bool', description: 'The release has notes.' },
  { name: 'releaseNotesTruncated', kind: 'bool', description: 'The notes were cut to fit the body.' },
  { name: 'hasPrevious', kind: 'bool', description: 'The previous version is known.' },
  { name: 'hasCompare', kind: 'bool', description: '`compareUrl` is set.' },
  { name: 'hasRun', kind: 'bool', description: '`runUrl` is set.' },
  { name: 'hasSupersedes', kind: 'bool', description: '`supersedes` is not empty.' },
  { name: 'refreshed', kind: 'bool', description: 'Upstream moved the tag and the PR was refreshed to the new commit.' },
  { name: 'truncated', kind: 'bool', description: 'At least one list was cut to fit.' },
  { name: 'conflicts', kind: 'list', description: 'Conflicts left for a human, by path.' },
  { name: 'conflicts.path', kind: 'text', description: 'The path.' },
  { name: 'conflicts.pathCode', kind: 'md', description: 'The path as inline code.' },
  { name: 'conflicts.pathCell', kind: 'md', description: 'The path as inline code, for a table cell.' },
  { name: 'conflicts.kind', kind: 'text', description: "git's conflict kind: `content`, `add/add`, `modify/delete`, `rename/delete`, `rename/rename`, `binary`, `file/directory`, …" },
  { name: 'conflicts.rule', kind: 'text', description: "The fork's rule: `ours`, `theirs` or `manual`." },
  { name: 'conflicts.message', kind: 'text', description: "git's own description of the conflict." },
  { name: 'conflicts.noteMd', kind: 'md', description: "The rule's note (the fork's Markdown) on one line." },
  { name: 'conflicts.noteCell', kind: 'md', description: 'The note, for a table cell.' },
  { name: 'conflictsMore', kind: 'number', description: 'Conflicts left out of `conflicts` to fit the body (0 when none).' },
  { name: 'autoResolved', kind: 'list', description: 'Conflicts auto-resolve settled, by path.' },
  { name: 'autoResolved.path', kind: 'text', description: 'The path.' },
  { name: 'autoResolved.pathCode', kind: 'md', description: 'The path as inline code.' },
  { name: 'autoResolved.pathCell', kind: 'md', description: 'The path as inline code, for a table cell.' },
  { name: 'autoResolved.kind', kind: 'text', description: "git's conflict kind." },
  { name: 'autoResolved.side', kind: 'text', description: 'The side kept: `ours` or `theirs`.' },
  { name: 'autoResolved.sideLabel', kind: 'text', description: '"ours (fork)" or "theirs (upstream)".' },
  { name: 'autoResolved.message', kind: 'text', description: "git's own description of the conflict." },
  { name: 'autoResolved.noteMd', kind: 'md', description: "The rule's note on one line." },
  { name: 'autoResolved.noteCell', kind: 'md', description: 'The note, for a table cell.' },
  { name: 'autoResolvedMore', kind: 'number', description: 'Auto-resolved files left out to fit the body.' },
  { name: 'customizations', kind: 'list', description: 'Files the fork changed since the merge base that upstream changed too.' },
  { name: 'customizations.path', kind: 'text', description: 'The path.' },
  { name: 'customizations.pathCode', kind: 'md', description: 'The path as inline code.' },
  { name: 'customizations.pathCell', kind: 'md', description: 'The path as inline code, for a table cell.' },
  { name: 'customizationsMore', kind: 'number', description: 'Customized files left out to fit the body.' },
  { name: 'folders', kind: 'list', description: "Upstream's changes by top-level folder, most changed first." },
  { name: 'folders.folder', kind: 'text', description: 'The folder; `(top level)` for files at the root.' },
  { name: 'folders.folderCode', kind: 'md', description: 'The folder as inline code.' },
  { name: 'folders.folderCell', kind: 'md', description: 'The folder, for a table cell.' },
  { name: 'folders.added', kind: 'number', description: 'Files added.' },
  { name: 'folders.modified', kind: 'number', description: 'Files modified.' },
  { name: 'folders.deleted', kind: 'number', description: 'Files deleted.' },
  { name: 'folders.renamed', kind: 'number', description: 'Files renamed.' },
  { name: 'folders.total', kind: 'number', description: 'All four together.' },
  { name: 'foldersMore', kind: 'number', description: 'Folders left out to fit the body.' },
  { name: 'checklist', kind: 'list', description: "The config's checklist items, each one line of Markdown: print with `{{{.}}}`." },
  { name: 'supersedes', kind: 'list', description: 'Older sync PRs this one supersedes.' },
  { name: 'supersedes.number', kind: 'number', description: 'PR number.' },
  { name: 'supersedes.url', kind: 'url', description: 'PR URL.' },
  { name: 'supersedes.linkMd', kind: 'md', description: '`[#12](url)`.' },
  { name: 'refreshedFrom', kind: 'object', description: 'Set when upstream moved the tag and the PR was refreshed; null otherwise.' },
  { name: 'refreshedFrom.oldSha', kind: 'text', description: 'The commit the tag pointed at before.' },
  { name: 'refreshedFrom.newSha', kind: 'text', description: 'The commit it points at now.' },
  { name: 'refreshedFrom.oldShaCode', kind: 'md', description: 'The old commit (short) as inline code.' },
  { name: 'refreshedFrom.newShaCode', kind: 'md', description: 'The new commit (short) as inline code.' },
  { name: 'result', kind: 'text', description: 'Job summary and report only: the `result` output (`created`, `updated`, …); empty in the PR body.' },
  { name: 'hasResult', kind: 'bool', description: '`result` is set.' },
  { name: 'message', kind: 'text', description: 'Job summary and report only: one line on what the run did; empty in the PR body.' },
  { name: 'hasMessage', kind: 'bool', description: '`message` is set.' },
  { name: 'pullRequest', kind: 'object', description: 'Job summary and report only: the sync PR; null otherwise.' },
  { name: 'pullRequest.number', kind: 'number', description: 'PR number.' },
  { name: 'pullRequest.url', kind: 'url', description: 'PR URL.' },
  { name: 'pullRequest.linkMd', kind: 'md', description: '`[#12](url)`.' },
  { name: 'hasPullRequest', kind: 'bool', description: '`pullRequest` is set.' }
]

/** The variable reference as a Markdown table (for the README). */
export function templateVariablesMarkdown(): string {
  const rows = TEMPLATE_VARIABLES.map((v) => {
    const usage = v.kind === 'md' || v.kind === 'url' ? `{{{${v.name}}}}` : v.kind === 'bool' || v.kind === 'list' || v.kind === 'object' ? `{{#${v.name}}}…{{/${v.name}}}` : `{{${v.name}}}`
    const shown = v.name.includes('.') ? usage.replace(v.name, v.name.split('.')[1] as string) : usage
    return `| \`${v.name}\` | ${v.kind} | \`${shown}\` | ${v.description.replace(/\|/g, '\\|')} |`
  })
  return ['| Variable | Kind | Use | Description |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

function shortSha(sha: string): string {
  return sha.slice(0, 12)
}

function repoName(id: RepoId): string {
  return `${id.owner}/${id.repo}`
}

function repoUrl(serverUrl: string, id: RepoId): string {
  return `${serverUrl}/${encodePathPart(id.owner)}/${encodePathPart(id.repo)}`
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0
}

function conflictRow(c: Conflict): ConflictRow {
  return {
    path: c.path,
    pathCode: codeSpan(c.path),
    pathCell: codeSpan(c.path, { table: true }),
    kind: c.kind,
    rule: c.resolution,
    message: c.message,
    noteMd: inlineMarkdown(c.note ?? ''),
    noteCell: tableCellMarkdown(c.note ?? '')
  }
}

function autoResolvedRow(c: Conflict): AutoResolvedRow {
  // `autoResolved` is always set on these; the rule is the fallback that says the same thing.
  const side = c.autoResolved ?? (c.resolution === 'theirs' ? 'theirs' : 'ours')
  const { path, pathCode, pathCell, kind, message, noteMd, noteCell } = conflictRow(c)
  return { path, pathCode, pathCell, kind, side, sideLabel: side === 'ours' ? 'ours (fork)' : 'theirs (upstream)', message, noteMd, noteCell }
}

function pathRow(path: string): PathRow {
  return { path, pathCode: codeSpan(path), pathCell: codeSpan(path, { table: true }) }
}

function folderRow(f: FolderChanges): FolderRow {
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

/** Turns the run's raw data into the view every template renders; all escaping and formatting happen here. */
export function buildReportView(input: ReportInput): ReportView {
  const serverUrl = input.serverUrl.replace(/\/+$/, '')
  const merge = input.merge
  const upstreamUrl = repoUrl(serverUrl, input.upstream)
  const forkUrl = repoUrl(serverUrl, input.fork)
  const previousVersion = input.previousVersion ?? ''
  const previousTag = input.previousTag ?? ''
  const hasRelease = input.release !== undefined
  const runUrl = safeUrl(input.runUrl)

  const conflicts = merge.conflicts.map(conflictRow).sort(byPath)
  const autoResolved = merge.autoResolved.map(autoResolvedRow).sort(byPath)
  const customizations = [...new Set(merge.forkCustomizations)].sort().map(pathRow)
  const folders = merge.changes.byFolder
    .map(folderRow)
    .sort((a, b) => b.total - a.total || (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0))
  const checklist = input.checklist.map(inlineMarkdown).filter((item) => item !== '')
  const supersedes = (input.supersedes ?? []).map((pr) => {
    const url = safeUrl(pr.url)
    return { number: pr.number, url, linkMd: url ? `[#${pr.number}](${url})` : `#${pr.number}` }
  })

  const notes = input.release?.body?.trim() ?? ''
  const releaseNotesMd = notes
    ? blockquote(neutralizeReleaseNotes(notes, { upstream: input.upstream, serverUrl }))
    : ''
  const releaseName = input.release?.name?.trim() ?? ''

  const hasConflicts = merge.status === 'conflicts' && conflicts.length > 0
  const clean = !hasConflicts
  const conflictCount = hasConflicts ? conflicts.length : 0

  const versionChangeMd = previousVersion
    ? `${codeSpan(previousVersion)} → ${codeSpan(input.version)}`
    : `${codeSpan(input.version)} (previous version unknown)`
  const mergeStatusMd = hasConflicts
    ? `⚠️ **conflicts** in ${plural(conflictCount, 'file')}${autoResolved.length ? `, ${autoResolved.length} more auto-resolved` : ''}`
    : autoResolved.length
      ? `✅ **clean** after auto-resolving ${plural(autoResolved.length, 'conflict')}`
      : '✅ **clean merge**'

  const moreDetailsMd = runUrl
    ? `The full lists are in the [workflow run](${runUrl})'s job summary and in its report file.`
    : "The full lists are in the workflow run's job summary and in its report file."

  const view: ReportView = {
    upstream: repoName(input.upstream),
    fork: repoName(input.fork),
    tag: input.tag,
    version: input.version,
    previousVersion,
    previousTag,
    targetBranch: input.targetBranch,
    syncBranch: input.syncBranch,
    releaseName,
    mergeStatus: hasConflicts ? 'conflicts' : 'clean',
    targetSha: merge.targetSha,
    targetShortSha: shortSha(merge.targetSha),
    tagSha: merge.tagSha,
    headSha: merge.headSha,

    commits: merge.changes.commits,
    files: merge.changes.files,
    conflictCount,
    autoResolvedCount: autoResolved.length,
    customizationCount: customizations.length,
    folderCount: folders.length,

    upstreamUrl,
    forkUrl,
    releaseUrl: hasRelease ? `${upstreamUrl}/releases/tag/${encodePathPart(input.tag)}` : '',
    tagUrl: `${upstreamUrl}/tree/${encodePathPart(input.tag)}`,
    compareUrl: previousTag ? `${upstreamUrl}/compare/${encodePathPart(previousTag)}...${encodePathPart(input.tag)}` : '',
    runUrl,
    syncBranchUrl: `${forkUrl}/tree/${encodePathPart(input.syncBranch)}`,
    targetBranchUrl: `${forkUrl}/tree/${encodePathPart(input.targetBranch)}`,

    tagCode: codeSpan(input.tag),
    syncBranchCode: codeSpan(input.syncBranch),
    targetBranchCode: codeSpan(input.targetBranch),
    targetShaCode: codeSpan(shortSha(merge.targetSha)),
    versionChangeMd,
    mergeStatusMd,
    supersedesMd: supersedes.map((pr) => pr.linkMd).join(', '),
    releaseNotesMd,
    resolveCommandsMd: '',
    rollbackCommandsMd: rollbackCommands(input.targetBranch),
    rollbackResetMd: codeSpan(`git push --force-with-lease origin ${shellQuote(`${merge.targetSha}:refs/heads/${input.targetBranch}`)}`),
    moreDetailsMd,

    dryRun: input.dryRun,
    clean,
    hasConflicts,
    hasAutoResolved: autoResolved.length > 0,
    allAutoResolved: clean && autoResolved.length > 0,
    hasCustomizations: customizations.length > 0,
    hasFolders: folders.length > 0,
    hasChecklist: checklist.length > 0,
    hasRelease,
    hasReleaseName: releaseName !== '' && releaseName !== input.tag,
    hasReleaseNotes: releaseNotesMd !== '',
    releaseNotesTruncated: false,
    hasPrevious: previousVersion !== '',
    hasCompare: previousTag !== '',
    hasRun: runUrl !== '',
    hasSupersedes: supersedes.length > 0,
    refreshed: input.refreshedFrom !== undefined,
    truncated: false,

    conflicts: hasConflicts ? conflicts : [],
    conflictsMore: 0,
    autoResolved,
    autoResolvedMore: 0,
    customizations,
    customizationsMore: 0,
    folders,
    foldersMore: 0,
    checklist,
    supersedes,
    refreshedFrom: input.refreshedFrom
      ? {
          oldSha: input.refreshedFrom.oldSha,
          newSha: input.refreshedFrom.newSha,
          oldShaCode: codeSpan(shortSha(input.refreshedFrom.oldSha)),
          newShaCode: codeSpan(shortSha(input.refreshedFrom.newSha))
        }
      : null,

    result: '',
    hasResult: false,
    message: '',
    hasMessage: false,
    pullRequest: null,
    hasPullRequest: false
  }
  // Auto-resolved files need commands only while conflicts remain: the branch then holds the tag, not the merge.
  view.resolveCommandsMd = resolveCommands(view, view.conflicts, hasConflicts ? view.autoResolved : [], 0)
  return view
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

// ---------------------------------------------------------------------------------------------------------------------
// Commands

/** `git` with literal pathspecs when a path contains pathspec magic (`*`, `?`, `[`, `\`, a leading `:`). */
function gitFor(path: string): string {
  return /[*?[\]\\]/.test(path) || path.startsWith(':') ? 'git --literal-pathspecs' : 'git'
}

function sideCommand(path: string, side: 'ours' | 'theirs', kind: ConflictKind): string {
  const git = gitFor(path)
  const quoted = shellQuote(path)
  let line = `${git} checkout --${side} -- ${quoted} && ${git} add -- ${quoted}`
  if (kind === 'modify/delete' || kind === 'rename/delete') {
    line += `   # if ${side === 'ours' ? 'the fork' : 'upstream'} deleted it: ${git} rm -- ${quoted}`
  } else if (kind !== 'content' && kind !== 'add/add' && kind !== 'binary') {
    line += `   # ${kind}: check git status before committing`
  }
  return line
}

/**
 * Copy-paste commands that redo the merge for this branch and target. The merge runs *from the target branch*, so
 * that "ours" is the fork and "theirs" upstream — exactly the rules' words — and the result is the merge commit the
 * action would have made (first parent: the target). It descends from the sync branch's tag commit, so the final
 * push is a fast-forward: no force needed, and a maintainer's earlier pushes to the branch are merged, not lost.
 */
function resolveCommands(view: Pick<ReportView, 'syncBranch' | 'targetBranch'>, conflicts: ConflictRow[], autoResolved: AutoResolvedRow[], omitted: number): string {
  const sync = shellQuote(view.syncBranch)
  const lines = [
    'git fetch origin',
    `git switch --no-track -c ${sync} ${shellQuote(`origin/${view.targetBranch}`)}`,
    `git merge --no-ff --no-edit ${shellQuote(`origin/${view.syncBranch}`)}   # stops at the conflicts: expected`
  ]
  const ours = conflicts.filter((c) => c.rule === 'ours')
  const theirs = conflicts.filter((c) => c.rule === 'theirs')
  const manual = conflicts.filter((c) => c.rule === 'manual')
  if (ours.length) {
    lines.push('', "# rule ours: keep the fork's version")
    for (const c of ours) lines.push(sideCommand(c.path, 'ours', c.kind))
  }
  if (theirs.length) {
    lines.push('', "# rule theirs: take upstream's version")
    for (const c of theirs) lines.push(sideCommand(c.path, 'theirs', c.kind))
  }
  if (autoResolved.length) {
    lines.push('', '# auto-resolved in the action\'s merge: keep the same side here')
    for (const c of autoResolved) lines.push(sideCommand(c.path, c.side, c.kind))
  }
  if (manual.length) {
    lines.push('', '# rule manual: edit each file, remove the conflict markers, then mark it resolved')
    for (const c of manual) lines.push(`${gitFor(c.path)} add -- ${shellQuote(c.path)}`)
  }
  if (omitted > 0) {
    lines.push('', `# …and ${plural(omitted, 'more file')}: see the full list in the run's job summary or report file`)
  }
  lines.push('', 'git commit --no-edit', `git push origin ${sync}`)
  return fencedBlock(lines.join('\n'), 'sh')
}

function rollbackCommands(targetBranch: string): string {
  const target = shellQuote(targetBranch)
  return fencedBlock(
    [
      'git fetch origin',
      `git switch ${target}`,
      `git merge --ff-only ${shellQuote(`origin/${targetBranch}`)}`,
      'git revert -m 1 MERGE_SHA   # MERGE_SHA: the merge commit of this pull request',
      `git push origin ${target}`
    ].join('\n'),
    'sh'
  )
}

// ---------------------------------------------------------------------------------------------------------------------
// Rendering and fitting

interface Limits {
  conflicts: number
  autoResolved: number
  customizations: number
  folders: number
  /** Characters of `releaseNotesMd`. */
  notes: number
}

const LISTS = ['conflicts', 'autoResolved', 'customizations', 'folders'] as const

/** The view with each list cut to its limit, the "…and N more" counts and the commands to match. */
function limitView(view: ReportView, limits: Limits): ReportView {
  const conflicts = view.conflicts.slice(0, limits.conflicts)
  const autoResolved = view.autoResolved.slice(0, limits.autoResolved)
  const customizations = view.customizations.slice(0, limits.customizations)
  const folders = view.folders.slice(0, limits.folders)
  const conflictsMore = view.conflicts.length - conflicts.length + view.conflictsMore
  const autoResolvedMore = view.autoResolved.length - autoResolved.length + view.autoResolvedMore
  const limited: ReportView = {
    ...view,
    conflicts,
    conflictsMore,
    autoResolved,
    autoResolvedMore,
    customizations,
    customizationsMore: view.customizations.length - customizations.length + view.customizationsMore,
    folders,
    foldersMore: view.folders.length - folders.length + view.foldersMore
  }
  limited.truncated = limited.conflictsMore + limited.autoResolvedMore + limited.customizationsMore + limited.foldersMore > 0
  if (conflicts.length !== view.conflicts.length || autoResolved.length !== view.autoResolved.length) {
    limited.resolveCommandsMd = resolveCommands(view, conflicts, view.hasConflicts ? autoResolved : [], conflictsMore + (view.hasConflicts ? autoResolvedMore : 0))
  }
  if (limits.notes < view.releaseNotesMd.length) {
    const link = view.releaseUrl || view.tagUrl
    const kept = truncateAtLine(view.releaseNotesMd, limits.notes)
    limited.releaseNotesMd = `${kept}${kept ? '\n>\n' : ''}> *…release notes cut to fit GitHub's size limit: [read them in full](${link}).*`
    limited.releaseNotesTruncated = true
  }
  return limited
}

function fullLimits(view: ReportView): Limits {
  return {
    conflicts: view.conflicts.length,
    autoResolved: view.autoResolved.length,
    customizations: view.customizations.length,
    folders: view.folders.length,
    notes: view.releaseNotesMd.length
  }
}

interface FitOptions {
  /** Renders a (limited) view. */
  render: (view: ReportView) => string
  /** Size as the destination counts it (characters for a PR body, bytes for a summary). */
  size: (text: string) => number
  budget: number
  /** Most list items to try first. */
  start: number
  /** Lists are not cut below this before the release notes are. */
  floor: number
  /** Appended by the hard cut. */
  cutNotice: string
}

/**
 * Renders, measures and shrinks until the text fits: (1) all lists halved together down to `floor`, then grown back
 * by bisection to the largest size that fits; (2) the release notes cut by the measured excess; (3) lists below the
 * floor down to nothing; (4) a hard cut at a line boundary as the last safety net (a huge custom template, say).
 */
function fit(view: ReportView, options: FitOptions): string {
  const full = fullLimits(view)
  let notes = full.notes
  const limitsAt = (scale: number, floor: number): Limits => {
    const limits = { ...full, notes }
    for (const key of LISTS) limits[key] = Math.min(full[key], Math.max(floor, Math.floor(options.start * scale)))
    return limits
  }
  const attempt = (limits: Limits): { text: string; fits: boolean; excess: number } => {
    const text = options.render(limitView(view, limits))
    const excess = options.size(text) - options.budget
    return { text, fits: excess <= 0, excess }
  }

  // (1) Lists, down to the floor.
  let scale = 1
  let result = attempt(limitsAt(scale, options.floor))
  if (result.fits) return result.text
  let failed = scale
  while (!result.fits && LISTS.some((key) => limitsAt(scale, options.floor)[key] > Math.min(full[key], options.floor))) {
    failed = scale
    scale /= 2
    result = attempt(limitsAt(scale, options.floor))
  }
  if (result.fits) {
    // Grow back: the largest scale between the one that fits and the one that failed.
    let low = scale
    let high = failed
    let best = result
    for (let i = 0; i < 6; i++) {
      const mid = (low + high) / 2
      const trial = attempt(limitsAt(mid, options.floor))
      if (trial.fits) {
        low = mid
        best = trial
      } else {
        high = mid
      }
    }
    return best.text
  }

  // (2) Release notes, by the measured excess (sizes in bytes are at least the characters cut, so this converges).
  for (let round = 0; round < 8 && !result.fits && notes > 0; round++) {
    notes = Math.max(0, notes - result.excess - 256)
    result = attempt(limitsAt(scale, options.floor))
  }
  if (result.fits) return result.text

  // (3) Lists below the floor.
  for (let floor = Math.floor(options.floor / 2); !result.fits; floor = Math.floor(floor / 2)) {
    result = attempt(limitsAt(0, floor))
    if (floor === 0) break
  }
  if (result.fits) return result.text

  // (4) Hard cut.
  return hardCut(result.text, options)
}

function hardCut(text: string, options: FitOptions): string {
  const notice = `\n\n${options.cutNotice}\n`
  let end = options.budget - options.size(notice)
  let cut = truncateAtLine(text, end)
  while (end > 0 && options.size(cut) + options.size(notice) > options.budget) {
    end -= options.size(cut) + options.size(notice) - options.budget + 16
    cut = truncateAtLine(text, end)
  }
  return safeSlice(cut, Math.max(0, end)) + notice
}

function mustacheRender(template: string, view: ReportView): string {
  // Mustache's HTML escaping is wrong for Markdown (it would turn `/` into `&#x2F;`, visible inside code spans):
  // `{{x}}` escapes for Markdown instead, `{{{x}}}` prints the view's ready-made Markdown as it is.
  return Mustache.render(template, view, {}, { escape: escapeMarkdown })
}

export interface RenderPrBodyOptions {
  /** Character budget; defaults to GitHub's limit minus a margin for anything appended later. */
  maxChars?: number
  /** Names the template's source in errors (the `template` input or config key). */
  sourceName?: string
}

/**
 * Renders the PR body with the default or a custom template, shrinking lists (and, last, the release notes) until
 * it fits GitHub's limit. A bad template throws a `TemplateError` naming `sourceName`.
 */
export function renderPrBody(view: ReportView, template: string = DEFAULT_TEMPLATE, options: RenderPrBodyOptions = {}): string {
  if (template !== DEFAULT_TEMPLATE) validateTemplate(template, options.sourceName ?? 'the custom template')
  const more = view.hasRun ? ` The full report is in the [workflow run](${view.runUrl})'s job summary.` : " The full report is in the workflow run's job summary."
  // The marker goes after whatever the template rendered (custom templates included) and outside the budget the
  // body is fitted to, so no cut can drop it.
  const marker = view.tagSha ? `\n\n${syncMarker(view.tag, view.tagSha)}\n` : ''
  const body = fit(view, {
    render: (v) => mustacheRender(template, v),
    size: (text) => text.length,
    budget: (options.maxChars ?? PR_BODY_MAX_CHARS - 512) - marker.length,
    start: 1000,
    floor: 20,
    cutNotice: `> [!WARNING]\n> This description was cut at GitHub's size limit.${more}`
  })
  return marker ? body.replace(/\n+$/, '') + marker : body
}

// ---------------------------------------------------------------------------------------------------------------------
// The sync marker

/**
 * A hidden line at the end of every PR body: the upstream tag and the commit the sync branch was built from, as the
 * run that wrote the body saw them. It is the action's own record, kept apart from the branch, so a later run can
 * tell an untouched sync branch from a maintainer's work on it even after upstream re-points the tag at a commit that
 * does not descend from the old one (a re-cut release), where the branch's history alone cannot say whose its commits
 * are. An HTML comment interrupts any paragraph before it, so it never shows.
 */
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

/** The PR title: stable across refreshes (the state is in the labels), so updating a PR never churns it. */
export function renderTitle(view: Pick<ReportView, 'upstream' | 'tag'>): string {
  const title = `Upstream sync: ${view.upstream} ${view.tag}`
  return title.length <= PR_TITLE_MAX_CHARS ? title : `${safeSlice(title, PR_TITLE_MAX_CHARS - 1)}…`
}

function pullRequestRow(pull: { number?: number; url: string }): PullRequestRow {
  const url = safeUrl(pull.url)
  const label = pull.number ? `#${pull.number}` : 'pull request'
  return { number: pull.number ?? 0, url, linkMd: url ? `[${label}](${url})` : escapeMarkdown(label) }
}

function withOutcome(view: ReportView, outcome: RunOutcome | undefined): ReportView {
  if (!outcome) return view
  const message = outcome.message?.trim() ?? ''
  return {
    ...view,
    result: outcome.result,
    hasResult: outcome.result !== '',
    message,
    hasMessage: message !== '',
    pullRequest: outcome.pullRequest ? pullRequestRow(outcome.pullRequest) : null,
    hasPullRequest: outcome.pullRequest !== undefined
  }
}

/** The summary of a run that has no view (nothing was merged): the facts it has, as a short table. */
function shortSummary(input: SummaryInput): string {
  const version = input.version
    ? input.previousVersion
      ? `${codeSpan(input.previousVersion)} → ${codeSpan(input.version)}`
      : codeSpan(input.version)
    : input.previousVersion
      ? `${codeSpan(input.previousVersion)} (current)`
      : ''
  const rows: Array<[string, string]> = [
    ['Upstream', escapeMarkdown(input.upstream)],
    ['Target branch', codeSpan(input.target, { table: true })],
    ...(input.tag ? ([['Tag', codeSpan(input.tag, { table: true })]] as Array<[string, string]>) : []),
    ...(version ? ([['Version', version.replace(/\|/g, '\\|')]] as Array<[string, string]>) : []),
    ['Result', `**${escapeMarkdown(input.result)}**`],
    ...(input.prUrl ? ([['Pull request', pullRequestRow({ number: input.prNumber, url: input.prUrl }).linkMd]] as Array<[string, string]>) : [])
  ]
  return [
    `## Upstream sync: ${escapeMarkdown(input.upstream)}${input.tag ? ` ${escapeMarkdown(input.tag)}` : ''}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([key, value]) => `| ${key} | ${value} |`),
    '',
    escapeMarkdown(input.message),
    ''
  ].join('\n')
}

export interface RenderSummaryOptions {
  /** Byte budget; defaults to 900 KiB, leaving room under GitHub's 1 MiB for anything else the step writes. */
  maxBytes?: number
}

/**
 * The job summary: a short table (upstream, previous → new, result, merge status, conflicts, PR) and the full conflict
 * report — every list in full up to a generous cap, shrunk only to stay under GitHub's 1 MiB summary limit.
 */
export function renderSummary(view: ReportView, outcome?: RunOutcome, options?: RenderSummaryOptions): string
/** The same from what `main.ts` has at the end of any run; without a `view` (nothing merged) a short table. */
export function renderSummary(input: SummaryInput, options?: RenderSummaryOptions): string
export function renderSummary(
  first: ReportView | SummaryInput,
  second?: RunOutcome | RenderSummaryOptions,
  third?: RenderSummaryOptions
): string {
  if (isSummaryInput(first)) {
    const options = (second as RenderSummaryOptions | undefined) ?? {}
    if (!first.view) return shortSummary(first)
    const pullRequest = first.prUrl ? { url: first.prUrl, ...(first.prNumber !== undefined ? { number: first.prNumber } : {}) } : undefined
    return summaryOf(first.view, { result: first.result, message: first.message, ...(pullRequest ? { pullRequest } : {}) }, options)
  }
  return summaryOf(first, second as RunOutcome | undefined, third ?? {})
}

function isSummaryInput(value: ReportView | SummaryInput): value is SummaryInput {
  return !('upstreamUrl' in value)
}

function summaryOf(view: ReportView, outcome: RunOutcome | undefined, options: RenderSummaryOptions): string {
  return fit(withOutcome(view, outcome), {
    render: (v) => mustacheRender(SUMMARY_TEMPLATE, v),
    size: (text) => Buffer.byteLength(text, 'utf8'),
    budget: options.maxBytes ?? 900 * 1024,
    start: 10_000,
    floor: 200,
    cutNotice: '> [!WARNING]\n> This summary was cut at GitHub\'s 1 MiB limit. The full report is in the report file (`report-file` output).'
  })
}

/** The full Markdown report, nothing cut: written to a file under `RUNNER_TEMP` (the `report-file` output). */
export function renderReportFile(view: ReportView, outcome?: RunOutcome): string {
  return mustacheRender(REPORT_TEMPLATE, withOutcome(view, outcome))
}

/** What a dry run prints to the log in place of opening the PR. */
export function renderDryRunPreview(title: string, labels: readonly string[], body: string): string {
  const rule = '─'.repeat(72)
  return [
    `${rule}`,
    'Dry run: the pull request that would be opened',
    `Title:  ${title}`,
    `Labels: ${labels.length ? labels.join(', ') : '(none)'}`,
    rule,
    body.replace(/\n+$/, ''),
    rule
  ].join('\n')
}

// ---------------------------------------------------------------------------------------------------------------------
// Custom templates

/** A custom template that Mustache cannot parse. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemplateError'
  }
}

/**
 * The template line Mustache's error is about. Mustache gives a character offset; for an unclosed section that is
 * the end of the template, so the line of the section's opening tag is looked up instead.
 */
function errorLine(text: string, message: string): number | undefined {
  const at = /\bat (\d+)\s*$/.exec(message)
  if (!at?.[1]) return undefined
  let offset = Number(at[1])
  const unclosed = /^Unclosed section "(.+)" at/.exec(message)
  if (unclosed?.[1]) {
    const name = unclosed[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const opening = [...text.slice(0, offset).matchAll(new RegExp(`\\{\\{\\s*[#^]\\s*${name}\\s*\\}\\}`, 'g'))].pop()
    if (opening?.index !== undefined) offset = opening.index
  }
  return text.slice(0, offset).split('\n').length
}

type Span = [string, string, number, number, Span[]?, number?]

const KNOWN_NAMES = new Set(TEMPLATE_VARIABLES.map((v) => v.name.split('.').pop() as string))

/**
 * Checks a custom PR body template before anything is pushed: throws a `TemplateError` naming `sourceName` (the
 * `template` input or config key and file) with Mustache's own message and the line, on a template that does not
 * parse (an unclosed section, say). Returns warnings for names that are no view field (a typo renders as nothing)
 * and for partials (there are none to include).
 */
export function validateTemplate(text: string, sourceName: string): string[] {
  let spans: Span[]
  try {
    spans = Mustache.parse(text) as unknown as Span[]
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const line = errorLine(text, message)
    const where = line ? ` (line ${line})` : ''
    throw new TemplateError(
      `The PR body template from ${sourceName} is not valid Mustache${where}: ${message}. Fix the template, or remove the setting to use the built-in one.`
    )
  }
  const warnings = new Set<string>()
  const visit = (list: Span[]): void => {
    for (const span of list) {
      const [type, name] = span
      if (type === '>') {
        warnings.add(`${sourceName}: partial {{> ${name}}} renders nothing (the PR body template has no partials).`)
      } else if (type === 'name' || type === '&' || type === '#' || type === '^') {
        const first = name.split('.')[0] ?? name
        if (name !== '.' && !KNOWN_NAMES.has(first)) {
          warnings.add(`${sourceName}: {{${name}}} is not a template variable and renders as nothing (see the README's template variable reference).`)
        }
      }
      if (Array.isArray(span[4])) visit(span[4])
    }
  }
  visit(spans)
  if (text.trim() === '') warnings.add(`${sourceName}: the template is empty, so the PR body will be empty.`)
  return [...warnings]
}
