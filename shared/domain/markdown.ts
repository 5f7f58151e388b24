import MarkdownIt, { type MarkdownIt as MarkdownRenderer } from 'markdown-it';

/**
 * Markdown rendered inert (case descriptions, comments, task logs; CAS-1, TSK-1): the one policy
 * the renderer's <Markdown> component and the case report (CAS-5) both render through.
 *
 * - Raw HTML is never HTML: markdown-it runs with `html: false`, so `<script>`, `<img onerror>`
 *   and HTML blocks come out as escaped text the analyst can read.
 * - Links are links only for `https:` and `mailto:` — the schemes the app's external-link opener
 *   accepts (ARCHITECTURE rule 14). Every other target (`javascript:`, `data:`, `vbscript:`,
 *   `file:`, relative paths, and `http:`) leaves the markdown as literal text: a malicious URL an
 *   analyst quotes in a comment must never become one click away.
 * - Bare URLs are not turned into links (`linkify: false`) for the same reason: comments are
 *   full of indicator URLs.
 * - Images are never loaded (no remote content, rule 6): `![alt](https://x)` renders as `!`
 *   followed by an ordinary link to the image.
 * - A link carries `rel="noopener noreferrer"`, its target as `title` (so the analyst sees where
 *   it goes before clicking) and `data-external-link`, which the renderer intercepts to open it
 *   through the app's external-link path; nothing navigates inside the app.
 * - Nesting is capped (markdown-it's `maxNesting`), so a pathological input cannot blow the stack.
 */

/** URL schemes a markdown link may point to (the app's external-link allowlist, rule 14). */
export const MARKDOWN_LINK_SCHEMES: readonly string[] = ['https:', 'mailto:'];

/** Attribute that marks a rendered link as one to open through the app's external-link path. */
export const EXTERNAL_LINK_ATTRIBUTE = 'data-external-link';

/** Longest markdown text rendered; the rest is cut with a note (a comment is not a book). */
export const MAX_MARKDOWN_LENGTH = 200_000;

const ALLOWED_LINK = /^(?:https:\/\/[^\s]+|mailto:[^\s]+)$/i;

/** Whether `url` may be a link target: `https://…` or `mailto:…`, nothing else. */
export function isAllowedMarkdownLink(url: string): boolean {
  // Browsers ignore control characters and whitespace inside a scheme (`java\tscript:`); refuse
  // anything holding them rather than reasoning about how it would be read.
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  if (/[\u0000-\u0020\u007F-\u009F]/.test(url)) return false;
  return ALLOWED_LINK.test(url);
}

function createInertMarkdown(): MarkdownRenderer {
  const markdown = new MarkdownIt('default', {
    html: false,
    linkify: false,
    typographer: false,
    breaks: true,
    maxNesting: 20,
  });
  markdown.disable('image');
  markdown.validateLink = (url: string) => isAllowedMarkdownLink(url.trim());
  const defaultLinkOpen = markdown.renderer.rules.link_open;
  markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
    const token = tokens[index];
    if (token) {
      const href = String(token.attrGet('href') ?? '');
      token.attrSet('rel', 'noopener noreferrer');
      token.attrSet(EXTERNAL_LINK_ATTRIBUTE, 'true');
      if (!token.attrGet('title')) token.attrSet('title', href);
    }
    return defaultLinkOpen
      ? defaultLinkOpen(tokens, index, options, env, self)
      : self.renderToken(tokens, index, options);
  };
  // Table alignment as a class, not a style attribute: the CSP allows no inline styles.
  for (const rule of ['th_open', 'td_open'] as const) {
    markdown.renderer.rules[rule] = (tokens, index, options, _env, self) => {
      const token = tokens[index];
      const align = /text-align:(left|right|center)/.exec(
        String(token?.attrGet('style') ?? ''),
      )?.[1];
      if (token && align) {
        token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
        token.attrSet('class', `align-${align}`);
      }
      return self.renderToken(tokens, index, options);
    };
  }
  return markdown;
}

let inertMarkdown: MarkdownRenderer | null = null;

/**
 * The inert HTML of `text` (see the header for the policy). The result is safe to insert as HTML
 * on its own; the renderer still passes it through DOMPurify as a second wall.
 */
export function renderInertMarkdown(text: string): string {
  inertMarkdown ??= createInertMarkdown();
  const source =
    text.length > MAX_MARKDOWN_LENGTH
      ? `${text.slice(0, MAX_MARKDOWN_LENGTH)}\n\n*(cut at ${MAX_MARKDOWN_LENGTH} characters)*`
      : text;
  return inertMarkdown.render(source);
}

/** Elements the inert markdown produces; anything else in its output is a bug (see the tests). */
export const INERT_MARKDOWN_TAGS: readonly string[] = [
  'a',
  'blockquote',
  'br',
  'code',
  'del',
  'em',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'li',
  'ol',
  'p',
  'pre',
  's',
  'strong',
  'table',
  'tbody',
  'td',
  'th',
  'thead',
  'tr',
  'ul',
];

/** Attributes the inert markdown produces (`class`: code block language, cell alignment). */
export const INERT_MARKDOWN_ATTRIBUTES: readonly string[] = [
  'href',
  'title',
  'rel',
  EXTERNAL_LINK_ATTRIBUTE,
  'start',
  'class',
];
