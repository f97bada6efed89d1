import type { ReportSection, ReportTable } from './report-document';

function cellText(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(table: ReportTable): string {
  const line = (cells: string[]) => `| ${cells.map(cellText).join(' | ')} |`;
  const rule = table.header.map((_, i) => (i >= table.numericFrom ? '---:' : '---'));
  return [line(table.header), `|${rule.join('|')}|`, ...table.rows.map(line)].join('\n');
}

export function renderMarkdown(title: string, overview: string, sections: readonly ReportSection[]): string {
  const out: string[] = [`# ${title}`, '', overview, ''];
  for (const s of sections) {
    out.push(`## ${s.heading}`, '');
    for (const p of s.paragraphs) out.push(p, '');
    for (const t of s.tables) {
      if (t.caption) out.push(`### ${t.caption}`, '');
      out.push(markdownTable(t), '');
    }
    for (const item of s.list) out.push(`- ${item}`);
    if (s.list.length) out.push('');
    for (const img of s.images) out.push(`![${img.alt}](${img.src})`, '');
  }
  return out.join('\n');
}
