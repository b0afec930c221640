/// <reference types="@webgpu/types" preserve="true" />
/**
 * Langevin's public API (browser and Node). Node's device comes from
 * `langevin/node` (nodeGpuContext); a page's from `browserGpuContext`.
 */
export {
  Simulation,
  prepare,
  type RunResult,
  type Prepared,
  type SimulationOptions,
  type ProgressFn,
  type RunOptions,
  type Observations,
  type PartialSection,
  type SimulationState,
} from './engine.ts';
export { mergeShards, MergeError, type ShardResult, type MergedResult } from './run/merge.ts';
export { runInBlocks, blockParticles, type BlockOptions } from './run/blocks.ts';
export { shardRange, shardSection, specHash, type ShardSection } from './run/shards.ts';
export { PARTICLE_BLOCK, type ParticleRange } from './sums.ts';
export type {
  TraceRow,
  HistogramResult,
  BoltzmannSection,
  DivergenceSection,
  BestSection,
  PassageSection,
  WorkSection,
} from './run/sections.ts';
export { crooksAnalysis, type CrooksAnalysis } from './stats/crooks.ts';
export { mfptExact, logPartition1D } from './stats/mfpt.ts';
export { paramAt } from './run/paramProtocol.ts';
export { parseJsonText, JsonSyntaxError } from './json.ts';
export { VERSION } from './version.ts';
export { SPEC_SCHEMA, RESULT_SCHEMA, BIAS_SCHEMA, BENCH_ROW_SCHEMA, hostDescription, provenance, type Provenance } from './provenance.ts';
export { normalisedSpec, type SpecJson, type SpecJsonInit } from './run/specJson.ts';
export { boltzmannReference, type BoltzmannResult } from './stats/boltzmann.ts';
export {
  validateSpec,
  type RunSpec,
  type InitSpec,
  type HistogramSpec,
  type ObserveSpec,
  type IntegratorName,
  type VelocityInit,
  type PassageSpec,
  type PassageRegion,
  type ParamSchedule,
  INTEGRATORS,
  INERTIAL,
  METROPOLIS,
} from './spec.ts';
export { biasStudy, biasTable, type BiasOptions, type BiasRow, type BiasStudy } from './bias.ts';
export { temperatureAt, type ScheduleSpec } from './schedule.ts';
export {
  compilePotential,
  CATALOG,
  PotentialError,
  type CompiledPotential,
  type PotentialSpec,
  type CatalogEntry,
} from './potential/index.ts';
export { InputError, SpecError, RuntimeFailure } from './errors.ts';
export { browserGpuContext, requestGpuContext, type GpuContext, type AdapterDescription } from './gpu/device.ts';
export type { Backend, BackendKind, Moments, VelocityMoments, AcceptanceCounts, Observation, ObservationRequest } from './backend.ts';
export { INTEGRATOR_TABLE, type Integrator } from './integrators/table.ts';
export type { RenderView } from './gpu/renderView.ts';
export { philox4x32, NormalStream, u01, boxMuller, seedKey, Stream } from './rng/philox.ts';
