/**
 * GitHub's JSON for pull requests and releases, turned into the small records the rest of the action reads.
 */
import type { ReleaseInfo } from '../types.js'

export interface PullInfo {
  number: number
  url: string
  state: 'open' | 'closed'
  merged: boolean
  title: string
  body: string
  headRef: string
  headSha: string
  baseRef: string
  labels: string[]
  createdAt: string
  closedAt?: string
}

export interface RawPull {
  number: number
  html_url: string
  state: string
  merged_at?: string | null
  merged?: boolean
  title: string
  body?: string | null
  head: { ref: string; sha: string }
  base: { ref: string }
  labels: Array<{ name?: string } | string>
  created_at: string
  closed_at?: string | null
}

export function toPull(raw: RawPull): PullInfo {
  return {
    number: raw.number,
    url: raw.html_url,
    state: raw.state === 'open' ? 'open' : 'closed',
    merged: Boolean(raw.merged_at) || raw.merged === true,
    title: raw.title,
    body: raw.body ?? '',
    headRef: raw.head.ref,
    headSha: raw.head.sha,
    baseRef: raw.base.ref,
    labels: raw.labels.map((label) => (typeof label === 'string' ? label : (label.name ?? ''))),
    createdAt: raw.created_at,
    ...(raw.closed_at ? { closedAt: raw.closed_at } : {})
  }
}

export interface LabelSpec {
  name: string
  color: string
  description: string
}

interface RawRelease {
  tag_name: string
  name?: string | null
  body?: string | null
  html_url?: string
  draft: boolean
  prerelease: boolean
  published_at?: string | null
  created_at?: string
}

export function toRelease(raw: RawRelease): ReleaseInfo {
  return {
    tag: raw.tag_name,
    draft: raw.draft,
    prerelease: raw.prerelease,
    ...(raw.name ? { name: raw.name } : {}),
    ...(raw.body ? { body: raw.body } : {}),
    ...(raw.html_url ? { htmlUrl: raw.html_url } : {}),
    ...(raw.published_at ? { publishedAt: raw.published_at } : {}),
    ...(raw.created_at ? { createdAt: raw.created_at } : {})
  }
}
