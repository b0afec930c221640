/**
 * `langevin merge PART.json … [--out FILE]`: the exact merge of shard results
 * (src/run/merge.ts). Every part is read and checked before anything is
 * written; the merged result goes to --out (atomically) or stdout.
 */
import { mergeShards } from '../run/merge.ts';
import { parseJsonFile } from './files.ts';
import { parseCommandArgs, usageError } from './args.ts';
import { PendingOutput, refuseInputAsOutput, resolveOutTarget } from './output.ts';
import type { StdoutGuard } from './stdout.ts';

/** The arguments of `langevin merge`. */
export interface MergeArgs {
  parts: string[];
  out?: string;
}

/** The most parts one merge reads (each is a file held in memory). */
export const MAX_PARTS = 100_000;

/** The largest part file a merge reads: a shard's log grows with trace rows × histogram bins (run refuses more). */
export const MAX_PART_BYTES = 512 * 2 ** 20;

export function parseMergeArgs(args: string[]): MergeArgs {
  const { values, positionals } = parseCommandArgs('merge', args, { out: { type: 'string' } }, MAX_PARTS);
  if (positionals.length === 0) throw usageError('merge', 'give the parts, e.g. `langevin merge parts/part-*.json --out result.json`');
  return { parts: positionals, out: values.out as string | undefined };
}

export async function mergeCommand(args: MergeArgs, stdout: StdoutGuard): Promise<number> {
  const target = args.out === undefined ? undefined : resolveOutTarget(args.out);
  if (target) for (const p of args.parts) refuseInputAsOutput(target, p, 'part');
  const seen = new Set<string>();
  for (const p of args.parts) {
    if (seen.has(p)) throw usageError('merge', `${p} is given twice`);
    seen.add(p);
  }
  const merged = await mergeShards(args.parts.map((name) => ({ name, json: parseJsonFile(name, 'part', MAX_PART_BYTES) })));
  const json = JSON.stringify(merged, null, 2) + '\n';
  if (target) PendingOutput.open(target).commit(json);
  else await stdout.write(json);
  process.stderr.write(
    `langevin: merged ${merged.shards.count} part${merged.shards.count === 1 ? '' : 's'}: ${merged.particles} particles × ${merged.steps} steps${target ? `, written to ${target.given}` : ''}\n`,
  );
  return 0;
}
