import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.js';

describe('html', () => {
  it('escapes every interpolation but nested fragments', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${`"x'`}">${inner}${['&', 1]}${undefined}</p>`.value).toBe(
      '<p title="&quot;x&#39;"><b>&lt;i&gt;</b>&amp;1</p>',
    );
    expect(escapeHtml('a<b>&"\'')).toBe('a&lt;b&gt;&amp;&quot;&#39;');
  });
});
