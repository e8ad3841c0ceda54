/**
 * How a channel drift (releases/health.ts) is said: one line for the warning annotation and the notification, and a
 * job-summary section with the newest such release, when the channel last matched a tag, and the configuration that
 * would follow upstream's releases.
 */
import { suggestionYaml, type ChannelDrift, type UpstreamRelease } from '../releases/health.js'
import { escapeMarkdown } from './markdown.js'

/** A tag as a code span (a tag name may hold a backtick). */
function code(tag: string): string {
  return `\`${tag.replace(/`/g, "'")}\``
}

function dateOf(release: UpstreamRelease): string {
  return release.publishedAt ? ` (${release.publishedAt.slice(0, 10)})` : ''
}

/** "upstream published v1.85.0 …, newer than v1.83.14-stable.patch.3 (2026-04-01), the newest tag of the channel". */
export function describeDrift(drift: ChannelDrift, channelWords: string): string {
  const last = drift.channelNewest ? `${drift.channelNewest.tag}${dateOf(drift.channelNewest)}, the newest tag of ${channelWords}` : `anything ${channelWords} matches`
  const more = drift.newer.length > 1 ? ` (${drift.newer.length} such releases)` : ''
  const follow = Object.entries(drift.suggestion)
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ')
  return `Channel drift: upstream published ${drift.release.tag}${dateOf(drift.release)}${more}, newer than ${last}. Upstream may have renamed its releases; to follow them set ${follow}`
}

/** The job summary's section. */
export function renderDriftSection(drift: ChannelDrift, channelWords: string): string {
  const release = drift.release.url ? `[${escapeMarkdown(drift.release.tag)}](${drift.release.url})` : code(drift.release.tag)
  const last = drift.channelNewest
    ? `The channel (${escapeMarkdown(channelWords)}) last matched ${code(drift.channelNewest.tag)}${dateOf(drift.channelNewest)}.`
    : `The channel (${escapeMarkdown(channelWords)}) matches no tag at all.`
  const newer = drift.newer.slice(0, 10).map((r) => `${code(r.tag)}${dateOf(r)}`)
  return [
    '### ⚠️ Channel drift',
    '',
    `Upstream published ${release}${dateOf(drift.release)}, newer than anything this channel matches. ${last}`,
    '',
    `Newer releases outside the channel: ${newer.join(', ')}${drift.newer.length > 10 ? `, … (${drift.newer.length} in all)` : ''}.`,
    '',
    'To follow them, set in the workflow step:',
    '',
    '```yaml',
    'with:',
    suggestionYaml(drift.suggestion),
    '```',
    ''
  ].join('\n')
}
