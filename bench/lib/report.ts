// Figures as they are measured (printed at once), written at the end as
// bench/reports/<timestamp>.{md,json} and bench/reports/latest.md.
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './stats';

export interface Figure {
  scenario: string;
  name: string;
  unit: string;
  measured: number;
  /** The raw limit measured in the same run (same rows / same messages without the service). */
  raw?: number | null;
  /** measured / raw, for throughput figures. */
  ratio?: number | null;
  p50?: number;
  p95?: number;
  p99?: number;
  target: string;
  /** null: informational, no target. */
  pass: boolean | null;
  notes?: string;
}

export interface ExplainRow {
  id: unknown;
  select_type: unknown;
  table: unknown;
  type: unknown;
  possible_keys: unknown;
  key: unknown;
  key_len: unknown;
  ref: unknown;
  rows: unknown;
  Extra: unknown;
}

export interface ExplainedQuery {
  size: number;
  query: string;
  sql: string;
  plan: ExplainRow[];
  /** No access of type ALL (full scan) on any table. */
  indexed: boolean;
}

export class Report {
  readonly figures: Figure[] = [];
  readonly explains: ExplainedQuery[] = [];
  readonly notes: string[] = [];
  readonly details: Record<string, unknown> = {};
  readonly startedAt = new Date();
  private readonly loadAtStart = loadavg();

  constructor(readonly settings: unknown) {}

  add(figure: Figure): void {
    const clean: Figure = {
      ...figure,
      measured: round(figure.measured, 1),
      raw: figure.raw === undefined || figure.raw === null ? figure.raw : round(figure.raw, 1),
      ratio: figure.ratio === undefined || figure.ratio === null ? figure.ratio : round(figure.ratio, 2),
      p50: figure.p50 === undefined ? undefined : round(figure.p50, 1),
      p95: figure.p95 === undefined ? undefined : round(figure.p95, 1),
      p99: figure.p99 === undefined ? undefined : round(figure.p99, 1),
    };
    this.figures.push(clean);
    const verdict = clean.pass === null ? 'info' : clean.pass ? 'PASS' : 'MISS';
    const raw = clean.raw === undefined || clean.raw === null ? '' : ` raw ${clean.raw}${clean.ratio ? ` (×${clean.ratio})` : ''}`;
    const lat = clean.p99 === undefined ? '' : ` p50/p95/p99 ${clean.p50}/${clean.p95}/${clean.p99} ms`;
    console.log(`  [${verdict}] ${clean.scenario} ${clean.name}: ${clean.measured} ${clean.unit}${raw}${lat} — target ${clean.target}`);
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`  note: ${text}`);
  }

  write(dir: string, machineNotes: string[]): { md: string; json: string } {
    mkdirSync(dir, { recursive: true });
    const finishedAt = new Date();
    const stamp = this.startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const machine = {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      loadAverageAtStart: this.loadAtStart.map((v) => round(v, 2)),
      loadAverageAtEnd: loadavg().map((v) => round(v, 2)),
      notes: machineNotes,
    };
    const json = {
      startedAt: this.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationSeconds: round((finishedAt.getTime() - this.startedAt.getTime()) / 1000, 0),
      machine,
      settings: this.settings,
      figures: this.figures,
      explains: this.explains,
      details: this.details,
      notes: this.notes,
    };
    const md = this.markdown(json, machine);
    const jsonPath = join(dir, `${stamp}.json`);
    const mdPath = join(dir, `${stamp}.md`);
    writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(mdPath, md);
    writeFileSync(join(dir, 'latest.md'), md);
    return { md: mdPath, json: jsonPath };
  }

  private markdown(json: { startedAt: string; durationSeconds: number; settings: unknown }, machine: Record<string, unknown>): string {
    const cell = (v: unknown) => (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v)) ? '—' : String(v));
    const lines: string[] = [];
    lines.push(`# Benchmark report — ${json.startedAt}`, '');
    lines.push(`Command: \`npm run bench\` (bench/README.md). Duration ${json.durationSeconds} s.`, '');
    lines.push('## Machine', '');
    lines.push(`- ${machine.cpus} CPU(s) (${machine.cpuModel}), ${machine.memoryGiB} GiB RAM, Node ${machine.node}`);
    lines.push(`- load average at start ${(machine.loadAverageAtStart as number[]).join(' / ')}, at end ${(machine.loadAverageAtEnd as number[]).join(' / ')}`);
    for (const note of machine.notes as string[]) lines.push(`- ${note}`);
    lines.push('', '## Settings', '', '```json', JSON.stringify(json.settings, null, 2), '```', '');
    lines.push('## Results', '');
    lines.push('| Scenario | Figure | Measured | Raw limit (same run) | Ratio | p50 / p95 / p99 ms | Target | Result |');
    lines.push('|---|---|---|---|---|---|---|---|');
    for (const f of this.figures) {
      const lat = f.p99 === undefined ? '—' : `${cell(f.p50)} / ${cell(f.p95)} / ${cell(f.p99)}`;
      const result = f.pass === null ? 'info' : f.pass ? '**pass**' : '**MISS**';
      lines.push(`| ${f.scenario} | ${f.name}${f.notes ? ` <br><sub>${f.notes}</sub>` : ''} | ${cell(f.measured)} ${f.unit} | ${f.raw === undefined || f.raw === null ? '—' : `${f.raw} ${f.unit}`} | ${f.ratio ? `×${f.ratio}` : '—'} | ${lat} | ${f.target} | ${result} |`);
    }
    lines.push('');
    if (this.explains.length > 0) {
      lines.push('## Query plans (EXPLAIN of the SQL the repositories send)', '');
      for (const e of this.explains) {
        lines.push(`### ${e.query} at ${e.size.toLocaleString('en')} restrictions — ${e.indexed ? 'index access only' : '**full scan (type ALL)**'}`, '');
        lines.push('```sql', e.sql.replace(/\s+/g, ' ').trim(), '```', '');
        lines.push('| id | select_type | table | type | key | key_len | ref | rows | Extra |', '|---|---|---|---|---|---|---|---|---|');
        for (const r of e.plan) lines.push(`| ${cell(r.id)} | ${cell(r.select_type)} | ${cell(r.table)} | ${cell(r.type)} | ${cell(r.key)} | ${cell(r.key_len)} | ${cell(r.ref)} | ${cell(r.rows)} | ${cell(r.Extra)} |`);
        lines.push('');
      }
    }
    if (this.notes.length > 0) {
      lines.push('## Notes and limits', '');
      for (const note of this.notes) lines.push(`- ${note}`);
      lines.push('');
    }
    lines.push('## Details', '', '```json', JSON.stringify(this.details, null, 2), '```', '');
    return lines.join('\n');
  }
}
