// `npm run bench:shards`: what an exact merge and a checkpoint cost, through
// the built command as a user runs it (needs `npm run build`: dist/cli.js).
// One spec of 10^7 particles (2-D double well, EM, CPU backend, a 48 × 32
// histogram and a trace row every 5 steps), side by side in one run:
//   run        the whole ensemble at once (--out one.json)
//   shards     the same as K shards run one after another (--shard I/K), each's wall time
//   merge      `langevin merge` of the K parts: the overhead of sharding
//   checkpoint the run with --checkpoint-every 5 (4 checkpoints of 10^7 particles) against the plain run,
//              and the write time each checkpoint line reports
// and checks the merged result equals the whole run (all but where and when).
//   node bench/shards.mjs [--particles 10000000] [--shards 4]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name}: got ${process.argv[i + 1]}; give an integer ≥ 1`);
    process.exit(2);
  }
  return v;
};
const N = arg('particles', 1e7);
const K = arg('shards', 4);
const dir = mkdtempSync(join(tmpdir(), 'langevin-bench-shards-'));
const spec = join(dir, 'spec.json');
writeFileSync(
  spec,
  JSON.stringify({
    dims: 2,
    particles: N,
    potential: { name: 'double-well' },
    integrator: 'em',
    dt: 0.01,
    temperature: 0.5,
    steps: 20,
    seed: 1,
    init: { kind: 'normal', mean: [0, 0], std: 0.5 },
    histogram: { dims: [0, 1], bins: [48, 32], low: [-2.4, -3.2], high: [2.4, 3.2], from: 10, every: 5 },
    observe: { every: 5 },
  }),
);

function langevin(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [join(root, 'dist/cli.js'), ...args, '--backend', 'cpu'].filter((a) => a !== null),
    {
      cwd: dir,
      encoding: 'utf8',
    },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`langevin ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return { ms, stderr: r.stderr };
}
const noBackend = (args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`langevin ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, stderr: r.stderr };
};

try {
  console.log(
    `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0].model}, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(`spec: ${N} particles × 20 steps, 2-D double well, EM, CPU backend; ${K} shards\n`);
  const one = langevin(['run', spec, '--out', 'one.json']);
  const shards = [];
  for (let i = 0; i < K; i++) shards.push(langevin(['run', spec, '--shard', `${i}/${K}`, '--out', `part-${i}.json`]).ms);
  const partBytes = Array.from({ length: K }, (_, i) => statSync(join(dir, `part-${i}.json`)).size);
  const merge = noBackend(['merge', ...Array.from({ length: K }, (_, i) => `part-${i}.json`), '--out', 'merged.json']);
  const ckpt = langevin(['run', spec, '--checkpoint', 'ck.npz', '--checkpoint-every', '5', '--out', 'ck.json']);
  const plainAgain = langevin(['run', spec, '--out', 'again.json']);
  const strip = (r) => {
    for (const k of ['createdAt', 'host', 'device', 'elapsedMs', 'particleStepsPerSecond', 'shards']) delete r[k];
    r.notes = r.notes.filter((n) => !n.startsWith('merged from'));
    return JSON.stringify(r);
  };
  const same =
    strip(JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8'))) === strip(JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')));
  const writes = [...ckpt.stderr.matchAll(/checkpoint at step (\d+) written to \S+ \(([\d.]+) MiB, (\d+) ms\)/g)].map((m) => ({
    step: +m[1],
    mib: +m[2],
    ms: +m[3],
  }));
  const row = (name, ms, note = '') => console.log(`| ${name} | ${ms.toFixed(0)} | ${note} |`);
  console.log('| what | wall ms | note |');
  console.log('|---|---|---|');
  row('run, whole ensemble', one.ms);
  shards.forEach((ms, i) => row(`run --shard ${i}/${K}`, ms, `part file ${(partBytes[i] / 1024).toFixed(0)} KiB`));
  row(`merge of ${K} parts`, merge.ms, `${((100 * merge.ms) / one.ms).toFixed(1)} % of the whole run; merged = whole run: ${same}`);
  row('run again, no checkpoint', plainAgain.ms);
  row('run with --checkpoint-every 5', ckpt.ms, `+${(ckpt.ms - plainAgain.ms).toFixed(0)} ms for ${writes.length} checkpoints`);
  for (const w of writes) row(`  checkpoint write at step ${w.step}`, w.ms, `${w.mib} MiB`);
  if (!same) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
