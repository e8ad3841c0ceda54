/**
 * Answers that depend on nothing but a repository's refs and its (immutable) objects: the protocol v2 capability
 * advertisement, `ls-refs`, and the API's ref lookups. A test file fetches from an unchanged repository dozens of
 * times, and each answer from git costs two or three processes (http-backend, upload-pack); these are kept per refs
 * state instead.
 *
 * The state is read from the files git keeps refs in (HEAD, packed-refs, every loose ref under refs/), by content,
 * not by timestamps, so every change is seen however it was made (a push, an API update, a test writing to the bare
 * repository with git directly) without the stand-in having to be told. An answer is kept only when the state read
 * before and after computing it is the same, so an answer racing a ref update is never kept under the old state.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** Keeps memory bounded over a long test run; a full cache starts again empty. */
const MAX_ANSWERS = 5_000

/**
 * Past this many loose ref files, reading them all costs about what the git processes it would save: nothing is
 * kept for such a repository (git keeps refs packed after `git pack-refs`, and so do the test repositories).
 */
const MAX_LOOSE_REFS = 300

/**
 * What tells a repository folder from one made again under the same name (which holds other objects and refs): the
 * folder's inode and birth time.
 */
export function repositoryIdentity(stat: fs.Stats): string {
  return `${stat.ino}:${stat.birthtimeMs}`
}

/**
 * A digest of the repository's identity and its refs; undefined while an update holds a lock file, or when the
 * repository cannot be read (then nothing is kept). Synchronous reads: a loose ref is 41 bytes, and the promise API's
 * per-file overhead is several times the read.
 */
export function refsState(gitDir: string): string | undefined {
  try {
    const hash = createHash('sha1')
    hash.update(`${repositoryIdentity(fs.statSync(gitDir))}\0`)
    hash.update(fs.readFileSync(path.join(gitDir, 'HEAD')))
    hash.update('\0')
    hash.update(readIfThere(path.join(gitDir, 'packed-refs')))
    return addLooseRefs(hash, gitDir, 'refs', { left: MAX_LOOSE_REFS }) ? hash.digest('hex') : undefined
  } catch {
    return undefined
  }
}

function readIfThere(file: string): Buffer {
  try {
    return fs.readFileSync(file)
  } catch {
    return Buffer.alloc(0)
  }
}

/**
 * Adds each loose ref's name and content, in a fixed order; false when a lock file shows an update in flight, or
 * when there are more than `budget.left` of them.
 */
function addLooseRefs(hash: ReturnType<typeof createHash>, gitDir: string, folder: string, budget: { left: number }): boolean {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(path.join(gitDir, folder), { withFileTypes: true })
  } catch {
    return true
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const name = `${folder}/${entry.name}`
    if (entry.name.endsWith('.lock')) return false
    if (entry.isDirectory()) {
      if (!addLooseRefs(hash, gitDir, name, budget)) return false
    } else {
      if (--budget.left < 0) return false
      hash.update(`\0${name}\0`)
      hash.update(readIfThere(path.join(gitDir, name)))
    }
  }
  return true
}

/** Answers kept per repository, question and refs state. */
export class RefAnswers<T> {
  private readonly answers = new Map<string, T>()

  /** The answer kept for `question` in the repository's current refs state, and that state (undefined: keep nothing). */
  known(gitDir: string, question: string): { value?: T; state?: string } {
    const state = refsState(gitDir)
    return state === undefined ? {} : { value: this.answers.get(`${state}\0${question}`), state }
  }

  /** Keeps `value` as the answer in `state`, unless the refs changed while it was computed. */
  keep(gitDir: string, question: string, state: string, value: T): void {
    if (refsState(gitDir) !== state) return
    if (this.answers.size >= MAX_ANSWERS) this.answers.clear()
    this.answers.set(`${state}\0${question}`, value)
  }

  /** The kept answer to `question`, or `compute()`'s, kept when `keep` accepts it (a failure is asked again). */
  async answer(gitDir: string, question: string, compute: () => Promise<T>, keep: (answer: T) => boolean): Promise<T> {
    const { value, state } = this.known(gitDir, question)
    if (value !== undefined) return value
    const computed = await compute()
    if (state !== undefined && keep(computed)) this.keep(gitDir, question, state, computed)
    return computed
  }
}
