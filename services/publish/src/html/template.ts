// The smallest templating that keeps HTML safe: every interpolated value is escaped unless it is
// already markup made here (a Markup). No library: the report's pages are static and few.

export class Markup {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

type Part = Markup | string | number | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Markup) return part.html;
  if (Array.isArray(part)) return part.map(render).join('');
  return escape(String(part));
}

/** Tagged template: `html\`<p>${text}</p>\`` escapes text, keeps nested Markup. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Markup {
  let out = strings[0]!;
  parts.forEach((part, i) => (out += render(part) + strings[i + 1]!));
  return new Markup(out);
}

/** Ids safe in HTML and CSS selectors, made from measure and force ids. */
export const idOf = (...parts: string[]) => parts.join('-').replace(/[^a-zA-Z0-9-]/g, '-');
