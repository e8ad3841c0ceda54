/** Where the run's git talks to: a repository's clone URL on the settings' git host. */
import type { RepoId } from '../types.js'
import type { ActionInputs } from './inputs.js'

export function gitUrl(settings: Pick<ActionInputs, 'serverUrl'>, repo: RepoId): string {
  return `${settings.serverUrl}/${repo.owner}/${repo.repo}.git`
}
