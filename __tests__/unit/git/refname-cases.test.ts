import { describe, expect, it } from '@jest/globals'
import { isValidRefName } from '../../../src/git/refname.js'
import { REF_NAME_CASES } from './refname-cases.js'

// The engine test (__tests__/engine/settings/refname.test.ts) checks these verdicts against git itself.
describe('isValidRefName', () => {
  it.each(REF_NAME_CASES.map(([name, valid]) => [JSON.stringify(name), name, valid] as const))('%s → %s', (_label, name, valid) => {
    expect(isValidRefName(name)).toBe(valid)
  })
})
