/**
 * WGSL of the mini-batch gradient (shaders/batch.wgsl) for one batch spec,
 * appended after a potential from data by the kernels that step particles.
 */
import batchWGSL from '../../shaders/batch.wgsl?raw';
import type { BatchSpec } from '../spec.ts';
import { preprocess } from './shaders.ts';

/**
 * `batch_gradient(x, particle, step, key)` and its helpers, with BATCH_B and BATCH_SCALE = N/B.
 * @param rows N, rows of the potential's data
 */
export function batchShader(batch: BatchSpec, rows: number): string {
  const scale = rows / batch.size;
  const literal = /[.e]/.test(String(scale)) ? String(scale) : `${scale}.0`;
  return [
    `const BATCH_B: u32 = ${batch.size}u;`,
    `const BATCH_SCALE: f32 = ${literal};`,
    preprocess(batchWGSL, { REPLACE: batch.replace }),
  ].join('\n');
}

/**
 * The potential's WGSL as a stepping kernel splices it: with the mini-batch
 * functions appended when the run draws batches.
 * @param batch the spec's batch and N, the rows of the potential's data
 */
export function potentialWithBatch(potentialWGSL: string, batch?: BatchSpec & { rows: number }): string {
  return batch ? `${potentialWGSL}\n${batchShader(batch, batch.rows)}` : potentialWGSL;
}
