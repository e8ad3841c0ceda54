/**
 * The commit graph of the fork and upstream, loaded with ONE `git rev-list --parents` and walked in memory: a fork of
 * a big project has tens of thousands of commits, and a git process per commit (or per merge) would take minutes.
 * Commits are numbered; parents are arrays of numbers. Needs commits only, so a `--filter=tree:0` clone is enough.
 */
import type { GitReader } from './tree-diff.js'

export class CommitGraph {
  private generations: Int32Array | undefined

  private constructor(
    readonly ids: readonly string[],
    /** Parents of each commit by number, in git's order (first parent first); parents outside the graph are left out. */
    readonly parents: ReadonlyArray<readonly number[]>,
    private readonly index: ReadonlyMap<string, number>
  ) {}

  /** Loads every commit reachable from `tips` (full commit ids or names git resolves). */
  static async load(git: GitReader, tips: readonly string[]): Promise<CommitGraph> {
    const out = await git.output(['rev-list', '--parents', ...tips, '--'], { largeOutput: true })
    const lines = out === '' ? [] : out.split('\n')
    // Each line is a commit's id and its parents' ids: fixed-width fields, read by position. On the benchmark's
    // 29,576 commits this parse is on the merge's critical path (the walk is its longest part).
    const width = lines[0]?.indexOf(' ') ?? -1
    const idLength = width === -1 ? (lines[0]?.length ?? 0) : width
    const ids = lines.map((line) => line.slice(0, idLength))
    const index = new Map<string, number>()
    ids.forEach((id, n) => index.set(id, n))
    const parents = lines.map((line) => {
      const numbers: number[] = []
      for (let at = idLength + 1; at < line.length; at += idLength + 1) {
        const n = index.get(line.slice(at, at + idLength))
        if (n !== undefined) numbers.push(n)
      }
      return numbers
    })
    return new CommitGraph(ids, parents, index)
  }

  get size(): number {
    return this.ids.length
  }

  numberOf(id: string): number | undefined {
    return this.index.get(id)
  }

  idOf(n: number): string {
    return this.ids[n] as string
  }

  /** Marks `from` and all its ancestors not yet marked with `value` (`marks[n] === -1` means unmarked). */
  markAncestors(from: readonly number[], marks: Int32Array, value: number, list?: number[]): void {
    const stack = from.filter((n) => marks[n] === -1)
    for (const n of stack) marks[n] = value
    while (stack.length > 0) {
      const n = stack.pop() as number
      list?.push(n)
      for (const p of this.parents[n] as number[]) {
        if (marks[p] !== -1) continue
        marks[p] = value
        stack.push(p)
      }
    }
  }

  /** 1 + the longest parent chain below each commit: an ancestor always has a lower generation than its descendants. */
  generation(n: number): number {
    if (!this.generations) this.generations = this.computeGenerations()
    return this.generations[n] as number
  }

  private computeGenerations(): Int32Array {
    const generations = new Int32Array(this.size)
    for (let root = 0; root < this.size; root++) {
      if (generations[root] !== 0) continue
      // Iterative post-order walk: a commit's generation is known once all its parents' are.
      const stack = [root]
      while (stack.length > 0) {
        const n = stack[stack.length - 1] as number
        let ready = true
        for (const p of this.parents[n] as number[]) {
          if (generations[p] === 0) {
            ready = false
            stack.push(p)
          }
        }
        if (!ready) continue
        stack.pop()
        if (generations[n] !== 0) continue
        let max = 0
        for (const p of this.parents[n] as number[]) max = Math.max(max, generations[p] as number)
        generations[n] = max + 1
      }
    }
    return generations
  }

  /** True when `ancestor` is reachable from `descendant` (walking no lower than the ancestor's generation). */
  isAncestor(ancestor: number, descendant: number): boolean {
    const floor = this.generation(ancestor)
    const seen = new Set<number>([descendant])
    const stack = [descendant]
    while (stack.length > 0) {
      const n = stack.pop() as number
      if (n === ancestor) return true
      for (const p of this.parents[n] as number[]) {
        if (seen.has(p) || this.generation(p) < floor) continue
        seen.add(p)
        stack.push(p)
      }
    }
    return false
  }

  /** The commit of highest generation (the newest by ancestry), ties broken by git's order. */
  newest(commits: readonly number[]): number | undefined {
    let best: number | undefined
    for (const n of commits) if (best === undefined || this.generation(n) > this.generation(best)) best = n
    return best
  }
}
