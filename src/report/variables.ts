/**
 * The template variable reference for custom template authors, derived from the view: `VIEW_DOCUMENTATION` has one
 * entry per field of `ReportView` (and of its list rows), and its type is computed from `ReportView`, so the compiler
 * rejects a missing field, an extra one, or a kind that does not fit the field's type (a `bool` for a string, a list
 * without its row fields). `TEMPLATE_VARIABLES` flattens it in the view's order, for the README's table and for the
 * names a custom template may use.
 */
import type { ReportView } from './view.js'

/** How a template prints a variable: see `ReportView` for what each kind means. */
export type VariableKind = 'text' | 'md' | 'url' | 'bool' | 'number' | 'list' | 'object'

/** One documented template variable. */
export interface TemplateVariable {
  /** The field's name, `list.field` for a field of a list's rows or an object's. */
  name: string
  kind: VariableKind
  description: string
}

interface Documented<Kind extends VariableKind> {
  kind: Kind
  description: string
}

/** The documentation a field of type `T` needs: its kind follows from the type, and rows document their fields. */
type DocumentationOf<T> = [T] extends [boolean]
  ? Documented<'bool'>
  : [T] extends [number]
    ? Documented<'number'>
    : [T] extends [string]
      ? Documented<'text' | 'md' | 'url'>
      : [T] extends [readonly (infer Row)[]]
        ? [Row] extends [object]
          ? Documented<'list'> & { fields: FieldsDocumentation<Row> }
          : Documented<'list'>
        : Documented<'object'> & { fields: FieldsDocumentation<NonNullable<T>> }

/** One entry per field of `T`, no more, no fewer. */
type FieldsDocumentation<T> = { readonly [Key in keyof T]-?: DocumentationOf<T[Key]> }

const text = (description: string): Documented<'text'> => ({ kind: 'text', description })
const md = (description: string): Documented<'md'> => ({ kind: 'md', description })
const url = (description: string): Documented<'url'> => ({ kind: 'url', description })
const bool = (description: string): Documented<'bool'> => ({ kind: 'bool', description })
const number = (description: string): Documented<'number'> => ({ kind: 'number', description })

/** The fields of a conflict row (in `conflicts`, `conflictGroups.conflicts` and `notSettleable`). */
const CONFLICT_ROW_FIELDS = {
      path: text('The path.'),
      pathCode: md('The path as inline code.'),
      pathCell: md('The path as inline code, for a table cell.'),
      kind: text("git's conflict kind: `content`, `add/add`, `mode`, `binary`, `modify/delete`, `rename/delete`, `rename/rename`, `rename involved in collision`, `file/directory`, `distinct types`, `submodule`, `file location`, `directory rename` or `other` (see the README's conflict kinds)."),
      rule: text("The fork's rule: `ours`, `theirs` or `manual`."),
      message: text("git's own description of the conflict."),
      noteMd: md("The rule's note (the fork's Markdown) on one line."),
      noteCell: md('The note, for a table cell.'),
      whyManual: text('Why no rule can settle this conflict by keeping one side (a `file location`, `directory rename` or unknown kind); empty otherwise.'),
      lastTimeCell: md("What the fork's last sync that changed the path on both sides kept (fork's, upstream's, a combination, deleted) with a link to its PR or merge commit; flagged ⚠️ when the rule disagrees; — when none. For a table cell."),
      againstHistory: bool('The rule (`ours`/`theirs`) disagrees with what the fork kept last time.')
} satisfies FieldsDocumentation<ReportView['conflicts'][number]>

/** Every field of the view, in the order the reference lists them. */
const VIEW_DOCUMENTATION = {
  upstream: text('The upstream repository, `owner/name`.'),
  fork: text('The fork, `owner/name`.'),
  tag: text('The upstream tag being synced, e.g. `v1.81.9-stable`.'),
  version: text('The version of that tag, e.g. `1.81.9`.'),
  previousVersion: text('The newest upstream version the target branch already has; empty when unknown.'),
  previousTag: text('The tag of that version; empty when unknown.'),
  targetBranch: text('The fork branch the PR merges into.'),
  syncBranch: text('The PR branch, `<branch-prefix><tag>`.'),
  releaseName: text("Title of upstream's GitHub release (mentions and references defused); empty when none."),
  mergeStatus: text('`clean` or `conflicts`.'),
  targetSha: text("The target branch's commit the merge was made on: the rollback point."),
  targetShortSha: text('Its first 12 hex digits.'),
  tagSha: text("The upstream tag's commit."),
  headSha: text('What the sync branch points at: the merge commit, or the tag commit while conflicts remain.'),
  commits: number('Upstream commits the target branch does not have yet.'),
  files: number('Files upstream changed since the merge base.'),
  conflictCount: number('Conflicted files left for a human.'),
  autoResolvedCount: number('Conflicts settled by auto-resolve.'),
  historyDisagreementCount: number('Conflicted files whose rule disagrees with what the fork kept for them in its last sync that changed them on both sides.'),
  customizationCount: number('Fork-customized files upstream also changed.'),
  folderCount: number('Top-level folders upstream changed.'),
  upstreamUrl: url("The upstream repository's page."),
  forkUrl: url("The fork's page."),
  releaseUrl: url("Upstream's release page for the tag (`…/releases/tag/<tag>`); empty when there is no release."),
  tagUrl: url("Upstream's tree at the tag."),
  compareUrl: url('Upstream compare view `previousTag...tag`; empty when the previous tag is unknown.'),
  runUrl: url('The workflow run; empty when unknown.'),
  syncBranchUrl: url('The sync branch in the fork.'),
  targetBranchUrl: url('The target branch in the fork.'),
  tagCode: md('The tag as inline code.'),
  syncBranchCode: md('The sync branch as inline code.'),
  targetBranchCode: md('The target branch as inline code.'),
  targetShaCode: md('The target commit (short) as inline code.'),
  versionChangeMd: md('`previous` → `new`, or the new version alone when the previous one is unknown.'),
  mergeStatusMd: md('Merge status with an icon and counts, e.g. "⚠️ **conflicts** in 3 files".'),
  supersedesMd: md('Links to the older sync PRs this one supersedes, comma separated.'),
  releaseNotesMd: md("Upstream's release notes as a block quote, mentions and bare references defused; cut (with a link) only when the body would exceed GitHub's limit."),
  resolveCommandsMd: md("A shell code block that redoes the merge on the sync branch and resolves each file by the fork's rules."),
  rollbackCommandsMd: md('A shell code block that reverts the merge after the PR was merged.'),
  rollbackResetMd: md('The force-push that puts the target branch back to `targetSha`, as inline code.'),
  moreDetailsMd: md('Where the full lists are (job summary and report file of the run), for after a cut list.'),
  workSummaryMd: md("One line on the kind of work, e.g. \"**To resolve:** 41 files under `ui/out/` (rule: upstream's), 5 files under `src/` (rule: the fork's), 1 manual.\" (or \"**Nothing to resolve:** …\")."),
  dryRun: bool('The run was a dry run: nothing was pushed.'),
  clean: bool('The merge is clean (possibly after auto-resolve); the branch holds the merge commit.'),
  hasConflicts: bool('Conflicts remain for a human.'),
  hasHistoryDisagreements: bool('`historyDisagreementCount` is not 0.'),
  hasHeldForHistory: bool('`heldForHistory` is not empty.'),
  hasAutoResolved: bool('Auto-resolve settled at least one conflict.'),
  allAutoResolved: bool('Auto-resolve settled every conflict (PR labelled `auto-resolved`).'),
  hasCustomizations: bool('`customizations` is not empty.'),
  hasFolders: bool('`folders` is not empty.'),
  hasChecklist: bool('`checklist` is not empty.'),
  hasRelease: bool('Upstream published a GitHub release for the tag.'),
  hasReleaseName: bool('The release has a name other than the tag.'),
  hasReleaseNotes: bool('The release has notes.'),
  releaseNotesTruncated: bool('The notes were cut to fit the body.'),
  hasPrevious: bool('The previous version is known.'),
  hasCompare: bool('`compareUrl` is set.'),
  hasRun: bool('`runUrl` is set.'),
  hasSupersedes: bool('`supersedes` is not empty.'),
  refreshed: bool('Upstream moved the tag and the PR was refreshed to the new commit.'),
  truncated: bool('At least one list was cut to fit.'),
  conflictsGrouped: bool('More than 25 conflicts: the built-in body shows `conflictGroups` (collapsible) instead of one flat table.'),
  hasNotSettleable: bool('`notSettleable` is not empty.'),
  conflicts: {
    kind: 'list',
    description: 'Conflicts left for a human, by path.',
    fields: CONFLICT_ROW_FIELDS
  },
  conflictsMore: number('Conflicts left out of `conflicts` to fit the body (0 when none).'),
  heldForHistory: {
    kind: 'list',
    description: 'Conflicted files auto-resolve left for a person because their rule disagrees with what the fork kept last time.',
    fields: {
      path: text('The path.'),
      pathCode: md('The path as inline code.'),
      pathCell: md('The path as inline code, for a table cell.')
    }
  },
  conflictGroups: {
    kind: 'list',
    description: 'The conflicts grouped by top-level folder and rule, biggest first; never cut (only their rows are).',
    fields: {
      folder: text('The deepest folder all of the group\'s files share, with a trailing `/`; `(top level)` at the root.'),
      folderCode: md('The folder as inline code.'),
      folderCell: md('The folder, for a table cell.'),
      folderHtml: md('The folder as HTML (`<code>…</code>`), for a `<summary>` line.'),
      rule: text("The group's rule: `ours`, `theirs` or `manual`."),
      ruleLabel: text("The rule in words: \"upstream's\", \"the fork's\" or \"manual\"."),
      count: number('Files in the group.'),
      kindsText: text('Conflict kinds with counts, e.g. `content 40, modify/delete 1`.'),
      conflicts: { kind: 'list', description: "The group's files shown (rows as in `conflicts`; the partial `conflicts-table` renders them).", fields: CONFLICT_ROW_FIELDS },
      shown: number("The group's files in `conflicts` (0 when the body had no room for them: use `{{#shown}}` to skip the section)."),
      more: number("The group's files left out to fit the body.")
    }
  },
  conflictGroupsMore: number('Groups (the smallest) left out of `conflictGroups` to fit the body, with their files.'),
  groupCount: number('Groups of conflicts in all (`conflictGroups` may be cut to fit).'),
  notSettleable: { kind: 'list', description: 'Conflicts no rule can settle by keeping one side, with `whyManual` (rows as in `conflicts`).', fields: CONFLICT_ROW_FIELDS },
  autoResolved: {
    kind: 'list',
    description: 'Conflicts auto-resolve settled, by path.',
    fields: {
      path: text('The path.'),
      pathCode: md('The path as inline code.'),
      pathCell: md('The path as inline code, for a table cell.'),
      kind: text("git's conflict kind."),
      side: text('The side kept: `ours` or `theirs`.'),
      sideLabel: text('"ours (fork)" or "theirs (upstream)".'),
      message: text("git's own description of the conflict."),
      noteMd: md("The rule's note on one line."),
      noteCell: md('The note, for a table cell.')
    }
  },
  autoResolvedMore: number('Auto-resolved files left out to fit the body.'),
  customizations: {
    kind: 'list',
    description: 'Files the fork changed since the merge base that upstream changed too.',
    fields: {
      path: text('The path.'),
      pathCode: md('The path as inline code.'),
      pathCell: md('The path as inline code, for a table cell.')
    }
  },
  customizationsMore: number('Customized files left out to fit the body.'),
  folders: {
    kind: 'list',
    description: "Upstream's changes by top-level folder, most changed first.",
    fields: {
      folder: text('The folder; `(top level)` for files at the root.'),
      folderCode: md('The folder as inline code.'),
      folderCell: md('The folder, for a table cell.'),
      added: number('Files added.'),
      modified: number('Files modified.'),
      deleted: number('Files deleted.'),
      renamed: number('Files renamed.'),
      total: number('All four together.')
    }
  },
  foldersMore: number('Folders left out to fit the body.'),
  checklist: { kind: 'list', description: "The config's checklist items, each one line of Markdown: print with `{{{.}}}`." },
  supersedes: {
    kind: 'list',
    description: 'Older sync PRs this one supersedes.',
    fields: {
      number: number('PR number.'),
      url: url('PR URL.'),
      linkMd: md('`[#12](url)`.')
    }
  },
  refreshedFrom: {
    kind: 'object',
    description: 'Set when upstream moved the tag and the PR was refreshed; null otherwise.',
    fields: {
      oldSha: text('The commit the tag pointed at before.'),
      newSha: text('The commit it points at now.'),
      oldShaCode: md('The old commit (short) as inline code.'),
      newShaCode: md('The new commit (short) as inline code.')
    }
  },
  hasRebrand: bool('The fork has rebrand rules: the merge re-applied them to what upstream brings.'),
  rebrandFileCount: number('Upstream files the merge carries rebranded.'),
  rebrandReplacementCount: number('Replacements made in them, all rules together.'),
  rebrandRules: {
    kind: 'list',
    description: 'Each rebrand rule, in config order, with what it did in this merge.',
    fields: {
      from: text("The rule's `from` (a literal, or a pattern with `regex: true`)."),
      to: text("The rule's `to`."),
      fromCode: md('`from` as inline code.'),
      toCode: md('`to` as inline code.'),
      fromCell: md('`from` as inline code, for a table cell.'),
      toCell: md('`to` as inline code, for a table cell.'),
      files: number('Upstream files the rule changed.'),
      replacements: number('Replacements it made in them.')
    }
  },
  rebrandFiles: {
    kind: 'list',
    description: 'The upstream files the merge carries rebranded, by path.',
    fields: {
      path: text('The path.'),
      pathCode: md('The path as inline code.'),
      pathCell: md('The path as inline code, for a table cell.'),
      replacements: number('Replacements in the file.')
    }
  },
  rebrandFilesMd: md('`rebrandFiles` as a Markdown list with counts; over 10 files, a collapsible block grouped by top-level folder.'),
  rebrandConflictsAvoided: {
    kind: 'list',
    description: 'Upstream files that would have conflicted without the rebrand (git merge reports them) and merged with it.',
    fields: {
      path: text('The path.'),
      pathCode: md('The path as inline code.'),
      pathCell: md('The path as inline code, for a table cell.')
    }
  },
  rebrandConflictsAvoidedMd: md('`rebrandConflictsAvoided` as a Markdown list; over 10 files, a collapsible block grouped by top-level folder.'),
  hasRebrandConflictsAvoided: bool('`rebrandConflictsAvoided` is not empty.'),
  rebrandNotRebranded: {
    kind: 'list',
    description: 'Files merged without the rebrand because it alone made them conflict (the fork kept old names there).',
    fields: {
      path: text('The path.'),
      pathCode: md('The path as inline code.'),
      pathCell: md('The path as inline code, for a table cell.')
    }
  },
  hasRebrandNotRebranded: bool('`rebrandNotRebranded` is not empty.'),
  rebrandSkipped: {
    kind: 'list',
    description: 'Upstream files under the globs left as upstream has them.',
    fields: {
      path: text('The path.'),
      pathCode: md('The path as inline code.'),
      pathCell: md('The path as inline code, for a table cell.'),
      reason: text('`binary` or `not UTF-8`.')
    }
  },
  hasRebrandSkipped: bool('`rebrandSkipped` is not empty.'),
  ciNote: text('Why `dispatch-workflow` did not run CI on the sync branch (a sync with conflicts); empty otherwise.'),
  hasCiNote: bool('`ciNote` is set.'),
  result: text('Job summary and report only: the `result` output (`created`, `updated`, …); empty in the PR body.'),
  hasResult: bool('`result` is set.'),
  message: text('Job summary and report only: one line on what the run did; empty in the PR body.'),
  hasMessage: bool('`message` is set.'),
  pullRequest: {
    kind: 'object',
    description: 'Job summary and report only: the sync PR; null otherwise.',
    fields: {
      number: number('PR number.'),
      url: url('PR URL.'),
      linkMd: md('`[#12](url)`.')
    }
  },
  hasPullRequest: bool('`pullRequest` is set.'),
} satisfies FieldsDocumentation<ReportView>

/** The variable reference: every field of `ReportView`, and of its rows as `list.field`, in the view's order. */
export const TEMPLATE_VARIABLES: readonly TemplateVariable[] = Object.entries(VIEW_DOCUMENTATION).flatMap(([name, doc]) => [
  { name, kind: doc.kind, description: doc.description },
  ...Object.entries('fields' in doc ? (doc.fields as Record<string, Documented<VariableKind>>) : {}).map(([field, row]) => ({
    name: `${name}.${field}`,
    kind: row.kind,
    description: row.description
  }))
])

/** The variable reference as a Markdown table (for the README). */
export function templateVariablesMarkdown(): string {
  const rows = TEMPLATE_VARIABLES.map((v) => {
    const usage = v.kind === 'md' || v.kind === 'url' ? `{{{${v.name}}}}` : v.kind === 'bool' || v.kind === 'list' || v.kind === 'object' ? `{{#${v.name}}}…{{/${v.name}}}` : `{{${v.name}}}`
    const shown = v.name.includes('.') ? usage.replace(v.name, v.name.split('.')[1] as string) : usage
    return `| \`${v.name}\` | ${v.kind} | \`${shown}\` | ${v.description.replace(/\|/g, '\\|')} |`
  })
  return ['| Variable | Kind | Use | Description |', '| --- | --- | --- | --- |', ...rows].join('\n')
}
