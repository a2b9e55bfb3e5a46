// markdown.js: a safe Markdown subset for guidance and coach answers:
// headings, paragraphs, lists, bold, italics and inline code. No raw HTML,
// no images, no links (a link's text is kept, its target dropped). Output
// is DOM built from text nodes.
import { h } from './dom.js';

function inline(text) {
  const out = [];
  const re = /(\*\*[^*]+\*\*|__[^_]+__|`[^`]+`|\*[^*\s][^*]*\*|\[[^\]]+\]\([^)]*\))/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const s = m[0];
    if (s.startsWith('**') || s.startsWith('__')) out.push(h('strong', {}, s.slice(2, -2)));
    else if (s.startsWith('`')) out.push(h('code', {}, s.slice(1, -1)));
    else if (s.startsWith('[')) out.push(s.slice(1, s.indexOf('](')));
    else out.push(h('em', {}, s.slice(1, -1)));
    last = m.index + s.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function renderMarkdown(src) {
  const root = h('div', { class: 'md' });
  const lines = src.replace(/\r\n/g, '\n').split('\n');
  let list = null;
  let para = [];
  const flush = () => {
    if (para.length) root.append(h('p', {}, inline(para.join(' '))));
    para = [];
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    const item = line.match(/^\s*(?:[-*+]|(\d+)[.)])\s+(.*)$/);
    if (heading) {
      flush();
      list = null;
      const level = Math.min(6, heading[1].length + 2); // the page has its own h1/h2
      root.append(h(`h${level}`, {}, inline(heading[2])));
    } else if (item) {
      flush();
      const ordered = item[1] !== undefined;
      if (!list || (ordered ? list.tagName !== 'OL' : list.tagName !== 'UL')) {
        list = h(ordered ? 'ol' : 'ul', {});
        root.append(list);
      }
      list.append(h('li', {}, inline(item[2])));
    } else if (line.trim() === '') {
      flush();
      list = null;
    } else if (/^<[^>]+>/.test(line.trim())) {
      // Raw HTML is shown as text, never interpreted.
      flush();
      root.append(h('p', {}, line));
    } else {
      list = null;
      para.push(line.trim());
    }
  }
  flush();
  return root;
}
