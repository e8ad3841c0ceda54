/**
 * Builds the benchmark's repositories with one `git fast-import` stream: an upstream shaped like a large LLM gateway
 * (tens of thousands of commits, PR merges, thousands of files, a thousand tags across release channels, big generated
 * files) and a long-lived fork of it that is behind the newest stable tag and conflicts with it.
 *
 *   upstream-org/gateway          main + every tag
 *   fork-org/gateway              carto/main (default branch, the sync target) = an older stable tag + the fork's own
 *                                 commits touching files upstream also changed (conflicts) + fork-only files;
 *                                 main = the upstream commit it forked from; the tags it had then
 *   fork-org/gateway-synced       the same fork after it merged the newest stable tag (for the no-op run)
 *
 * Output goes to `bench/work/<scale>/root` (the stand-in's root) with a `manifest.json` describing it. It is cached:
 * a rerun with the same generator version and scale parameters reuses it. Everything is deterministic (seeded PRNG,
 * fixed dates), so two machines generate the same commits.
 *
 *   npx tsx bench/generate.ts [--scale default|small|smoke|<factor>] [--force]
 */
import { spawn } from 'node:child_process'
import { spawnCollect } from '../test/support/spawn.js'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import {
  GIANT_FILES,
  ROOT_FILES,
  Random,
  bigFileText,
  commitMessage,
  editBigFile,
  kindOf,
  localIdents,
  makeBigFiles,
  makePath,
  makePeople,
  newFile,
  newLines,
  nextUiBuild,
  type BigFile,
  type UiBuild,
  type FileKind,
  type Person
} from './content.js'

/** Bump when the generated repositories change in any way: cached ones from another version are rebuilt. */
export const GENERATOR_VERSION = 6

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
export const WORK_DIR = path.join(BENCH_DIR, 'work')

export const UPSTREAM = 'upstream-org/gateway'
export const FORK = 'fork-org/gateway'
export const SYNCED_FORK = 'fork-org/gateway-synced'
export const TARGET_BRANCH = 'carto/main'

export interface Scale {
  name: string
  /** Upstream commits in all (main line, PR branch commits and merges). */
  commits: number
  /** Files at upstream's newest commit (about). */
  files: number
  /** Upstream tags across all channels (about). */
  tags: number
  /** The fork's own commits on its target branch. */
  forkCommits: number
  /** Upstream files the fork changed that upstream changes before the newest stable tag: content conflicts. */
  conflictFiles: number
  /** Main-line upstream commits from the fork's base tag to the newest stable tag. */
  behind: number
  /** Size factor of the big generated files (1 = 1.2–4 MB each). */
  bigFileFactor: number
  seed: number
}

const DEFAULT_SCALE: Omit<Scale, 'name'> = {
  commits: 30_000,
  files: 10_000,
  tags: 1_000,
  forkCommits: 200,
  conflictFiles: 40,
  behind: 600,
  bigFileFactor: 1,
  seed: 20_250_601
}

const NAMED_SCALES: Record<string, Omit<Scale, 'name'>> = {
  default: DEFAULT_SCALE,
  small: { ...DEFAULT_SCALE, commits: 7_500, files: 3_000, tags: 300, forkCommits: 100, conflictFiles: 20, behind: 300, bigFileFactor: 0.3 },
  smoke: { ...DEFAULT_SCALE, commits: 2_000, files: 1_000, tags: 100, forkCommits: 50, conflictFiles: 10, behind: 150, bigFileFactor: 0.1 }
}

/** `default`, `small`, `smoke`, or a number that multiplies the default scale (`0.5`, `2`). */
export function parseScale(value: string): Scale {
  const named = NAMED_SCALES[value]
  if (named) return { name: value, ...named }
  const factor = Number(value)
  if (!Number.isFinite(factor) || factor <= 0 || factor > 10) {
    throw new Error(`--scale must be default, small, smoke or a factor in (0, 10] of the default scale; got "${value}".`)
  }
  const scaled = (n: number, min: number): number => Math.max(min, Math.round(n * factor))
  const capped = Math.min(factor, 1)
  return {
    name: `x${factor}`,
    commits: scaled(DEFAULT_SCALE.commits, 200),
    files: scaled(DEFAULT_SCALE.files, 100),
    tags: scaled(DEFAULT_SCALE.tags, 12),
    forkCommits: Math.max(10, Math.round(DEFAULT_SCALE.forkCommits * capped)),
    conflictFiles: Math.max(3, Math.round(DEFAULT_SCALE.conflictFiles * capped)),
    behind: Math.max(40, Math.round(DEFAULT_SCALE.behind * capped)),
    bigFileFactor: Math.min(2, Math.max(0.02, factor)),
    seed: DEFAULT_SCALE.seed
  }
}

export interface RepoStats {
  fullName: string
  /** Commits reachable from the default branch. */
  commits: number
  /** Files in the default branch's tree. */
  files: number
  tags: number
  /** Size of the repository's pack files: what a full clone transfers, about. */
  packBytes: number
}

export interface ReleaseSpec {
  tag: string
  name: string
  body: string
  draft: boolean
  prerelease: boolean
}

export interface Manifest {
  generatorVersion: number
  scale: Scale
  /** The stand-in's root, absolute. */
  root: string
  upstream: RepoStats
  fork: RepoStats
  syncedFork: RepoStats
  targetBranch: string
  /** The upstream tag the fork's target branch starts from, and the one a sync must merge. */
  baseTag: { tag: string; sha: string }
  newestStable: { tag: string; sha: string }
  /** Upstream commits in baseTag..newestStable (what a merge brings in). */
  commitsBehind: number
  forkTip: string
  syncedTip: string
  /** Files `git merge-tree` reports as conflicted when the newest stable tag is merged into the target. */
  conflicts: string[]
  /** Tags per channel: stable, patch, plain, dev, nightly, rc, draft, other. */
  tagChannels: Record<string, number>
  /** GitHub releases to create upstream (stable tags, one draft), as `POST /repos/{o}/{r}/releases` bodies. */
  releases: ReleaseSpec[]
  /** Bytes of blob text fed to fast-import, and how well a sample of it gzips (real code: about 3–5x). */
  rawBlobBytes: number
  sampleCompressionRatio: number
  generationSeconds: number
}

// ---------------------------------------------------------------------------------------------------------------
// fast-import stream

/** Buffers the stream and writes it in large chunks, waiting for the pipe to drain (bounded memory). */
class StreamWriter {
  private parts: Array<string | Buffer> = []
  private size = 0
  private failure: Error | undefined
  private nextMark = 1

  constructor(private readonly out: Writable) {
    out.on('error', (error: Error) => {
      this.failure = error
    })
  }

  write(data: string | Buffer): void {
    this.parts.push(data)
    this.size += data.length
  }

  mark(): number {
    return this.nextMark++
  }

  async flush(force = false): Promise<void> {
    if (this.failure) throw this.failure
    if (!force && this.size < 4 * 1024 * 1024) return
    const chunk = Buffer.concat(this.parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)))
    this.parts = []
    this.size = 0
    if (this.out.write(chunk)) return
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error): void => {
        this.out.off('drain', onDrain)
        this.out.off('error', onError)
        this.out.off('close', onClose)
        if (error) reject(error)
        else resolve()
      }
      const onDrain = (): void => done()
      const onError = (error: Error): void => done(error)
      const onClose = (): void => done(new Error('git fast-import closed its input early (see its error above)'))
      this.out.on('drain', onDrain)
      this.out.on('error', onError)
      this.out.on('close', onClose)
    })
  }
}

type Change = { op: 'M'; path: string; mark: number } | { op: 'D'; path: string }

interface TextFile {
  path: string
  kind: FileKind
  ids: string[]
  lines: string[]
  mark: number
}

interface TagSpec {
  name: string
  annotated: boolean
  channel: string
}

const START_TIME = Date.UTC(2023, 5, 1) / 1000
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function person(p: Person, time: number): string {
  return `${p.name} <${p.email}> ${time} +0000`
}

function dataCommand(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`
}

/**
 * The upstream's tags by main-line position. Releases come at a steady pace; each has a plain tag and sometimes a dev
 * build before it, a nightly, a release candidate; every sixth or so becomes `-stable` a little later, sometimes
 * with `-stable.patch.1`; a few drafts and debug builds, as in the real project's tag list. The fork's base tag sits
 * at `base` and the newest stable tag at `newest`; no stable or patch tag comes after it.
 */
function planTags(rng: Random, mainCount: number, target: number, base: number, newest: number) {
  const releases = Math.max(8, Math.round(target / 1.7))
  const spacing = (mainCount - 1) / (releases + 1)
  const byPosition = new Map<number, TagSpec[]>()
  const names = new Set<string>()
  const add = (position: number, name: string, channel: string, annotated = false): void => {
    const at = Math.min(mainCount - 1, Math.max(1, Math.round(position)))
    if (names.has(name)) return
    names.add(name)
    const list = byPosition.get(at) ?? []
    list.push({ name, channel, annotated })
    byPosition.set(at, list)
  }
  let minor = 30
  let patch = 0
  const plan: Array<{ version: string; position: number; stable: boolean }> = []
  for (let r = 0; r < releases; r++) {
    if (r > 0 && rng.chance(1 / 12)) {
      minor++
      patch = 0
    } else if (r > 0) {
      patch++
    }
    const position = (r + 1) * spacing + (rng.next() - 0.5) * spacing * 0.6
    plan.push({ version: `1.${minor}.${patch}`, position, stable: r % 6 === 3 })
  }
  const nearest = (position: number): number => {
    let best = 0
    plan.forEach((release, index) => {
      if (Math.abs(release.position - position) < Math.abs((plan[best]?.position ?? 0) - position)) best = index
    })
    return best
  }
  // The newest stable release leaves one release after it (nightlies, a draft); the base comes before it.
  const newestRelease = Math.min(plan.length - 2, nearest(newest))
  const baseRelease = Math.min(nearest(base), newestRelease - 1)
  let baseTag = ''
  let newestTag = ''
  plan.forEach((release, index) => {
    const { version, position } = release
    if (rng.chance(0.25)) add(position - rng.range(1, Math.max(1, Math.floor(spacing / 2))), `v${version}.dev${rng.range(1, 4)}`, 'dev')
    if (rng.chance(0.04)) add(position - 1, `v${version}.rc.1`, 'rc')
    add(position, `v${version}`, 'plain', rng.chance(0.1))
    if (rng.chance(0.12)) add(position + rng.range(0, 3), `v${version}-nightly`, 'nightly')
    if (rng.chance(0.02)) add(position, `v${version}-stable-draft`, 'draft')
    if (rng.chance(0.01)) add(position + 1, `v${version}-stable.debug`, 'other')
    if (rng.chance(0.005)) add(position + 2, `v${version}-test`, 'other')
    let stablePosition: number | undefined
    if (index === baseRelease) stablePosition = base
    else if (index === newestRelease) stablePosition = newest
    else if (release.stable && index < newestRelease) stablePosition = Math.min(newest - 1, position + rng.range(0, Math.max(1, Math.floor(spacing / 3))))
    if (stablePosition !== undefined) {
      add(stablePosition, `v${version}-stable`, 'stable', true)
      if (index === baseRelease) baseTag = `v${version}-stable`
      if (index === newestRelease) newestTag = `v${version}-stable`
      const patchPosition = stablePosition + rng.range(5, Math.max(6, Math.floor(spacing)))
      if (index < newestRelease && index !== baseRelease && rng.chance(0.2) && patchPosition < newest) {
        add(patchPosition, `v${version}-stable.patch.1`, 'patch', true)
      }
    }
    if (index === newestRelease + 1) add(newest + 2, `v${version}-stable-draft`, 'draft')
  })
  if (!baseTag || !newestTag) throw new Error(`planTags: no base or newest stable tag (${releases} releases over ${mainCount} commits)`)
  return { byPosition, baseTag, newestTag, count: names.size }
}

/** The fork's own files: its deployment, CI, docs and code; never touched upstream. */
const FORK_FILES: Array<{ path: string; text: (rng: Random) => string }> = [
  {
    path: '.github/upstream-sync.yml',
    text: () =>
      [
        '# Rules for upstream-sync: how to read the conflicts of each upstream release merge.',
        'rules:',
        "  - paths: ['.github/workflows/carto-*', 'CARTO_*.md', 'docs/CARTO_*', 'carto/**']",
        '    resolution: ours',
        '    note: Fork-only files; keep ours.',
        "  - paths: ['litellm/**', 'tests/**', 'pyproject.toml']",
        '    resolution: theirs',
        '    note: Upstream code; take theirs, then re-apply fork patches listed in CARTO_CHANGES.md.',
        "  - paths: ['Dockerfile', 'Makefile']",
        '    resolution: manual',
        "    note: 'check `# CARTO:` sections'",
        'checklist:',
        '  - CI green on the sync branch',
        '  - Staging deploy smoke-tested',
        ''
      ].join('\n')
  },
  {
    path: '.github/workflows/carto-upstream-sync.yml',
    text: () =>
      [
        'name: Upstream sync',
        'on:',
        '  schedule:',
        "    - cron: '0 */8 * * *'",
        '  workflow_dispatch:',
        'permissions:',
        '  contents: write',
        '  pull-requests: write',
        'concurrency: upstream-sync',
        'jobs:',
        '  sync:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: upstream-sync/upstream-sync@v1',
        '        with:',
        '          upstream-repository: upstream-org/gateway',
        '          target-branch: carto/main',
        ''
      ].join('\n')
  },
  ...['carto-deploy', 'carto-tests', 'carto-release'].map((name) => ({
    path: `.github/workflows/${name}.yml`,
    text: (rng: Random) => newFile(rng, `.github/workflows/${name}.yml`, localIdents(rng), 1500).join('\n') + '\n'
  })),
  ...['CARTO_CHANGES.md', 'docs/CARTO_DEPLOY.md', 'docs/CARTO_ARCHITECTURE.md'].map((file) => ({
    path: file,
    text: (rng: Random) => newFile(rng, file, localIdents(rng), 3000).join('\n') + '\n'
  })),
  ...['carto/__init__.py', 'carto/auth/sso_bridge.py', 'carto/hooks/usage_export.py', 'carto/scripts/rotate_keys.py', 'tests/carto/test_sso_bridge.py', 'tests/carto/test_usage_export.py'].map(
    (file) => ({ path: file, text: (rng: Random) => newFile(rng, file, localIdents(rng), 4000).join('\n') + '\n' })
  ),
  ...['carto/config/prod.yaml', 'carto/config/staging.yaml'].map((file) => ({
    path: file,
    text: (rng: Random) => newFile(rng, file, localIdents(rng), 1200).join('\n') + '\n'
  }))
]

const STABLE_FORK_FILES = new Set(['.github/upstream-sync.yml', '.github/workflows/carto-upstream-sync.yml'])

function carto(kind: FileKind, text: string): string {
  if (kind === 'md') return `<!-- CARTO: ${text} -->`
  if (kind === 'ts') return `// CARTO: ${text}`
  return `# CARTO: ${text}`
}

interface StreamResult {
  mainRef: string
  baseTag: string
  newestTag: string
  tagCount: number
  tagChannels: Record<string, number>
  conflictFiles: string[]
  rawBlobBytes: number
  sample: string
  releases: ReleaseSpec[]
}

/** Writes the whole history as one fast-import stream. */
async function writeHistory(scale: Scale, w: StreamWriter): Promise<StreamResult> {
  const rng = new Random(scale.seed)
  const people = makePeople(rng, 60)
  const author = (): Person => people[rng.skewed(people.length, 2.5)] ?? people[0]!
  const pMerge = 0.08
  const mainCount = Math.max(50, Math.round(scale.commits / (1 + pMerge * 2)))
  const tail = Math.max(8, Math.round(mainCount * 0.005))
  const newest = mainCount - 1 - tail
  const base = Math.max(5, newest - Math.min(scale.behind, Math.floor(mainCount / 3)))
  const tags = planTags(rng, mainCount, scale.tags, base, newest)

  const files = new Map<string, TextFile>()
  /** Text files in "hotness" order: picks favour the front. */
  const live: string[] = []
  const taken = new Set<string>()
  const bigFiles = makeBigFiles(rng, scale.bigFileFactor)
  const bigMarks = new Map<string, number>()
  const protectedPaths = new Set<string>([...ROOT_FILES, ...GIANT_FILES, 'model_prices_and_context_window.json', 'litellm/model_prices_and_context_window_backup.json'])
  let rawBlobBytes = 0
  let sample = ''

  const blob = (text: string): number => {
    const mark = w.mark()
    w.write(`blob\nmark :${mark}\n${dataCommand(text)}`)
    rawBlobBytes += text.length
    if (sample.length < 2_000_000 && rng.chance(0.02)) sample += text
    return mark
  }
  const storeText = (file: TextFile): Change => {
    file.mark = blob(file.lines.join('\n') + '\n')
    return { op: 'M', path: file.path, mark: file.mark }
  }
  const storeBig = (file: BigFile): Change[] => {
    const mark = blob(bigFileText(file))
    bigMarks.set(file.path, mark)
    const changes: Change[] = [{ op: 'M', path: file.path, mark }]
    if (file.path === 'model_prices_and_context_window.json') {
      bigMarks.set('litellm/model_prices_and_context_window_backup.json', mark)
      changes.push({ op: 'M', path: 'litellm/model_prices_and_context_window_backup.json', mark })
    }
    return changes
  }
  const createFile = (filePath: string, bytes: number): Change => {
    const ids = localIdents(rng)
    const file: TextFile = { path: filePath, kind: kindOf(filePath), ids, lines: newFile(rng, filePath, ids, bytes), mark: 0 }
    files.set(filePath, file)
    taken.add(filePath)
    return storeText(file)
  }
  const textSize = (): number => Math.round(Math.min(40_000, Math.max(300, rng.lognormal(4_500, 0.75))))

  /** Replaces `remove` lines at `at` with `insert` new ones. */
  const hunk = (file: TextFile, at: number, remove: number, insert: number): void => {
    const position = Math.min(at, file.lines.length)
    const indent = /^\s*/.exec(file.lines[position] ?? '')?.[0] ?? ''
    file.lines.splice(position, remove, ...newLines(rng, file.kind, file.ids, insert, indent))
  }
  const edit = (file: TextFile): Change => {
    const hunks = rng.range(1, 4)
    for (let i = 0; i < hunks; i++) {
      const remove = rng.range(0, 12)
      hunk(file, rng.int(file.lines.length + 1), remove, remove === 0 ? rng.range(1, 16) : rng.range(0, 16))
    }
    if (file.lines.length < 5) hunk(file, file.lines.length, 0, 5)
    return storeText(file)
  }

  /** Files that must not change right now: conflict files until their scheduled upstream edit, PR branch files. */
  const locked = new Set<string>()
  const pickFile = (): TextFile | undefined => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate = live[rng.skewed(live.length, 2.2)]
      if (candidate !== undefined && !locked.has(candidate)) return files.get(candidate)
    }
    return undefined
  }

  const mainMarks = new Int32Array(mainCount)
  const mainTimes = new Float64Array(mainCount)
  let time = START_TIME
  let pr = 100

  const commit = (ref: string, options: { from?: number; merge?: number; changes: Change[]; deleteAll?: boolean; message?: string }): number => {
    const mark = w.mark()
    time += rng.range(120, 7_000)
    const who = author()
    const message = options.message ?? commitMessage(rng, pr++)
    let text = `commit ${ref}\nmark :${mark}\nauthor ${person(who, time)}\ncommitter ${person(who, time)}\n${dataCommand(message)}`
    if (options.from !== undefined) text += `from :${options.from}\n`
    if (options.merge !== undefined) text += `merge :${options.merge}\n`
    if (options.deleteAll) text += 'deleteall\n'
    for (const change of options.changes) {
      text += change.op === 'M' ? `M 100644 :${change.mark} ${quotePath(change.path)}\n` : `D ${quotePath(change.path)}\n`
    }
    w.write(text + '\n')
    return mark
  }

  // Upstream additions spread over the history so the tree grows to about `scale.files` files.
  const initialCount = Math.max(ROOT_FILES.length + GIANT_FILES.length + 20, Math.round(scale.files * 0.15))
  const deleteRate = 0.006
  const imageRate = (scale.files * 0.03) / mainCount
  const imageMarks = new Map<string, number>()
  // A UI build every ~200 main-line commits at the default scale (about 1.5 MB of chunks each).
  const uiBuildRate = 0.005
  let uiBuild: UiBuild | undefined
  const uiMarks = new Map<string, number>()
  const buildUi = (): Change[] => {
    const next = nextUiBuild(rng, uiBuild, 1_500_000 * scale.bigFileFactor)
    const changes: Change[] = []
    for (const chunkPath of uiBuild?.chunks.keys() ?? []) {
      if (!next.chunks.has(chunkPath)) {
        changes.push({ op: 'D', path: chunkPath })
        uiMarks.delete(chunkPath)
      }
    }
    for (const [chunkPath, text] of next.chunks) {
      if (uiBuild?.chunks.get(chunkPath) === text) continue
      const mark = blob(text)
      uiMarks.set(chunkPath, mark)
      changes.push({ op: 'M', path: chunkPath, mark })
    }
    uiBuild = next
    return changes
  }
  const renameRate = 0.003
  const addRate = Math.max(0, scale.files - initialCount - bigFiles.length - 1 + deleteRate * mainCount) / mainCount
  let addDebt = 0

  /** Random upstream work: edits of hot files, new files, the odd deletion or rename, generated files. */
  const work = (exclude: Set<string>, mainLine: boolean): Change[] => {
    const changes: Change[] = []
    const touched = new Set<string>()
    let count = 1
    while (count < 8 && rng.chance(0.45)) count++
    if (rng.chance(0.01)) count = rng.range(15, 40)
    for (let i = 0; i < count; i++) {
      const file = pickFile()
      if (!file || touched.has(file.path) || exclude.has(file.path)) continue
      touched.add(file.path)
      changes.push(edit(file))
    }
    if (!mainLine) return changes
    addDebt += addRate
    while (addDebt >= 1) {
      addDebt -= 1
      const filePath = makePath(rng, taken)
      changes.push(createFile(filePath, textSize()))
      live.splice(rng.skewed(live.length + 1, 1.5), 0, filePath)
    }
    if (rng.chance(deleteRate) && live.length > 50) {
      const index = live.length - 1 - rng.int(Math.floor(live.length / 2))
      const victim = live[index]
      if (victim && !protectedPaths.has(victim) && !locked.has(victim) && !exclude.has(victim) && !touched.has(victim)) {
        live.splice(index, 1)
        files.delete(victim)
        taken.delete(victim)
        changes.push({ op: 'D', path: victim })
      }
    }
    if (rng.chance(renameRate) && live.length > 50) {
      const index = rng.int(live.length)
      const from = live[index]
      const file = from ? files.get(from) : undefined
      if (file && from && !protectedPaths.has(from) && !locked.has(from) && !exclude.has(from) && !touched.has(from)) {
        const to = makePath(rng, taken)
        files.delete(from)
        taken.delete(from)
        file.path = to
        file.kind = kindOf(to)
        files.set(to, file)
        taken.add(to)
        live[index] = to
        changes.push({ op: 'D', path: from })
        // A rename keeps most of the content (git detects it as a rename).
        hunk(file, rng.int(file.lines.length + 1), 0, rng.range(0, 2))
        changes.push(storeText(file))
      }
    }
    if (rng.chance(imageRate)) {
      // A screenshot for the docs: compressed image data, which neither zlib nor deltas shrink.
      const image = `docs/my-website/img/${makePath(rng, taken).split('/').pop()?.replace(/\.\w+$/, '')}_${rng.hex(4)}.png`
      taken.add(image)
      const data = Buffer.alloc(Math.round(Math.min(600_000, Math.max(8_000, rng.lognormal(70_000, 0.8)))))
      for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((rng.next() * 4294967296) >>> 0, Math.min(i, data.length - 4))
      PNG_SIGNATURE.copy(data)
      const mark = w.mark()
      w.write(`blob\nmark :${mark}\ndata ${data.length}\n`)
      w.write(data)
      w.write('\n')
      rawBlobBytes += data.length
      imageMarks.set(image, mark)
      changes.push({ op: 'M', path: image, mark })
    }
    if (rng.chance(uiBuildRate)) changes.push(...buildUi())
    for (const big of bigFiles) {
      if (rng.chance(big.changeRate)) {
        editBigFile(rng, big)
        changes.push(...storeBig(big))
      }
    }
    return changes
  }

  // The fork's base: snapshots taken right after the base commit and the newest stable commit.
  let baseSnapshot = new Map<string, TextFile>()
  let newestTree = new Map<string, number>()
  let conflictFiles: string[] = []
  const forcedEdits = new Map<number, string[]>()
  const forcedSpan = Math.max(scale.conflictFiles + 2, Math.floor((newest - base) * 0.3))

  const afterMainCommit = (position: number, mark: number): void => {
    mainMarks[position] = mark
    mainTimes[position] = time
    if (position === base) {
      // Conflict files: hot upstream text files (the ones a fork tends to patch), plus the Dockerfile.
      const chosen = new Set<string>(['Dockerfile'])
      for (let attempt = 0; chosen.size < scale.conflictFiles && attempt < 100_000; attempt++) {
        const candidate = files.get(live[rng.skewed(live.length, 1.6)] ?? '')
        if (candidate && candidate.lines.length >= 40 && ['py', 'ts', 'md', 'yml'].includes(candidate.kind)) chosen.add(candidate.path)
      }
      conflictFiles = [...chosen]
      baseSnapshot = new Map(conflictFiles.map((p) => [p, { ...files.get(p)!, lines: [...files.get(p)!.lines] }]))
      conflictFiles.forEach((filePath, i) => {
        protectedPaths.add(filePath)
        locked.add(filePath)
        const at = base + 1 + Math.floor((i * forcedSpan) / conflictFiles.length)
        forcedEdits.set(at, [...(forcedEdits.get(at) ?? []), filePath])
      })
    }
    if (position === newest) {
      newestTree = new Map<string, number>()
      for (const file of files.values()) newestTree.set(file.path, file.mark)
      for (const [filePath, bigMark] of bigMarks) newestTree.set(filePath, bigMark)
      for (const [filePath, imageMark] of imageMarks) newestTree.set(filePath, imageMark)
      for (const [filePath, uiMark] of uiMarks) newestTree.set(filePath, uiMark)
    }
  }

  // Position 0: the initial import.
  {
    const changes: Change[] = []
    for (const filePath of [...ROOT_FILES, ...GIANT_FILES]) {
      const giant = GIANT_FILES.includes(filePath)
      changes.push(createFile(filePath, giant ? rng.range(60_000, 200_000) : filePath === 'Dockerfile' ? 2_600 : textSize()))
      // Giants sit among the hottest files.
      live.splice(giant ? rng.int(Math.min(live.length + 1, 12)) : live.length, 0, filePath)
    }
    while (files.size < initialCount) {
      const filePath = makePath(rng, taken)
      changes.push(createFile(filePath, textSize()))
      live.push(filePath)
    }
    for (const big of bigFiles) changes.push(...storeBig(big))
    changes.push(...buildUi())
    const mark = commit('refs/heads/main', { changes, message: 'Initial commit\n' })
    afterMainCommit(0, mark)
  }

  const window = (position: number): boolean => position > base - 3 && position <= base + forcedSpan + 3
  let position = 1
  while (position < mainCount) {
    if (rng.chance(pMerge) && !window(position) && position + 3 < mainCount) {
      // A pull request: its branch starts at the current main commit; main gets 0–2 unrelated commits meanwhile,
      // then the branch is merged with a merge commit. PR files are kept out of the unrelated commits, so the merge
      // result is the branch's files on top of main.
      const start = mainMarks[position - 1] ?? 0
      const prFiles = new Set<string>()
      const wanted = rng.range(1, 3)
      for (let i = 0; i < 10 && prFiles.size < wanted; i++) {
        const file = pickFile()
        if (file) prFiles.add(file.path)
      }
      for (const filePath of prFiles) locked.add(filePath)
      const meanwhile = rng.range(0, 2)
      for (let i = 0; i < meanwhile; i++) {
        afterMainCommit(position, commit('refs/heads/main', { from: mainMarks[position - 1], changes: work(prFiles, true) }))
        position++
      }
      for (const filePath of prFiles) locked.delete(filePath)
      let sideTip = start
      const sideCommits = rng.range(1, 3)
      for (let i = 0; i < sideCommits; i++) {
        const changes = [...prFiles].map((filePath) => edit(files.get(filePath)!))
        sideTip = commit('refs/heads/_pr', { from: sideTip, changes })
      }
      const mergeChanges: Change[] = [...prFiles].map((filePath) => ({ op: 'M', path: filePath, mark: files.get(filePath)!.mark }))
      const mark = commit('refs/heads/main', {
        from: mainMarks[position - 1],
        merge: sideTip,
        changes: mergeChanges,
        message: `Merge pull request #${pr++} from contributor/${[...prFiles][0]?.split('/').pop()?.replace(/\.\w+$/, '') ?? 'change'}\n`
      })
      afterMainCommit(position, mark)
      position++
      await w.flush()
      continue
    }
    const changes: Change[] = []
    for (const filePath of forcedEdits.get(position) ?? []) {
      // The upstream edit the fork's own edit will collide with: the same lines near the top of the file.
      const file = files.get(filePath)!
      locked.delete(filePath)
      hunk(file, 3, 6, rng.range(6, 8))
      changes.push(storeText(file))
    }
    const forced = new Set(changes.map((change) => change.path))
    changes.push(...work(forced, true))
    afterMainCommit(position, commit('refs/heads/main', { from: mainMarks[position - 1], changes }))
    position++
    await w.flush()
  }

  // Tags, oldest first.
  const channels: Record<string, number> = {}
  const releases: ReleaseSpec[] = []
  const stableTags: string[] = []
  for (let p = 0; p < mainCount; p++) {
    for (const tag of tags.byPosition.get(p) ?? []) {
      channels[tag.channel] = (channels[tag.channel] ?? 0) + 1
      if (tag.channel === 'stable' || tag.channel === 'patch') stableTags.push(tag.name)
      if (tag.annotated) {
        w.write(`tag ${tag.name}\nfrom :${mainMarks[p]}\ntagger ${person(people[0]!, (mainTimes[p] ?? START_TIME) + 600)}\n${dataCommand(`Release ${tag.name}\n`)}`)
      } else {
        w.write(`reset refs/tags/${tag.name}\nfrom :${mainMarks[p]}\n\n`)
      }
    }
  }
  // GitHub releases for the recent stable tags, with notes that mention people and issues (as real notes do).
  for (const tag of stableTags.slice(-25)) {
    releases.push({
      tag,
      name: tag,
      body: `## What's Changed\n* ${commitMessage(rng, rng.range(9000, 15000)).split('\n')[0]} by @${people[1]!.name.split(' ')[0]!.toLowerCase()}\n* Fix for #${rng.range(1000, 9000)}\n\n**Full Changelog**: ${tag}`,
      draft: false,
      prerelease: false
    })
  }

  // The fork: the base commit, then its own work.
  const forkState = baseSnapshot
  const forkFiles = new Map<string, TextFile>()
  let forkTip = mainMarks[base] ?? 0
  const touchedOnFork = new Set<string>()
  const createAt = new Map<number, number[]>()
  FORK_FILES.forEach((_, i) => {
    const at = Math.min(scale.forkCommits - 1, Math.floor((i * Math.min(20, scale.forkCommits)) / FORK_FILES.length))
    createAt.set(at, [...(createAt.get(at) ?? []), i])
  })
  const firstTouchAt = new Map<number, string[]>()
  conflictFiles.forEach((filePath, i) => {
    const at = Math.floor((i * scale.forkCommits * 0.8) / conflictFiles.length)
    firstTouchAt.set(at, [...(firstTouchAt.get(at) ?? []), filePath])
  })
  time = (mainTimes[base] ?? START_TIME) + 3_600
  for (let j = 0; j < scale.forkCommits; j++) {
    const changes: Change[] = []
    for (const index of createAt.get(j) ?? []) {
      const spec = FORK_FILES[index]!
      const text = spec.text(rng)
      const file: TextFile = { path: spec.path, kind: kindOf(spec.path), ids: localIdents(rng), lines: text.replace(/\n$/, '').split('\n'), mark: blob(text) }
      forkFiles.set(spec.path, file)
      changes.push({ op: 'M', path: spec.path, mark: file.mark })
    }
    for (const filePath of firstTouchAt.get(j) ?? []) {
      // The fork's patch of an upstream file: a marked section in the lines upstream rewrites too.
      const file = forkState.get(filePath)!
      const patch = newLines(rng, file.kind, file.ids, rng.range(2, 4), /^\s*/.exec(file.lines[4] ?? '')?.[0] ?? '')
      file.lines.splice(4, 3, carto(file.kind, `fork patch ${rng.hex(6)}`), ...patch)
      touchedOnFork.add(filePath)
      changes.push(storeText(file))
    }
    if (changes.length === 0) {
      if (touchedOnFork.size > 0 && rng.chance(0.55)) {
        const file = forkState.get(rng.pick([...touchedOnFork]))!
        hunk(file, rng.range(12, file.lines.length), rng.range(0, 3), rng.range(1, 5))
        changes.push(storeText(file))
      } else {
        // The sync config and the sync workflow stay as written (random edits would make them invalid).
        const editable = [...forkFiles.keys()].filter((filePath) => !STABLE_FORK_FILES.has(filePath))
        if (editable.length > 0) changes.push(edit(forkFiles.get(rng.pick(editable))!))
      }
    }
    time += rng.range(3_600, 40_000)
    forkTip = commit('refs/heads/fork', { from: forkTip, changes, message: `carto: ${commitMessage(rng, j + 1).split('\n')[0]}\n` })
    await w.flush()
  }

  // The fork after merging the newest stable tag: upstream's tree at the tag plus the fork's own files.
  const syncedChanges: Change[] = []
  for (const [filePath, mark] of newestTree) syncedChanges.push({ op: 'M', path: filePath, mark })
  for (const file of forkFiles.values()) syncedChanges.push({ op: 'M', path: file.path, mark: file.mark })
  time += 3_600
  commit('refs/heads/fork-synced', {
    from: forkTip,
    merge: mainMarks[newest],
    deleteAll: true,
    changes: syncedChanges,
    message: `Merge upstream ${tags.newestTag} into ${TARGET_BRANCH}\n`
  })
  w.write('done\n')
  await w.flush(true)

  return {
    mainRef: 'refs/heads/main',
    baseTag: tags.baseTag,
    newestTag: tags.newestTag,
    tagCount: tags.count,
    tagChannels: channels,
    conflictFiles,
    rawBlobBytes,
    sample,
    releases
  }
}

/** fast-import's path quoting: C-style quotes only when needed (our paths are plain, but stay correct). */
function quotePath(filePath: string): string {
  return /^[\x21-\x7e]+$/.test(filePath) && !filePath.startsWith('"') ? filePath : JSON.stringify(filePath)
}

// ---------------------------------------------------------------------------------------------------------------
// git helpers

const GIT_ENV: NodeJS.ProcessEnv = (() => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' }
})()

export interface GitOutput {
  code: number
  stdout: string
  stderr: string
}

/** Runs git with args (never a shell); rejects on a non-zero exit unless `allowFail`. */
export async function git(args: string[], options: { cwd?: string; input?: string; allowFail?: boolean } = {}): Promise<GitOutput> {
  const collected = await spawnCollect('git', args, { cwd: options.cwd, env: GIT_ENV, input: options.input })
  const result = { code: collected.code, stdout: collected.stdout.toString('utf8'), stderr: collected.stderr }
  if (result.code !== 0 && !options.allowFail) throw new Error(`git ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`)
  return result
}

async function packBytes(gitDir: string): Promise<number> {
  const packDir = path.join(gitDir, 'objects', 'pack')
  let total = 0
  for (const entry of await fs.readdir(packDir)) if (entry.endsWith('.pack')) total += (await fs.stat(path.join(packDir, entry))).size
  return total
}

async function repoStats(root: string, fullName: string, branch: string): Promise<RepoStats> {
  const gitDir = path.join(root, `${fullName}.git`)
  const commits = Number((await git(['--git-dir', gitDir, 'rev-list', '--count', branch])).stdout.trim())
  const files = (await git(['--git-dir', gitDir, 'ls-tree', '-r', '--name-only', branch])).stdout.split('\n').filter(Boolean).length
  const tags = (await git(['--git-dir', gitDir, 'for-each-ref', '--format=x', 'refs/tags'])).stdout.split('\n').filter(Boolean).length
  return { fullName, commits, files, tags, packBytes: await packBytes(gitDir) }
}

function scaleKey(scale: Scale): string {
  return JSON.stringify({ generatorVersion: GENERATOR_VERSION, scale })
}

/** The cached repositories of `scale` if they are up to date, else undefined. */
export async function cachedManifest(scale: Scale, workDir = WORK_DIR): Promise<Manifest | undefined> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(workDir, scale.name, 'manifest.json'), 'utf8')) as Manifest
    if (scaleKey(manifest.scale) !== scaleKey(scale) || manifest.generatorVersion !== GENERATOR_VERSION) return undefined
    for (const name of [UPSTREAM, FORK, SYNCED_FORK]) await fs.access(path.join(manifest.root, `${name}.git`, 'HEAD'))
    return manifest
  } catch {
    return undefined
  }
}

/**
 * Generates (or reuses) the repositories of `scale` under `workDir/<scale>`. The import goes into a scratch
 * repository; the served ones are then filled by local fetches, which give each a pack of its own with git's usual
 * delta compression (what a real server would serve), and the scratch repository is removed.
 */
export async function generate(scale: Scale, options: { workDir?: string; force?: boolean; log?: (message: string) => void } = {}): Promise<Manifest> {
  const workDir = options.workDir ?? WORK_DIR
  const log = options.log ?? (() => undefined)
  if (!options.force) {
    const cached = await cachedManifest(scale, workDir)
    if (cached) {
      log(`Using cached repositories in ${path.join(workDir, scale.name)} (generator v${GENERATOR_VERSION}).`)
      return cached
    }
  }
  const started = performance.now()
  const since = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`
  const dir = path.join(workDir, scale.name)
  await fs.rm(dir, { recursive: true, force: true })
  const root = path.join(dir, 'root')
  const scratch = path.join(dir, 'scratch.git')
  await fs.mkdir(root, { recursive: true })
  await git(['init', '--bare', '--quiet', scratch])

  log(`Generating ${scale.name}: ~${scale.commits} commits, ~${scale.files} files, ~${scale.tags} tags (fast-import)…`)
  const importer = spawn('git', ['--git-dir', scratch, 'fast-import', '--quiet', '--done', '--active-branches=8', '--depth=0'], {
    env: GIT_ENV,
    stdio: ['pipe', 'ignore', 'pipe']
  })
  const importerErrors: Buffer[] = []
  importer.stderr.on('data', (chunk: Buffer) => importerErrors.push(chunk))
  const exited = new Promise<number>((resolve, reject) => {
    importer.on('error', reject)
    importer.on('close', (code) => resolve(code ?? 128))
  })
  let history: StreamResult
  try {
    history = await writeHistory(scale, new StreamWriter(importer.stdin))
    importer.stdin.end()
  } catch (error) {
    importer.kill()
    await exited
    throw new Error(`Writing the fast-import stream failed: ${(error as Error).message}\n${Buffer.concat(importerErrors).toString('utf8').trim()}`)
  }
  const code = await exited
  if (code !== 0) throw new Error(`git fast-import failed (${code}): ${Buffer.concat(importerErrors).toString('utf8').trim()}`)
  log(`  imported in ${since()} (${(history.rawBlobBytes / 1e6).toFixed(0)} MB of file versions)`)
  // fast-import stores blobs whole (--depth=0; its own deltas are against whatever blob came before in the stream,
  // usually another file), and fetches reuse what they find, so the delta compression a real server's repository has
  // is done here, once, with git's default window and depth.
  await git(['--git-dir', scratch, 'repack', '-a', '-d', '-f', '-q', '--window=10', '--depth=50'])
  log(`  delta-compressed in ${since()}`)

  const upstreamDir = path.join(root, `${UPSTREAM}.git`)
  const forkDir = path.join(root, `${FORK}.git`)
  const syncedDir = path.join(root, `${SYNCED_FORK}.git`)
  const fetchArgs = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head']

  // Upstream: main and every tag. This fetch does the delta compression of the whole history.
  await git(['init', '--bare', '--quiet', upstreamDir])
  await git(['--git-dir', upstreamDir, ...fetchArgs, scratch, '+refs/heads/main:refs/heads/main', '+refs/tags/*:refs/tags/*'])
  await git(['--git-dir', upstreamDir, 'symbolic-ref', 'HEAD', 'refs/heads/main'])
  log(`  upstream packed in ${since()}`)

  // Fork: the tags that existed when it forked (those in its base), upstream's main at that time, its own branch.
  const baseSha = (await git(['--git-dir', upstreamDir, 'rev-parse', `refs/tags/${history.baseTag}^{commit}`])).stdout.trim()
  const newestSha = (await git(['--git-dir', upstreamDir, 'rev-parse', `refs/tags/${history.newestTag}^{commit}`])).stdout.trim()
  const baseTags = (await git(['--git-dir', upstreamDir, 'tag', '--merged', baseSha])).stdout.split('\n').filter(Boolean)
  await git(['init', '--bare', '--quiet', forkDir])
  await git(['--git-dir', forkDir, ...fetchArgs, '--stdin', upstreamDir], { input: baseTags.map((tag) => `+refs/tags/${tag}:refs/tags/${tag}`).join('\n') + '\n' })
  await git(['--git-dir', forkDir, 'update-ref', 'refs/heads/main', baseSha])
  await git(['--git-dir', forkDir, ...fetchArgs, scratch, `+refs/heads/fork:refs/heads/${TARGET_BRANCH}`])
  await git(['--git-dir', forkDir, 'symbolic-ref', 'HEAD', `refs/heads/${TARGET_BRANCH}`])

  // The synced fork: the same repository whose target branch has merged the newest stable tag.
  await git(['init', '--bare', '--quiet', syncedDir])
  await git(['--git-dir', syncedDir, ...fetchArgs, forkDir, '+refs/*:refs/*'])
  await git(['--git-dir', syncedDir, ...fetchArgs, scratch, `+refs/heads/fork-synced:refs/heads/${TARGET_BRANCH}`])
  await git(['--git-dir', syncedDir, 'symbolic-ref', 'HEAD', `refs/heads/${TARGET_BRANCH}`])
  for (const gitDir of [forkDir, syncedDir]) await git(['--git-dir', gitDir, 'config', 'standin.parent', UPSTREAM])
  for (const gitDir of [upstreamDir, forkDir, syncedDir]) await git(['--git-dir', gitDir, 'pack-refs', '--all'])
  // Served as GitHub serves them: its maintenance keeps every repository in one pack with reachability bitmaps
  // (GitHub blog, "Counting objects", 2015, and "Scaling monorepo maintenance", 2021) and a commit-graph ("Git's
  // database internals II: commit history queries", 2022). Without them the stand-in's upload-pack walked every
  // commit to count what a fetch sends (0.45 s instead of 0.07 s for the fork's 29k commits) and its compare walked
  // history without generation numbers: a server slower than GitHub's. The repack reuses the deltas made above.
  await Promise.all(
    [upstreamDir, forkDir, syncedDir].map(async (gitDir) => {
      await git(['--git-dir', gitDir, 'repack', '-a', '-d', '-b', '-q'])
      await git(['--git-dir', gitDir, 'commit-graph', 'write', '--reachable'])
    })
  )
  log(`  forks packed in ${since()}`)

  // What a plain `git merge` of the newest stable tag reports as conflicted (the scratch repository has both sides).
  const mergeTree = await git(['--git-dir', scratch, 'merge-tree', '--write-tree', '--name-only', '--no-messages', 'refs/heads/fork', newestSha], { allowFail: true })
  if (mergeTree.code > 1) throw new Error(`git merge-tree failed: ${mergeTree.stderr.trim()}`)
  const conflicts = mergeTree.stdout.split('\n').slice(1).filter(Boolean)
  const forkTip = (await git(['--git-dir', forkDir, 'rev-parse', `refs/heads/${TARGET_BRANCH}`])).stdout.trim()
  const syncedTip = (await git(['--git-dir', syncedDir, 'rev-parse', `refs/heads/${TARGET_BRANCH}`])).stdout.trim()
  const commitsBehind = Number((await git(['--git-dir', upstreamDir, 'rev-list', '--count', `${baseSha}..${newestSha}`])).stdout.trim())
  await fs.rm(scratch, { recursive: true, force: true })

  const sample = Buffer.from(history.sample)
  const manifest: Manifest = {
    generatorVersion: GENERATOR_VERSION,
    scale,
    root,
    upstream: await repoStats(root, UPSTREAM, 'main'),
    fork: await repoStats(root, FORK, TARGET_BRANCH),
    syncedFork: await repoStats(root, SYNCED_FORK, TARGET_BRANCH),
    targetBranch: TARGET_BRANCH,
    baseTag: { tag: history.baseTag, sha: baseSha },
    newestStable: { tag: history.newestTag, sha: newestSha },
    commitsBehind,
    forkTip,
    syncedTip,
    conflicts,
    tagChannels: history.tagChannels,
    releases: history.releases,
    rawBlobBytes: history.rawBlobBytes,
    sampleCompressionRatio: sample.length > 0 ? Number((sample.length / gzipSync(sample).length).toFixed(2)) : 0,
    generationSeconds: Number(((performance.now() - started) / 1000).toFixed(1))
  }
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n')
  log(`  done in ${since()}: ${manifest.upstream.commits} upstream commits, ${manifest.upstream.files} files, ${manifest.upstream.tags} tags, ${conflicts.length} conflicting files`)
  return manifest
}

function argValue(args: string[], name: string): string | undefined {
  const index = args.indexOf(name)
  if (index >= 0) return args[index + 1]
  const inline = args.find((arg) => arg.startsWith(`${name}=`))
  return inline?.slice(name.length + 1)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  generate(parseScale(argValue(args, '--scale') ?? 'default'), { force: args.includes('--force'), log: (message) => console.log(message) })
    .then((manifest) => {
      const { upstream, fork } = manifest
      console.log(
        `${upstream.fullName}: ${upstream.commits} commits, ${upstream.files} files, ${upstream.tags} tags, pack ${(upstream.packBytes / 1e6).toFixed(1)} MB\n` +
          `${fork.fullName}: ${fork.commits} commits on ${manifest.targetBranch}, pack ${(fork.packBytes / 1e6).toFixed(1)} MB, ` +
          `${manifest.commitsBehind} commits behind ${manifest.newestStable.tag} (base ${manifest.baseTag.tag}), ${manifest.conflicts.length} conflicting files\n` +
          `sample compression ${manifest.sampleCompressionRatio}x, generated in ${manifest.generationSeconds} s`
      )
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error))
      process.exit(1)
    })
}
