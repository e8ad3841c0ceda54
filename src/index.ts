/** Entry point of the bundled action (dist/index.js). */
import { run } from './run.js'
import { actionsRunner } from './runner.js'

await run(actionsRunner())
