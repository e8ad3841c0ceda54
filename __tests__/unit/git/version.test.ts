import { describe, expect, it } from '@jest/globals'
import { UserError } from '../../../src/errors.js'
import { isSupportedGitVersion, parseGitVersion, requireGitVersion } from '../../../src/git/version.js'

describe('parseGitVersion', () => {
  it('reads the versions git prints on Linux, macOS and Windows', () => {
    expect(parseGitVersion('git version 2.39.5\n')).toEqual({ major: 2, minor: 39, patch: 5, text: '2.39.5' })
    expect(parseGitVersion('git version 2.37.1 (Apple Git-137.1)')).toMatchObject({ major: 2, minor: 37, text: '2.37.1' })
    expect(parseGitVersion('git version 2.42.0.windows.2')).toMatchObject({ major: 2, minor: 42, patch: 0, text: '2.42.0.windows.2' })
    expect(parseGitVersion('hub version 2.14')).toBeUndefined()
  })

  it('needs 2.38 (merge-tree --write-tree)', () => {
    expect(isSupportedGitVersion({ major: 2, minor: 37 })).toBe(false)
    expect(isSupportedGitVersion({ major: 2, minor: 38 })).toBe(true)
    expect(isSupportedGitVersion({ major: 3, minor: 0 })).toBe(true)
    expect(isSupportedGitVersion({ major: 1, minor: 99 })).toBe(false)
  })
})

describe('requireGitVersion', () => {
  const failure = async (text: () => Promise<string>): Promise<UserError> => (await requireGitVersion(text).catch((e: unknown) => e)) as UserError

  it('returns the version of a new enough git', async () => {
    expect(await requireGitVersion(async () => 'git version 2.38.0\n')).toMatchObject({ major: 2, minor: 38 })
  })

  it('fails with an environment error naming the found and the needed version', async () => {
    const error = await failure(async () => 'git version 2.34.1\n')
    expect(error).toBeInstanceOf(UserError)
    expect(error.kind).toBe('environment')
    expect(error.message).toBe('git 2.34.1 is too old: upstream-sync needs git 2.38 or newer (it merges with `git merge-tree --write-tree`).')
    expect(error.fix).toContain('git 2.38 or newer')
  })

  it('fails clearly when git is missing or says something else', async () => {
    const missing = await failure(async () => {
      throw new Error('spawn git ENOENT')
    })
    expect(missing.kind).toBe('environment')
    expect(missing.message).toContain('git could not be started (spawn git ENOENT); upstream-sync needs git 2.38 or newer on PATH.')
    expect((await failure(async () => 'nonsense')).message).toContain('Could not read the git version from "nonsense"')
  })
})
