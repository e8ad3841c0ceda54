/**
 * GitHub refuses a push from a token without the `workflows` permission when it creates, changes or deletes a file
 * under `.github/workflows/`, rejecting the ref with
 * ``refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission``
 * (peter-evans/create-pull-request#1234; repo-sync/github-sync#23 and exions/merge-upstream#14 show it for synced
 * upstream commits, intersystems/iknow#58 for a non-YAML file in the folder). The stand-in reproduces it: the
 * pushed pack is indexed into a temporary object folder (nothing reaches the repository), and each new commit is
 * diffed against its first parent.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnCollect } from '../support/spawn.js'
import { ZERO_SHA, cleanGitEnv } from './git.js'

export interface PushCommand {
  oldSha: string
  newSha: string
  ref: string
}

export const WORKFLOWS_FOLDER = '.github/workflows/'

export function workflowRefusal(file: string): string {
  return `refusing to allow a GitHub App to create or update workflow \`${file}\` without \`workflows\` permission`
}

/**
 * The first workflow file the push creates, changes or deletes (in commits the repository does not have yet), or
 * undefined. A pack git cannot index is let through: the backend then answers the error itself.
 */
export async function changedWorkflow(gitDir: string, commands: PushCommand[], pack: Buffer): Promise<string | undefined> {
  const updates = commands.filter((command) => !/^0+$/.test(command.newSha))
  if (updates.length === 0) return undefined
  const quarantine = await fs.mkdtemp(path.join(os.tmpdir(), 'stand-in-push-'))
  try {
    await fs.mkdir(path.join(quarantine, 'pack'), { recursive: true })
    const env = cleanGitEnv({ GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(gitDir, 'objects') })
    if (pack.length > 0) {
      const indexed = await spawnCollect('git', ['--git-dir', gitDir, 'index-pack', '--stdin', '--fix-thin'], { env, input: pack })
      if (indexed.code !== 0) return undefined
    }
    for (const { newSha, oldSha } of updates) {
      // New commits only (not reachable from any ref of the repository), merges diffed against their first parent.
      const args = ['--git-dir', gitDir, 'log', '--format=', '--name-only', '--no-renames', '--diff-merges=first-parent', newSha, '--not', '--all']
      if (oldSha !== ZERO_SHA && !/^0+$/.test(oldSha)) args.push(oldSha)
      const log = await spawnCollect('git', [...args, '--', WORKFLOWS_FOLDER], { env })
      if (log.code !== 0) return undefined
      const file = log.stdout.toString('utf8').split('\n').find((line) => line.startsWith(WORKFLOWS_FOLDER))
      if (file) return file
    }
    return undefined
  } finally {
    await fs.rm(quarantine, { recursive: true, force: true })
  }
}
