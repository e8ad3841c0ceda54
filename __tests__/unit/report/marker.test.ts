import { describe, expect, it } from '@jest/globals'
import { buildReportView, compileTemplate, readSyncMarker, renderPrBody, syncMarker } from '../../../src/report/index.js'
import { input, merge, TAG_SHA } from './fixtures.js'

describe('the sync marker', () => {
  it('ends every PR body and reads back as the tag and commit it was written for', () => {
    const body = renderPrBody(buildReportView(input()))
    expect(body.endsWith(`\n\n<!-- upstream-sync: tag=v1.81.9-stable commit=${TAG_SHA} -->\n`)).toBe(true)
    expect(readSyncMarker(body)).toEqual({ tag: 'v1.81.9-stable', commit: TAG_SHA })
  })

  it('survives a custom template that prints nothing, and is left out without a tag commit', () => {
    expect(readSyncMarker(renderPrBody(buildReportView(input()), compileTemplate('', 'an empty template')))).toEqual({ tag: 'v1.81.9-stable', commit: TAG_SHA })
    expect(renderPrBody(buildReportView(input({ merge: merge({ tagSha: '' }) })))).not.toContain('upstream-sync: tag=')
  })

  it('encodes a tag that could end the comment, and decodes it back', () => {
    const line = syncMarker('v1-->x y', 'a'.repeat(64))
    expect(line).toBe(`<!-- upstream-sync: tag=v1--%3Ex%20y commit=${'a'.repeat(64)} -->`)
    expect(readSyncMarker(`text\n${line}`)).toEqual({ tag: 'v1-->x y', commit: 'a'.repeat(64) })
  })

  it('takes the last marker, and ignores bodies without a valid one', () => {
    const first = syncMarker('v1', 'a'.repeat(40))
    const last = syncMarker('v2', 'b'.repeat(40))
    expect(readSyncMarker(`${first}\n${last}`)).toEqual({ tag: 'v2', commit: 'b'.repeat(40) })
    expect(readSyncMarker(null)).toBeUndefined()
    expect(readSyncMarker(undefined)).toBeUndefined()
    expect(readSyncMarker('<!-- upstream-sync: tag=v1 commit=abc -->')).toBeUndefined()
    expect(readSyncMarker(`<!-- upstream-sync: tag=%E0 commit=${'a'.repeat(40)} -->`)).toBeUndefined()
  })
})
