/**
 * Fit-to-limit: GitHub rejects a PR body over 65,536 characters and a job summary over 1 MiB, so a text is rendered,
 * measured and shrunk until it fits. Long lists are cut with "…and N more" (their full versions go to the job summary
 * and the report file), the release notes are cut last, and a hard cut is the safety net.
 */
import { resolveCommands } from './commands.js'
import { limitGroups } from './groups.js'
import { safeSlice, truncateAtLine } from './markdown.js'
import type { ReportView } from './view.js'

interface Limits {
  conflicts: number
  /** Groups of conflicts (rows of the group table, biggest first). */
  conflictGroups: number
  autoResolved: number
  customizations: number
  folders: number
  /** Characters of `releaseNotesMd`. */
  notes: number
}

const LISTS = ['conflicts', 'conflictGroups', 'autoResolved', 'customizations', 'folders'] as const

/** The view with each list cut to its limit, the "…and N more" counts and the commands to match. */
function limitView(view: ReportView, limits: Limits): ReportView {
  const conflicts = view.conflicts.slice(0, limits.conflicts)
  const autoResolved = view.autoResolved.slice(0, limits.autoResolved)
  const customizations = view.customizations.slice(0, limits.customizations)
  const folders = view.folders.slice(0, limits.folders)
  const conflictsMore = view.conflicts.length - conflicts.length + view.conflictsMore
  const autoResolvedMore = view.autoResolved.length - autoResolved.length + view.autoResolvedMore
  const limited: ReportView = {
    ...view,
    conflicts,
    conflictsMore,
    autoResolved,
    autoResolvedMore,
    customizations,
    customizationsMore: view.customizations.length - customizations.length + view.customizationsMore,
    folders,
    foldersMore: view.folders.length - folders.length + view.foldersMore
  }
  limited.truncated = limited.conflictsMore + limited.autoResolvedMore + limited.customizationsMore + limited.foldersMore > 0
  if (conflicts.length !== view.conflicts.length || limits.conflictGroups < view.conflictGroups.length) {
    // The groups shown get their rows first, biggest group first, as far as the conflict limit goes.
    const groups = view.conflictGroups.slice(0, limits.conflictGroups)
    const shown = view.conflictsGrouped ? groups.flatMap((group) => group.conflicts).slice(0, limits.conflicts) : conflicts
    limited.conflictGroups = limitGroups(groups, new Set(shown.map((row) => row.path)))
    limited.conflictGroupsMore = view.conflictGroups.length - limited.conflictGroups.length + view.conflictGroupsMore
    limited.truncated ||= limited.conflictGroupsMore > 0
  }
  if (conflicts.length !== view.conflicts.length || autoResolved.length !== view.autoResolved.length) {
    // One command per group still covers every file (a folder pathspec covers hundreds); only explicit lists are cut.
    limited.resolveCommandsMd = resolveCommands(view, view.conflicts, view.hasConflicts ? view.autoResolved : [], limits.conflicts + limits.autoResolved)
  }
  if (limits.notes < view.releaseNotesMd.length) {
    const link = view.releaseUrl || view.tagUrl
    const kept = truncateAtLine(view.releaseNotesMd, limits.notes)
    limited.releaseNotesMd = `${kept}${kept ? '\n>\n' : ''}> *…release notes cut to fit GitHub's size limit: [read them in full](${link}).*`
    limited.releaseNotesTruncated = true
  }
  return limited
}

function fullLimits(view: ReportView): Limits {
  return {
    conflicts: view.conflicts.length,
    conflictGroups: view.conflictGroups.length,
    autoResolved: view.autoResolved.length,
    customizations: view.customizations.length,
    folders: view.folders.length,
    notes: view.releaseNotesMd.length
  }
}

export interface FitOptions {
  /** Renders a (limited) view. */
  render: (view: ReportView) => string
  /** Size as the destination counts it (characters for a PR body, bytes for a summary). */
  size: (text: string) => number
  budget: number
  /** Most list items to try first. */
  start: number
  /** Lists are not cut below this before the release notes are. */
  floor: number
  /** Appended by the hard cut. */
  cutNotice: string
}

/**
 * Renders, measures and shrinks until the text fits: (1) all lists halved together down to `floor`, then grown back
 * by bisection to the largest size that fits; (2) the release notes cut by the measured excess; (3) lists below the
 * floor down to nothing; (4) a hard cut at a line boundary as the last safety net (a huge custom template, say).
 */
export function fit(view: ReportView, options: FitOptions): string {
  const full = fullLimits(view)
  let notes = full.notes
  const limitsAt = (scale: number, floor: number): Limits => {
    const limits = { ...full, notes }
    for (const key of LISTS) limits[key] = Math.min(full[key], Math.max(floor, Math.floor(options.start * scale)))
    return limits
  }
  const attempt = (limits: Limits): { text: string; fits: boolean; excess: number } => {
    const text = options.render(limitView(view, limits))
    const excess = options.size(text) - options.budget
    return { text, fits: excess <= 0, excess }
  }

  // (1) Lists, down to the floor.
  let scale = 1
  let result = attempt(limitsAt(scale, options.floor))
  if (result.fits) return result.text
  let failed = scale
  while (!result.fits && LISTS.some((key) => limitsAt(scale, options.floor)[key] > Math.min(full[key], options.floor))) {
    failed = scale
    scale /= 2
    result = attempt(limitsAt(scale, options.floor))
  }
  if (result.fits) {
    // Grow back: the largest scale between the one that fits and the one that failed.
    let low = scale
    let high = failed
    let best = result
    for (let i = 0; i < 6; i++) {
      const mid = (low + high) / 2
      const trial = attempt(limitsAt(mid, options.floor))
      if (trial.fits) {
        low = mid
        best = trial
      } else {
        high = mid
      }
    }
    return best.text
  }

  // (2) Release notes, by the measured excess (sizes in bytes are at least the characters cut, so this converges).
  for (let round = 0; round < 8 && !result.fits && notes > 0; round++) {
    notes = Math.max(0, notes - result.excess - 256)
    result = attempt(limitsAt(scale, options.floor))
  }
  if (result.fits) return result.text

  // (3) Lists below the floor.
  for (let floor = Math.floor(options.floor / 2); !result.fits; floor = Math.floor(floor / 2)) {
    result = attempt(limitsAt(0, floor))
    if (floor === 0) break
  }
  if (result.fits) return result.text

  // (4) Hard cut.
  return hardCut(result.text, options)
}

function hardCut(text: string, options: FitOptions): string {
  const notice = `\n\n${options.cutNotice}\n`
  let end = options.budget - options.size(notice)
  let cut = truncateAtLine(text, end)
  while (end > 0 && options.size(cut) + options.size(notice) > options.budget) {
    end -= options.size(cut) + options.size(notice) - options.budget + 16
    cut = truncateAtLine(text, end)
  }
  return safeSlice(cut, Math.max(0, end)) + notice
}
