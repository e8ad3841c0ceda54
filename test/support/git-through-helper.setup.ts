// Jest setup file of the engine and integration tiers: see git-through-helper.ts.
import { routeGitThroughHelper } from './git-through-helper.js'

await routeGitThroughHelper()
