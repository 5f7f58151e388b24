import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import {
  EXTERNAL_LINK_ATTRIBUTE,
  INERT_MARKDOWN_ATTRIBUTES,
  INERT_MARKDOWN_TAGS,
  MAX_MARKDOWN_LENGTH,
  isAllowedMarkdownLink,
  markdownToPlainText,
  renderInertMarkdown,
} from '../../shared/domain/markdown';

/** Parses rendered HTML the way a browser would, so tests check elements, not substrings. */
function parse(html: string): Document {
  return new JSDOM(`<body>${html}</body>`).window.document;
}

function elementsOf(html: string): Element[] {
  return [...parse(html).body.querySelectorAll('*')];
}

describe('renderInertMarkdown', () => {
  it.each([
    ['<script>alert(1)</script>', '<script>alert(1)</script>'],
    ['<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'],
    [
      '<iframe src="https://evil.example"></iframe>',
      '<iframe src="https://evil.example"></iframe>',
    ],
    ['<a href="javascript:alert(1)">x</a>', '<a href="javascript:alert(1)">x</a>'],
    ['<svg onload=alert(1)>', '<svg onload=alert(1)>'],
  ])('renders raw HTML %j as the text it is', (source, text) => {
    const document = parse(renderInertMarkdown(source));
    expect(document.body.textContent?.trim()).toBe(text);
    expect([...document.body.querySelectorAll('*')].map((e) => e.tagName)).toEqual(['P']);
  });

  it('renders a raw HTML block as escaped text, not as elements', () => {
    const html = renderInertMarkdown('<div onclick="x()">\n<b>bold?</b>\n</div>\n\nafter');
    const tags = elementsOf(html).map((element) => element.tagName.toLowerCase());
    expect(tags).not.toContain('div');
    expect(tags).not.toContain('b');
    expect(parse(html).body.textContent).toContain('<div onclick="x()">');
  });

  it.each([
    '[x](javascript:alert(1))',
    '[x](JavaScript:alert(1))',
    '[x](  javascript:alert(1))',
    '[x](java\tscript:alert(1))',
    '[x](&#106;avascript:alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[x](vbscript:msgbox(1))',
    '[x](file:///etc/passwd)',
    '[x](http://evil.example/)',
    '[x](/relative/path)',
    '<javascript:alert(1)>',
    '[x][r]\n\n[r]: javascript:alert(1)',
  ])('drops the link of %j (no element carries an href)', (source) => {
    const elements = elementsOf(renderInertMarkdown(source));
    expect(elements.filter((element) => element.hasAttribute('href'))).toEqual([]);
  });

  it('renders https and mailto links with rel, title and the external-link marker', () => {
    const document = parse(
      renderInertMarkdown('[report](https://example.com/r?a=1&b=2) and <mailto:soc@example.com>'),
    );
    const links = [...document.querySelectorAll('a')];
    expect(
      links.map((link) => [
        link.getAttribute('href'),
        link.getAttribute('rel'),
        link.getAttribute('title'),
        link.getAttribute(EXTERNAL_LINK_ATTRIBUTE),
      ]),
    ).toEqual([
      [
        'https://example.com/r?a=1&b=2',
        'noopener noreferrer',
        'https://example.com/r?a=1&b=2',
        'true',
      ],
      ['mailto:soc@example.com', 'noopener noreferrer', 'mailto:soc@example.com', 'true'],
    ]);
    expect(links.some((link) => link.hasAttribute('target'))).toBe(false);
  });

  it('keeps a link title the author gave', () => {
    const link = parse(
      renderInertMarkdown('[x](https://example.com "Vendor advisory")'),
    ).querySelector('a');
    expect(link?.getAttribute('title')).toBe('Vendor advisory');
  });

  it('leaves bare URLs as text (indicator URLs in comments are never one click away)', () => {
    const html = renderInertMarkdown('seen at https://evil.example/payload and hxxp://x[.]y');
    expect(elementsOf(html).map((element) => element.tagName)).toEqual(['P']);
  });

  it('never loads an image: it becomes a link to it, and data: images vanish', () => {
    const remote = elementsOf(renderInertMarkdown('![logo](https://example.com/logo.png)'));
    expect(remote.map((element) => element.tagName)).toEqual(['P', 'A']);
    const inline = elementsOf(renderInertMarkdown('![x](data:image/png;base64,AAAA)'));
    expect(
      inline.filter((element) => element.tagName === 'IMG' || element.hasAttribute('href')),
    ).toEqual([]);
  });

  it('renders nested emphasis', () => {
    const html = renderInertMarkdown('***both*** and _one **two** one_ and ~~gone~~');
    expect(html).toBe(
      '<p><em><strong>both</strong></em> and <em>one <strong>two</strong> one</em> and <s>gone</s></p>\n',
    );
  });

  it('caps nesting, so 10,000 nested quotes render without blowing the stack', () => {
    const html = renderInertMarkdown(`${'>'.repeat(10_000)} deep`);
    expect(html.match(/<blockquote>/g)?.length ?? 0).toBeLessThanOrEqual(20);
  });

  it('escapes an attribute-breaking fence language', () => {
    const elements = elementsOf(renderInertMarkdown('```js" onmouseover="alert(1)\ncode\n```'));
    expect(elements.flatMap((element) => element.getAttributeNames())).toEqual(['class']);
  });

  it('renders table alignment as a class, not an inline style', () => {
    const elements = elementsOf(renderInertMarkdown('| a | b |\n|:--|--:|\n| 1 | 2 |'));
    expect(elements.some((element) => element.hasAttribute('style'))).toBe(false);
    expect(elements.find((element) => element.tagName === 'TD')?.className).toBe('align-left');
  });

  it('produces only the allowlisted elements and attributes over a mixed document', () => {
    const source = [
      '# Title',
      '## Sub',
      'Text with `code`, **bold**, a [link](https://example.com).',
      '',
      '> quote',
      '',
      '1. one',
      '2. two',
      '',
      '- a',
      '- b',
      '',
      '---',
      '',
      '```',
      'block',
      '```',
      '',
      '| h |',
      '|---|',
      '| c |',
      '',
      'line one',
      'line two',
      '<script>x</script>',
    ].join('\n');
    for (const element of elementsOf(renderInertMarkdown(source))) {
      expect(INERT_MARKDOWN_TAGS).toContain(element.tagName.toLowerCase());
      for (const name of element.getAttributeNames())
        expect(INERT_MARKDOWN_ATTRIBUTES).toContain(name);
    }
  });

  it(`cuts a text longer than ${MAX_MARKDOWN_LENGTH} characters and says so`, () => {
    const html = renderInertMarkdown('a'.repeat(MAX_MARKDOWN_LENGTH + 10));
    expect(html).toContain(`(cut at ${MAX_MARKDOWN_LENGTH} characters)`);
    expect(html).not.toContain('a'.repeat(MAX_MARKDOWN_LENGTH + 1));
  });
});

describe('isAllowedMarkdownLink', () => {
  it.each([
    ['https://example.com', true],
    ['HTTPS://example.com', true],
    ['mailto:soc@example.com', true],
    ['http://example.com', false],
    ['javascript:alert(1)', false],
    ['https://exa mple.com', false],
    ['https:\u0000//x', false],
    ['', false],
  ])('%j → %s', (url, allowed) => {
    expect(isAllowedMarkdownLink(url)).toBe(allowed);
  });
});

describe('markdownToPlainText', () => {
  it('keeps the block structure as lines and drops inline marks', () => {
    const source = [
      '# Findings',
      '',
      'Some **bold**, _em_ and `code`.',
      'Next line.',
      '',
      '- one',
      '- two',
      '  1. nested',
      '',
      '> quoted',
      '',
      '```',
      'raw <b>code</b>',
      '```',
      '',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
    ].join('\n');
    expect(markdownToPlainText(source)).toBe(
      [
        'Findings',
        '',
        'Some bold, em and code.',
        'Next line.',
        '',
        '• one',
        '• two',
        '  1. nested',
        '> quoted',
        '',
        'raw <b>code</b>',
        '',
        'a | b',
        '1 | 2',
      ].join('\n'),
    );
  });

  it('shows a link as its text and target, once for an autolink', () => {
    expect(markdownToPlainText('[advisory](https://example.com/a) <https://example.com/b>')).toBe(
      'advisory (https://example.com/a) https://example.com/b',
    );
  });

  it('leaves raw HTML and javascript: links as the literal text they are', () => {
    expect(markdownToPlainText('<script>x()</script> [bad](javascript:alert(1))')).toBe(
      '<script>x()</script> [bad](javascript:alert(1))',
    );
  });

  it('gives an empty string for empty markdown', () => {
    expect(markdownToPlainText('  \n\n ')).toBe('');
  });
});
