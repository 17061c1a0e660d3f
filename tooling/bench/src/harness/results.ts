// The result model every scenario fills in, and its markdown rendering.
import { roundRatios, summarise } from './stats';

/** One measured quantity. @internal */
export interface MetricDef {
  readonly key: string;
  readonly label: string;
  /** Which direction is better; 'none' for informational figures. */
  readonly better: 'higher' | 'lower' | 'none';
  /**
   * How the ratio to node:http is shown: 'plain' value / node, 'speed' node / value
   * (for times: 2x means twice as fast), or 'none' for no ratio column.
   */
  readonly ratio: 'plain' | 'speed' | 'none';
  /** Decimal places of the value. @default 0 */
  readonly digits?: number;
}

/** One target's figures: for each metric, one value per round (NaN when missing). @internal */
export interface TargetResult {
  readonly id: string;
  readonly label: string;
  /** A reference variant (not a framework): shown, but not a peer. */
  readonly reference?: boolean;
  readonly values: Record<string, number[]>;
  readonly notes: string[];
}

/** A table: targets down, metrics across. @internal */
export interface ResultTable {
  readonly title: string;
  /** The target every ratio divides by. */
  readonly baseline: string;
  /** How the ratio columns name the baseline. @default 'node' */
  readonly baselineLabel?: string;
  readonly metrics: readonly MetricDef[];
  readonly targets: TargetResult[];
}

/** A time series per target (scenario 5). @internal */
export interface SeriesTable {
  readonly title: string;
  readonly unit: string;
  /** Seconds since the start for each column. */
  readonly times: readonly number[];
  readonly rows: { readonly label: string; readonly values: readonly number[] }[];
}

/** A scenario's results. @internal */
export interface ScenarioResult {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly tables: ResultTable[];
  readonly series: SeriesTable[];
  readonly notes: string[];
  readonly seconds: number;
}

/** Makes an empty target result. @internal */
export function targetResult(id: string, label: string, reference = false): TargetResult {
  return { id, label, reference, values: {}, notes: [] };
}

/** Records `value` for `metric` in `round`. @internal */
export function record(target: TargetResult, metric: string, round: number, value: number): void {
  let values = target.values[metric];
  if (!values) {
    values = [];
    target.values[metric] = values;
  }
  while (values.length <= round) values.push(Number.NaN);
  values[round] = value;
}

/** Formats a number with thousands separators and `digits` decimals. @internal */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function fmtRatio(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}x`;
}

/** Median and min-max of a metric's ratio to the baseline, per round. @internal */
export function ratioSummary(
  table: ResultTable,
  target: TargetResult,
  metric: MetricDef,
): ReturnType<typeof summarise> {
  const base = table.targets.find((t) => t.id === table.baseline);
  const values = target.values[metric.key] ?? [];
  const baseline = base?.values[metric.key] ?? [];
  return summarise(roundRatios(values, baseline, metric.ratio === 'speed'));
}

/** Renders one table as markdown. @internal */
export function tableMarkdown(table: ResultTable): string {
  const header: string[] = ['target'];
  for (const m of table.metrics) {
    header.push(m.label);
    const base = table.baselineLabel ?? 'node';
    if (m.ratio !== 'none') header.push(m.ratio === 'speed' ? `speed vs ${base}` : `vs ${base}`);
  }
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const target of table.targets) {
    const cells = [target.reference ? `_${target.label}_` : target.label];
    for (const m of table.metrics) {
      const s = summarise(target.values[m.key] ?? []);
      const digits = m.digits ?? 0;
      cells.push(
        s.n > 1 && s.min !== s.max
          ? `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`
          : fmt(s.median, digits),
      );
      if (m.ratio !== 'none') {
        const r = ratioSummary(table, target, m);
        cells.push(
          target.id === table.baseline
            ? '1x'
            : r.n > 1 && r.min !== r.max
              ? `${fmtRatio(r.median)} (${fmtRatio(r.min)}–${fmtRatio(r.max)})`
              : fmtRatio(r.median),
        );
      }
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const notes = table.targets.flatMap((t) => t.notes.map((n) => `- ${t.label}: ${n}`));
  return [`**${table.title}**`, '', ...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** Renders a time series as markdown. @internal */
export function seriesMarkdown(series: SeriesTable): string {
  const header = ['target', ...series.times.map((t) => `${fmt(t, t % 1 === 0 ? 0 : 1)} s`)];
  return [
    `**${series.title}** (${series.unit})`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...series.rows.map(
      (row) => `| ${[row.label, ...row.values.map((v) => fmt(v, v < 10 ? 1 : 0))].join(' | ')} |`,
    ),
  ].join('\n');
}

/** Renders a scenario. @internal */
export function scenarioMarkdown(result: ScenarioResult): string {
  return [
    `### ${result.id}. ${result.title}`,
    '',
    result.description,
    '',
    ...result.tables.flatMap((t) => [tableMarkdown(t), '']),
    ...result.series.flatMap((s) => [seriesMarkdown(s), '']),
    ...(result.notes.length ? [...result.notes.map((n) => `- ${n}`), ''] : []),
    `_(${fmt(result.seconds)} s)_`,
  ].join('\n');
}
