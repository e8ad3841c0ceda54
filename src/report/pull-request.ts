/**
 * The pull request itself, the action's product: its title and body (and, in a dry run, the preview printed in place
 * of opening it), so that a reviewer can act on the PR without opening the workflow log.
 */
import { fit } from './fit.js'
import { safeSlice } from './markdown.js'
import { syncMarker } from './marker.js'
import { BUILT_IN_TEMPLATES, type CompiledTemplate } from './template.js'
import type { ReportView } from './view.js'

/** GitHub rejects PR bodies longer than this many characters. */
export const PR_BODY_MAX_CHARS = 65_536
/** GitHub rejects PR titles longer than this many characters. */
export const PR_TITLE_MAX_CHARS = 256

export interface RenderPrBodyOptions {
  /** Character budget; defaults to GitHub's limit minus a margin for anything appended later. */
  maxChars?: number
}

/**
 * Renders the PR body with the built-in or a custom template, shrinking lists (and, last, the release notes) until
 * it fits GitHub's limit.
 */
export function renderPrBody(view: ReportView, template: CompiledTemplate = BUILT_IN_TEMPLATES.prBody, options: RenderPrBodyOptions = {}): string {
  const more = view.hasRun ? ` The full report is in the [workflow run](${view.runUrl})'s job summary.` : " The full report is in the workflow run's job summary."
  // The marker goes after whatever the template rendered (custom templates included) and outside the budget the
  // body is fitted to, so no cut can drop it.
  const marker = view.tagSha ? `\n\n${syncMarker(view.tag, view.tagSha)}\n` : ''
  const body = fit(view, {
    render: (v) => template.render(v),
    size: (text) => text.length,
    budget: (options.maxChars ?? PR_BODY_MAX_CHARS - 512) - marker.length,
    start: 1000,
    floor: 20,
    cutNotice: `> [!WARNING]\n> This description was cut at GitHub's size limit.${more}`
  })
  return marker ? body.replace(/\n+$/, '') + marker : body
}

/** The PR title: stable across refreshes (the state is in the labels), so updating a PR never churns it. */
export function renderTitle(view: Pick<ReportView, 'upstream' | 'tag'>): string {
  const title = `Upstream sync: ${view.upstream} ${view.tag}`
  return title.length <= PR_TITLE_MAX_CHARS ? title : `${safeSlice(title, PR_TITLE_MAX_CHARS - 1)}…`
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
