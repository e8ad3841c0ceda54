/**
 * Shared test fixtures. The real tag list of BerriAI/litellm lives in the workplace's shared fixtures beside the
 * repository (CI clones the project with `shared/` next to it); a committed copy keeps the tests from ever skipping.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Where the tag list was read from: the shared file when present, else the committed copy. */
export function litellmTagsFile(): string {
  const shared = path.resolve(repoRoot, '../shared/fixtures/litellm-tags.txt')
  return existsSync(shared) ? shared : path.resolve(repoRoot, 'test/fixtures/litellm-tags.txt')
}

/** The 1,011 real tag names, one a line in the file, blanks dropped. */
export function loadLitellmTags(): string[] {
  return readFileSync(litellmTagsFile(), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
}
