/**
 * Which labels a sync PR carries: the `labels` input always, plus one status label that follows the merge (clean,
 * conflicts, auto-resolved); the other status labels are removed. The colours and descriptions are what the labels
 * get when the action creates them, so a fork sees at a glance which PRs need work.
 */
import type { ActionInputs } from '../settings/inputs.js'
import type { MergeResult } from '../types.js'
import type { LabelPlan } from './pull.js'

export function labelPlan(settings: Pick<ActionInputs, 'labels' | 'cleanLabel' | 'conflictLabel' | 'autoResolvedLabel'>, merge: MergeResult): LabelPlan {
  const autoResolved = merge.status === 'clean' && merge.autoResolved.length > 0
  const status = merge.status === 'clean' ? [settings.cleanLabel, ...(autoResolved ? [settings.autoResolvedLabel] : [])] : [settings.conflictLabel]
  const allStatus = [settings.cleanLabel, settings.conflictLabel, settings.autoResolvedLabel]
  return {
    always: settings.labels,
    status,
    stale: allStatus.filter((label) => !status.includes(label)),
    specs: [
      ...settings.labels.map((name, index) => ({
        name,
        color: index === 0 ? '1d76db' : 'ededed',
        description: index === 0 ? 'Sync of an upstream stable release' : 'Opened by automation'
      })),
      { name: settings.cleanLabel, color: '0e8a16', description: 'Upstream sync merged without conflicts' },
      { name: settings.conflictLabel, color: 'd93f0b', description: 'Upstream sync has conflicts to resolve' },
      { name: settings.autoResolvedLabel, color: 'fbca04', description: 'Conflicts resolved by the fork rules; check the listed files' }
    ]
  }
}
