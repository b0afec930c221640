/// <reference types="@webgpu/types" preserve="true" />
/** Node entry: Dawn device acquisition and the CLI. */
export { nodeGpuContext, SWIFTSHADER_ICD, NO_ADAPTER_HINT } from './device.ts';
export { main } from './cli.ts';
export { resolveDataFile } from './data.ts';
