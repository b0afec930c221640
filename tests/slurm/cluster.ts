/**
 * A real one-node Slurm cluster on localhost for the tests (Debian's
 * slurm-wlm 22.05 and munge): munged, slurmctld and slurmd started by this
 * process, as this user, in a fresh temporary folder, on free ports, with a
 * slurm.conf that needs no cgroups, no accounting database and no system
 * configuration (/etc/slurm and /etc/munge are never read). `startSlurm()`
 * resolves once `sinfo` shows the node idle; `stop()` cancels every job, ends
 * the daemons and the processes of the cluster's jobs, and removes the folder.
 *
 * Where Slurm cannot start (a binary missing, a daemon that exits or never
 * comes up), `startSlurm()` rejects with an Error naming the command that
 * installs it and the tail of each daemon's log: a test of the array job
 * fails then, it never skips.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism, tmpdir, totalmem, userInfo } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** The command that installs what the cluster needs (.ci/run runs it). */
export const INSTALL_SLURM = 'apt-get install -y slurm-wlm munge';

/** The node's name in slurm.conf (slurmd runs with -N NODE): localhost, so no host name needs to resolve. */
export const NODE = 'localhost';
/** The cluster's one partition (Default=YES). */
export const PARTITION = 'debug';

/** A running cluster. */
export interface SlurmCluster {
  /** the temporary folder holding slurm.conf, the munge key, the state, spool and log files */
  dir: string;
  /** the slurm.conf (SLURM_CONF) */
  conf: string;
  /**
   * The environment for sbatch, squeue, sinfo, scontrol, scancel: this
   * process's, without any SLURM_* or SBATCH_* variable of an outer
   * allocation, with SLURM_CONF set to the cluster's slurm.conf.
   */
  env: NodeJS.ProcessEnv;
  /** the last lines of each daemon's log (for a test's failure message) */
  logs(lines?: number): string;
  /** Cancel every job, end the daemons (and any process of the cluster's jobs left), remove `dir`. Idempotent. */
  stop(): Promise<void>;
}

export interface SlurmOptions {
  /** how long the daemons may take to come up, in all (default 60 s) */
  timeoutMs?: number;
  /** keep the folder after stop() (to read the logs) */
  keep?: boolean;
}

/** What a finished command printed, and how it ended. */
export interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
  /** set when the command could not start or ran past its timeout */
  error?: Error;
}

/** Run a command to its end (never throws: a failure is in `code` and `error`). */
export function exec(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<Exec> {
  return new Promise((resolve) =>
    execFile(
      file,
      args,
      { env: options.env, cwd: options.cwd, timeout: options.timeoutMs ?? 15_000, encoding: 'utf8', maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr, error: error ?? undefined });
      },
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Daemons live in sbin, which a non-root PATH may lack. */
const SBIN = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** The absolute path of an executable on PATH or in an sbin folder, or undefined. */
function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** This process's environment without an outer Slurm allocation's variables, plus `extra`. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(SLURM|SBATCH|SALLOC|SRUN)_/.test(k)) env[k] = v;
  // the daemons and clients must find each other's binaries even from a non-root PATH
  env.PATH = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN].join(delimiter);
  return { ...env, ...extra };
}

/** Two distinct TCP ports that are free now (held together while chosen, so never the same). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** The node's hardware as `slurmd -C` reports it (the line slurm.conf wants), or this process's view of it. */
async function hardware(slurmd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await exec(slurmd, ['-C'], { env });
  const line = r.code === 0 ? r.stdout.split('\n').find((l) => l.startsWith('NodeName=')) : undefined;
  const fields = new Map((line ?? '').split(/\s+/).map((kv) => kv.split('=') as [string, string]));
  const keep = ['CPUs', 'Boards', 'SocketsPerBoard', 'CoresPerSocket', 'ThreadsPerCore'];
  const mem = Number(fields.get('RealMemory') ?? Math.floor(totalmem() / 2 ** 20));
  if (!fields.has('CPUs')) return `CPUs=${availableParallelism()} RealMemory=${Math.max(1, Math.floor(mem * 0.9))}`;
  // a little less memory than there is: a node reporting less than slurm.conf says would be drained
  return [
    ...keep.filter((k) => fields.has(k)).map((k) => `${k}=${fields.get(k)}`),
    `RealMemory=${Math.max(1, Math.floor(mem * 0.9))}`,
  ].join(' ');
}

/** The last `lines` lines of a file ('' if it is missing). */
function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Processes whose environment holds exactly `SLURM_CONF=conf`: the daemons, slurmstepd and the jobs' processes (Linux /proc). */
function processesOf(conf: string): number[] {
  const needle = `\0SLURM_CONF=${conf}\0`;
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return pids;
  }
  for (const e of entries) {
    const pid = Number(e);
    if (pid === process.pid) continue;
    try {
      if (`\0${readFileSync(`/proc/${e}/environ`, 'latin1')}`.includes(needle)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A daemon run in the foreground as a child of this process, its stdout and stderr to a file. */
interface Daemon {
  name: string;
  child: ChildProcess;
  /** where it logs: its stdout and stderr, and its own log file if it has one */
  logs: string[];
  exited: Promise<void>;
  exit?: string;
}

function daemon(name: string, file: string, args: string[], env: NodeJS.ProcessEnv, out: string, log?: string): Daemon {
  const fd = openSync(out, 'a');
  const child = spawn(file, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const d: Daemon = { name, child, logs: log ? [log, out] : [out], exited: Promise.resolve() };
  d.exited = new Promise((resolve) => {
    child.once('error', (e) => {
      d.exit = `could not start: ${e.message}`;
      resolve();
    });
    child.once('exit', (code, signal) => {
      d.exit = signal ? `ended by ${signal}` : `exited with code ${code}`;
      resolve();
    });
  });
  return d;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
async function end(d: Daemon, graceMs = 10_000): Promise<void> {
  if (d.exit !== undefined || d.child.pid === undefined) return;
  d.child.kill('SIGTERM');
  const t = setTimeout(() => d.child.kill('SIGKILL'), graceMs);
  await d.exited;
  clearTimeout(t);
}

/**
 * Where the cluster's folder goes: the system's temporary folder, unless munged
 * could not use a socket under it (every folder above the socket must be
 * searchable by all, and a socket path is at most 107 bytes): then /tmp.
 */
function baseDir(): string {
  const t = tmpdir();
  if (t.length > 48) return '/tmp';
  for (let d = t; ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return '/tmp';
    } catch {
      return '/tmp';
    }
    if (dirname(d) === d) return t;
  }
}

/**
 * Start a one-node cluster (munged, slurmctld, slurmd) in a fresh temporary
 * folder; resolves when the node is idle. Rejects, with the install command
 * and the daemons' log tails in the message, where Slurm cannot start.
 */
export async function startSlurm(options: SlurmOptions = {}): Promise<SlurmCluster> {
  try {
    return await startOnce(options);
  } catch (e) {
    // the free ports were taken between choosing and binding them: once more, on others
    if (e instanceof Error && /Address already in use/.test(e.message)) return startOnce(options);
    throw e;
  }
}

async function startOnce(options: SlurmOptions): Promise<SlurmCluster> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const tools = ['munged', 'munge', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scontrol', 'scancel'];
  const bin = Object.fromEntries(tools.map((t) => [t, which(t)]));
  const missing = tools.filter((t) => bin[t] === undefined);
  if (missing.length > 0)
    throw new Error(
      `Slurm cannot start here: no ${missing.join(', ')} on PATH or in ${SBIN.join(', ')}. ` +
        `Install Slurm and munge with \`${INSTALL_SLURM}\` (as root; .ci/run does).`,
    );

  const dir = mkdtempSync(join(baseDir(), 'langevin-slurm-'));
  const path = (...p: string[]) => join(dir, ...p);
  const socket = path('socket', 'munge.socket');
  const conf = path('slurm.conf');
  const env = cleanEnv({ SLURM_CONF: conf });
  const user = userInfo().username;

  const daemons: Daemon[] = [];
  const logs = (lines = 30): string =>
    daemons
      .flatMap((d) => {
        const head = `--- ${d.name}${d.exit ? ` (${d.exit})` : ''}`;
        const texts = d.logs.map((f) => [f, tail(f, lines)]).filter(([, t]) => t !== '');
        if (texts.length === 0) return [`${head}: nothing in ${d.logs.join(', ')} ---`];
        return texts.flatMap(([f, t]) => [`${head}: ${f}, last ${lines} lines ---`, t]);
      })
      .join('\n');

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      const ctld = daemons.find((d) => d.name === 'slurmctld');
      if (ctld && ctld.exit === undefined) {
        // a job's processes belong to slurmstepd, not slurmd: cancel them, then wait for the queue to empty
        await exec(bin.scancel!, ['--user', user], { env, timeoutMs: 10_000 });
        const t0 = Date.now();
        while (Date.now() - t0 < 15_000) {
          const q = await exec(bin.squeue!, ['-h', '-o', '%i'], { env, timeoutMs: 5_000 });
          if (q.code !== 0 || q.stdout.trim() === '') break;
          await sleep(250);
        }
      }
      for (const d of [...daemons].reverse()) await end(d);
      // anything the cluster started and left (a slurmstepd, a job's process): SIGKILL
      for (let round = 0; round < 3; round++) {
        const left = processesOf(conf).filter(alive);
        if (left.length === 0) break;
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        await sleep(200);
      }
      if (!options.keep) rmSync(dir, { recursive: true, force: true });
    })());

  const fail = async (why: string): Promise<never> => {
    const message =
      `Slurm cannot start here: ${why}.\n` +
      `Install Slurm and munge with \`${INSTALL_SLURM}\` (as root; .ci/run does). The cluster was in ${dir} (slurm.conf below).\n` +
      `${logs()}\n--- slurm.conf ---\n${tail(conf, 100)}`;
    await stop();
    throw new Error(message);
  };

  const deadline = Date.now() + timeoutMs;
  /** Poll `ready` every 200 ms until it holds; fail if `d` exits first or the deadline passes. */
  const until = async (d: Daemon, what: string, ready: () => Promise<boolean> | boolean, detail?: () => Promise<string>) => {
    for (;;) {
      if (await ready()) return;
      if (d.exit !== undefined) return fail(`${d.name} ${d.exit} before ${what}`);
      if (Date.now() > deadline) return fail(`no ${what} after ${timeoutMs} ms${detail ? ` (${await detail()})` : ''}`);
      await sleep(200);
    }
  };

  try {
    // munged wants every folder above its socket searchable by all (mkdtemp makes 0700), its key
    // folder writable by its owner only, and the key 0400 (or 0600) owned by the user it runs as
    chmodSync(dir, 0o755);
    for (const d of ['munge', 'state', 'spool', 'log', 'run']) mkdirSync(path(d), { mode: 0o700 });
    mkdirSync(path('socket'));
    chmodSync(path('socket'), 0o755); // (whatever the umask)
    writeFileSync(path('munge', 'munge.key'), randomBytes(1024), { mode: 0o400 });
    writeFileSync(path('plugstack.conf'), '');
    const [ctldPort, slurmdPort] = await freePorts(2);
    writeFileSync(
      conf,
      [
        '# A one-node cluster for the tests (tests/slurm/cluster.ts); everything in this folder.',
        'ClusterName=langevintest',
        // "localhost" is accepted as the controller's name whatever the host is called
        `SlurmctldHost=${NODE}(127.0.0.1)`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        `SlurmUser=${user}`,
        `SlurmdUser=${user}`,
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${path('state')}`,
        `SlurmdSpoolDir=${path('spool')}`,
        `SlurmctldPidFile=${path('run', 'slurmctld.pid')}`,
        `SlurmdPidFile=${path('run', 'slurmd.pid')}`,
        `SlurmctldLogFile=${path('log', 'slurmctld.log')}`,
        `SlurmdLogFile=${path('log', 'slurmd.log')}`,
        'SlurmctldDebug=info',
        'SlurmdDebug=info',
        // no cgroups anywhere (slurm 22.05 has no CgroupPlugin=disabled; with these three no cgroup plugin loads and no cgroup.conf is read)
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'JobCompType=jobcomp/none',
        'MpiDefault=none',
        // not /etc/slurm/plugstack.conf
        `PlugStackConfig=${path('plugstack.conf')}`,
        'MailProg=/bin/true',
        'SchedulerType=sched/backfill',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        // slurm.conf's node line holds: a node finding less than it says is not drained
        'SlurmdParameters=config_overrides',
        'ReturnToService=2',
        'SlurmctldTimeout=30',
        'SlurmdTimeout=30',
        'InactiveLimit=0',
        'KillWait=5',
        'MinJobAge=300',
        `NodeName=${NODE} NodeAddr=127.0.0.1 NodeHostname=${NODE} ${await hardware(bin.slurmd!, env)} State=UNKNOWN`,
        `PartitionName=${PARTITION} Nodes=ALL Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    );

    const munged = daemon(
      'munged',
      bin.munged!,
      [
        '--foreground',
        `--socket=${socket}`,
        `--key-file=${path('munge', 'munge.key')}`,
        // (in the foreground munged logs to stderr, not to this file)
        `--log-file=${path('munge', 'munged.log')}`,
        `--pid-file=${path('munge', 'munged.pid')}`,
        `--seed-file=${path('munge', 'munged.seed')}`,
      ],
      env,
      path('log', 'munged.out'),
    );
    daemons.push(munged);
    await until(
      munged,
      'munge socket',
      async () => existsSync(socket) && (await exec(bin.munge!, ['-n', '-S', socket], { env })).code === 0,
    );

    const ctld = daemon('slurmctld', bin.slurmctld!, ['-D', '-f', conf], env, path('log', 'slurmctld.out'), path('log', 'slurmctld.log'));
    daemons.push(ctld);
    const ping = async () => {
      const r = await exec(bin.scontrol!, ['ping'], { env, timeoutMs: 5_000 });
      return r.code === 0 && /\bUP\b/.test(r.stdout);
    };
    await until(ctld, 'answer from slurmctld (scontrol ping)', ping);

    const slurmd = daemon('slurmd', bin.slurmd!, ['-D', '-f', conf, '-N', NODE], env, path('log', 'slurmd.out'), path('log', 'slurmd.log'));
    daemons.push(slurmd);
    const state = async () => {
      const r = await exec(bin.sinfo!, ['-h', '-N', '-n', NODE, '-o', '%T'], { env, timeoutMs: 5_000 });
      return r.code === 0 ? r.stdout.trim() : `sinfo: ${r.stderr.trim() || r.error?.message}`;
    };
    const nodeInfo = async () => {
      const r = await exec(bin.scontrol!, ['show', 'node', NODE], { env, timeoutMs: 5_000 });
      return `node state ${await state()}; scontrol show node: ${(r.stdout || r.stderr).replace(/\s+/g, ' ').trim()}`;
    };
    await until(slurmd, `idle node ${NODE} in sinfo`, async () => (await state()) === 'idle', nodeInfo);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, conf, env, logs, stop };
}
