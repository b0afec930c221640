/**
 * `langevin run --export DIR [--save-positions]` (src/node/export.ts): the
 * files' bytes and values against the result JSON, the docs/python.md
 * snippet run by python3 (when it has NumPy), the rule that never clobbers
 * a user's files, and the chunked read-back of the positions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.ts';
import type { RunResult } from '../src/engine.ts';
import { binEdges, PendingExport, resolveExportTarget, traceCsv } from '../src/node/export.ts';
import { cli, numpyMissing, ROOT } from './cli-support.ts';

const SPEC = {
  dims: 2,
  particles: 3000,
  potential: { name: 'double-well' },
  integrator: 'baoab',
  dt: 0.02,
  temperature: 0.5,
  steps: 60,
  seed: 11,
  init: { kind: 'normal', mean: [0, 0], std: 0.5 },
  histogram: { dims: [0, 1], bins: [12, 8], low: [-2.4, -3.2], high: [2.4, 3.2], from: 20, every: 20 },
  observe: { every: 20 },
};

let dir: string;
let spec: string;
let result: RunResult;
let exported: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-export-'));
  spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(SPEC));
  exported = join(dir, 'export');
  const r = cli(['run', spec, '--backend', 'cpu', '--out', join(dir, 'result.json'), '--export', exported, '--save-positions']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An .npy file: its header dict text and its data bytes. */
function npy(name: string): { header: string; data: Buffer } {
  const bytes = readFileSync(join(exported, name));
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]))).toBe(true);
  const length = bytes.readUInt16LE(8);
  expect((10 + length) % 64).toBe(0);
  return {
    header: bytes
      .subarray(10, 10 + length)
      .toString('latin1')
      .trimEnd(),
    data: bytes.subarray(10 + length),
  };
}

const doubles = (b: Buffer) => Array.from({ length: b.length / 8 }, (_, i) => b.readDoubleLE(8 * i));

describe('the files of an export, against the result JSON', () => {
  it('holds exactly the export files, and nothing is left beside it', () => {
    expect(readdirSync(exported).sort()).toEqual(
      [
        'boltzmann.npy',
        'export.json',
        'histogram-edges-0.npy',
        'histogram-edges-1.npy',
        'histogram.npy',
        'positions.npy',
        'trace.csv',
        'velocities.npy',
      ].sort(),
    );
    expect(readdirSync(dir).sort()).toEqual(['export', 'result.json', 'spec.json']);
  });

  it('histogram.npy: int64 (12, 8), the counts; the edges float64 of length bins + 1; boltzmann.npy the probabilities', () => {
    const h = npy('histogram.npy');
    expect(h.header).toBe("{'descr': '<i8', 'fortran_order': False, 'shape': (12, 8), }");
    expect(Array.from({ length: 96 }, (_, i) => Number(h.data.readBigInt64LE(8 * i)))).toEqual(result.histogram!.counts);
    expect(result.histogram!.counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const e0 = npy('histogram-edges-0.npy');
    expect(e0.header).toBe("{'descr': '<f8', 'fortran_order': False, 'shape': (13,), }");
    expect(doubles(e0.data)).toEqual(binEdges(-2.4, 2.4, 12));
    // and those are the edges a reader expects: −2.4, −2.0, …, 2.4 in steps of 0.4
    doubles(e0.data).forEach((e, i) => expect(Math.abs(e - (-2.4 + 0.4 * i))).toBeLessThan(1e-12));
    doubles(npy('histogram-edges-1.npy').data).forEach((e, i) => expect(Math.abs(e - (-3.2 + 0.8 * i))).toBeLessThan(1e-12));
    expect(doubles(e0.data)[0]).toBe(-2.4);
    expect(doubles(e0.data)[12]).toBe(2.4);
    expect(doubles(npy('histogram-edges-1.npy').data)).toEqual(binEdges(-3.2, 3.2, 8));
    const b = npy('boltzmann.npy');
    expect(b.header).toBe("{'descr': '<f8', 'fortran_order': False, 'shape': (12, 8), }");
    expect(doubles(b.data)).toEqual(result.boltzmann!.probabilities);
  });

  it('positions.npy and velocities.npy: float32 (3000, 2); their means are final.mean and ⟨v⟩ to float32 precision', () => {
    for (const name of ['positions.npy', 'velocities.npy']) {
      const p = npy(name);
      expect(p.header).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (3000, 2), }");
      expect(p.data.length).toBe(3000 * 2 * 4);
    }
    const x = npy('positions.npy').data;
    for (let d = 0; d < 2; d++) {
      let sum = 0;
      for (let i = 0; i < 3000; i++) sum += x.readFloatLE(4 * (2 * i + d));
      // the CPU backend holds float64: the file rounds each coordinate to float32
      expect(Math.abs(sum / 3000 - result.final.mean[d])).toBeLessThan(1e-6);
    }
    // the velocities: their variance per coordinate is the result's final.velocityVariance (float32 rounding only)
    const v = npy('velocities.npy').data;
    const velocityVariance = (result.final as { velocityVariance?: number[] }).velocityVariance!;
    expect(velocityVariance).toHaveLength(2);
    for (let d = 0; d < 2; d++) {
      const vs = Array.from({ length: 3000 }, (_, i) => v.readFloatLE(4 * (2 * i + d)));
      const mean = vs.reduce((a, b) => a + b, 0) / 3000;
      const variance = vs.reduce((a, b) => a + (b - mean) ** 2, 0) / 3000;
      expect(Math.abs(variance / velocityVariance[d] - 1)).toBeLessThan(1e-5);
    }
  });

  it('trace.csv: a header of the trace fields, one row per trace row, the JSON numbers; export.json lists the files', () => {
    const lines = readFileSync(join(exported, 'trace.csv'), 'utf8').trimEnd().split('\n');
    const columns = lines[0].split(',');
    expect(columns).toEqual([...new Set(result.trace!.flatMap((row) => Object.keys(row)))]);
    expect(columns).toEqual(expect.arrayContaining(['step', 'temperature', 'meanEnergy', 'kl', 'kineticTemperature']));
    expect(lines.length - 1).toBe(result.trace!.length);
    lines.slice(1).forEach((line, i) => {
      const row = result.trace![i] as unknown as Record<string, number | null | undefined>;
      expect(line.split(',').map((c) => (c === '' ? null : Number(c)))).toEqual(columns.map((c) => row[c] ?? null));
    });
    const manifest = JSON.parse(readFileSync(join(exported, 'export.json'), 'utf8'));
    expect(manifest['langevin-export']).toBe(1);
    expect(manifest.files['positions.npy']).toEqual({ dtype: '<f4', shape: [3000, 2] });
    expect(manifest.files['trace.csv']).toEqual({ columns, rows: result.trace!.length });
  });

  it('traceCsv: a null or missing value is an empty cell', () => {
    expect(
      traceCsv([
        { step: 0, kl: NaN },
        { step: 5, kl: 0.25, extra: 1e-7 },
      ]).text,
    ).toBe('step,kl,extra\n0,,\n5,0.25,1e-7\n');
  });
});

const missing = numpyMissing();
describe.skipIf(missing !== undefined)(`docs/python.md runs${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('its python blocks load every file; shapes and values match the result JSON', () => {
    const doc = readFileSync(join(ROOT, 'docs/python.md'), 'utf8');
    const blocks = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const check = `
print("CHECK " + json.dumps({
    "counts": counts.tolist(), "edges": [e.tolist() for e in edges], "boltzmann": boltzmann.ravel().tolist(),
    "positions": list(positions.shape), "dtype": str(positions.dtype), "mean": positions.mean(axis=0, dtype=np.float64).tolist(),
    "trace": len(trace), "meanEnergy": trace["meanEnergy"].tolist(), "files": sorted(manifest["files"]),
    "pandasRows": None if pd is None else len(df), "pandasEnergy": None if pd is None else df["meanEnergy"].tolist(),
    "png": None if plt is None else __import__("os").path.getsize("summary.png"),
}))`;
    const r = spawnSync('python3', ['-c', blocks.join('\n') + check], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, MPLBACKEND: 'Agg' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(
      r.stdout
        .split('\n')
        .find((l) => l.startsWith('CHECK '))!
        .slice(6),
    );
    const h = result.histogram!;
    expect(out.counts.flat()).toEqual(h.counts);
    expect(out.counts.length).toBe(12);
    expect(out.edges).toEqual([binEdges(-2.4, 2.4, 12), binEdges(-3.2, 3.2, 8)]);
    expect(out.boltzmann).toEqual(result.boltzmann!.probabilities);
    expect(out.positions).toEqual([3000, 2]);
    expect(out.dtype).toBe('float32');
    out.mean.forEach((m: number, d: number) => expect(Math.abs(m - result.final.mean[d])).toBeLessThan(1e-6));
    // the pandas and matplotlib blocks ran for real where python3 has them (Debian's python3-pandas, python3-matplotlib: .ci/run installs them)
    const has = (module: string) => spawnSync('python3', ['-c', `import ${module}`]).status === 0;
    if (has('pandas')) {
      expect(out.pandasRows).toBe(result.trace!.length);
      expect(out.pandasEnergy).toEqual(result.trace!.map((row) => row.meanEnergy));
    } else expect(out.pandasRows).toBeNull();
    if (has('matplotlib')) expect(out.png).toBeGreaterThan(10_000);
    else expect(out.png).toBeNull();
    expect(out.trace).toBe(result.trace!.length);
    expect(out.meanEnergy).toEqual(result.trace!.map((row) => row.meanEnergy));
    expect(out.files).toContain('histogram.npy');
  });
});

describe("never clobbering a user's files", () => {
  it('refuses a folder with other files, a file, a symbolic link, a missing parent, before any work (exit 2), touching nothing', () => {
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep');
    writeFileSync(join(dir, 'afile'), 'keep');
    symlinkSync('export', join(dir, 'link'));
    const cases: [string, string][] = [
      [mine, 'that folder holds files that are not a previous export (e.g. "notes.txt"); give a new or empty folder'],
      [join(dir, 'afile'), 'that is a regular file; give a new folder name, an empty folder or a previous export'],
      [join(dir, 'link'), 'that is a symbolic link; give the folder itself or a new name'],
      [join(dir, 'no', 'where'), `its parent folder ${join(dir, 'no')} does not exist`],
    ];
    for (const [target, why] of cases) {
      expect(() => resolveExportTarget(target)).toThrow(`--export: got "${target}"; ${why}`);
    }
    const r = cli(['run', spec, '--export', mine]);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`langevin: invalid input: --export: got "${mine}"; ${cases[0][1]}\n`);
    expect(readdirSync(mine)).toEqual(['notes.txt']);
    expect(readFileSync(join(dir, 'afile'), 'utf8')).toBe('keep');
  });

  it('refuses --out inside the --export folder, or at its path, before any work (exit 2): the result would be lost', () => {
    const folder = join(dir, 'clash');
    mkdirSync(folder);
    const inside = join(folder, 'result.json');
    const r = cli(['run', spec, '--backend', 'cpu', '--export', folder, '--out', inside]);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(
      `langevin: invalid input: --out: got "${inside}", inside the --export folder ${folder}, which the export replaces as a whole; give a path outside it\n`,
    );
    const same = join(dir, 'same');
    const both = cli(['run', spec, '--backend', 'cpu', '--export', same, '--out', same]);
    expect(both).toMatchObject({ code: 2, stdout: '' });
    expect(both.stderr).toBe(
      `langevin: invalid input: --out and --export: both name ${same}; give the result file and the export folder different paths\n`,
    );
    expect(readdirSync(folder)).toEqual([]);
    expect(existsSync(same)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a folder that looks like a previous export but holds a folder of the user (named like an export file) is refused, untouched', () => {
    const look = join(dir, 'lookalike');
    mkdirSync(join(look, 'trace.csv'), { recursive: true });
    writeFileSync(join(look, 'trace.csv', 'important.txt'), 'keep');
    writeFileSync(join(look, 'export.json'), readFileSync(join(exported, 'export.json')));
    const r = cli(['run', spec, '--backend', 'cpu', '--set', 'particles=200', '--export', look]);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(
      /^langevin: invalid input: --export: got ".*lookalike"; that folder holds files that are not a previous export/,
    );
    expect(readFileSync(join(look, 'trace.csv', 'important.txt'), 'utf8')).toBe('keep');
  });

  it('an empty folder is filled; a previous export is replaced as a whole; no temporary folder stays', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const small = ['--backend', 'cpu', '--set', 'particles=200', '--set', 'integrator=lm'];
    expect(cli(['run', spec, ...small, '--export', empty]).code).toBe(0);
    expect(readdirSync(empty)).toContain('histogram.npy');
    // the previous export had positions; this one has none: the folder is replaced, not merged
    const again = cli(['run', spec, ...small, '--export', exported]);
    expect(again.code).toBe(0);
    expect(existsSync(join(exported, 'positions.npy'))).toBe(false);
    expect(readdirSync(exported)).toContain('trace.csv');
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('positions streamed in chunks', () => {
  it('reads whole particles, chunk by chunk, and the file is the concatenation', async () => {
    const folder = mkdtempSync(join(dir, 'chunks-'));
    const target = join(folder, 'out');
    const N = 10;
    const D = 3;
    const all = Float64Array.from({ length: N * D }, (_, i) => i + 0.5);
    const calls: [number, number][] = [];
    const backend = {
      readPositions: async (first = 0, count = N - first) => (calls.push([first, count]), all.slice(first * D, (first + count) * D)),
      readVelocities: async () => undefined,
    } as unknown as Backend;
    const pending = PendingExport.open(resolveExportTarget(target));
    await pending.writeState(backend, N, D, 7); // 7 numbers: 2 particles a chunk
    await pending.commit();
    expect(calls).toEqual([
      [0, 2],
      [2, 2],
      [4, 2],
      [6, 2],
      [8, 2],
    ]);
    const bytes = readFileSync(join(target, 'positions.npy'));
    expect(Array.from({ length: N * D }, (_, i) => bytes.readFloatLE(128 + 4 * i))).toEqual(Array.from(all));
    expect(readdirSync(target).sort()).toEqual(['export.json', 'positions.npy']);
  });
});
