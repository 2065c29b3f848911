// Prometheus text parsing for the observability suites, with the Prometheus
// project's own parser (prometheus_client's, installed by
// tools/prometheus-client/get.sh): the npm parsers tried first each refuse
// valid text (parse-prometheus-text-format folds a family's labelled
// histograms into one sample and loses labels, sum and count; prom2javascript
// refuses NaN and -Inf).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tool = fileURLToPath(new URL('../../tools/prometheus-client/', import.meta.url));

/** The PYTHONPATH of the installed client, or undefined (the suite then skips). */
export function prometheusClientPath(): string | undefined {
  try {
    return execFileSync('bash', [`${tool}get.sh`, '--print'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function prometheusSkipReason(suite: string): string | undefined {
  return prometheusClientPath()
    ? undefined
    : `\n*** ${suite}: SKIPPED — the Prometheus text parser is not installed. Run 'bash tools/prometheus-client/get.sh'.\n`;
}

export interface Sample {
  /** The sample's own name: 'x_total', 'h_bucket', 'h_sum', 'h_count'… */
  name: string;
  labels: Record<string, string>;
  /** A number, or 'NaN' / '+Inf' / '-Inf'. */
  value: number | string;
}

export interface MetricFamily {
  /** The family name as the parser gives it (counters without '_total'). */
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

export interface Scrape {
  families: MetricFamily[];
  /** Every sample of every family. */
  samples: Sample[];
}

/** Parses exposition text; throws with the parser's message on text it refuses. */
export function parsePrometheus(text: string): Scrape {
  const path = prometheusClientPath();
  if (!path) throw new Error('prometheus_client is not installed (tools/prometheus-client/get.sh)');
  const out = execFileSync('python3', [`${tool}parse.py`], {
    input: text,
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path },
    maxBuffer: 64 * 1024 * 1024,
  });
  const { families } = JSON.parse(out) as { families: MetricFamily[] };
  return { families, samples: families.flatMap((f) => f.samples) };
}

/** The samples named `name` whose labels include `labels`. */
export function samples(scrape: Scrape, name: string, labels: Record<string, string> = {}): Sample[] {
  return scrape.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** The sum of the matching samples' values; 0 when none. */
export function total(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return samples(scrape, name, labels).reduce((sum, s) => sum + Number(s.value), 0);
}

export function family(scrape: Scrape, name: string): MetricFamily | undefined {
  return scrape.families.find((f) => f.name === name);
}
