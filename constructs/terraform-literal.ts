/**
 * Every string in cdk.tf.json is a terraform template: `${…}` is an interpolation and `%{…}` a
 * directive, evaluated by terraform at plan time. Text that comes from a lab config (a pool path,
 * an image URL, a libvirt URI, a console log directory) is data, never code: the constructs pass
 * it through {@link terraformLiteral} before it reaches a resource, so terraform hands it to the
 * provider exactly as written (a `${file("/etc/hostname")}` in a pool path stays those characters).
 */

/**
 * `${` and `%{` that open a template sequence, except cdktf's own token markers (`${TfToken[…]}`:
 * a reference such as a pool's name, which cdktf turns into `${libvirt_pool.….name}` and must stay
 * an expression). The same exception as cdktf's own escaping of `${`.
 */
const TEMPLATE_SEQUENCE = /\$\{(?!TfToken\[)|%\{/g;

/**
 * `text` as a literal in terraform's JSON syntax: `${` becomes `$${` and `%{` becomes `%%{`,
 * terraform's escapes for them. Any other character means itself in a template (`$$`, `%%`, a
 * lone `$` or `}` and backslashes are read literally), so nothing else needs escaping. References
 * to other resources embedded as cdktf tokens are kept.
 */
export function terraformLiteral(text: string): string {
  return text.replace(TEMPLATE_SEQUENCE, (sequence) => `${sequence[0]}${sequence}`);
}
