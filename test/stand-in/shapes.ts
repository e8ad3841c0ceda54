/**
 * Builders for GitHub's response objects, typed with `@octokit/openapi-types` so field names and types stay exactly
 * GitHub's. Fields the action reads carry real values; the other required fields carry plausible ones.
 */
import type { components } from '@octokit/openapi-types'
import type { CommitInfo, TagInfo, TreeEntry } from './git.js'
import { unixToIso } from './http.js'
import type { CommentRecord, IssueRecord, LabelRecord, ReleaseRecord, RepoState } from './state.js'

type Schemas = components['schemas']
export type SimpleUser = Schemas['simple-user']
export type Repository = Schemas['repository']
export type FullRepository = Schemas['full-repository']
export type Label = Schemas['label']
export type PullRequest = Schemas['pull-request']
export type PullRequestSimple = Schemas['pull-request-simple']
export type PullRequestMergeResult = Schemas['pull-request-merge-result']
export type Issue = Schemas['issue']
export type IssueComment = Schemas['issue-comment']
export type Release = Schemas['release']
export type GitRef = Schemas['git-ref']
export type GitTag = Schemas['git-tag']
export type GitCommit = Schemas['git-commit']
export type Commit = Schemas['commit']
export type CommitComparison = Schemas['commit-comparison']
export type DiffEntry = Schemas['diff-entry']
export type ContentFile = Schemas['content-file']
export type ContentDirectory = Schemas['content-directory']
export type RateLimitOverview = Schemas['rate-limit-overview']
export type ShortBranch = Schemas['short-branch']
export type Tag = Schemas['tag']
export type BranchWithProtection = Schemas['branch-with-protection']

/** Where the stand-in is reachable: the web/git root and the API root (`.../api/v3`). */
export interface Urls {
  web: string
  api: string
}

/** Ids derived from names, so the same login or repository always gets the same id. */
function stableId(text: string): number {
  let hash = 7
  for (const ch of text) hash = (hash * 31 + ch.charCodeAt(0)) % 1_000_000_007
  return hash
}

export function nodeId(prefix: string, id: number | string): string {
  return `${prefix}_${Buffer.from(String(id)).toString('base64url')}`
}

export function simpleUser(urls: Urls, login: string): SimpleUser {
  // In URLs GitHub percent-encodes a bot's login: /users/github-actions%5Bbot%5D.
  const api = `${urls.api}/users/${encodeURIComponent(login)}`
  const bot = login.endsWith('[bot]')
  return {
    login,
    id: stableId(login),
    node_id: nodeId(bot ? 'BOT' : 'U', login),
    avatar_url: `${urls.web}/avatars/${encodeURIComponent(login)}`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${bot ? 'apps/' + login.replace(/\[bot\]$/, '') : login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: bot ? 'Bot' : 'User',
    site_admin: false
  }
}

export interface RepoFacts {
  owner: string
  name: string
  fullName: string
  defaultBranch: string
  /** `owner/name` of the parent when the repository is a fork. */
  parent?: string
}

export function repository(urls: Urls, facts: RepoFacts): Repository {
  const api = `${urls.api}/repos/${facts.fullName}`
  const html = `${urls.web}/${facts.fullName}`
  const now = '2020-01-01T00:00:00Z'
  return {
    id: stableId(facts.fullName),
    node_id: nodeId('R', facts.fullName),
    name: facts.name,
    full_name: facts.fullName,
    license: null,
    forks: 0,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    owner: simpleUser(urls, facts.owner),
    private: false,
    html_url: html,
    description: null,
    fork: facts.parent !== undefined,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `${html.replace(/^http/, 'git')}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@127.0.0.1:${facts.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: facts.defaultBranch,
    open_issues_count: 0,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: 'public',
    pushed_at: now,
    created_at: now,
    updated_at: now,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_forking: true,
    open_issues: 0,
    watchers: 0
  }
}

export function fullRepository(urls: Urls, facts: RepoFacts, parent?: Repository): FullRepository {
  const base = repository(urls, facts)
  const { pushed_at, created_at, updated_at, ...rest } = base
  return {
    ...rest,
    pushed_at: pushed_at ?? '2020-01-01T00:00:00Z',
    created_at: created_at ?? '2020-01-01T00:00:00Z',
    updated_at: updated_at ?? '2020-01-01T00:00:00Z',
    has_discussions: false,
    subscribers_count: 0,
    network_count: 0,
    license: null,
    ...(parent ? { parent, source: parent } : {})
  }
}

export function label(urls: Urls, repo: string, record: LabelRecord): Label {
  return {
    id: record.id,
    node_id: nodeId('LA', record.id),
    url: `${urls.api}/repos/${repo}/labels/${encodeURIComponent(record.name)}`,
    name: record.name,
    description: record.description,
    color: record.color,
    default: false
  }
}

export function issueLabels(urls: Urls, repo: RepoState, issue: IssueRecord): Label[] {
  return issue.labels.flatMap((key) => {
    const record = repo.labels.get(key)
    return record ? [label(urls, repo.fullName, record)] : []
  })
}

/** Live facts about a PR's branches, read from git by the caller (frozen values once the PR is closed). */
export interface PullRefs {
  headSha: string
  baseSha: string
}

function pullLinks(urls: Urls, repo: string, n: number): PullRequest['_links'] {
  const api = `${urls.api}/repos/${repo}`
  return {
    self: { href: `${api}/pulls/${n}` },
    html: { href: `${urls.web}/${repo}/pull/${n}` },
    issue: { href: `${api}/issues/${n}` },
    comments: { href: `${api}/issues/${n}/comments` },
    review_comments: { href: `${api}/pulls/${n}/comments` },
    review_comment: { href: `${api}/pulls/comments{/number}` },
    commits: { href: `${api}/pulls/${n}/commits` },
    statuses: { href: `${api}/statuses/{sha}` }
  }
}

/** The single-PR form (`GET /pulls/{n}`). `mergeable` is null as GitHub returns it before computing it lazily. */
export function pullRequest(urls: Urls, repo: RepoState, facts: RepoFacts, record: IssueRecord, refs: PullRefs, commits: number): PullRequest {
  const pull = record.pull
  if (!pull) throw new Error(`#${record.number} is an issue, not a pull request`)
  const api = `${urls.api}/repos/${repo.fullName}`
  const html = `${urls.web}/${repo.fullName}/pull/${record.number}`
  const repoJson = repository(urls, facts)
  const owner = simpleUser(urls, facts.owner)
  return {
    url: `${api}/pulls/${record.number}`,
    id: record.id,
    node_id: nodeId('PR', record.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${record.number}`,
    commits_url: `${api}/pulls/${record.number}/commits`,
    review_comments_url: `${api}/pulls/${record.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${record.number}/comments`,
    statuses_url: `${api}/statuses/${refs.headSha}`,
    number: record.number,
    state: record.state,
    locked: false,
    title: record.title,
    user: simpleUser(urls, record.user),
    body: record.body,
    labels: issueLabels(urls, repo, record),
    milestone: null,
    active_lock_reason: null,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    closed_at: record.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: { label: `${facts.owner}:${pull.headRef}`, ref: pull.headRef, repo: repoJson, sha: refs.headSha, user: owner },
    base: { label: `${facts.owner}:${pull.baseRef}`, ref: pull.baseRef, repo: repoJson, sha: refs.baseSha, user: owner },
    _links: pullLinks(urls, repo.fullName, record.number),
    author_association: 'OWNER',
    auto_merge: null,
    draft: pull.draft,
    merged: pull.merged,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: pull.mergedBy ? simpleUser(urls, pull.mergedBy) : null,
    comments: record.comments,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits,
    additions: 0,
    deletions: 0,
    changed_files: 0
  }
}

/** The list form of a PR (`GET /pulls`): GitHub's pull-request-simple, without the merge state and counts. */
export function pullRequestSimple(urls: Urls, repo: RepoState, facts: RepoFacts, record: IssueRecord, refs: PullRefs): PullRequestSimple {
  const {
    merged: _merged,
    mergeable: _mergeable,
    rebaseable: _rebaseable,
    mergeable_state: _state,
    merged_by: _by,
    comments: _comments,
    review_comments: _reviewComments,
    maintainer_can_modify: _modify,
    commits: _commits,
    additions: _additions,
    deletions: _deletions,
    changed_files: _changed,
    requested_teams: _teams,
    labels,
    ...rest
  } = pullRequest(urls, repo, facts, record, refs, 0)
  // The list schema declares label descriptions as strings; GitHub sends null for none, which the type cannot say.
  return { ...rest, requested_teams: [], labels: labels.map((l) => ({ ...l, description: l.description as string })) }
}

export function issue(urls: Urls, repo: RepoState, record: IssueRecord): Issue {
  const api = `${urls.api}/repos/${repo.fullName}`
  const html = `${urls.web}/${repo.fullName}/${record.pull ? 'pull' : 'issues'}/${record.number}`
  return {
    id: record.id,
    node_id: nodeId(record.pull ? 'PR' : 'I', record.id),
    url: `${api}/issues/${record.number}`,
    repository_url: api,
    labels_url: `${api}/issues/${record.number}/labels{/name}`,
    comments_url: `${api}/issues/${record.number}/comments`,
    events_url: `${api}/issues/${record.number}/events`,
    html_url: html,
    number: record.number,
    state: record.state,
    state_reason: record.stateReason,
    title: record.title,
    body: record.body,
    user: simpleUser(urls, record.user),
    labels: issueLabels(urls, repo, record),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: record.comments,
    ...(record.pull
      ? {
          pull_request: {
            merged_at: record.pull.mergedAt,
            diff_url: `${html}.diff`,
            html_url: html,
            patch_url: `${html}.patch`,
            url: `${api}/pulls/${record.number}`
          },
          draft: record.pull.draft
        }
      : {}),
    closed_at: record.closedAt,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    author_association: 'OWNER'
  }
}

export function issueComment(urls: Urls, repo: string, record: CommentRecord, isPull: boolean): IssueComment {
  const api = `${urls.api}/repos/${repo}`
  return {
    id: record.id,
    node_id: nodeId('IC', record.id),
    url: `${api}/issues/comments/${record.id}`,
    body: record.body,
    html_url: `${urls.web}/${repo}/${isPull ? 'pull' : 'issues'}/${record.issueNumber}#issuecomment-${record.id}`,
    user: simpleUser(urls, record.user),
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    issue_url: `${api}/issues/${record.issueNumber}`,
    author_association: 'OWNER'
  }
}

export function release(urls: Urls, repo: string, record: ReleaseRecord): Release {
  const api = `${urls.api}/repos/${repo}`
  const tagPath = encodeURIComponent(record.tagName)
  return {
    url: `${api}/releases/${record.id}`,
    html_url: `${urls.web}/${repo}/releases/${record.draft ? 'untagged-' + record.id : 'tag/' + tagPath}`,
    assets_url: `${api}/releases/${record.id}/assets`,
    upload_url: `${urls.web}/api/uploads/repos/${repo}/releases/${record.id}/assets{?name,label}`,
    tarball_url: record.draft ? null : `${api}/tarball/${tagPath}`,
    zipball_url: record.draft ? null : `${api}/zipball/${tagPath}`,
    id: record.id,
    node_id: nodeId('RE', record.id),
    tag_name: record.tagName,
    target_commitish: record.targetCommitish,
    name: record.name,
    body: record.body,
    draft: record.draft,
    prerelease: record.prerelease,
    created_at: record.createdAt,
    published_at: record.publishedAt,
    author: simpleUser(urls, record.author),
    assets: []
  }
}

function objectUrl(urls: Urls, repo: string, type: string, sha: string): string {
  const kind = type === 'tag' ? 'tags' : type === 'tree' ? 'trees' : type === 'blob' ? 'blobs' : 'commits'
  return `${urls.api}/repos/${repo}/git/${kind}/${sha}`
}

export function gitRef(urls: Urls, repo: string, ref: string, sha: string, type: string): GitRef {
  return {
    ref,
    node_id: nodeId('REF', `${repo}:${ref}`),
    url: `${urls.api}/repos/${repo}/git/${ref}`,
    object: { sha, type, url: objectUrl(urls, repo, type, sha) }
  }
}

export function gitTag(urls: Urls, repo: string, info: TagInfo): GitTag {
  return {
    node_id: nodeId('TAG', info.sha),
    tag: info.tag,
    sha: info.sha,
    url: objectUrl(urls, repo, 'tag', info.sha),
    message: info.message,
    tagger: { name: info.taggerName, email: info.taggerEmail, date: unixToIso(info.taggerTime) },
    object: { sha: info.objectSha, type: info.objectType, url: objectUrl(urls, repo, info.objectType, info.objectSha) },
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null }
  }
}

/** GitHub returns commit messages without git's trailing newline. */
function message(info: CommitInfo): string {
  return info.message.replace(/\n+$/, '')
}

export function gitCommit(urls: Urls, repo: string, info: CommitInfo): GitCommit {
  return {
    sha: info.sha,
    node_id: nodeId('C', info.sha),
    url: objectUrl(urls, repo, 'commit', info.sha),
    html_url: `${urls.web}/${repo}/commit/${info.sha}`,
    author: { name: info.authorName, email: info.authorEmail, date: unixToIso(info.authorTime) },
    committer: { name: info.committerName, email: info.committerEmail, date: unixToIso(info.committerTime) },
    message: message(info),
    tree: { sha: info.tree, url: objectUrl(urls, repo, 'tree', info.tree) },
    parents: info.parents.map((sha) => ({ sha, url: objectUrl(urls, repo, 'commit', sha), html_url: `${urls.web}/${repo}/commit/${sha}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null }
  }
}

/** The REST "commit" object (`GET /commits/{ref}`, compare's commits). */
export function commit(urls: Urls, repo: string, info: CommitInfo): Commit {
  const api = `${urls.api}/repos/${repo}`
  return {
    url: `${api}/commits/${info.sha}`,
    sha: info.sha,
    node_id: nodeId('C', info.sha),
    html_url: `${urls.web}/${repo}/commit/${info.sha}`,
    comments_url: `${api}/commits/${info.sha}/comments`,
    commit: {
      url: objectUrl(urls, repo, 'commit', info.sha),
      author: { name: info.authorName, email: info.authorEmail, date: unixToIso(info.authorTime) },
      committer: { name: info.committerName, email: info.committerEmail, date: unixToIso(info.committerTime) },
      message: message(info),
      comment_count: 0,
      tree: { sha: info.tree, url: objectUrl(urls, repo, 'tree', info.tree) },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null }
    },
    author: null,
    committer: null,
    parents: info.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${urls.web}/${repo}/commit/${sha}` }))
  }
}

export function diffEntry(urls: Urls, repo: string, head: string, entry: { status: DiffEntry['status']; filename: string; previous?: string; sha: string | null; additions: number; deletions: number }): DiffEntry {
  const encoded = entry.filename.split('/').map(encodeURIComponent).join('/')
  return {
    sha: entry.sha,
    filename: entry.filename,
    status: entry.status,
    additions: entry.additions,
    deletions: entry.deletions,
    changes: entry.additions + entry.deletions,
    blob_url: `${urls.web}/${repo}/blob/${head}/${encoded}`,
    raw_url: `${urls.web}/${repo}/raw/${head}/${encoded}`,
    contents_url: `${urls.api}/repos/${repo}/contents/${encoded}?ref=${head}`,
    ...(entry.previous !== undefined ? { previous_filename: entry.previous } : {})
  }
}

function contentLinks(urls: Urls, repo: string, ref: string, entry: TreeEntry, kind: 'blob' | 'tree'): { url: string; git_url: string; html_url: string; download_url: string | null; _links: ContentFile['_links'] } {
  const encoded = entry.path.split('/').map(encodeURIComponent).join('/')
  const url = `${urls.api}/repos/${repo}/contents/${encoded}?ref=${encodeURIComponent(ref)}`
  const gitUrl = objectUrl(urls, repo, kind, entry.sha)
  const htmlUrl = `${urls.web}/${repo}/${kind}/${ref}/${encoded}`
  return {
    url,
    git_url: gitUrl,
    html_url: htmlUrl,
    download_url: kind === 'blob' ? `${urls.web}/${repo}/raw/${ref}/${encoded}` : null,
    _links: { self: url, git: gitUrl, html: htmlUrl }
  }
}

/** Base64 wrapped at 60 characters per line, as GitHub's contents API returns it. */
function wrappedBase64(data: Buffer): string {
  const flat = data.toString('base64')
  const lines: string[] = []
  for (let i = 0; i < flat.length; i += 60) lines.push(flat.slice(i, i + 60))
  return lines.length > 0 ? lines.join('\n') + '\n' : ''
}

export function contentFile(urls: Urls, repo: string, ref: string, entry: TreeEntry, data: Buffer): ContentFile {
  return {
    type: 'file',
    encoding: 'base64',
    size: entry.size,
    name: entry.path.slice(entry.path.lastIndexOf('/') + 1),
    path: entry.path,
    content: wrappedBase64(data),
    sha: entry.sha,
    ...contentLinks(urls, repo, ref, entry, 'blob')
  }
}

export function contentDirectory(urls: Urls, repo: string, ref: string, entries: TreeEntry[]): ContentDirectory {
  return entries.map((entry) => ({
    type: entry.type === 'tree' ? 'dir' : entry.type === 'commit' ? 'submodule' : entry.mode === '120000' ? 'symlink' : 'file',
    size: entry.type === 'blob' ? entry.size : 0,
    name: entry.path.slice(entry.path.lastIndexOf('/') + 1),
    path: entry.path,
    sha: entry.sha,
    ...contentLinks(urls, repo, ref, entry, entry.type === 'tree' ? 'tree' : 'blob')
  }))
}

export function shortBranch(urls: Urls, repo: string, name: string, sha: string): ShortBranch {
  return { name, commit: { sha, url: `${urls.api}/repos/${repo}/commits/${sha}` }, protected: false }
}

export function tag(urls: Urls, repo: string, name: string, commitSha: string): Tag {
  const encoded = encodeURIComponent(name)
  return {
    name,
    commit: { sha: commitSha, url: `${urls.api}/repos/${repo}/commits/${commitSha}` },
    zipball_url: `${urls.api}/repos/${repo}/zipball/refs/tags/${encoded}`,
    tarball_url: `${urls.api}/repos/${repo}/tarball/refs/tags/${encoded}`,
    node_id: nodeId('TAG', `${repo}:${name}`)
  }
}
