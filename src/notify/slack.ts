/**
 * The Slack incoming-webhook message (Block Kit) for an event. Pure: the clock is a parameter. Every text from
 * upstream is escaped, every URL checked, and every block kept under Slack's limits, because Slack rejects the whole
 * message when one block is too long.
 */
import { formatAge, mergeWords, prAgeMs, releaseWords, versionWords, describeEvent, type SyncEvent, type SyncEventName } from './event.js'

export interface SlackText {
  type: 'plain_text' | 'mrkdwn'
  text: string
  emoji?: boolean
}

export interface SlackButton {
  type: 'button'
  text: SlackText
  url: string
  action_id: string
  style?: 'primary' | 'danger'
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'actions'; elements: SlackButton[] }

export interface SlackPayload {
  /** Shown in notifications and by clients that cannot render blocks. */
  text: string
  blocks: SlackBlock[]
}

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` are the only control characters, and leaving them raw would let
 * an upstream tag name or error message inject links or mentions (`<!channel>`).
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Cuts text to Slack's per-field limits with an ellipsis. */
function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** Only http(s) URLs become links or buttons; anything else would be rejected by Slack (or be a trick). */
function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined
  } catch {
    return undefined
  }
}

/** A mrkdwn link `<url|label>`; `|` and `>` in the URL are percent-encoded so they cannot end the link early. */
function slackLink(url: string | undefined, label: string): string {
  const href = safeUrl(url)
  if (!href) return escapeSlackText(label)
  const encoded = href.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C')
  return `<${encoded}|${escapeSlackText(label)}>`
}

/** A fenced block for untrusted multi-line text (error messages); its own fences are defused first. */
function slackCodeBlock(text: string, max: number): string {
  const body = truncate(text.trim().replace(/```/g, "'''"), max)
  return '```' + escapeSlackText(body) + '```'
}

const EMOJI: Record<SyncEventName, string> = {
  'pr-created': ':white_check_mark:',
  'pr-updated': ':arrows_counterclockwise:',
  'pr-waiting': ':hourglass_flowing_sand:',
  skipped: ':fast_forward:',
  'up-to-date': ':heavy_check_mark:',
  failed: ':x:',
  'channel-drift': ':warning:'
}

function emojiFor(event: SyncEvent): string {
  if (event.name === 'pr-created' && event.mergeStatus === 'conflicts') return ':warning:'
  return EMOJI[event.name]
}

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks): header 150, section text 3000, field 2000,
// button label 75. Staying under them matters: Slack rejects the whole message when one block is too long.
const HEADER_MAX = 150
const SECTION_MAX = 3000
const FIELD_MAX = 2000
const REASON_MAX = 2500

/** The Block Kit message for an event: header, summary with fields, the reason if any, buttons, context. */
export function buildSlackPayload(event: SyncEvent, now: Date = new Date()): SlackPayload {
  const summary = describeEvent(event, now)
  const blocks: SlackBlock[] = [
    // plain_text is shown literally by Slack (no links, no mentions), so it needs no escaping.
    { type: 'header', text: { type: 'plain_text', text: truncate(`${emojiFor(event)} ${summary}`, HEADER_MAX), emoji: true } }
  ]

  const fields: SlackText[] = []
  const field = (label: string, valueMrkdwn: string): void => {
    fields.push({ type: 'mrkdwn', text: truncate(`*${label}*\n${valueMrkdwn}`, FIELD_MAX) })
  }
  if (event.upstream) field('Upstream', slackLink(event.releaseUrl, releaseWords(event)))
  if (event.fork) field('Fork', escapeSlackText(event.targetBranch ? `${event.fork} (${event.targetBranch})` : event.fork))
  const versions = versionWords(event)
  if (versions) field('Version', escapeSlackText(versions))
  const merge = mergeWords(event)
  if (merge) field('Merge', escapeSlackText(merge))
  if (event.prUrl || event.prNumber !== undefined) {
    field('Pull request', slackLink(event.prUrl, event.prNumber !== undefined ? `#${event.prNumber}` : 'open'))
  }
  const age = prAgeMs(event, now)
  if (age !== undefined && (event.name === 'pr-waiting' || event.name === 'pr-updated')) field('Open for', formatAge(age))

  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(sectionText(event, now), SECTION_MAX) },
    // A section holds at most 10 fields.
    ...(fields.length > 0 ? { fields: fields.slice(0, 10) } : {})
  })

  if (event.reason) {
    // A failure's reason is an error message (paths, git output): a code block keeps it legible. Otherwise the reason
    // is a sentence (why a release was skipped, what the run did) and reads best as text.
    const text =
      event.name === 'failed'
        ? `*Reason*\n${slackCodeBlock(event.reason, REASON_MAX)}`
        : `${event.name === 'skipped' ? '*Why*\n' : ''}${escapeSlackText(truncate(event.reason.trim(), REASON_MAX))}`
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } })
  }

  const buttons: SlackButton[] = []
  const prUrl = safeUrl(event.prUrl)
  if (prUrl) {
    const label = event.prNumber !== undefined ? `Review PR #${event.prNumber}` : 'Review PR'
    buttons.push({ type: 'button', text: { type: 'plain_text', text: label }, url: prUrl, action_id: 'open-pr', style: 'primary' })
  }
  const runUrl = safeUrl(event.runUrl)
  if (runUrl) {
    buttons.push({
      type: 'button',
      text: { type: 'plain_text', text: 'Workflow run' },
      url: runUrl,
      action_id: 'open-run',
      ...(event.name === 'failed' ? { style: 'danger' as const } : {})
    })
  }
  const releaseUrl = safeUrl(event.releaseUrl)
  if (releaseUrl) {
    buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Release notes' }, url: releaseUrl, action_id: 'open-release' })
  }
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons })

  const context = [`upstream-sync · \`${event.name}\``]
  if (event.dryRun) context.push('dry run: nothing was pushed or opened')
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] })

  return { text: escapeSlackText(summary), blocks }
}

/** The sentence under the header: what a maintainer is asked to do. */
function sectionText(event: SyncEvent, now: Date): string {
  const pr = slackLink(event.prUrl, event.prNumber !== undefined ? `PR #${event.prNumber}` : 'the sync PR')
  const release = `*${escapeSlackText(releaseWords(event))}*`
  const into = event.targetBranch ? ` into \`${escapeSlackText(event.targetBranch)}\`` : ''
  switch (event.name) {
    case 'pr-created':
      if (event.dryRun) return `Dry run: a sync PR would merge ${release}${into}.`
      return event.mergeStatus === 'conflicts'
        ? `${pr} merges ${release}${into}. Conflicts need a human: the PR body has a per-file guide.`
        : `${pr} merges ${release}${into}. Review and merge it with a merge commit (never squash).`
    case 'pr-updated':
      return `${pr} for ${release} was refreshed.`
    case 'pr-waiting': {
      const age = prAgeMs(event, now)
      return `${pr} for ${release} is still open${age === undefined ? '' : ` after ${formatAge(age)}`}.`
    }
    case 'skipped':
      return `${release} was not synced.`
    case 'up-to-date':
      return `Nothing new: ${escapeSlackText(event.fork || 'the fork')} already has ${release}.`
    case 'failed':
      return `The sync run failed${event.tag ? ` for ${release}` : ''}. Nothing on the target branch was changed.`
    case 'channel-drift':
      return `Upstream published ${release}, which the configured channel does not match: the fork is not following upstream's releases.`
  }
}
