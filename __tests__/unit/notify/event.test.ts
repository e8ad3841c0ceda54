/** The plain-text wording of an event, shared by Slack and the webhook. */
import { describe, expect, it } from '@jest/globals'
import { describeEvent, formatAge } from '../../../src/notify/event.js'
import { NOW, examples } from './fixtures.js'

describe('wording helpers', () => {
  it('formats ages with the two largest units', () => {
    expect(formatAge(0)).toBe('0 minutes')
    expect(formatAge(60_000)).toBe('1 minute')
    expect(formatAge((5 * 60 + 10) * 60_000)).toBe('5 hours 10 minutes')
    expect(formatAge(24 * 3600_000)).toBe('1 day')
    expect(formatAge((51 * 60 + 59) * 60_000)).toBe('2 days 3 hours')
  })

  it('describes a skipped release and an up-to-date fork', () => {
    expect(describeEvent(examples.skipped, NOW)).toBe('BerriAI/litellm v1.81.9-stable skipped')
    expect(describeEvent(examples['up-to-date'], NOW)).toBe('carto/litellm is up to date with BerriAI/litellm v1.81.9-stable')
  })
})
