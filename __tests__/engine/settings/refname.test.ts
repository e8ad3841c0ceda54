import { spawnSync } from 'node:child_process'
import { describe, expect, it } from '@jest/globals'
import { isValidRefName } from '../../../src/settings/refname.js'

/** Names on both sides of every rule of `git check-ref-format`, and some that only look suspicious. */
const NAMES = [
  'refs/heads/main',
  'refs/heads/carto/main',
  'refs/heads/upstream-sync/v1.81.9-stable',
  'refs/tags/v1.73.6-stable.patch.1',
  'refs/tags/litellm_v1.65.4-dev_fix',
  'refs/heads/ünïcødé-branch',
  'refs/heads/emoji-🚀',
  'refs/heads/a+b=c,d;e!f#g$h%i&j(k)l\'m"n<o>p|q',
  'refs/heads/with-at@sign',
  'refs/heads/@',
  '@',
  'main',
  'refs',
  'refs/',
  '/refs/heads/x',
  'refs//heads/x',
  'refs/heads/x/',
  'refs/heads/bad..branch',
  'refs/heads/a./b',
  'refs/heads/a/.b',
  'refs/heads/.hidden',
  'refs/heads/..',
  'refs/heads/.',
  'refs/heads/ends.',
  'refs/heads/ends.lock',
  'refs/heads/x.lock/y',
  'refs/heads/x.locked',
  'refs/heads/lock',
  'refs/heads/.lock',
  'refs/heads/a@{b',
  'refs/heads/a@/{b',
  'refs/heads/a{b}',
  'refs/heads/a@b{c',
  'refs/heads/space here',
  'refs/heads/tab\there',
  'refs/heads/newline\nhere',
  'refs/heads/bell\x07',
  'refs/heads/del\x7f',
  'refs/heads/tilde~1',
  'refs/heads/caret^2',
  'refs/heads/colon:x',
  'refs/heads/question?',
  'refs/heads/star*',
  'refs/heads/bracket[x',
  'refs/heads/close]x',
  'refs/heads/back\\slash',
  'refs/tags/v1.0 stable',
  'refs/tags/v1..2',
  'refs/heads/bad prefix ~v1.0.0',
  'refs/heads/sync~/v1.0.0',
  'refs/heads/-dash',
  'refs/heads/x.y.z',
  'refs/heads/trailing-dot./x',
  'refs/tags/v1.3.0-$(touch${IFS}pwned)-stable',
  'refs/heads/nbsp\u00a0x'
]

function gitAccepts(name: string): boolean {
  const result = spawnSync('git', ['check-ref-format', name], { stdio: 'ignore' })
  if (result.error) throw result.error
  return result.status === 0
}

describe('isValidRefName agrees with git check-ref-format', () => {
  it.each(NAMES.map((name) => [JSON.stringify(name), name]))('%s', (_label, name) => {
    expect(isValidRefName(name)).toBe(gitAccepts(name))
  })
})
