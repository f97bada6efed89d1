import { MISSING, formatDuration, formatMeanStd, formatPercent, formatSignedPercent, orderSplits, splitLabel } from './format';
import { MIN_SEEDS_FOR_VERDICT, VERDICT_RULE, formatPairedVerdict, type PairedVerdict } from './verdict';
import { gradRatioTable } from './grad-ratio-table';
import type { ComparisonSummary, RunRow } from './summary';

/** A table both renderers print the same way; cells are plain text (backticks mark code). */
export interface ReportTable {
  caption?: string;
  header: string[];
  rows: string[][];
  /** Columns from this index on are numbers (right-aligned). */
  numericFrom: number;
}

export interface ReportSection {
  heading: string;
  paragraphs: string[];
  tables: ReportTable[];
  images: { src: string; alt: string }[];
  list: string[];
}

export interface ReportImages {
  miouBySplit?: string;
  trainingCurves?: string;
  /** The prediction grid and what it shows (which runs, at which step). */
  gallery?: { src: string; caption: string };
}

function section(heading: string, parts: Partial<Omit<ReportSection, 'heading'>>): ReportSection {
  return { heading, paragraphs: [], tables: [], images: [], list: [], ...parts };
}

export function describeStatus(row: RunRow): string {
  const { status, result } = row;
  switch (status.state) {
    case 'done':
      return result && (result.finalMiou === null || !Number.isFinite(result.finalMiou)) ? 'finished without an evaluation' : 'done';
    case 'failed':
      return `failed at step ${status.step ?? 0}${status.detail ? ` (${status.detail})` : ''}`;
    case 'incomplete':
      return `incomplete: running or stopped at step ${status.step ?? 0}`;
    case 'not-started':
      return 'not started';
  }
}

/** The report's sections, in order, from a comparison summary; markdown and HTML render these. */
export function reportSections(summary: ComparisonSummary, options: { classNames?: readonly string[]; images?: ReportImages } = {}): ReportSection[] {
  const splits = orderSplits(summary.splits);
  const cellRows = [...new Set(summary.cells.map((c) => `${c.method}\u0000${c.variant}`))].map((k) => k.split('\u0000'));
  const cell = (method: string, variant: string, split: string) =>
    summary.cells.find((c) => c.method === method && c.variant === variant && c.split === split);
  const sections: ReportSection[] = [];
  const fewSeeds = summary.cells.some((c) => c.finalMiou.n > 0 && c.finalMiou.n < MIN_SEEDS_FOR_VERDICT);

  sections.push(section('Final mIoU (%)', {
    paragraphs: [
      'mIoU of each run\'s last evaluation: mean ± sample standard deviation over seeds; n = seeds finished.',
      ...(fewSeeds ? [`Warning: some cells have fewer than ${MIN_SEEDS_FOR_VERDICT} finished seeds. Seed-to-seed spread is often larger than the differences between methods, so no difference here is evidence by itself, and their differences get no verdict.`] : []),
    ],
    tables: [{
      header: ['method', 'variant', ...splits.map(splitLabel)],
      rows: cellRows.map(([m, v]) => [m, v, ...splits.map((s) => {
        const c = cell(m, v, s);
        return c ? formatMeanStd(c.finalMiou) : MISSING;
      })]),
      numericFrom: 2,
    }],
    images: options.images?.miouBySplit ? [{ src: options.images.miouBySplit, alt: 'final mIoU against labelled split, one line per method and variant, error bars one sample standard deviation over seeds' }] : [],
  }));

  const baseline = summary.baselineVariant;
  const verdictCell = (v: { verdict: PairedVerdict } | undefined) => (v && v.verdict.n > 0 ? formatPairedVerdict(v.verdict) : MISSING);
  const cellReading = 'Each cell: the mean of the paired differences, its 95 % confidence interval in brackets, n = seeds where both finished, ' +
    'on how many of them the first was ahead, and the verdict.';
  const verdictRule = `Verdict rule: ${VERDICT_RULE}.`;

  const learningRows = [...new Set(summary.learning.map((g) => `${g.method}\u0000${g.supervised}`))].map((k) => k.split('\u0000'));
  const learningShown = learningRows.length > 0 && baseline !== null;
  if (learningShown) {
    sections.push(section('Gain over supervised (percentage points of mIoU)', {
      paragraphs: [
        `Whether each method learns from the unlabelled images: for each seed, its final mIoU with variant \`${baseline}\` minus that of the ` +
          'supervised method on the same split and seed (the same labelled images). A regularizer\'s gain over a method is evidence only where ' +
          'the method itself gains here.',
        cellReading,
        verdictRule,
      ],
      tables: [{
        header: ['method', 'against', ...splits.map(splitLabel)],
        rows: learningRows.map(([m, sup]) => [m, sup, ...splits.map((s) =>
          verdictCell(summary.learning.find((x) => x.method === m && x.supervised === sup && x.split === s)))]),
        numericFrom: 2,
      }],
    }));
  }

  const gainRows = [...new Set(summary.gains.map((g) => `${g.method}\u0000${g.variant}`))].map((k) => k.split('\u0000'));
  sections.push(section('Gain over the base method (percentage points of mIoU)', {
    paragraphs: baseline === null
      ? ['No variant without regularizers, so there is no base to compare with.']
      : [
        `For each seed, a variant's final mIoU minus that of the same method with variant \`${baseline}\` on the same split and seed.`,
        ...(learningShown ? ['Cells and verdicts read as in the section above.'] : [cellReading, verdictRule]),
        ...(gainRows.length === 0 ? ['No method has both a regularized variant and the base variant.'] : []),
      ],
    tables: gainRows.length === 0 ? [] : [{
      header: ['method', 'variant', 'against', ...splits.map(splitLabel)],
      rows: gainRows.map(([m, v]) => [m, v, baseline ?? MISSING, ...splits.map((s) =>
        verdictCell(summary.gains.find((x) => x.method === m && x.variant === v && x.split === s)))]),
      numericFrom: 3,
    }],
  }));

  const classNames = Array.from({ length: summary.numClasses }, (_, c) => options.classNames?.[c] ?? `class ${c}`);
  sections.push(section('Per-class IoU (%)', {
    paragraphs: summary.numClasses === 0
      ? ['No finished run has per-class IoU yet.']
      : ['IoU of each class at the last evaluation, mean over the finished seeds of the cell.'],
    tables: summary.numClasses === 0 ? [] : splits.map((s) => ({
      caption: `split ${splitLabel(s)}`,
      header: ['method', 'variant', 'n', ...classNames],
      rows: cellRows.map(([m, v]) => {
        const c = cell(m, v, s);
        return [m, v, String(c?.seeds.length ?? 0), ...classNames.map((_, k) => formatPercent(c?.perClassIoU[k]))];
      }),
      numericFrom: 2,
    })),
  }));

  const decided = [
    ...summary.learning.map((g) => ({ row: [g.method, g.supervised], split: g.split, verdict: g.verdict, perClass: g.perClassDifference })),
    ...summary.gains.map((g) => ({ row: [`${g.method} + ${g.variant}`, `${g.method} + ${g.baselineVariant}`], split: g.split, verdict: g.verdict, perClass: g.perClassDifference })),
  ].filter((d) => d.verdict.verdict === 'gain' || d.verdict.verdict === 'loss');
  if (decided.length > 0 && summary.numClasses > 0) {
    sections.push(section('Per-class IoU differences where a verdict is a gain or a loss (percentage points)', {
      paragraphs: ['For each comparison whose verdict above is a gain or a loss: per class, the mean over the same paired seeds of the first\'s IoU minus the second\'s.'],
      tables: [{
        header: ['compared', 'against', 'split', 'verdict', ...classNames],
        rows: decided.map((d) => [...d.row, splitLabel(d.split), d.verdict.verdict ?? MISSING, ...d.perClass.map((v) => formatSignedPercent(v))]),
        numericFrom: 4,
      }],
    }));
  }

  sections.push(section('Variants', {
    paragraphs: ['The regularizers each variant adds to its method, as configured (defaults not shown).'],
    tables: [{
      header: ['variant', 'regularizers'],
      rows: summary.variantSettings.map((v) => [v.variant, v.regularizers.length ? v.regularizers.map(describeComponent).join('; ') : 'none']),
      numericFrom: 2,
    }],
  }));

  const ratios = gradRatioTable(summary);
  if (ratios) {
    sections.push(section('How hard each regularizer pulled', {
      paragraphs: [
        'The norm of each term\'s gradient on the strong views\' student logits over that of the method\'s own strong-view ' +
          'pseudo-label loss, both as they enter the loss (logged every `gradRatioEvery` steps): the median of the last quarter ' +
          'of each run\'s logged steps, then the median over seeds. 1 means the term pulls the student as hard as the ' +
          'cross-entropy; 0.1, a tenth as hard.',
      ],
      tables: [ratios],
    }));
  }

  if (options.images?.gallery) {
    sections.push(section('Predictions', {
      paragraphs: [options.images.gallery.caption],
      images: [{ src: options.images.gallery.src, alt: 'validation images, their ground truth and each run\'s predicted masks' }],
    }));
  }

  if (options.images?.trainingCurves) {
    sections.push(section('Training curves', {
      paragraphs: ['Training loss at every logged step and mIoU at every evaluation, one line per run (colour: method, dash and marker: variant).'],
      images: [{ src: options.images.trainingCurves, alt: 'training loss and mIoU against step for every run' }],
    }));
  }

  sections.push(section('Runs', {
    paragraphs: ['Every planned run with its final and best mIoU (%), optimizer steps and wall time.'],
    tables: [{
      header: ['run', 'status', 'final mIoU', 'best mIoU', 'steps', 'wall time'],
      rows: summary.runs.map((r) => [
        `\`${r.id}\``, describeStatus(r), formatPercent(r.result?.finalMiou), formatPercent(r.result?.bestMiou),
        r.result ? String(r.result.steps) : r.status.step !== undefined ? String(r.status.step) : MISSING,
        r.result ? formatDuration(r.result.wallSeconds) : MISSING,
      ]),
      numericFrom: 2,
    }],
  }));

  sections.push(section('Missing runs', {
    paragraphs: summary.missing.length === 0
      ? ['None: every planned run finished.']
      : [`${summary.missing.length} of ${summary.runs.length} planned runs have no final mIoU yet; the tables above leave them out.`],
    list: summary.missing.map((r) => `\`${r.id}\`: ${describeStatus(r)}`),
  }));

  if (summary.skipped.length > 0) {
    sections.push(section('Skipped cells', {
      paragraphs: ['Method and variant pairs the matrix names but does not run:'],
      list: summary.skipped.map((s) => `${s.method} + ${s.variant}: ${s.reason}`),
    }));
  }
  return sections;
}

export function reportTitle(summary: ComparisonSummary): string {
  return summary.name ?? 'Comparison report';
}

/** `ipixmatch (relation affinity, weight 0.3)` from a type-keyed component dict. */
export function describeComponent(component: Record<string, unknown>): string {
  const { type, ...options } = component;
  const entries = describeEntries(options);
  return entries ? `${String(type)} (${entries})` : String(type);
}

/** `k v, k2 v2`, a nested component as describeComponent says it, a nested section in parentheses, a list in brackets. */
function describeEntries(options: Record<string, unknown>): string {
  return Object.entries(options).map(([k, v]) => `${k} ${describeValue(v)}`).join(', ');
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (value === null || typeof value !== 'object') return String(value);
  const section = value as Record<string, unknown>;
  return typeof section.type === 'string' ? describeComponent(section) : `(${describeEntries(section)})`;
}

export function reportOverview(summary: ComparisonSummary): string {
  const done = summary.runs.length - summary.missing.length;
  const wall = summary.runs.reduce((s, r) => s + (r.result?.wallSeconds ?? 0), 0);
  return `${summary.runs.length} runs planned (${summary.methods.length} methods, ${summary.variants.length} variants, ` +
    `${summary.splits.length} splits, seeds ${summary.seeds.join(', ')}); ${done} finished, ${summary.missing.length} missing; ` +
    `training wall time of the finished runs ${formatDuration(wall)}.`;
}
