/**
 * Reads a string of terraform's JSON syntax the way terraform's template scanner does, without
 * evaluating it: `$${` and `%%{` are the escapes of `${` and `%{`, a `${…}` is an interpolation
 * and a `%{…}` a directive, every other character is itself. Checked against real terraform by
 * __tests__/constructs/terraform-literal.test.ts.
 */
export interface TemplateScan {
  /** The text terraform produces when the template has no interpolation and no directive. */
  readonly text: string;
  /** Every `${…}` expression, braces included (nested braces balanced). */
  readonly interpolations: readonly string[];
  /** Every `%{…}` directive, braces included. */
  readonly directives: readonly string[];
}

export function scanTerraformTemplate(template: string): TemplateScan {
  let text = '';
  const interpolations: string[] = [];
  const directives: string[] = [];
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i) || template.startsWith('%%{', i)) {
      text += `${template[i]}{`;
      i += 3;
    } else if (template.startsWith('${', i) || template.startsWith('%{', i)) {
      const end = closingBrace(template, i + 1);
      (template[i] === '$' ? interpolations : directives).push(template.slice(i, end + 1));
      i = end + 1;
    } else {
      text += template[i];
      i += 1;
    }
  }
  return { text, interpolations, directives };
}

/** Index of the `}` that closes the `{` at `open` (or the last index when it is never closed). */
function closingBrace(template: string, open: number): number {
  let depth = 0;
  for (let j = open; j < template.length; j++) {
    if (template[j] === '{') depth += 1;
    else if (template[j] === '}' && --depth === 0) return j;
  }
  return template.length - 1;
}

/** Every string in a synthesized stack (keys included), with its JSON path; `"//"` metadata left out. */
export function stackStrings(node: unknown, at = '$'): { at: string; value: string }[] {
  if (typeof node === 'string') return [{ at, value: node }];
  if (Array.isArray(node)) return node.flatMap((item, i) => stackStrings(item, `${at}[${i}]`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node)
    .filter(([key]) => key !== '//')
    .flatMap(([key, value]) => [{ at: `${at}.${key} (key)`, value: key }, ...stackStrings(value, `${at}.${key}`)]);
}
