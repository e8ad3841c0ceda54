/** The Slack Block Kit message: content, buttons, escaping of untrusted text and Slack's limits. */
import { describe, expect, it } from '@jest/globals'
import { SYNC_EVENT_NAMES, type SyncEvent } from '../../../src/notify/event.js'
import { buildSlackPayload, escapeSlackText, type SlackBlock, type SlackPayload } from '../../../src/notify/slack.js'
import { NOW, base, examples } from './fixtures.js'

function blocksOf(payload: SlackPayload, type: SlackBlock['type']): SlackBlock[] {
  return payload.blocks.filter((b) => b.type === type)
}

/** Every piece of text in a Slack payload, for "is it in there / is it escaped" checks. */
function allText(payload: SlackPayload): string {
  return JSON.stringify(payload)
}

describe('buildSlackPayload', () => {
  it.each(SYNC_EVENT_NAMES)('builds a Block Kit message for %s with a header, a section and a context', (name) => {
    const payload = buildSlackPayload(examples[name], NOW)
    expect(payload.text.length).toBeGreaterThan(0)
    expect(payload.blocks[0]?.type).toBe('header')
    expect(blocksOf(payload, 'section').length).toBeGreaterThanOrEqual(1)
    const context = blocksOf(payload, 'context')
    expect(context).toHaveLength(1)
    expect(JSON.stringify(context[0])).toContain(name)
    // Block Kit limits: Slack rejects the whole message when one is exceeded.
    const header = payload.blocks[0] as { text: { text: string } }
    expect(header.text.text.length).toBeLessThanOrEqual(150)
  })

  it('links the PR with a primary button and the run and release with more buttons for a new clean PR', () => {
    const payload = buildSlackPayload(base, NOW)
    const actions = blocksOf(payload, 'actions')
    expect(actions).toHaveLength(1)
    const buttons = (actions[0] as Extract<SlackBlock, { type: 'actions' }>).elements
    expect(buttons[0]).toEqual({
      type: 'button',
      text: { type: 'plain_text', text: 'Review PR #42' },
      url: 'https://github.com/carto/litellm/pull/42',
      action_id: 'open-pr',
      style: 'primary'
    })
    expect(buttons.map((b) => b.url)).toEqual([base.prUrl, base.runUrl, base.releaseUrl])
    expect(payload.text).toBe('New sync PR #42 for BerriAI/litellm v1.81.9-stable: clean merge')
    const section = blocksOf(payload, 'section')[0] as Extract<SlackBlock, { type: 'section' }>
    const fields = (section.fields ?? []).map((f) => f.text)
    expect(fields).toContain('*Version*\n1.81.3 → 1.81.9')
    expect(fields).toContain('*Merge*\nclean merge')
    expect(fields).toContain('*Pull request*\n<https://github.com/carto/litellm/pull/42|#42>')
    expect(fields).toContain('*Fork*\ncarto/litellm (carto/main)')
    expect(section.text?.text).toContain('never squash')
  })

  it('gives the conflict count and auto-resolved count of a new PR with conflicts', () => {
    const payload = buildSlackPayload({ ...base, mergeStatus: 'conflicts', conflicts: 3, autoResolved: 2 }, NOW)
    expect(payload.text).toBe('New sync PR #42 for BerriAI/litellm v1.81.9-stable: 3 conflicts to resolve (2 conflicts auto-resolved)')
    expect(JSON.stringify(payload.blocks[0])).toContain(':warning:')
    expect(allText(payload)).toContain('per-file guide')
  })

  it('says how long a waiting PR has been open', () => {
    const payload = buildSlackPayload(examples['pr-waiting'], NOW)
    expect(payload.text).toBe(
      'Sync PR #42 for BerriAI/litellm v1.81.9-stable has been waiting for review for 2 days 3 hours: 3 conflicts to resolve'
    )
    expect(allText(payload)).toContain('*Open for*\\n2 days 3 hours')
  })

  it('shows the reason of a failed run in a code block with a danger button to the run', () => {
    const payload = buildSlackPayload(examples.failed, NOW)
    expect(payload.text).toBe('Upstream sync failed for carto/litellm (BerriAI/litellm)')
    const reason = blocksOf(payload, 'section')[1] as Extract<SlackBlock, { type: 'section' }>
    expect(reason.text?.text).toBe('*Reason*\n```upstream repository BerriAI/litellm not found or not visible to this token```')
    const buttons = (blocksOf(payload, 'actions')[0] as Extract<SlackBlock, { type: 'actions' }>).elements
    expect(buttons).toEqual([
      { type: 'button', text: { type: 'plain_text', text: 'Workflow run' }, url: base.runUrl, action_id: 'open-run', style: 'danger' }
    ])
  })

  it('shows why a release was skipped, and a run message as plain escaped text', () => {
    const skipped = buildSlackPayload(examples.skipped, NOW)
    expect(blocksOf(skipped, 'section')[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Why*\nSync PR #40 for this tag was closed without merging.' }
    })
    const created = buildSlackPayload({ ...base, reason: 'Opened PR #42 for v1<2> & more.' }, NOW)
    expect(blocksOf(created, 'section')[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Opened PR #42 for v1&lt;2&gt; &amp; more.' }
    })
  })

  it('escapes &, < and > from untrusted tag names and reasons in every mrkdwn text', () => {
    const hostile: SyncEvent = {
      ...base,
      name: 'failed',
      tag: 'v1.0<!channel>&x',
      reason: 'boom <https://evil.example|click> & ```break``` out'
    }
    const payload = buildSlackPayload(hostile, NOW)
    const mrkdwn: string[] = [payload.text]
    for (const block of payload.blocks) {
      if (block.type === 'section') {
        if (block.text) mrkdwn.push(block.text.text)
        for (const f of block.fields ?? []) mrkdwn.push(f.text)
      }
      if (block.type === 'context') for (const e of block.elements) mrkdwn.push(e.text)
    }
    const joined = mrkdwn.join('\n')
    expect(joined).not.toContain('<!channel>')
    expect(joined).not.toContain('<https://evil.example')
    expect(joined).toContain('v1.0&lt;!channel&gt;&amp;x')
    expect(joined).toContain('boom &lt;https://evil.example|click&gt; &amp;')
    // The reason's own fences cannot close the code block early.
    const reasonBlock = mrkdwn.find((t) => t.startsWith('*Reason*')) ?? ''
    expect(reasonBlock.match(/```/g)).toHaveLength(2)
  })

  it('never turns a non-http URL into a link or button', () => {
    const payload = buildSlackPayload({ ...base, prUrl: 'javascript:alert(1)', runUrl: undefined, releaseUrl: undefined }, NOW)
    expect(blocksOf(payload, 'actions')).toHaveLength(0)
    expect(allText(payload)).not.toContain('javascript:')
  })

  it('keeps sections under Slack limits for a huge reason', () => {
    const payload = buildSlackPayload({ ...examples.failed, reason: 'x'.repeat(50_000) }, NOW)
    for (const block of payload.blocks) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000)
    }
  })

  it('marks a dry run as such', () => {
    const payload = buildSlackPayload({ ...base, dryRun: true, prUrl: undefined, prNumber: undefined }, NOW)
    expect(payload.text).toBe('Dry run: would open a sync PR for BerriAI/litellm v1.81.9-stable: clean merge')
    expect(allText(payload)).toContain('dry run: nothing was pushed or opened')
  })
})

describe('escapeSlackText', () => {
  it('escapes Slack control characters', () => {
    expect(escapeSlackText('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d')
  })
})
