import { describe, expect, it } from '@jest/globals'
import { isValidRefName } from '../../../src/git/refname.js'
import { REF_NAME_CASES } from '../../engine/git/ref-name-cases.js'

describe('isValidRefName (git check-ref-format without options)', () => {
  for (const [name, valid] of REF_NAME_CASES) {
    it(`${JSON.stringify(name)} is ${valid ? 'valid' : 'invalid'}`, () => {
      expect(isValidRefName(name)).toBe(valid)
    })
  }
})
