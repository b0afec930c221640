// `npm run bench:start`: how long the `langevin` command takes to start and to
// run the README's first example, side by side in one run (this machine is
// shared and noisy). Needs `npm run build` first (dist/cli.js).
//   node bench/cli-start.mjs [--reps 10]
// Rows (median, min–max of the repetitions, wall-clock ms):
//   node -e 0                              Node's own start, the floor
//   node dist/cli.js --version             the built command
//   npx langevin --version                 the same through npx, as the README runs it
//   tsx, from source: --version            the command as it ran before dist/ (TypeScript compiled at run time)
//   node dist/cli.js run double-well.json  the README's first example (auto: the CPU backend on a software adapter)
//   npx langevin run double-well.json      the same through npx, as the README writes it
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 10;
if (!Number.isInteger(reps) || reps < 1 || reps > 1000) {
  console.error(`--reps: got ${process.argv[i + 1]}; give an integer from 1 to 1000`);
  process.exit(2);
}

function time(cmd, args, n) {
  const ms = [];
  for (let k = 0; k < n; k++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  ms.sort((a, b) => a - b);
  const median = ms.length % 2 ? ms[(ms.length - 1) / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  return { median, min: ms[0], max: ms[ms.length - 1] };
}

const node = process.execPath;
const scratch = mkdtempSync(join(tmpdir(), 'langevin-start-'));
const out = join(scratch, 'result.json');
const npx = join(dirname(node), 'npx');
const rows = [
  ['node -e 0', node, ['-e', '0'], reps],
  ['node dist/cli.js --version', node, ['dist/cli.js', '--version'], reps],
  ['npx langevin --version', npx, ['langevin', '--version'], reps],
  ['tsx from source (before dist/): --version', node, ['bench/from-source.mjs', '--version'], reps],
  [
    'node dist/cli.js run examples/double-well.json',
    node,
    ['dist/cli.js', 'run', 'examples/double-well.json', '--out', out],
    Math.min(reps, 3),
  ],
  ['npx langevin run examples/double-well.json', npx, ['langevin', 'run', 'examples/double-well.json', '--out', out], Math.min(reps, 3)],
];
console.log(
  `# CLI start, ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}, Node ${process.version}`,
);
console.log('| command | reps | median (ms) | min–max (ms) |');
console.log('|---|---|---|---|');
for (const [label, cmd, args, n] of rows) {
  const t = time(cmd, args, n);
  console.log(`| \`${label}\` | ${n} | ${t.median.toFixed(0)} | ${t.min.toFixed(0)}–${t.max.toFixed(0)} |`);
}
console.log(`load after: ${loadavg()[0].toFixed(2)}`);
rmSync(scratch, { recursive: true, force: true });
