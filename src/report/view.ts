/**
 * The one view of a run that every template renders (PR body, job summary, report file): built here from the merge
 * and release facts, with all escaping and formatting done, so that the Mustache templates stay logic-less.
 */
import type { MergeResult, ReleaseInfo, RepoId } from '../types.js'
import { resolveCommands, rollbackCommands, rollbackReset } from './commands.js'
import { cleanWorkSummary, groupConflicts, workSummary, type ConflictGroupRow } from './groups.js'
import { blockquote, codeSpan, encodePathPart, inlineMarkdown, plural, safeUrl } from './markdown.js'
import { rebrandView, type RebrandView } from './rebrand.js'
import { neutralizeReleaseNotes } from './release-notes.js'
import {
  autoResolvedRow,
  byChanges,
  byPath,
  conflictRow,
  folderRow,
  pathRow,
  shaChange,
  shortSha,
  supersededRow,
  type AutoResolvedRow,
  type ConflictRow,
  type FolderRow,
  type PathRow,
  type PullRequestRow,
  type ShaChange,
  type SupersededRow
} from './rows.js'

/** Everything a run knows that the PR body, summary and report show. */
export interface ReportInput {
  upstream: RepoId
  /** The fork (`GITHUB_REPOSITORY`). */
  fork: RepoId
  /** The fork's server (`GITHUB_SERVER_URL`), e.g. `https://github.com`. */
  serverUrl: string
  /** The upstream's server when it is another one (`upstream-server-url`); default: the fork's. */
  upstreamServerUrl?: string
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
  /** Why `dispatch-workflow` will not run CI on the sync branch, when it will not. */
  ciNote?: string
}

/**
 * What the templates render. Field kinds: *text* is plain text, escaped for Markdown prose by `{{name}}` (not for
 * use inside code spans or raw HTML); *md* is ready Markdown and *url* a ready URL, both printed with `{{{name}}}`;
 * *bool* and *list* drive `{{#name}}…{{/name}}` sections; *number* prints with `{{name}}`.
 * `variables.ts` documents every field; the compiler keeps that documentation in step with this type.
 */
export interface ReportView extends RebrandView {
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
  historyDisagreementCount: number
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
  workSummaryMd: string

  dryRun: boolean
  clean: boolean
  hasConflicts: boolean
  hasHistoryDisagreements: boolean
  hasHeldForHistory: boolean
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
  conflictsGrouped: boolean
  hasNotSettleable: boolean

  conflicts: ConflictRow[]
  conflictsMore: number
  heldForHistory: PathRow[]
  conflictGroups: ConflictGroupRow[]
  conflictGroupsMore: number
  groupCount: number
  notSettleable: ConflictRow[]
  autoResolved: AutoResolvedRow[]
  autoResolvedMore: number
  customizations: PathRow[]
  customizationsMore: number
  folders: FolderRow[]
  foldersMore: number
  checklist: string[]
  supersedes: SupersededRow[]
  refreshedFrom: ShaChange | null
  ciNote: string
  hasCiNote: boolean

  result: string
  hasResult: boolean
  message: string
  hasMessage: boolean
  pullRequest: PullRequestRow | null
  hasPullRequest: boolean
}

/** Above this many conflicts, the PR body shows them grouped by folder and rule, each group in a collapsible section. */
export const GROUP_ABOVE = 25

/** Turns the run's raw data into the view every template renders; all escaping and formatting happen here. */
export function buildReportView(input: ReportInput): ReportView {
  const serverUrl = input.serverUrl.replace(/\/+$/, '')
  const upstreamServerUrl = (input.upstreamServerUrl ?? serverUrl).replace(/\/+$/, '')
  const merge = input.merge
  // Upstream's pages (release, tag, compare) are on its own server; the fork's branches on the fork's.
  const upstreamUrl = repoUrl(upstreamServerUrl, input.upstream)
  const forkUrl = repoUrl(serverUrl, input.fork)
  const previousVersion = input.previousVersion ?? ''
  const previousTag = input.previousTag ?? ''
  const hasRelease = input.release !== undefined
  const runUrl = safeUrl(input.runUrl)

  const conflicts = merge.conflicts.map((conflict) => conflictRow(conflict, forkUrl)).sort(byPath)
  const heldForHistory = (merge.heldForHistory ?? []).map(pathRow)
  const autoResolved = merge.autoResolved.map(autoResolvedRow).sort(byPath)
  // Conflicted and auto-resolved files have their own lists: "customizations touched" holds the ones that merged cleanly.
  const listed = new Set([...merge.conflicts, ...merge.autoResolved].map((c) => c.path))
  const customizations = [...new Set(merge.forkCustomizations)].filter((path) => !listed.has(path)).sort().map(pathRow)
  const folders = merge.changes.byFolder.map(folderRow).sort(byChanges)
  const checklist = input.checklist.map(inlineMarkdown).filter((item) => item !== '')
  const supersedes = (input.supersedes ?? []).map(supersededRow)

  const notes = input.release?.body?.trim() ?? ''
  const releaseNotesMd = notes
    ? blockquote(neutralizeReleaseNotes(notes, { upstream: input.upstream, serverUrl: upstreamServerUrl, shownOn: serverUrl }))
    : ''
  const releaseName = input.release?.name?.trim() ?? ''

  const hasConflicts = merge.status === 'conflicts' && conflicts.length > 0
  const clean = !hasConflicts
  const conflictCount = hasConflicts ? conflicts.length : 0
  const historyDisagreementCount = hasConflicts ? conflicts.filter((row) => row.againstHistory).length : 0
  const conflictGroups = hasConflicts ? groupConflicts(conflicts) : []
  const notSettleable = hasConflicts ? conflicts.filter((row) => row.whyManual !== '') : []

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
    historyDisagreementCount,
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
    rollbackResetMd: rollbackReset(input.targetBranch, merge.targetSha),
    moreDetailsMd,
    workSummaryMd: hasConflicts ? workSummary(conflictGroups, autoResolved.length) : cleanWorkSummary(autoResolved.length),

    dryRun: input.dryRun,
    clean,
    hasConflicts,
    hasHistoryDisagreements: historyDisagreementCount > 0,
    hasHeldForHistory: hasConflicts && heldForHistory.length > 0,
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
    conflictsGrouped: conflictCount > GROUP_ABOVE,
    hasNotSettleable: notSettleable.length > 0,

    conflicts: hasConflicts ? conflicts : [],
    conflictsMore: 0,
    heldForHistory: hasConflicts ? heldForHistory : [],
    conflictGroups,
    conflictGroupsMore: 0,
    groupCount: conflictGroups.length,
    notSettleable,
    autoResolved,
    autoResolvedMore: 0,
    customizations,
    customizationsMore: 0,
    folders,
    foldersMore: 0,
    checklist,
    supersedes,
    refreshedFrom: input.refreshedFrom ? shaChange(input.refreshedFrom) : null,
    ...rebrandView(merge.rebrand),
    ciNote: input.ciNote ?? '',
    hasCiNote: (input.ciNote ?? '') !== '',

    result: '',
    hasResult: false,
    message: '',
    hasMessage: false,
    pullRequest: null,
    hasPullRequest: false
  }
  // Auto-resolved files need commands only while conflicts remain: the branch then holds the tag, not the merge.
  view.resolveCommandsMd = resolveCommands(view, view.conflicts, hasConflicts ? view.autoResolved : [])
  return view
}

function repoName(id: RepoId): string {
  return `${id.owner}/${id.repo}`
}

function repoUrl(serverUrl: string, id: RepoId): string {
  return `${serverUrl}/${encodePathPart(id.owner)}/${encodePathPart(id.repo)}`
}
