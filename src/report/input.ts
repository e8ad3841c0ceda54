/** The facts of a sync run that its report shows, gathered from the settings, the decision and the merge. */
import type { PullInfo } from '../github/records.js'
import type { SyncDecision } from '../releases/decision.js'
import type { RepoId } from '../types.js'
import type { ReportInput } from './view.js'

/** What the settings contribute to a report. */
export interface ReportSettings {
  upstream: RepoId
  fork: RepoId
  serverUrl: string
  upstreamHost: { serverUrl: string }
  runUrl?: string | undefined
  dryRun: boolean
}

/** The report input of a sync: the settings' and the decision's facts plus what the merge stage found. */
export function syncReportInput(
  settings: ReportSettings,
  decision: SyncDecision<PullInfo>,
  facts: Pick<ReportInput, 'targetBranch' | 'syncBranch' | 'merge' | 'checklist' | 'refreshedFrom' | 'ciNote'>
): ReportInput {
  const { candidate } = decision
  return {
    upstream: settings.upstream,
    fork: settings.fork,
    serverUrl: settings.serverUrl,
    upstreamServerUrl: settings.upstreamHost.serverUrl,
    tag: candidate.tag,
    version: candidate.version.text,
    previousVersion: decision.previous?.text,
    previousTag: decision.previous?.tag,
    release: decision.release,
    runUrl: settings.runUrl,
    dryRun: settings.dryRun,
    ...facts
  }
}
