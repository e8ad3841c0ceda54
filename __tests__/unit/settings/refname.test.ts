import { describe, expect, it } from '@jest/globals'
import { isValidRefName } from '../../../src/settings/refname.js'

// The engine test (__tests__/engine/settings/refname.test.ts) checks these rules against git itself.
describe('isValidRefName', () => {
  it.each(['refs/heads/main', 'refs/heads/carto/main', 'refs/tags/v1.73.6-stable.patch.1', 'refs/heads/ünïcødé', 'refs/heads/a@/{b', 'refs/heads/x.locked'])(
    'accepts %j',
    (name) => expect(isValidRefName(name)).toBe(true)
  )

  it.each([
    '@',
    'main',
    '/refs/heads/x',
    'refs//heads/x',
    'refs/heads/x/',
    'refs/heads/bad..branch',
    'refs/heads/.hidden',
    'refs/heads/ends.',
    'refs/heads/x.lock',
    'refs/heads/x.lock/y',
    'refs/heads/a@{b',
    'refs/heads/space here',
    'refs/heads/tab\there',
    'refs/heads/del\x7f',
    'refs/heads/tilde~1',
    'refs/heads/caret^2',
    'refs/heads/colon:x',
    'refs/heads/question?',
    'refs/heads/star*',
    'refs/heads/bracket[x',
    'refs/heads/back\\slash'
  ])('refuses %j', (name) => expect(isValidRefName(name)).toBe(false))
})
