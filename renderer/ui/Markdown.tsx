import createDOMPurify, { type DOMPurify } from 'dompurify';
import { useMemo, type MouseEvent } from 'react';
import {
  EXTERNAL_LINK_ATTRIBUTE,
  INERT_MARKDOWN_ATTRIBUTES,
  INERT_MARKDOWN_TAGS,
  isAllowedMarkdownLink,
  renderInertMarkdown,
} from '../../shared/domain/markdown';

/**
 * Markdown rendered inert (CAS-1 description, comments, task logs). The policy lives in
 * shared/domain/markdown.ts (raw HTML escaped, links only to https:/mailto:, no images, no
 * linkify); DOMPurify is the second wall, with an allowlist of exactly the elements and
 * attributes that policy produces, so a bug in either one alone does not reach the page.
 */

let purifier: DOMPurify | null = null;

function markdownPurifier(): DOMPurify {
  if (purifier) return purifier;
  // Its own instance: the hook below must not apply to other sanitising in the app.
  const instance = createDOMPurify(window);
  instance.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName !== 'A') return;
    const href = node.getAttribute('href');
    if (href === null || !isAllowedMarkdownLink(href)) {
      node.removeAttribute('href');
      node.removeAttribute(EXTERNAL_LINK_ATTRIBUTE);
      return;
    }
    node.setAttribute('rel', 'noopener noreferrer');
    node.setAttribute(EXTERNAL_LINK_ATTRIBUTE, 'true');
  });
  purifier = instance;
  return instance;
}

/**
 * `html` with only the elements and attributes the inert markdown produces, and links only to
 * https:/mailto: (the second wall; exported for its tests).
 */
export function sanitizeMarkdownHtml(html: string): string {
  return markdownPurifier().sanitize(html, {
    ALLOWED_TAGS: [...INERT_MARKDOWN_TAGS],
    ALLOWED_ATTR: [...INERT_MARKDOWN_ATTRIBUTES],
    ALLOWED_URI_REGEXP: /^(?:https:|mailto:)/i,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
  });
}

/** The sanitised HTML of markdown `source`: what <Markdown> inserts. */
export function markdownToSafeHtml(source: string): string {
  return sanitizeMarkdownHtml(renderInertMarkdown(source));
}

export interface MarkdownProps {
  /** Markdown text as the analyst wrote it. */
  source: string;
  className?: string;
  /**
   * Opens an allowed link (https:, mailto:) through the app's external-link path. Links never
   * navigate the app's window, with or without it.
   */
  onOpenLink?: (url: string) => void;
}

export function Markdown({ source, className, onOpenLink }: MarkdownProps) {
  const html = useMemo(() => markdownToSafeHtml(source), [source]);

  // One delegated handler: the links are in inserted HTML, not React elements.
  const handleLinkActivation = (event: MouseEvent<HTMLDivElement>) => {
    const target = event.target instanceof Element ? event.target : null;
    const link = target?.closest('a');
    if (!link) return;
    event.preventDefault();
    const href = link.getAttribute('href');
    if (event.type === 'click' && href !== null && link.hasAttribute(EXTERNAL_LINK_ATTRIBUTE)) {
      if (isAllowedMarkdownLink(href)) onOpenLink?.(href);
    }
  };

  return (
    <div
      className={className ? `markdown ${className}` : 'markdown'}
      onClick={handleLinkActivation}
      onAuxClick={handleLinkActivation}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
