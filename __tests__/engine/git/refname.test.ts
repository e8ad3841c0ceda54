/** The pure ref-name check agrees with `git check-ref-format` itself on every case of the table. */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { isValidRefName } from '../../../src/git/refname.js'
import { REF_NAME_CASES } from './ref-name-cases.js'

describe('isValidRefName agrees with git check-ref-format', () => {
  it('on every case of the table', () => {
    for (const [name, expected] of REF_NAME_CASES) {
      const git = spawnSync('git', ['check-ref-format', name]).status === 0
      expect({ name, git }).toEqual({ name, git: expected })
      expect({ name, ours: isValidRefName(name) }).toEqual({ name, ours: git })
    }
  })
})
