/**
 * Which blobs the rebranded merge rewrites, and their new text. Pure: works on the paths that changed and on blob
 * texts already read (rebrand-objects.ts reads them); rebrand-merge.ts writes the results and merges.
 *
 * Per path upstream changed between the base B and the tag T, under the rules' globs, for regular files only:
 * - T's version is always transformed: upstream's new text arrives in the fork's names.
 * - B's version is transformed only where the fork changed the path too AND the fork's version holds fewer
 *   occurrences the rules would rename than the base does, i.e. the fork renamed in this file. Then the fork's
 *   renamed lines equal the transformed base and its side of the merge is its own edits only. Otherwise the base
 *   stays as it is: where the fork left the file alone, the merge takes upstream's transformed version whole; where
 *   the fork edited the file without renaming, a transformed base would make the fork look as if it un-renamed every
 *   word, bringing them back and conflicting with upstream's edits next to them.
 * Binary files and blobs that are not UTF-8 are never transformed; the tag's are reported as skipped.
 */
import { configError } from '../errors.js'
import { isRegularFileMode, type BlobText, type PathChange } from './rebrand-objects.js'
import { isBinary, type CompiledRebrand } from './rebrand-rules.js'

export interface BlobAt {
  path: string
  mode: string
  oid: string
}

export interface RebrandPlan {
  /** The tag's version of each covered path upstream changed. */
  theirs: BlobAt[]
  /** The base's version of each of those paths the fork changed too, with the fork's blob when it has a file there. */
  base: Array<BlobAt & { ours?: string }>
}

/** A blob the rebrand rewrote. */
export interface RewrittenBlob {
  path: string
  mode: string
  text: string
  /** Replacements per rule. */
  replacements: number[]
}

export interface Rewrites {
  theirs: RewrittenBlob[]
  base: RewrittenBlob[]
  skipped: Array<{ path: string; reason: 'binary' | 'not UTF-8' }>
}

export function planRebrand(upstream: readonly PathChange[], fork: readonly PathChange[], rebrand: CompiledRebrand): RebrandPlan {
  const forkChanges = new Map(fork.map((change) => [change.path, change]))
  const plan: RebrandPlan = { theirs: [], base: [] }
  for (const change of upstream) {
    if (!rebrand.covers(change.path)) continue
    if (isRegularFileMode(change.dstMode)) plan.theirs.push({ path: change.path, mode: change.dstMode, oid: change.dstOid })
    const ours = forkChanges.get(change.path)
    if (ours && isRegularFileMode(change.srcMode)) {
      plan.base.push({ path: change.path, mode: change.srcMode, oid: change.srcOid, ...(isRegularFileMode(ours.dstMode) ? { ours: ours.dstOid } : {}) })
    }
  }
  return plan
}

/** Upstream's blobs the plan reads (base and tag: both reachable from the tag) and the fork's. */
export function blobsToRead(plan: RebrandPlan): { upstream: string[]; fork: string[] } {
  return {
    upstream: [...new Set([...plan.theirs, ...plan.base].map((entry) => entry.oid))],
    fork: [...new Set(plan.base.flatMap((entry) => (entry.ours ? [entry.ours] : [])))]
  }
}

type TextOrReason = { text: string } | { reason: 'binary' | 'not UTF-8' }

function textOf(blobs: ReadonlyMap<string, BlobText>, oid: string): TextOrReason {
  const blob = blobs.get(oid)
  if (!blob) throw new Error(`blob ${oid} was not read`)
  // For a blob that is not UTF-8 the decoded text is lossy, but its NUL bytes are kept: binary wins as the reason.
  if (isBinary(Buffer.from(blob.text, 'utf8'))) return { reason: 'binary' }
  return blob.utf8 ? { text: blob.text } : { reason: 'not UTF-8' }
}

/** Applies the rules to every planned blob, refusing rules whose output a second pass would change again. */
export function rewriteBlobs(plan: RebrandPlan, blobs: ReadonlyMap<string, BlobText>, rebrand: CompiledRebrand): Rewrites {
  const rewrites: Rewrites = { theirs: [], base: [], skipped: [] }
  const rewrite = (entry: BlobAt, text: string): RewrittenBlob | undefined => {
    const applied = rebrand.applyRebrand(text, entry.path)
    if (applied.total === 0) return undefined
    const again = rebrand.secondPass(applied.text, entry.path)
    if (again !== undefined) {
      throw configError(
        `rebrand[${again}]: applying the rebrand twice changes ${entry.path} again (its output holds text the rules replace), ` +
          'so the rules are not idempotent; make the pattern exclude the renamed form'
      )
    }
    return { path: entry.path, mode: entry.mode, text: applied.text, replacements: applied.replacements }
  }
  for (const entry of plan.theirs) {
    const content = textOf(blobs, entry.oid)
    if ('reason' in content) rewrites.skipped.push({ path: entry.path, reason: content.reason })
    else {
      const rewritten = rewrite(entry, content.text)
      if (rewritten) rewrites.theirs.push(rewritten)
    }
  }
  for (const entry of plan.base) {
    const content = textOf(blobs, entry.oid)
    if ('reason' in content) continue
    const rewritten = rewrite(entry, content.text)
    if (!rewritten) continue
    if (entry.ours) {
      const ours = textOf(blobs, entry.ours)
      // The fork renamed in this file only if its version holds fewer renamable occurrences than the base.
      if ('reason' in ours || rebrand.applyRebrand(ours.text, entry.path).total >= sumOf(rewritten.replacements)) continue
    }
    rewrites.base.push(rewritten)
  }
  return rewrites
}

export function sumOf(counts: readonly number[]): number {
  return counts.reduce((sum, count) => sum + count, 0)
}
