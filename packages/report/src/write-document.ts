import * as path from 'path';
import { writeFileAtomic } from '@ssseg/core';
import { renderMarkdown } from './markdown';
import { renderHtml } from './html';
import type { ReportSection } from './report-document';

/** The two renderings of every report, comparison or run. */
export const REPORT_DOCUMENT_FILES = { markdown: 'report.md', html: 'report.html' } as const;

/** Writes a report's sections as report.md and report.html into `dir` (each atomically); returns both paths. */
export function writeReportDocument(dir: string, title: string, overview: string, sections: readonly ReportSection[]): { markdown: string; html: string } {
  const markdown = path.join(dir, REPORT_DOCUMENT_FILES.markdown);
  const html = path.join(dir, REPORT_DOCUMENT_FILES.html);
  writeFileAtomic(markdown, renderMarkdown(title, overview, sections));
  writeFileAtomic(html, renderHtml(title, overview, sections));
  return { markdown, html };
}
