// @vitest-environment jsdom
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Markdown, markdownToSafeHtml, sanitizeMarkdownHtml } from '../../renderer/ui/Markdown';
import { renderInertMarkdown } from '../../shared/domain/markdown';

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined;
}

let container: HTMLDivElement;
let root: Root;

beforeEach(() => {
  globalThis.IS_REACT_ACT_ENVIRONMENT = true;
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function render(source: string, onOpenLink?: (url: string) => void): HTMLElement {
  act(() => root.render(createElement(Markdown, { source, onOpenLink })));
  const rendered = container.firstElementChild;
  if (!(rendered instanceof HTMLElement)) throw new Error('Markdown rendered nothing');
  return rendered;
}

function click(element: Element, button = 0): MouseEvent {
  const event = new MouseEvent(button === 0 ? 'click' : 'auxclick', {
    bubbles: true,
    cancelable: true,
    button,
  });
  act(() => {
    element.dispatchEvent(event);
  });
  return event;
}

describe('<Markdown>', () => {
  it('shows <script> and <img onerror> as text and runs nothing', () => {
    const alarm = vi.fn();
    (window as unknown as { alarm: () => void }).alarm = alarm;
    const rendered = render('<script>alarm()</script>\n\n<img src=x onerror="alarm()">');
    expect(rendered.querySelector('script, img')).toBeNull();
    expect(rendered.textContent).toContain('<script>alarm()</script>');
    expect(rendered.textContent).toContain('<img src=x onerror="alarm()">');
    expect(alarm).not.toHaveBeenCalled();
  });

  it('renders markdown: headings, nested emphasis, lists, code', () => {
    const rendered = render('# Findings\n\n***very*** _a **b** c_\n\n- one\n- `two`');
    expect(rendered.querySelector('h1')?.textContent).toBe('Findings');
    expect(rendered.querySelector('em > strong')?.textContent).toBe('very');
    expect(rendered.querySelectorAll('li')).toHaveLength(2);
    expect(rendered.querySelector('code')?.textContent).toBe('two');
  });

  it('has no link for javascript:, data: or vbscript: targets', () => {
    const rendered = render(
      '[a](javascript:alert(1)) [b](data:text/html,<script>x</script>) [c](vbscript:x)',
    );
    expect(rendered.querySelectorAll('a[href]')).toHaveLength(0);
  });

  it('opens an https link through onOpenLink and never navigates the window', () => {
    const opened: string[] = [];
    const rendered = render('see [the advisory](https://example.com/advisory)', (url) =>
      opened.push(url),
    );
    const link = rendered.querySelector('a');
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link?.getAttribute('data-external-link')).toBe('true');
    const event = click(link as Element);
    expect(event.defaultPrevented).toBe(true);
    expect(opened).toEqual(['https://example.com/advisory']);
  });

  it('a middle click does not open a link in a new window either', () => {
    const opened: string[] = [];
    const rendered = render('[x](https://example.com)', (url) => opened.push(url));
    const event = click(rendered.querySelector('a') as Element, 1);
    expect(event.defaultPrevented).toBe(true);
    expect(opened).toEqual([]);
  });

  it('a click on a link without onOpenLink is still kept inside the app', () => {
    const rendered = render('[x](https://example.com)');
    expect(click(rendered.querySelector('a') as Element).defaultPrevented).toBe(true);
  });

  it('clicking text outside a link does nothing', () => {
    const onOpenLink = vi.fn();
    const rendered = render('plain text', onOpenLink);
    expect(click(rendered.querySelector('p') as Element).defaultPrevented).toBe(false);
    expect(onOpenLink).not.toHaveBeenCalled();
  });
});

describe('the DOMPurify wall', () => {
  it('keeps everything the inert markdown produces', () => {
    const source = '# T\n\n**b** _i_ [x](https://example.com) `c`\n\n| a |\n|:-|\n| 1 |';
    const policyOutput = parse(renderInertMarkdown(source));
    const walled = parse(markdownToSafeHtml(source));
    // isEqualNode compares attributes as a set: DOMPurify may reorder them.
    expect(walled.body.isEqualNode(policyOutput.body)).toBe(true);
  });

  it('removes what the policy never produces, should a bug let it through', () => {
    const walled = parse(
      sanitizeMarkdownHtml(
        [
          '<script>x()</script>',
          '<img src="https://x/y.png" onerror="x()">',
          '<a href="javascript:x()" onclick="x()">j</a>',
          '<a href="http://evil.example" data-external-link="true">h</a>',
          '<a href="https://ok.example">ok</a>',
          '<p style="color:red" data-x="1" aria-label="l">p</p>',
          '<iframe src="https://evil.example"></iframe>',
          '<form action="https://evil.example"><input></form>',
        ].join(''),
      ),
    );
    const elements = [...walled.body.querySelectorAll('*')];
    expect(elements.map((element) => element.tagName)).toEqual(['A', 'A', 'A', 'P']);
    const [javascriptLink, httpLink, httpsLink, paragraph] = elements;
    expect(javascriptLink?.getAttributeNames()).toEqual([]);
    expect(httpLink?.getAttributeNames()).toEqual([]);
    expect(httpsLink?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(httpsLink?.getAttribute('data-external-link')).toBe('true');
    expect(paragraph?.getAttributeNames()).toEqual([]);
  });
});

function parse(html: string): Document {
  return new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
}
