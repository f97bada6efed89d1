import type { ReportSection, ReportTable } from './report-document';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Escaped text with `code` spans, as the markdown shows them. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]*)`/g, '<code>$1</code>');
}

export function htmlTable(table: ReportTable): string {
  const cls = (i: number) => (i >= table.numericFrom ? ' class="num"' : '');
  return [
    '<div class="table-wrap"><table>',
    table.caption ? `<caption>${inline(table.caption)}</caption>` : '',
    `<thead><tr>${table.header.map((h, i) => `<th${cls(i)}>${inline(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...table.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${inline(c)}</td>`).join('')}</tr>`),
    '</tbody>',
    '</table></div>',
  ].filter(Boolean).join('\n');
}

const STYLE = `body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; background: #fff; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 14px; }
.table-wrap { overflow-x: auto; max-width: 100%; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; padding: 0.5em 0.8em; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f3f3f3; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
img { max-width: 100%; border: 1px solid #eee; }
code { font-size: 0.95em; }`;

/** A standalone HTML page with the same tables as the markdown; images by relative path. */
export function renderHtml(title: string, overview: string, sections: readonly ReportSection[]): string {
  const body: string[] = [`<h1>${inline(title)}</h1>`, `<p>${inline(overview)}</p>`];
  for (const s of sections) {
    body.push(`<h2>${inline(s.heading)}</h2>`);
    for (const p of s.paragraphs) body.push(p.startsWith('Warning:') ? `<p class="warning">${inline(p)}</p>` : `<p>${inline(p)}</p>`);
    for (const t of s.tables) body.push(htmlTable(t));
    if (s.list.length) body.push('<ul>', ...s.list.map((item) => `<li>${inline(item)}</li>`), '</ul>');
    for (const img of s.images) body.push(`<p><img src="${escapeHtml(img.src)}" alt="${escapeHtml(img.alt)}"></p>`);
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
