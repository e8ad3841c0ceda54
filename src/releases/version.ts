/**
 * Version numbers read from upstream tag names, and the one ordering rule the action uses for them.
 *
 * Real tag streams are messy (`v1.81.9-stable`, `v1.73.6-stable.patch.1`, `v1.67.0-stable.patch2`, `1.35.36`,
 * `v.1.32.34-stable`, `litellm_v1.65.4-dev_fix`, `latest`), so parsing is deliberately lenient about what surrounds
 * the number and strict about the number itself. Which tags are *candidates* is not decided here: that is the
 * channel's job (`tag-pattern` / `exclude-pattern`, see channel.ts). This module only answers "what version is this
 * tag" and "which of two versions is newer".
 *
 * Ordering rule (the README explains it in these words):
 *  1. numeric core, part by part as numbers (`1.9.0 < 1.10.0`); missing parts count as 0 (`1.2 = 1.2.0`), so
 *     four-part versions (`1.2.3.4`) order naturally after `1.2.3`;
 *  2. then pre-releases before the release they lead to, in both spellings, SemVer (`1.84.0-rc.1`, `1.84.0-dev.42`)
 *     and PEP 440 (`1.84.0rc1`, `1.84.0.dev42`, `1.84.0a1`): dev/nightly < alpha < beta < rc, then by their number,
 *     so `1.84.0-dev.42 < 1.84.0-rc.1 < 1.84.0-rc.2 < 1.84.0`. A label such as `-stable` or `-patched` is not a
 *     pre-release: `1.83.14-stable` and `1.83.14` are the same release;
 *  3. then the patch-release number from `.patch.N`, `.patchN` or `-patch.N` (none < patch 1 < patch 2), so
 *     `1.73.6-stable < 1.73.6-stable.patch.1 < 1.74.0-stable` and `1.83.14-stable.patch.3 < 1.84.0 < 1.84.1`;
 *  4. then, only to make the order total and deterministic, the tag names compared as plain strings.
 * Never by date, never by the tag name as a whole.
 */
import { inputError } from '../errors.js'

/** Tags with more numeric parts than this are not versions (they are build ids, dates glued together, …). */
export const MAX_CORE_PARTS = 4

/** A version number read from a tag (or from `current-version` / `version-file`). */
export interface Version {
  /**
   * Numeric core parts in tag order, 1 to {@link MAX_CORE_PARTS} of them: `[1, 73, 6]` for `v1.73.6-stable`.
   * Empty only for {@link unversioned} (an explicitly requested tag that carries no version number).
   */
  readonly core: readonly number[]
  /** Patch-release number: 1 for `.patch.1` / `.patch1` / `-patch.1`, 0 when the tag has none. */
  readonly patch: number
  /** The pre-release part (`-rc.1`, `rc1`, `.dev42`, `-nightly`), undefined for a release. */
  readonly prerelease?: Prerelease
  /** Everything after the numeric core, as written: `-stable.patch.1`, `.rc.1`, `` for `1.35.36`. */
  readonly suffix: string
  /** The text the version was read from, unchanged (the tag name for upstream tags). */
  readonly tag: string
  /** Offset in {@link tag} where the version text starts (after any `name_` prefix and the `v` / `v.`). */
  readonly start: number
  /**
   * The version as the action reports it (the `version` / `previous-version` outputs): {@link tag} from
   * {@link start} on, e.g. `1.73.6-stable.patch.1` for `v1.73.6-stable.patch.1`. Same as {@link formatVersion}.
   */
  readonly text: string
}

/**
 * Anatomy of a version tag:
 *   optional name prefix  `litellm_`, `release-`, `release/`: letters (and `_ . - /` between them) ending in `_`,
 *                         `-` or `/`; no digits, so `v1.2.3-rc-4` cannot be misread as prefix `v1.2.3-rc-` + `4`
 *   optional `v` or `V`, optionally followed by one `.` (the real typo `v.1.32.34-stable` is the stable 1.32.34)
 *   the numeric core      digits separated by single dots
 *   the suffix            anything else, or nothing; it never starts with another digit
 */
const VERSION_TAG = /^(?:[A-Za-z][A-Za-z_./-]*?[_/-])?[vV]?\.?(\d+(?:\.\d+)*)(?!\d)(.*)$/s

/** A patch-release marker in the suffix: `.patch.1`, `.patch1`, `-patch.1`, `-patch-1`, `_patch1`. */
const PATCH_MARKER = /(?:^|[^A-Za-z])patch[.-]?(\d+)(?!\d)/i

/** Pre-release kinds in the order they come before a release (PEP 440: dev < a < b < rc). */
export const PRERELEASE_KINDS = ['dev', 'alpha', 'beta', 'rc'] as const

export interface Prerelease {
  readonly kind: (typeof PRERELEASE_KINDS)[number]
  /** Its number (`rc.2` → 2, `dev42` → 42); 0 when it has none (`-nightly`). */
  readonly number: number
}

/** Spellings of each pre-release kind; a single letter (`a1`, `b2`, `c1`) counts only right after the core. */
const PRERELEASE_WORDS: Record<string, Prerelease['kind']> = {
  dev: 'dev',
  nightly: 'dev',
  canary: 'dev',
  snapshot: 'dev',
  alpha: 'alpha',
  beta: 'beta',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc'
}
const PRERELEASE_WORD = /(?:^|[^A-Za-z])(dev|nightly|canary|snapshot|alpha|beta|rc|preview|pre)[._-]?(\d*)(?![A-Za-z])/i
const PRERELEASE_LETTER = /^[._-]?(a|b|c)(\d+)(?![A-Za-z])/i

/** The pre-release part of a version's suffix, if any (see the ordering rule above). */
function parsePrerelease(suffix: string): Prerelease | undefined {
  const letter = PRERELEASE_LETTER.exec(suffix)
  if (letter) {
    const kind = ({ a: 'alpha', b: 'beta', c: 'rc' } as const)[(letter[1] ?? 'c').toLowerCase() as 'a' | 'b' | 'c']
    return { kind, number: Number(letter[2]) }
  }
  const word = PRERELEASE_WORD.exec(suffix)
  if (!word) return undefined
  const number = word[2] ? Number(word[2]) : 0
  return { kind: PRERELEASE_WORDS[(word[1] ?? '').toLowerCase()] ?? 'dev', number: Number.isSafeInteger(number) ? number : 0 }
}

/**
 * Labels a final release may carry: `-stable`, `.patch.1`, `-hotfix`, `.post1`, `-lts`. A version whose suffix holds
 * only these (and numbers) is a plain release for channel health (health.ts); anything else (`-debug`, `-draft`,
 * `-rc.1`) is not counted as a published release.
 */
const RELEASE_LABELS = /^(?:[._/-]*(?:stable|patch|hotfix|post|final|release|ga|lts|\d+))*[._/-]*$/i

/** True when the version reads as a final release: no pre-release part and only release labels after the core. */
export function isPlainRelease(version: Version): boolean {
  return version.core.length > 0 && version.prerelease === undefined && RELEASE_LABELS.test(version.suffix)
}

/**
 * Reads the version of a tag name (or of any version text, such as `current-version`).
 * Returns `undefined` when the text has no usable version: no digits where the version belongs (`latest`, `stable`,
 * `pr-litellm-spend-logs-db`), more than {@link MAX_CORE_PARTS} numeric parts, or a part too large to be a version.
 */
export function parseVersion(tag: string): Version | undefined {
  const match = VERSION_TAG.exec(tag)
  if (!match) return undefined
  const coreText = match[1] ?? ''
  const suffix = match[2] ?? ''
  const parts = coreText.split('.')
  if (parts.length > MAX_CORE_PARTS) return undefined
  const core = parts.map(Number)
  if (!core.every(Number.isSafeInteger)) return undefined
  const patchText = PATCH_MARKER.exec(suffix)?.[1]
  const patch = patchText === undefined ? 0 : Number(patchText)
  if (!Number.isSafeInteger(patch)) return undefined
  const start = tag.length - coreText.length - suffix.length
  const prerelease = parsePrerelease(suffix)
  return { core, patch, suffix, tag, start, text: tag.slice(start), ...(prerelease ? { prerelease } : {}) }
}

/**
 * A stand-in Version for a tag that has no version number but must still be handled (the explicit `tag` input syncs
 * exactly the tag it names, whatever its name). It orders before every real version and formats as the tag itself.
 */
export function unversioned(tag: string): Version {
  return { core: [], patch: 0, suffix: tag, tag, start: 0, text: tag }
}

/** Pre-releases first (by kind, then number), a release last. */
function comparePrereleases(a: Prerelease | undefined, b: Prerelease | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0
  const byKind = PRERELEASE_KINDS.indexOf(a.kind) - PRERELEASE_KINDS.indexOf(b.kind)
  return Math.sign(byKind !== 0 ? byKind : a.number - b.number)
}

/**
 * Compares release numbers only: numeric core (missing parts = 0), then the pre-release part, then patch-release
 * number. Two tags of the same release in different spellings (`v1.81.9-stable` and `1.81.9`) compare equal. This is
 * the comparison for lower bounds (`current-version`), where the spelling of the bound must not matter.
 */
export function compareReleaseNumbers(a: Version, b: Version): number {
  const length = Math.max(a.core.length, b.core.length)
  for (let i = 0; i < length; i++) {
    const diff = (a.core[i] ?? 0) - (b.core[i] ?? 0)
    if (diff !== 0) return Math.sign(diff)
  }
  const byPrerelease = comparePrereleases(a.prerelease, b.prerelease)
  if (byPrerelease !== 0) return byPrerelease
  return Math.sign(a.patch - b.patch)
}

/**
 * The total order of versions (see the module comment): release numbers first, then the tag names as plain strings
 * (code-unit order, not locale order, so every machine sorts alike). Negative when `a` is older than `b`.
 */
export function compareVersions(a: Version, b: Version): number {
  const byNumbers = compareReleaseNumbers(a, b)
  if (byNumbers !== 0) return byNumbers
  return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0
}

/**
 * The version as the action reports it (`version` and `previous-version` outputs, PR body, summary): the tag from its
 * numeric core on, i.e. without a name prefix and without the leading `v` / `v.`.
 *   `v1.81.9-stable` → `1.81.9-stable`, `v1.73.6-stable.patch.1` → `1.73.6-stable.patch.1`,
 *   `v.1.32.34-stable` → `1.32.34-stable`, `1.35.36` → `1.35.36`, `litellm_v1.65.4-dev_fix` → `1.65.4-dev_fix`.
 */
export function formatVersion(version: Version): string {
  return version.tag.slice(version.start)
}

/**
 * Reads a version given as text by the user (`current-version`). `inputName` names the input in the error.
 * @throws an input UserError naming the input when the text holds no version number.
 */
export function parseVersionInput(text: string, inputName: string): Version {
  const trimmed = text.trim()
  const version = parseVersion(trimmed)
  if (!version) {
    throw inputError(
      `Input '${inputName}' "${trimmed}" is not a version number: expected something like 1.81.9 or v1.81.9-stable`
    )
  }
  return version
}

/**
 * Reads the fork's own version from a file's text (`version-file` + `version-pattern`): the first capture group of
 * the first match of `pattern`, compiled as a multiline regular expression (so `^` and `$` match at line ends, as
 * in the default `^version\s*=\s*"(.+)"` for pyproject.toml).
 * @param sourceName how to name the file in errors, e.g. `version-file "pyproject.toml" (branch main)`.
 * @throws an input UserError naming `version-pattern` when the regex is invalid or has no capture group, and naming the file and
 *   the pattern when it does not match or the captured text is not a version.
 */
export function readVersionFromText(text: string, pattern: string, sourceName: string): Version {
  let regex: RegExp
  try {
    regex = new RegExp(pattern, 'm')
  } catch (error) {
    throw inputError(`version-pattern "${pattern}" is not a valid regular expression: ${(error as Error).message}`)
  }
  const match = regex.exec(text)
  if (!match) {
    throw inputError(
      `version-pattern "${pattern}" does not match anything in ${sourceName}: fix version-pattern or version-file`
    )
  }
  const captured = match[1]
  if (captured === undefined) {
    throw inputError(
      `version-pattern "${pattern}" has no capture group: wrap the version in parentheses, e.g. ^version\\s*=\\s*"(.+)"`
    )
  }
  const version = parseVersion(captured.trim())
  if (!version) {
    throw inputError(
      `version-pattern "${pattern}" captured "${captured}" in ${sourceName}, which is not a version number`
    )
  }
  return version
}

/** True when `tag` carries a version older than `version` (a tag without one is never older). */
export function isOlderTag(tag: string, version: Version): boolean {
  const parsed = parseVersion(tag)
  return parsed !== undefined && compareVersions(parsed, version) < 0
}
