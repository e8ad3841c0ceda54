import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  compareReleaseNumbers,
  compareVersions,
  formatVersion,
  isPlainRelease,
  parseVersion,
  parseVersionInput,
  readVersionFromText,
  unversioned,
  type Version
} from '../../../src/releases/version.js'
import { loadLitellmTags } from '../../../test/support/fixtures.js'


const fixtureTags = loadLitellmTags()

function v(tag: string): Version {
  const version = parseVersion(tag)
  if (!version) throw new Error(`test setup: ${tag} does not parse`)
  return version
}

describe('the fixture', () => {
  it('is the full real tag list', () => {
    expect(fixtureTags).toHaveLength(1011)
  })

  it('has an identical committed copy for clones without shared/', () => {
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
    const committed = readFileSync(path.resolve(repoRoot, 'test/fixtures/litellm-tags.txt'), 'utf8')
    const shared = path.resolve(repoRoot, '../shared/fixtures/litellm-tags.txt')
    if (existsSync(shared)) expect(committed).toBe(readFileSync(shared, 'utf8'))
    else expect(committed.split('\n').filter((line) => line.trim() !== '')).toHaveLength(1011)
  })
})

describe('parseVersion', () => {
  it.each([
    // tag, core, patch-release number, reported version
    ['v1.81.9-stable', [1, 81, 9], 0, '1.81.9-stable'],
    ['v1.73.6-stable.patch.1', [1, 73, 6], 1, '1.73.6-stable.patch.1'],
    ['v1.67.0-stable.patch2', [1, 67, 0], 2, '1.67.0-stable.patch2'],
    ['v2.0.0-patch.3', [2, 0, 0], 3, '2.0.0-patch.3'],
    ['v2.0.0-stable-patch-12', [2, 0, 0], 12, '2.0.0-stable-patch-12'],
    ['1.35.36', [1, 35, 36], 0, '1.35.36'],
    ['v1.2.3.4', [1, 2, 3, 4], 0, '1.2.3.4'],
    ['v1.2.3.4-stable', [1, 2, 3, 4], 0, '1.2.3.4-stable'],
    ['v.1.32.34-stable', [1, 32, 34], 0, '1.32.34-stable'],
    ['litellm_v1.65.4-dev_fix', [1, 65, 4], 0, '1.65.4-dev_fix'],
    ['release/v3.1.0', [3, 1, 0], 0, '3.1.0'],
    ['v1.16-test2', [1, 16], 0, '1.16-test2'],
    ['v7', [7], 0, '7'],
    ['V1.2.3', [1, 2, 3], 0, '1.2.3'],
    ['v1.74.9.rc.1', [1, 74, 9], 0, '1.74.9.rc.1'],
    ['v1.74.5.dev1', [1, 74, 5], 0, '1.74.5.dev1'],
    ['v1.74.8-nightly', [1, 74, 8], 0, '1.74.8-nightly'],
    ['v1.55.8-stable-patched', [1, 55, 8], 0, '1.55.8-stable-patched'],
    // A digit-bearing suffix is not mistaken for a name prefix followed by the version.
    ['v1.2.3-rc-4', [1, 2, 3], 0, '1.2.3-rc-4']
  ])('%s → core %j, patch %d, version %s', (tag, core, patch, text) => {
    const version = v(tag)
    expect(version.core).toEqual(core)
    expect(version.patch).toBe(patch)
    expect(version.text).toBe(text)
    expect(formatVersion(version)).toBe(text)
    expect(version.tag).toBe(tag)
  })

  it.each([
    'latest',
    'stable',
    'test',
    'pr-litellm-spend-logs-db',
    'custom-docker-image-test-dev',
    '',
    'v',
    'v.',
    // More numeric parts than a version has (build ids, dates glued together).
    'v1.2.3.4.5',
    // A part too large to be an exact number.
    'v99999999999999999999.1.0'
  ])('%j has no version', (tag) => {
    expect(parseVersion(tag)).toBeUndefined()
  })

  it('reads a version from every fixture tag that starts like one, and never throws on the others', () => {
    const unparsable: string[] = []
    for (const tag of fixtureTags) {
      const version = parseVersion(tag)
      if (!version) {
        unparsable.push(tag)
        continue
      }
      expect(version.core.length).toBeGreaterThanOrEqual(1)
      expect(tag.endsWith(version.text)).toBe(true)
      expect(version.text).toMatch(/^\d/)
    }
    // Only the names with no version number at all are left.
    expect(unparsable.sort()).toEqual(['custom-docker-image-test-dev', 'latest', 'pr-litellm-spend-logs-db', 'stable', 'test'])
  })
})

/** `a` orders strictly before `b`, both ways round. */
function older(a: string, b: string): void {
  expect(compareVersions(v(a), v(b))).toBeLessThan(0)
  expect(compareVersions(v(b), v(a))).toBeGreaterThan(0)
}

describe('compareVersions', () => {
  it('orders numeric parts as numbers, not strings', () => {
    older('1.9.0', '1.10.0')
    older('v1.81.9-stable', 'v1.81.12-stable')
    older('v0.11.1', 'v1.1.0')
  })

  it('puts patch releases after their release and before the next one', () => {
    older('v1.73.6-stable', 'v1.73.6-stable.patch.1')
    older('v1.73.6-stable.patch.1', 'v1.74.0-stable')
    older('v1.67.0-stable', 'v1.67.0-stable.patch2')
    older('v1.67.0-stable.patch.1', 'v1.67.0-stable.patch2')
    older('v1.67.0-stable.patch2', 'v1.67.0-stable.patch.10')
  })

  it('handles four-part versions, missing parts counting as 0', () => {
    older('v1.2.3', 'v1.2.3.1')
    older('v1.2.3.1', 'v1.2.3.2')
    older('v1.2.3.9', 'v1.2.4')
    older('v1.2.3.4', 'v1.10.0.0')
    expect(compareReleaseNumbers(v('v1.2'), v('v1.2.0.0'))).toBe(0)
  })

  it('reads the leading-dot typo as the same release', () => {
    expect(compareReleaseNumbers(v('v.1.32.34-stable'), v('v1.32.34-stable'))).toBe(0)
    older('v1.32.33-stable', 'v.1.32.34-stable')
    older('v.1.32.34-stable', 'v1.32.35-stable')
  })

  it('is total and deterministic: equal release numbers fall back to the tag name', () => {
    expect(compareReleaseNumbers(v('v1.81.9-stable'), v('1.81.9'))).toBe(0)
    expect(compareVersions(v('v1.81.9-stable'), v('1.81.9'))).not.toBe(0)
    expect(compareVersions(v('v1.81.9-stable'), v('v1.81.9-stable'))).toBe(0)
    older('v1.55.8-stable', 'v1.55.8-stable-patched')
  })

  it('sorts the whole fixture the same way whatever the input order, and consistently', () => {
    const versions = fixtureTags.map((tag) => parseVersion(tag)).filter((version): version is Version => !!version)
    const sorted = [...versions].sort(compareVersions).map((version) => version.tag)
    const reversed = [...versions].reverse().sort(compareVersions).map((version) => version.tag)
    expect(reversed).toEqual(sorted)
    for (let i = 1; i < sorted.length; i++) {
      const a = v(sorted[i - 1] ?? '')
      const b = v(sorted[i] ?? '')
      expect(compareVersions(a, b)).toBeLessThan(0)
      expect(compareReleaseNumbers(a, b)).toBeLessThanOrEqual(0)
    }
  })

  it('orders an unversioned tag before every real version', () => {
    expect(compareVersions(unversioned('latest'), v('v0.0.1'))).toBeLessThan(0)
    expect(unversioned('latest').text).toBe('latest')
  })
})

describe('parseVersionInput (current-version)', () => {
  it('accepts any spelling of a version', () => {
    expect(parseVersionInput(' 1.81.9 ', 'current-version').core).toEqual([1, 81, 9])
    expect(parseVersionInput('v1.81.9-stable', 'current-version').text).toBe('1.81.9-stable')
  })

  it('names the input when the text is not a version', () => {
    expect(() => parseVersionInput('main', 'current-version')).toThrow(
      `Input 'current-version' "main" is not a version number: expected something like 1.81.9 or v1.81.9-stable`
    )
  })
})

describe('readVersionFromText (version-file + version-pattern)', () => {
  const defaultPattern = '^version\\s*=\\s*"(.+)"'
  const pyproject = [
    '[tool.poetry]',
    'name = "litellm"',
    'version = "1.81.9"',
    'description = "Library to easily interface with LLM API providers"',
    '',
    '[tool.commitizen]',
    'version = "9.9.9"'
  ].join('\n')

  it('reads the first capture of the first match, with ^ anchored at line starts', () => {
    const version = readVersionFromText(pyproject, defaultPattern, 'version-file "pyproject.toml"')
    expect(version.core).toEqual([1, 81, 9])
    expect(version.text).toBe('1.81.9')
  })

  it('reads other layouts with a custom pattern', () => {
    const version = readVersionFromText('__version__ = "1.73.6-stable.patch.1"\n', '__version__ = "([^"]+)"', 'x')
    expect(version.core).toEqual([1, 73, 6])
    expect(version.patch).toBe(1)
  })

  it('names version-pattern when the regular expression is invalid', () => {
    expect(() => readVersionFromText(pyproject, '^version = "(.+"', 'version-file "pyproject.toml"')).toThrow(
      /^version-pattern "\^version = "\(\.\+"" is not a valid regular expression: /
    )
  })

  it('names the file and both inputs when the pattern does not match', () => {
    expect(() => readVersionFromText('name = "x"\n', defaultPattern, 'version-file "pyproject.toml"')).toThrow(
      `version-pattern "${defaultPattern}" does not match anything in version-file "pyproject.toml": fix version-pattern or version-file`
    )
  })

  it('says so when the pattern has no capture group', () => {
    expect(() => readVersionFromText(pyproject, '^version = ".+"', 'version-file "pyproject.toml"')).toThrow(
      /version-pattern "\^version = "\.\+"" has no capture group/
    )
  })

  it('says so when the captured text is not a version', () => {
    expect(() => readVersionFromText('version = "dynamic"', defaultPattern, 'version-file "pyproject.toml"')).toThrow(
      `version-pattern "${defaultPattern}" captured "dynamic" in version-file "pyproject.toml", which is not a version number`
    )
  })
})

describe('the 2026 scheme and pre-release shapes (issue 12)', () => {
  it('orders the last -stable patch releases before the plain 1.84.0 and its hotfix', () => {
    older('v1.83.14-stable', 'v1.83.14-stable.patch.1')
    older('v1.83.14-stable.patch.3', 'v1.84.0')
    older('v1.84.0', 'v1.84.1')
    older('v1.84.1', 'v1.85.0')
  })

  it.each([
    ['1.84.0rc1', 'rc', 1],
    ['1.84.0.dev42', 'dev', 42],
    ['1.84.0-rc.1', 'rc', 1],
    ['v1.84.0-dev.42', 'dev', 42],
    ['1.84.0a1', 'alpha', 1],
    ['1.84.0b2', 'beta', 2],
    ['v1.74.8-nightly', 'dev', 0],
    ['litellm_v1.65.4-dev_fix', 'dev', 0]
  ])('%s is a pre-release (%s %d) of its release, below it', (text, kind, number) => {
    const version = v(text)
    expect(version.prerelease).toEqual({ kind, number })
    const release = v(`${version.core.join('.')}`)
    expect(compareReleaseNumbers(version, release)).toBeLessThan(0)
  })

  it('orders pre-releases dev < alpha < beta < rc, by number, and both spellings alike', () => {
    older('v1.84.0-dev.42', 'v1.84.0-rc.1')
    older('v1.84.0-rc.1', 'v1.84.0-rc.2')
    older('v1.84.0-rc.2', 'v1.84.0')
    older('1.84.0a1', '1.84.0b1')
    older('1.84.0b1', '1.84.0rc1')
    older('v1.84.0-dev.9', 'v1.84.0-dev.10')
    older('v1.83.14-stable.patch.3', 'v1.84.0-dev.1')
    expect(compareReleaseNumbers(v('1.84.0rc1'), v('v1.84.0-rc.1'))).toBe(0)
    expect(compareReleaseNumbers(v('1.84.0.dev42'), v('v1.84.0-dev.42'))).toBe(0)
  })

  it('does not read -stable, -patched, .patch.N or -test as pre-releases', () => {
    for (const tag of ['v1.83.14-stable', 'v1.83.14-stable.patch.3', 'v1.55.8-stable-patched', 'v1.16-test2', 'v1.84.0']) {
      expect(v(tag).prerelease).toBeUndefined()
    }
  })

  it('tells plain releases from pre-releases and odd builds', () => {
    const plain = ['v1.84.0', 'v1.84.1', '1.84.0', 'v1.83.14-stable', 'v1.83.14-stable.patch.3', 'v1.67.0-stable.patch2', '2.0.0.post1']
    const not = ['v1.84.0-rc.1', 'v1.84.0-dev.42', '1.84.0rc1', 'v1.82.0-stable-draft', 'v1.82.0-stable.debug', 'v1.74.8-nightly', 'v1.16-test2']
    for (const tag of plain) expect([tag, isPlainRelease(v(tag))]).toEqual([tag, true])
    for (const tag of not) expect([tag, isPlainRelease(v(tag))]).toEqual([tag, false])
  })
})
