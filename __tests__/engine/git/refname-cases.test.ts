import { spawnSync } from 'node:child_process'
import { describe, expect, it } from '@jest/globals'
import { isValidRefName } from '../../../src/git/refname.js'
import { REF_NAME_CASES } from '../../unit/git/refname-cases.js'

function gitAccepts(name: string): boolean {
  const result = spawnSync('git', ['check-ref-format', name], { stdio: 'ignore' })
  if (result.error) throw result.error
  return result.status === 0
}

describe('isValidRefName agrees with git check-ref-format', () => {
  it.each(REF_NAME_CASES.map(([name, valid]) => [JSON.stringify(name), name, valid] as const))('%s', (_label, name, valid) => {
    expect({ git: gitAccepts(name), ours: isValidRefName(name) }).toEqual({ git: valid, ours: valid })
  })
})
