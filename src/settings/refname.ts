/**
 * git's ref-name rules (`git check-ref-format <name>`, git 2.38+), in TypeScript, so reading the inputs starts no
 * process. It follows `check_or_sanitize_refname` in git's refs.c without its flags (no `--allow-onelevel`, no
 * `--refspec-pattern`, no `--normalize`); __tests__/engine/settings/refname.test.ts compares it with real git on a
 * list of tricky names. A name is valid when:
 *  - it is not the single character `@` and has at least two `/`-separated components (`refs/heads/x`);
 *  - no component is empty (no leading, trailing or doubled `/`), starts with `.` or ends with `.lock`;
 *  - it contains no `..`, no `@{`, no ASCII control character or DEL, and none of space `~ ^ : ? * [ \`;
 *  - it does not end with `.`.
 * Characters outside ASCII are allowed, as git allows any byte of 0x80 and above.
 */

/** Characters git refuses anywhere in a ref name (its `refname_disposition` 4, plus `*` without --refspec-pattern). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what git refuses
const FORBIDDEN = /[\x00-\x20\x7f~^:?*[\\]/

/** True when `git check-ref-format <name>` would accept `name`. */
export function isValidRefName(name: string): boolean {
  if (name === '@' || FORBIDDEN.test(name) || name.includes('..') || name.includes('@{') || name.endsWith('.')) return false
  const components = name.split('/')
  if (components.length < 2) return false
  return components.every((component) => component !== '' && !component.startsWith('.') && !component.endsWith('.lock'))
}
