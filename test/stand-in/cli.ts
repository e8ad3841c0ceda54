/**
 * `npm run stand-in -- --root DIR [--port N] [--token T] [--host H] [--actor LOGIN] [--public-read]
 *   [--token-repo OWNER/NAME --permissions LIST] [--tls] [--compare-diff-limit N]`
 *
 * Serves the bare repositories under DIR (as DIR/OWNER/NAME.git) until killed, and prints
 * `listening on http://127.0.0.1:PORT` once it accepts connections (with --tls, `https://` and then a
 * `ca-file PATH` line). SIGINT/SIGTERM close it gracefully.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { startStandIn } from './server.js'

const USAGE =
  'usage: npm run stand-in -- --root DIR [--port N] [--token T] [--host 127.0.0.1] [--actor LOGIN] [--public-read]\n' +
  '         [--token-repo OWNER/NAME] [--permissions contents:write,pull-requests:write,...] [--tls] [--compare-diff-limit N]'

async function main(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        root: { type: 'string' },
        port: { type: 'string' },
        token: { type: 'string' },
        host: { type: 'string' },
        actor: { type: 'string' },
        'public-read': { type: 'boolean' },
        'token-repo': { type: 'string' },
        permissions: { type: 'string' },
        tls: { type: 'boolean' },
        'compare-diff-limit': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }))
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (!values.root) fail(`--root is required: the folder holding OWNER/NAME.git bare repositories.\n${USAGE}`)
  const root = path.resolve(values.root)
  try {
    if (!(await fs.stat(root)).isDirectory()) fail(`--root ${root} is not a directory`)
  } catch {
    fail(`--root ${root} does not exist; create it (and the bare repositories OWNER/NAME.git in it) first`)
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number (0 for any free port), got "${values.port}"`)

  const limit = values['compare-diff-limit'] === undefined ? undefined : Number(values['compare-diff-limit'])
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) fail(`--compare-diff-limit must be a number of files, got "${values['compare-diff-limit']}"`)
  let standIn
  try {
    standIn = await startStandIn({
      root,
      port,
      token: values.token,
      host: values.host,
      actor: values.actor,
      publicRead: values['public-read'],
      tokenRepo: values['token-repo'],
      permissions: values.permissions,
      tls: values.tls,
      settings: limit === undefined ? undefined : { compareDiffLimit: limit }
    })
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`)
  }
  // Handlers first: whoever reads the listening line may stop the server at once.
  let closing = false
  const shutdown = (): void => {
    if (closing) return
    closing = true
    standIn.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  console.log(`listening on ${standIn.url}`)
  if (standIn.caFile) console.log(`ca-file ${standIn.caFile}`)
}

function fail(message: string): never {
  console.error(`stand-in: ${message}`)
  process.exit(2)
}

main().catch((error: unknown) => {
  console.error(`stand-in: ${(error as Error).message}`)
  process.exit(1)
})
