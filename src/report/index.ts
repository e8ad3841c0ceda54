/**
 * The report stage: everything a run shows people — the PR's title and body, the job summary, the report file, the
 * dry-run preview — rendered from one view of the run, plus the hidden sync marker the PR body carries.
 *
 *   markdown.ts       Markdown safety for untrusted text (escaping, code spans, shell quoting, URLs)
 *   release-notes.ts  upstream's release notes with mentions and bare references defused
 *   rows.ts           the rows of the lists and tables (conflicts, paths, folders, PR links)
 *   input.ts          the ReportInput of a sync, from the settings, the decision and the merge
 *   view.ts           ReportInput → ReportView: the facts of the run, escaped and formatted once
 *   variables.ts      the template variable reference, derived from ReportView's fields
 *   commands.ts       the shell commands to resolve the conflicts and to roll a sync back
 *   fit.ts            render, measure and shrink a text to GitHub's size limits
 *   template.ts       Mustache templates compiled (parsed and checked) once, with the shared partials
 *   pull-request.ts   the PR title, body and dry-run preview
 *   summary.ts        the job summary and the report file
 *   marker.ts         the hidden sync marker in the PR body
 *   audit.ts          the resolution audit's section (PR comment behind its own marker, job summary)
 */
export { buildReportView, type ReportInput, type ReportView } from './view.js'
export { compileTemplate, validateTemplate, type CompiledTemplate } from './template.js'
export { PR_BODY_MAX_CHARS, PR_TITLE_MAX_CHARS, renderDryRunPreview, renderPrBody, renderTitle, type RenderPrBodyOptions } from './pull-request.js'
export { renderReportFile, renderSummary, SUMMARY_MAX_BYTES, type RenderSummaryOptions, type RunFacts, type SummaryFacts } from './summary.js'
export { readSyncMarker, syncMarker, type SyncMarker } from './marker.js'
export { TEMPLATE_VARIABLES, templateVariablesMarkdown, type TemplateVariable } from './variables.js'
