/** The CLI's help texts: `langevin help`, `langevin help COMMAND`, `langevin COMMAND --help`. */

export const USAGE = `Langevin: millions of Langevin particles on WebGPU.

Usage:
  langevin run SPEC.json [--backend auto|webgpu|cpu] [--out FILE] [--set PATH=VALUE ..] [--export DIR [--save-positions]]
                [--shard I/N | --shard auto [--shards N]] [--checkpoint FILE [--checkpoint-every N|Ns]] [--resume FILE]
  langevin merge PART.json .. [--out FILE]
  langevin crooks FORWARD.json REVERSE.json [--json] [--out FILE]
  langevin sweep SWEEP.json --list [--json] | --task I [--out FILE] | [--jobs K] --collect DIR [--backend auto|webgpu|cpu]
  langevin potentials [--json]
  langevin bench [--quick] [--json] [--particles N,N,..] [--k K,K,..] [--wg W,W,..]
  langevin bias SPEC.json [--dt H,H,..] [--integrators em,lm,baoab,mala,hmc] [--particles N] [--max-steps N] [--json] [--backend auto|webgpu|cpu] [--set PATH=VALUE ..]
  langevin help [COMMAND]
  langevin --version

run         run the spec; the result JSON goes to --out or stdout, progress to stderr
merge       add shard results (run --shard) into the result of the whole ensemble, bit for bit
crooks      free energy from a forward and a reverse run of a parameter schedule: BAR, Jarzynski
            both ways, and Crooks' check that ln(P_F(W)/P_R(−W)) has slope 1/T
sweep       a grid of runs of one spec: list the points, run one (an array job's task), or run all
            and collect a table of their headline figures
potentials  list the built-in potentials with their formulas and parameters
bench       particle-steps per second over a workload matrix, with peers (CPU backend, plain JS, NumPy)
bias        discretisation bias: KL and TV against the exact Boltzmann distribution for each
            integrator and step size, every run over the spec's total time (steps × dt)
help        this text, or a command's: \`langevin help run\` (or \`langevin run --help\`)

Every option takes \`--opt value\` or \`--opt=value\`. Exit codes: 0 success, 2 invalid input (a bad
option, spec or file; one line on stderr), 1 runtime failure; after Ctrl-C (SIGINT) or SIGTERM, run
finishes the chunk in flight, writes the partial result and exits 130 or 143 (a second one quits
at once, writing nothing).`;

const SET = `  --set PATH=VALUE       override a field of the spec (repeatable, applied in order, before validation):
                         PATH is dotted (potential.params.h, init.mean.0), VALUE is JSON (0.005, [-1,0],
                         "text"); a plain word such as baoab is taken as a string. Refused: __proto__,
                         constructor, prototype, empty segments, an index outside the array, a path
                         through a number or string. The validator names a bad field as for the file.`;

const BACKEND = `  --backend B            auto (default: WebGPU, else the CPU), webgpu or cpu`;

export const HELP: Record<'run' | 'merge' | 'crooks' | 'sweep' | 'potentials' | 'bench' | 'bias' | 'help', string> = {
  run: `Usage: langevin run SPEC.json [options]

Run the spec. The result JSON goes to --out or stdout; progress (on a terminal), warnings and notes to
stderr. Every input is checked before any work: the --out and --export targets, then the spec.

Options:
${BACKEND}
  --out FILE             write the result there instead of stdout: to a temporary file beside it, renamed
                         over it at the end (a folder, device or FIFO is refused)
${SET}
  --export DIR           also write the result's arrays for NumPy/pandas (docs/python.md): trace.csv,
                         histogram.npy (int64 counts), histogram-edges-A.npy (float64), boltzmann.npy
                         (float64) and export.json (the files, dtypes and shapes). DIR must be new, empty,
                         or a previous export (it is then replaced); a folder holding other files is
                         refused. Written to .DIR.tmp-PID beside DIR and renamed into place at the end.
  --save-positions       with --export: positions.npy, the final positions (float32, N × D), and
                         velocities.npy for baoab and hmc
  --shard I/N            run shard I (0 ≤ I < N) of the ensemble: whole tiles of 4096 particles, the same
                         random numbers as the whole run; the result gets a \`shard\` section for
                         \`langevin merge\`, which rebuilds the whole run's result bit for bit
  --shard auto           take I and N from the scheduler: SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of
                         SLURM_ARRAY_TASK_COUNT (a Slurm array), JOB_COMPLETION_INDEX with --shards N (a
                         Kubernetes Indexed Job) or PARALLEL_SEQ − 1 with --shards N (GNU parallel); the
                         run says which it used
  --shards N             the shard count for --shard auto where the scheduler does not give it
  --checkpoint FILE      save the run's state (positions, velocities, observations) to FILE, atomically,
                         every --checkpoint-every and on SIGINT/SIGTERM; see README "Beyond one machine"
  --checkpoint-every E   E steps (e.g. 5000) or seconds (e.g. 60s; default 60s)
  --resume FILE          continue from a checkpoint of the same spec and version: the final result is
                         bit-identical to an uninterrupted run's on the same backend and device
  -h, --help             this text

Examples:
  langevin run examples/double-well.json --set dt=0.01 --set steps=1200 --out r.json --export r
  langevin run examples/double-well.json --shard 0/2 --out part-0.json   (and 1/2, then merge)`,
  merge: `Usage: langevin merge PART.json .. [--out FILE]

Add shard results (langevin run SPEC --shard I/N --out PART.json) into the result of the whole
ensemble. The parts may come in any order; they must come from one spec (the same normalised spec's
SHA-256), one version and one backend kind, and their particle ranges must tile the ensemble with
no gap or overlap (the missing or doubled range is named otherwise, exit 2). The merged result is
the one a single run over all particles gives, bit for bit, except createdAt, host, device, elapsedMs
and particleStepsPerSecond (README "Beyond one machine"); its \`shards\` section lists the parts.

Options:
  --out FILE             write the merged result there (atomically) instead of stdout
  -h, --help             this text

Example:
  langevin merge parts/part-*.json --out result.json`,
  crooks: `Usage: langevin crooks FORWARD.json REVERSE.json [--json] [--out FILE]

The free energy ΔF of a driven process from the works of a forward and a reverse run (results of
\`langevin run\` whose spec gives a potential parameter a schedule, e.g. "params": {"k": {"schedule":
"linear", "from": 1, "to": 4}}; the reverse run is the same spec with "protocol": "reverse", its own
init (the equilibrium at the schedule's end) and seed, any particle count). Printed: ΔF by Bennett's
acceptance ratio (BAR) ± its error, the forward Jarzynski estimate and the reverse one negated, Crooks'
check (the maximum-likelihood line ln(P_F(W)/P_R(−W)) = (W − ΔF)/T over the works of both directions:
its slope ± error against 1/T, whether within 3 errors, the overlap range and bins, ΔF from its
intercept), the exact ΔF where the results have a reference, and notes.

Refused, naming the file and the field (exit 2): a file that is not a result, a partial result, one
without a work section, the directions in the wrong order (swap them), different temperatures, and
specs that differ in potential, dims, dt, integrator, steps, temperature, mass, friction,
leapfrogSteps, batch or passage; a fine work histogram that is not valid.

Options:
  --json                 print the analysis as JSON: {forward, reverse, temperature, particles, deltaF,
                         crooks (null without 3 overlapping bins), reference (when known), notes}
  --out FILE             also write that JSON there (atomically; an input file is refused)
  -h, --help             this text

Example:
  langevin run switch.json --out forward.json
  langevin run switch.json --set protocol=reverse --set init.std=0.5 --set seed=2 --out reverse.json
  langevin crooks forward.json reverse.json`,
  sweep: `Usage: langevin sweep SWEEP.json --list [--json] | --task I [--out FILE] | [--jobs K] --collect DIR

A grid of runs of one spec. The sweep file:
  {"base": SPEC, "axes": {"PATH": [values..], ..}, "combine": "product" | "zip"}
with "file": "spec.json" (relative to the sweep file) in place of "base" for a spec in a file. PATH is
a dotted spec path as --set takes it (temperature, potential.params.h, init.mean.0); the values are JSON.
Points are numbered from 0: "product" (the default) takes every combination, the last axis fastest;
"zip" takes the i-th value of every axis (the axes must be equally long).

Options:
  --list                 validate every point's spec, then print one line per point: its index and values
  --json                 with --list: a JSON array of {index, point}
  --task I               run point I as \`langevin run\` does; the result JSON, with "sweep": {index, point},
                         goes to --out or stdout (for a Slurm or Kubernetes array job)
  --out FILE             with --task: as for run (atomic, a folder or device refused)
  --jobs K               with --collect DIR: validate every point, run them all here, K processes at a time
                         (K = 1: in this process), each writing DIR/point-I.json (DIR is created)
  --collect DIR          write DIR/sweep.csv and DIR/sweep.json, one row per point: its values and its result's
                         final.meanEnergy, final.variance.D, divergence.kl/tv, best.energy,
                         final.acceptanceRate, target.fraction, elapsedMs (those some result has; none: an
                         empty cell, null). Alone: from the DIR/point-I.json an array job wrote (a missing
                         one is refused, named)
${BACKEND}
  -h, --help             this text

Example:
  langevin sweep examples/sweep-temperature.json --jobs 2 --collect out
  sbatch --array=0-5 --wrap 'npx langevin sweep s.json --task $SLURM_ARRAY_TASK_ID --out out/point-$SLURM_ARRAY_TASK_ID.json'`,
  potentials: `Usage: langevin potentials [--json]

List the built-in potentials with their formulas, dimensions and parameters.

Options:
  --json                 as a JSON array
  -h, --help             this text`,
  bench: `Usage: langevin bench [options]

Particle-steps per second over a workload matrix, with peers on this machine (the CPU backend, a plain
JavaScript loop, NumPy, PyTorch and JAX when python3 has them). Then, at 10^6 particles: a C program of
the same workload compiled by cc when it exists (scalar and -march=native, float64 and float32, EM, BAOAB,
MALA), NumPy, and the CPU backend on 1 … all threads, with ratios. Lines go to stdout as they come.

Options:
  --quick                one small workload (20000 particles, 64 steps per dispatch)
  --json                 JSON rows instead of a table
  --particles N,N,..     particle counts (default 10^4 … 10^6), integers from 1 to 2147483647
  --k K,K,..             steps per dispatch (default 1, 8, 64, 256, 1024), from 1 to 1024
  --wg W,W,..            step-kernel workgroup sizes to compare (default 32, 64, 128, 256), from 1 to 1024
  -h, --help             this text`,
  bias: `Usage: langevin bias SPEC.json [options]

Discretisation bias: KL and TV against the exact Boltzmann distribution for each integrator and step size,
every run over the spec's total time (steps × dt). The spec needs a histogram.

Options:
  --dt H,H,..            step sizes (default: the spec's dt × ½, 1, 2, 4)
  --integrators I,I,..   of em, lm, baoab, mala, hmc (default: all five)
  --particles N          particles per run (default: the spec's, at most 10000)
  --max-steps N          cap each run at N steps (default 20000; a capped run gets a note)
  --json                 the study as JSON instead of a table
${BACKEND}
${SET}
  -h, --help             this text`,
  help: `Usage: langevin help [COMMAND]

The overview, or the help of COMMAND (run, merge, crooks, sweep, potentials, bench, bias, help).`,
};
