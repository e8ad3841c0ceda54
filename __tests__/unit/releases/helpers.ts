/** Shared fixtures of the release tests: the litellm tag list, the default channel from action.yml, small helpers. */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import type { Log } from '../../../src/runner.js'
import { compileChannel, parsePatternList, type Channel } from '../../../src/releases/channel.js'
import { parseVersion, type Version } from '../../../src/releases/version.js'
import { loadLitellmTags } from '../../../test/support/fixtures.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** The defaults exactly as action.yml ships them, so these tests guard what users get. */
export function actionDefault(input: string): string {
  const action = parseYaml(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>
  }
  const value = action.inputs[input]?.default
  if (value === undefined) throw new Error(`action.yml has no default for ${input}`)
  return value
}

export const fixtureTags = loadLitellmTags()
export const defaultChannel = compileChannel({
  include: parsePatternList(actionDefault('tag-pattern')),
  exclude: parsePatternList(actionDefault('exclude-pattern'))
})
export const UPSTREAM = 'BerriAI/litellm'

export function accepted(channel: Channel, tags: readonly string[] = fixtureTags): string[] {
  return tags.filter((tag) => channel.matches(tag))
}

export function version(text: string): Version {
  const parsed = parseVersion(text)
  if (!parsed) throw new Error(`test setup: ${text} does not parse`)
  return parsed
}

export function recordingLogger(): Log & { debugs: string[]; warnings: string[] } {
  const debugs: string[] = []
  const warnings: string[] = []
  return { debugs, warnings, debug: (m) => debugs.push(m), info: () => undefined, warning: (m) => warnings.push(m), isDebug: () => true }
}

export function sha(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}
