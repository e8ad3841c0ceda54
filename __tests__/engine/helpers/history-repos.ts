/**
 * Merge-heavy fork histories for the history and audit engine tests: a work tree where a fork and its upstream are
 * written commit by commit (feature-branch pull requests, upstream's own merges, syncs made by every flow a fork
 * uses), a fast-import generator for big histories, and small oracles built on plain git commands.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { runGit, WorkTree, type RunResult } from './merge-repos.js'

/** A work tree whose commits get increasing dates, so every commit and merge has its own time. */
export class HistoryWork extends WorkTree {
  private clock = Date.parse('2024-01-01T00:00:00Z') / 1000

  static override create(dir: string): HistoryWork {
    WorkTree.create(dir, 'main')
    const work = new HistoryWork(dir)
    work.git(['config', 'core.logAllRefUpdates', 'false'])
    return work
  }

  override git(args: string[], options: { input?: string; allowFail?: boolean } = {}): RunResult {
    this.clock += 3600
    const date = `${this.clock} +0000`
    return runGit(this.dir, args, { ...options, env: { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } })
  }

  rev(name: string): string {
    return this.git(['rev-parse', `${name}^{commit}`]).stdout.trim()
  }

  checkout(ref: string, create?: string): this {
    this.git(create ? ['checkout', '--quiet', '-b', create, ref] : ['checkout', '--quiet', ref])
    return this
  }

  /** A file of `count` distinct lines, so a change to one line merges cleanly with a change two lines away. */
  lines(file: string, tag: string, count = 12): this {
    return this.writeLines(file, count, tag)
  }

  /** Replaces line `n` (1-based) of `file` as it is in the work tree (a conflicted file has no stage-0 version). */
  override editLine(file: string, n: number, text: string): this {
    const content = readFileSync(path.join(this.dir, file), 'utf8').split('\n')
    content[n - 1] = text
    return this.write(file, content.join('\n'))
  }

  /** `git merge --no-ff` into the current branch; returns true when it stopped on conflicts. */
  merge(ref: string, message: string): boolean {
    return this.git(['merge', '--no-ff', '--no-edit', '-m', message, ref], { allowFail: true }).code !== 0
  }

  /** Takes a side's version of conflicted paths (`git checkout --ours/--theirs`), deleting it when that side has none. */
  take(side: 'ours' | 'theirs', ...files: string[]): this {
    for (const file of files) {
      const result = this.git(['checkout', `--${side}`, '--', file], { allowFail: true })
      if (result.code !== 0) this.git(['rm', '--quiet', '--cached', '--ignore-unmatch', '--', file])
      if (result.code !== 0) rmSync(path.join(this.dir, file), { force: true })
    }
    return this
  }

  /** Concludes a merge stopped on conflicts. */
  conclude(): string {
    this.git(['add', '--all'])
    this.git(['commit', '--quiet', '--no-edit'])
    return this.rev('HEAD')
  }

  /** A feature branch off `base` with one commit, merged by a pull request merge commit. */
  featurePullRequest(number: number, base: string, edit: (w: HistoryWork) => void): string {
    this.checkout(base, `feature-${number}`)
    edit(this)
    this.commit(`feature ${number}`)
    this.checkout(base)
    this.merge(`feature-${number}`, `Merge pull request #${number} from acme/feature-${number}`)
    return this.rev('HEAD')
  }

  tag(name: string): string {
    this.git(['tag', '-a', '-m', `release ${name}`, name])
    return this.rev(name)
  }
}

/** The upstream commits a merge brought in, by plain git: `rev-list M ^M^1` limited to `upstream`'s commits. */
export function upstreamCommitsBroughtIn(dir: string, merge: string, forkParent: string, upstream: ReadonlySet<string>): string[] {
  return lines(runGit(dir, ['rev-list', merge, `^${forkParent}`]).stdout).filter((id) => upstream.has(id))
}

/** Every path's version (`<mode> <oid>`) in a commit, by `git ls-tree -r`. */
export function versionsOf(dir: string, commit: string): Map<string, string> {
  return new Map(
    runGit(dir, ['ls-tree', '-r', '-z', commit])
      .stdout.split('\0')
      .filter(Boolean)
      .map((entry) => {
        const [info, file] = entry.split('\t') as [string, string]
        const [mode, , oid] = info.split(' ')
        return [file, `${mode} ${oid}`]
      })
  )
}

export function lines(text: string): string[] {
  return text.split('\n').filter(Boolean)
}

/** Blobs present in a repository, without fetching anything (`--batch-all-objects` lists local objects only). */
export function blobCount(gitDir: string): number {
  const out = runGit(gitDir, ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype)']).stdout
  return lines(out).filter((type) => type === 'blob').length
}

export interface LargeHistory {
  /** Sync merge commits on main, oldest first. */
  syncs: Array<{ merge: string; upstream: string; tag: string }>
  /** Upstream's newest tag (not synced yet). */
  nextTag: string
  commits: number
  /** For each path some sync found changed on both sides: the latest such sync's tag and what it kept. */
  lastKept: Map<string, { tag: string; kept: 'ours' | 'theirs' }>
}

/**
 * A big history written with one `git fast-import`: upstream's linear line with a tag per release, and a fork whose
 * main takes `features` pull-request merges (branch commit + merge commit) between syncs, each sync a merge of the
 * release's tag into main. Both sides change the generated files `gen/<n>.js` (sync i keeps upstream's version of
 * the file it has, and the fork's of the other), so every sync has paths changed on both sides.
 */
export function buildLargeHistory(dir: string, options: { syncs: number; features: number; upstreamCommits: number }): LargeHistory {
  mkdirSync(dir, { recursive: true })
  runGit(dir, ['init', '--quiet', '--bare'])
  let clock = Date.parse('2023-01-01T00:00:00Z') / 1000
  let mark = 0
  const out: string[] = []
  const fork = new Map<string, string>()
  const upstream = new Map<string, string>()
  const blob = (content: string): string => `data ${Buffer.byteLength(content)}\n${content}\n`
  const commit = (ref: string, message: string, parents: number[], changes: Map<string, string>): number => {
    mark++
    clock += 60
    out.push(`commit ${ref}\nmark :${mark}\ncommitter Dev <dev@example.com> ${clock} +0000\n${blob(message)}`)
    if (parents[0] !== undefined) out.push(`from :${parents[0]}\n`)
    for (const p of parents.slice(1)) out.push(`merge :${p}\n`)
    for (const [file, content] of changes) out.push(`M 100644 inline ${file}\n${blob(content)}`)
    return mark
  }
  const files = Array.from({ length: 20 }, (_, i) => `gen/${i}.js`)
  for (const file of files) upstream.set(file, `${file} v0\n`)
  let up = commit('refs/heads/upstream', 'upstream: initial', [], new Map(upstream))
  for (const [file, content] of upstream) fork.set(file, content)
  let main = commit('refs/heads/main', 'fork: start', [up], new Map())
  let base = new Map(upstream)
  const syncs: Array<{ mark: number; upstream: number; tag: string }> = []
  const lastKept = new Map<string, { tag: string; kept: 'ours' | 'theirs' }>()
  let pr = 1
  const release = (n: number): number => {
    for (let i = 0; i < options.upstreamCommits; i++) {
      const file = i % 3 === 0 ? (files[(n + i) % files.length] as string) : `up/${n}-${i}.txt`
      upstream.set(file, `${file} upstream ${n}.${i}\n`)
      up = commit('refs/heads/upstream', `upstream ${n}.${i}`, [up], new Map([[file, upstream.get(file) as string]]))
    }
    out.push(`tag v${n}.0\nfrom :${up}\ntagger Dev <dev@example.com> ${clock} +0000\n${blob(`release v${n}.0`)}`)
    return up
  }
  for (let n = 1; n <= options.syncs + 1; n++) {
    for (let f = 0; f < options.features; f++, pr++) {
      const file = f % 4 === 0 ? (files[(n * 7 + f) % files.length] as string) : `fork/${pr}.txt`
      fork.set(file, `${file} fork ${pr}\n`)
      const branch = commit(`refs/heads/feature`, `feature ${pr}`, [main], new Map([[file, fork.get(file) as string]]))
      main = commit('refs/heads/main', `Merge pull request #${pr} from acme/feature-${pr}`, [main, branch], new Map([[file, fork.get(file) as string]]))
    }
    const tip = release(n)
    if (n > options.syncs) break
    const merged = new Map<string, string>()
    for (const [file, theirs] of upstream) {
      const ours = fork.get(file)
      if (theirs === base.get(file) || theirs === ours) continue
      if (ours === base.get(file)) merged.set(file, theirs)
      else {
        const keep = files.indexOf(file) % 2 === n % 2 ? 'theirs' : 'ours'
        lastKept.set(file, { tag: `v${n}.0`, kept: keep })
        if (keep === 'theirs') merged.set(file, theirs)
      }
    }
    for (const [file, content] of merged) fork.set(file, content)
    main = commit('refs/heads/main', `Merge tag 'v${n}.0'`, [main, tip], merged)
    syncs.push({ mark: main, upstream: tip, tag: `v${n}.0` })
    base = new Map(upstream)
  }
  out.push('done\n')
  runGit(dir, ['fast-import', '--quiet', '--done', `--export-marks=${path.join(dir, 'marks')}`], { input: out.join('') })
  const marks = new Map(lines(readFileSync(path.join(dir, 'marks'), 'utf8')).map((line) => {
    const [markText, id] = line.split(' ') as [string, string]
    return [Number(markText.slice(1)), id] as const
  }))
  return {
    syncs: syncs.map((sync) => ({ merge: marks.get(sync.mark) as string, upstream: marks.get(sync.upstream) as string, tag: sync.tag })),
    nextTag: `v${options.syncs + 1}.0`,
    commits: mark,
    lastKept
  }
}
