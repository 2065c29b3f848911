import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatBaselineComparison } from './compile-baseline.js';
import { compileScenarios, findScenario, generateCompileInputs } from './compile-inputs.js';
import { inputsAsYaml } from './compile-inputs-file.js';
import type { CompileMeasurement } from './compile-measure.js';
import { formatCompileMeasurement } from './compile-report.js';
import { type CpuProfile, formatCpuProfileSummary, summarizeCpuProfile } from './cpuprofile-summary.js';

const usage = `usage: node tools/bench/dist/index.js compile [options]
  --scenario NAME    ${compileScenarios.map((s) => s.name).join(', ')} (repeatable; default: all)
  --runs N           timed compiles after the warm-up run (default 5)
  --json             print the measurements as JSON instead of a report
  --cpu-prof DIR     run each child under node --cpu-prof, writing .cpuprofile files to DIR
  --write-inputs DIR write each scenario's input as DIR/<scenario>.yaml and measure nothing
  --baseline PATH    another build's tools/bench/dist/index.js: each scenario is measured with
                     both builds, alternating, and compared (CPU warm and cold, envoy.lower, RSS)
  --rounds N         alternations with --baseline (default 3)
`;

/**
 * The compile benchmark: each scenario is generated and compiled in a fresh
 * child process (so its peak RSS is its own), and reported against the target.
 */
export async function runCompileBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', multiple: true },
      runs: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'write-inputs': { type: 'string' },
      baseline: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const runs = Number(values.runs);
  const rounds = Number(values.rounds);
  if (values.baseline !== undefined && (!Number.isInteger(rounds) || rounds < 1)) {
    process.stderr.write(`--rounds must be a positive integer\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const names = values.scenario ?? compileScenarios.map((s) => s.name);
  const unknown = names.filter((n) => !findScenario(n));
  if (!Number.isInteger(runs) || runs < 1 || unknown.length > 0) {
    process.stderr.write(
      `${unknown.length > 0 ? `unknown scenario ${unknown.join(', ')}` : `--runs must be a positive integer`}\n${usage}`,
    );
    process.exitCode = 2;
    return;
  }
  const inputsDir = values['write-inputs'];
  if (inputsDir !== undefined) {
    await mkdir(inputsDir, { recursive: true });
    for (const name of names) {
      const file = join(inputsDir, `${name}.yaml`);
      await writeFile(file, inputsAsYaml(generateCompileInputs(findScenario(name)!).resources));
      process.stdout.write(`wrote ${file}\n`);
    }
    return;
  }
  const results: CompileMeasurement[] = [];
  if (values.baseline !== undefined) {
    await compareWithBaseline(names, runs, rounds, values.baseline, values.json);
    return;
  }
  for (const name of names) {
    const outcome = await measureInChild(name, runs, values['cpu-prof']);
    if ('error' in outcome) {
      process.stderr.write(`compile ${name}: ${outcome.error}\n`);
      process.exitCode = 1;
      continue;
    }
    results.push(outcome);
    if (!values.json) process.stdout.write(`${formatCompileMeasurement(outcome)}\n`);
    if (values['cpu-prof'] !== undefined && outcome.profile !== undefined) {
      const summary = summarizeCpuProfile(JSON.parse(await readFile(outcome.profile, 'utf8')) as CpuProfile, {
        root: repositoryRoot,
        // Only what compile() does: not input generation nor the harness's own output statistics.
        within: (frame) => frame.functionName === 'compile' && frame.url.endsWith('/core/dist/compile.js'),
      });
      process.stdout.write(`  CPU profile        ${outcome.profile}\n${formatCpuProfileSummary(summary)}\n`);
    }
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

const ownChild = fileURLToPath(new URL('./compile-child.js', import.meta.url));

/** Each scenario with this build and the baseline, alternating `rounds` times, then compared. */
async function compareWithBaseline(
  names: readonly string[],
  runs: number,
  rounds: number,
  baselineIndex: string,
  json: boolean,
): Promise<void> {
  const baselineChild = join(dirname(baselineIndex), 'compile-child.js');
  const all: Array<{ scenario: string; mine: CompileMeasurement[]; baseline: CompileMeasurement[] }> = [];
  for (const name of names) {
    const mine: CompileMeasurement[] = [];
    const baseline: CompileMeasurement[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const [child, into] of [
        [ownChild, mine],
        [baselineChild, baseline],
      ] as const) {
        const outcome = await measureInChild(name, runs, undefined, child);
        if ('error' in outcome) {
          process.stderr.write(`compile ${name} (${child}): ${outcome.error}\n`);
          process.exitCode = 1;
          return;
        }
        into.push(outcome);
      }
    }
    all.push({ scenario: name, mine, baseline });
    if (!json) {
      process.stdout.write(
        `${formatCompileMeasurement(mine.at(-1)!)}\n${formatBaselineComparison(mine, baseline, baselineIndex)}\n`,
      );
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
}

/** A measurement, plus the .cpuprofile the child wrote when profiling. */
type ChildOutcome = (CompileMeasurement & { profile?: string }) | { error: string };

function measureInChild(
  scenario: string,
  runs: number,
  cpuProfDir: string | undefined,
  childScript = ownChild,
): Promise<ChildOutcome> {
  const nodeArgs = ['--expose-gc', ...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, childScript, scenario, String(runs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', (e) => resolve({ error: e.message }));
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      let outcome: ChildOutcome;
      try {
        outcome = JSON.parse(line) as ChildOutcome;
      } catch {
        resolve({ error: `child exited with ${signal ?? code} and no measurement` });
        return;
      }
      if (!cpuProfDir || 'error' in outcome) {
        resolve(outcome);
        return;
      }
      // node names the file CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
      readdir(cpuProfDir).then(
        (files) => {
          const mine = files.filter((f) => f.includes(`.${child.pid}.`) && f.endsWith('.cpuprofile')).sort();
          const last = mine[mine.length - 1];
          resolve(last ? { ...outcome, profile: join(cpuProfDir, last) } : outcome);
        },
        () => resolve(outcome),
      );
    });
  });
}
