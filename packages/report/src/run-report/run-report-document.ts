import { MISSING, formatDuration, formatPercent, splitLabel } from '../format';
import { describeComponent, type ReportSection, type ReportTable } from '../report-document';
import type { ConfiguredComponent, SingleRun } from './read-single-run';

export interface RunReportImages {
  curves?: string;
  gallery?: { src: string; caption: string };
}

function section(heading: string, parts: Partial<Omit<ReportSection, 'heading'>>): ReportSection {
  return { heading, paragraphs: [], tables: [], images: [], list: [], ...parts };
}

/** `ipixmatch (relation affinity, weight 0.3)`: a component and the options its config set. */
function describe(c: ConfiguredComponent): string {
  return describeComponent({ type: c.type, ...c.options });
}

export function describeRunStatus(run: SingleRun): string {
  const budget = run.maxSteps ? ` of ${run.maxSteps}` : '';
  switch (run.status.state) {
    case 'done':
      return `finished after ${run.steps} steps`;
    case 'failed':
      return `failed at step ${run.status.step ?? 0}${run.status.detail ? ` (${run.status.detail})` : ''}`;
    case 'incomplete':
      return `running or stopped at step ${run.status.step ?? 0}${budget} (the report shows what was logged so far)`;
    case 'not-started':
      return 'not started (no metrics.jsonl yet)';
  }
}

export function runReportTitle(run: SingleRun): string {
  const regs = run.regularizers.map((r) => r.type);
  const split = typeof run.data.options.split === 'string' ? `, split ${splitLabel(run.data.options.split)}` : '';
  return `Run: ${[run.method.type, ...regs].join(' + ')} on ${run.data.type}${split}${run.seed !== undefined ? `, seed ${run.seed}` : ''}`;
}

export function runReportOverview(run: SingleRun): string {
  const wall = run.wallSeconds !== undefined ? `; wall time ${formatDuration(run.wallSeconds)}` : '';
  return `Status: ${describeRunStatus(run)}${wall}.`;
}

/** The single-run report's sections, in order; the comparison report's renderers print them. */
export function runReportSections(run: SingleRun, images: RunReportImages = {}): ReportSection[] {
  const sections: ReportSection[] = [];
  sections.push(section('Configuration', {
    tables: [{
      header: ['part', 'setting'],
      rows: [
        ['method', describe(run.method)],
        ...run.regularizers.map((r, i): string[] => [`regularizer ${i + 1}`, describe(r)]),
        ['model', describe(run.model)],
        ['data', describe(run.data)],
        ['seed', run.seed === undefined ? MISSING : String(run.seed)],
      ],
      numericFrom: 2,
    }],
  }));

  const last = run.evaluations[run.evaluations.length - 1];
  const best = run.evaluations.reduce<SingleRun['evaluations'][number] | undefined>((b, e) => (Number.isFinite(e.miou) && (!b || e.miou > b.miou) ? e : b), undefined);
  sections.push(section('mIoU (%)', {
    paragraphs: last
      ? [`Last evaluation (step ${last.step}): ${formatPercent(last.miou)}; best: ${formatPercent(best?.miou)} at step ${best?.step ?? MISSING}.`]
      : ['No evaluation yet.'],
    tables: run.evaluations.length ? [{
      header: ['step', 'mIoU'],
      rows: run.evaluations.map((e) => [String(e.step), formatPercent(e.miou)]),
      numericFrom: 0,
    }] : [],
  }));

  if (last?.iou.length) {
    const table: ReportTable = {
      header: ['class', 'IoU'],
      rows: last.iou.map((v, k) => [last.classNames?.[k] ?? `class ${k}`, formatPercent(v)]),
      numericFrom: 1,
    };
    sections.push(section('Per-class IoU', {
      paragraphs: [`IoU (%) per class at the last evaluation (step ${last.step}); a dash: the class is in neither prediction nor ground truth.`],
      tables: [table],
    }));
  }

  if (images.curves) {
    sections.push(section('Curves', {
      paragraphs: ['Every logged loss term, the validation mIoU, the learning rate and the confident shares against step (long runs are averaged into at most 200 points per line).'],
      images: [{ src: images.curves, alt: 'loss terms, validation mIoU, learning rate and confident share against step' }],
    }));
  }
  if (images.gallery) {
    sections.push(section('Predictions', { paragraphs: [images.gallery.caption], images: [{ src: images.gallery.src, alt: 'validation images, ground truth and predicted masks' }] }));
  }
  return sections;
}
