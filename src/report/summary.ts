/**
 * The job summary and the report file: what the run did, for whoever opens the workflow run. Both show every list in
 * full; the summary shrinks only to stay under GitHub's 1 MiB limit, the report file (under `RUNNER_TEMP`, the
 * `report-file` output) is never cut.
 */
import { fit } from './fit.js'
import { codeSpan, escapeMarkdown } from './markdown.js'
import { pullRequestRow } from './rows.js'
import { BUILT_IN_TEMPLATES } from './template.js'
import type { ReportView } from './view.js'

/** GitHub rejects a step's job summary larger than this many bytes. */
export const SUMMARY_MAX_BYTES = 1_048_576

/** What any run can say about itself at its end, including a run that never got to a merge (`up-to-date`, `skipped`). */
export interface SummaryFacts {
  /** The `result` output: `created`, `updated`, `up-to-date`, `skipped` or `dry-run`; `''` when there is none yet. */
  result: string
  /** One line on what happened, e.g. "Opened PR #12 for v1.81.9-stable (conflicts)."; `''` for none. */
  message: string
  /** The upstream repository, `owner/name`. */
  upstream: string
  /** The target branch. */
  target: string
  /** The upstream tag the run was about, when it chose one. */
  tag?: string
  /** The newest upstream version the target branch already contains, when known. */
  previousVersion?: string
  /** The version of `tag`. */
  version?: string
  /** The sync PR (for `skipped`: the closed PR that means "skip this release"; its number may be unknown). */
  pullRequest?: { number?: number; url: string }
  /** The run's report view when it merged something: the summary is then the full report. */
  view?: ReportView
}

/** The facts the full summary and the report file add to the view. */
export type RunFacts = Pick<SummaryFacts, 'result' | 'message' | 'pullRequest'>

export interface RenderSummaryOptions {
  /** Byte budget; defaults to 900 KiB, leaving room under GitHub's 1 MiB for anything else the step writes. */
  maxBytes?: number
}

/** The sync PR, if the facts name one (an empty URL names none). */
function pullRequestOf(facts: RunFacts): { number?: number; url: string } | undefined {
  return facts.pullRequest?.url ? facts.pullRequest : undefined
}

/** The view with the run's result, message and PR set (they are empty in the PR body, which is written before). */
function withRunFacts(view: ReportView, facts: RunFacts | undefined): ReportView {
  if (!facts) return view
  const message = facts.message.trim()
  const pullRequest = pullRequestOf(facts)
  return {
    ...view,
    result: facts.result,
    hasResult: facts.result !== '',
    message,
    hasMessage: message !== '',
    pullRequest: pullRequest ? pullRequestRow(pullRequest) : null,
    hasPullRequest: pullRequest !== undefined
  }
}

/** The summary of a run that has no view (nothing was merged): the facts it has, as a short table. */
function shortSummary(facts: SummaryFacts): string {
  const version = facts.version
    ? facts.previousVersion
      ? `${codeSpan(facts.previousVersion)} → ${codeSpan(facts.version)}`
      : codeSpan(facts.version)
    : facts.previousVersion
      ? `${codeSpan(facts.previousVersion)} (current)`
      : ''
  const pullRequest = pullRequestOf(facts)
  const rows: Array<[string, string]> = [
    ['Upstream', escapeMarkdown(facts.upstream)],
    ['Target branch', codeSpan(facts.target, { table: true })],
    ...(facts.tag ? ([['Tag', codeSpan(facts.tag, { table: true })]] as Array<[string, string]>) : []),
    ...(version ? ([['Version', version.replace(/\|/g, '\\|')]] as Array<[string, string]>) : []),
    ['Result', `**${escapeMarkdown(facts.result)}**`],
    ...(pullRequest ? ([['Pull request', pullRequestRow(pullRequest).linkMd]] as Array<[string, string]>) : [])
  ]
  return [
    `## Upstream sync: ${escapeMarkdown(facts.upstream)}${facts.tag ? ` ${escapeMarkdown(facts.tag)}` : ''}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([key, value]) => `| ${key} | ${value} |`),
    '',
    escapeMarkdown(facts.message),
    ''
  ].join('\n')
}

/**
 * The job summary. With a view: a short table (upstream, previous → new, result, merge status, conflicts, PR) and the
 * full conflict report — every list in full up to a generous cap, shrunk only to stay under GitHub's 1 MiB summary
 * limit. Without one (nothing merged): a short table of what is known.
 */
export function renderSummary(facts: SummaryFacts, options: RenderSummaryOptions = {}): string {
  if (!facts.view) return shortSummary(facts)
  return fit(withRunFacts(facts.view, facts), {
    render: (v) => BUILT_IN_TEMPLATES.summary.render(v),
    size: (text) => Buffer.byteLength(text, 'utf8'),
    budget: options.maxBytes ?? 900 * 1024,
    start: 10_000,
    floor: 200,
    cutNotice: '> [!WARNING]\n> This summary was cut at GitHub\'s 1 MiB limit. The full report is in the report file (`report-file` output).'
  })
}

/** The full Markdown report, nothing cut: written to a file under `RUNNER_TEMP` (the `report-file` output). */
export function renderReportFile(view: ReportView, facts?: RunFacts): string {
  return BUILT_IN_TEMPLATES.report.render(withRunFacts(view, facts))
}
