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

/**
 * Markdown as readable plain text, for output that cannot hold HTML (the PDF report): block
 * structure kept as lines (headings, list bullets, quotes, code), inline marks dropped, a link
 * as `text (url)`. Parsed with the same inert policy, so a `javascript:` link stays literal text.
 */
export function markdownToPlainText(text: string): string {
  inertMarkdown ??= createInertMarkdown();
  const tokens = inertMarkdown.parse(text.slice(0, MAX_MARKDOWN_LENGTH), {});
  const blocks: string[] = [];
  const listStack: Array<{ ordered: boolean; next: number }> = [];
  let quoteDepth = 0;
  let prefix = '';
  let tableRow: string[] | null = null;
  for (const token of tokens) {
    switch (token.type) {
      case 'tr_open':
        tableRow = [];
        break;
      case 'tr_close':
        blocks.push((tableRow ?? []).join(' | '));
        tableRow = null;
        break;
      case 'bullet_list_open':
        listStack.push({ ordered: false, next: 1 });
        break;
      case 'ordered_list_open':
        listStack.push({ ordered: true, next: Number(token.attrGet('start') ?? 1) });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        listStack.pop();
        break;
      case 'list_item_open': {
        const list = listStack.at(-1);
        const marker = list?.ordered ? `${list.next++}. ` : '• ';
        prefix = `${'  '.repeat(Math.max(0, listStack.length - 1))}${marker}`;
        break;
      }
      case 'blockquote_open':
        quoteDepth += 1;
        break;
      case 'blockquote_close':
        quoteDepth -= 1;
        break;
      // A blank line after each paragraph, heading, code block and table, as in the source;
      // items of a tight list stay on consecutive lines (their paragraphs are hidden).
      case 'paragraph_close':
        if (!token.hidden) blocks.push('');
        break;
      case 'heading_close':
      case 'table_close':
        blocks.push('');
        break;
      case 'hr':
        blocks.push('———', '');
        break;
      case 'code_block':
      case 'fence':
        blocks.push(token.content.replace(/\n$/, ''), '');
        break;
      case 'inline': {
        const line = inlinePlainText(token.children ?? []);
        if (tableRow) {
          tableRow.push(line);
          break;
        }
        const quote = '> '.repeat(quoteDepth);
        blocks.push(`${quote}${prefix}${line}`);
        prefix = '';
        break;
      }
      default:
        break;
    }
  }
  return blocks
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

type InlineToken = NonNullable<
  ReturnType<MarkdownRenderer['parseInline']>[number]['children']
>[number];

function inlinePlainText(children: readonly InlineToken[]): string {
  let result = '';
  const links: Array<{ href: string; start: number }> = [];
  for (const child of children) {
    switch (child.type) {
      case 'text':
      case 'code_inline':
        result += child.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        result += '\n';
        break;
      case 'link_open':
        links.push({ href: String(child.attrGet('href') ?? ''), start: result.length });
        break;
      case 'link_close': {
        const link = links.pop();
        const label = link ? result.slice(link.start) : '';
        // `<https://x>` and `<mailto:a@b>` already show their target.
        if (link && link.href !== label && link.href !== `mailto:${label}`) {
          result += ` (${link.href})`;
        }
        break;
      }
      default:
        break;
    }
  }
  return result;
}
