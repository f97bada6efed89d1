import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { MATRIX_INDEX_FILE, writeReport, writeRunReport } from '@ssseg/report';
import { mainTable } from './compare';

/** `ssseg report DIR`: the comparison report for a compare folder, the run report for a run folder. */
export function registerReportCommand(program: Command): void {
  program
    .command('report <dir>')
    .description('write report.md, report.html and plots for a comparison folder (finished runs; missing ones listed) or for one run folder (curves, per-class IoU, predictions)')
    .option('--out <dir>', 'for a run folder: write the report here instead (needed while the run is still training)')
    .action(async (dir: string, opts: { out?: string }) => {
      if (fs.existsSync(path.join(dir, MATRIX_INDEX_FILE))) {
        const report = await writeReport(dir);
        process.stdout.write(`${mainTable(report.markdown)}\n\nreport: ${report.markdown}\n        ${report.html}\n`);
        return;
      }
      const report = await writeRunReport(dir, opts.out);
      const last = report.run.evaluations[report.run.evaluations.length - 1];
      const miou = last ? `mIoU ${(last.miou * 100).toFixed(2)} at step ${last.step}` : 'no evaluation yet';
      process.stdout.write(`${report.run.method.type}: ${report.run.steps} steps, ${miou}\nreport: ${report.markdown}\n        ${report.html}\n`);
    });
}
