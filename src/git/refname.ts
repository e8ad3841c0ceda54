/**
 * `git check-ref-format <name>` in TypeScript (git-check-ref-format(1), refs.c `check_refname_component`), so ref
 * names from inputs and from upstream's tags are checked without starting a process. No options: at least two
 * components, no `*` pattern, no normalisation. __tests__/engine/git/refname.test.ts holds it to git's own answers.
 */

/** Bytes git never allows in a ref name: controls, DEL, space, `~ ^ : ? * [ \`. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\x00-\x20\x7f~^:?*[\\]/

function isValidComponent(component: string): boolean {
  // Empty components come from `//`, a leading or a trailing `/`; `.`-led ones include `.` and `..`.
  return component !== '' && !component.startsWith('.') && !component.endsWith('.lock')
}

/** True when `name` is a valid full ref name (e.g. `refs/heads/upstream-sync/v1.2.3`). */
export function isValidRefName(name: string): boolean {
  if (name === '@' || name.endsWith('.')) return false
  if (name.includes('..') || name.includes('@{') || FORBIDDEN_CHARACTERS.test(name)) return false
  const components = name.split('/')
  return components.length >= 2 && components.every(isValidComponent)
}
