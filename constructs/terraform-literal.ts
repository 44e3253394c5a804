/**
 * Every string in cdk.tf.json is a terraform template: `${…}` is an interpolation and `%{…}` a
 * directive, evaluated by terraform at plan time. Text that comes from a lab config (a pool path,
 * an image URL, a libvirt URI, a console log directory) is data, never code: the constructs pass
 * it through {@link terraformLiteral} before it reaches a resource, so terraform hands it to the
 * provider exactly as written (a `${file("/etc/hostname")}` in a pool path stays those characters).
 *
 * The stack's own references (cdktf tokens such as a pool's name) never go through it: which
 * strings are config text and which are references is decided by where they come from, not by
 * what they look like. Config text cannot hold a token: cdktf resolves its marker anywhere in a
 * string, escaped or not, so {@link terraformLiteral} refuses it (and the lab's rules refuse it
 * in every field first: rule `token-marker`).
 */
import { TOKEN_MARKER } from '../lab/check-schema';

/** `${` and `%{`: what opens a template sequence. */
const TEMPLATE_SEQUENCE = /\$\{|%\{/g;

/**
 * `text` as a literal in terraform's JSON syntax: `${` becomes `$${` and `%{` becomes `%%{`,
 * terraform's escapes for them. Any other character means itself in a template (`$$`, `%%`, a
 * lone `$` or `}` and backslashes are read literally), so nothing else needs escaping.
 *
 * @param text - config text, never a cdktf token (compose references around the result)
 * @throws Error when `text` holds cdktf's token marker, which no escape keeps from becoming a reference
 */
export function terraformLiteral(text: string): string {
  if (text.includes(TOKEN_MARKER)) {
    throw new Error(`${JSON.stringify(text.slice(0, 80))} holds cdktf's token marker '${TOKEN_MARKER}': config text cannot reference the stack's resources`);
  }
  return text.replace(TEMPLATE_SEQUENCE, (sequence) => `${sequence[0]}${sequence}`);
}
