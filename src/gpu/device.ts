/**
 * Device acquisition shared by the browser and Node: given a `GPU` (the
 * browser's `navigator.gpu` or Dawn's in Node), request an adapter and a device
 * with the adapter's real storage limits, and describe the adapter.
 */
import { RuntimeFailure } from '../errors.ts';

/** What the result JSON says about the device. */
export interface AdapterDescription {
  /** human-readable adapter name, e.g. "SwiftShader Device (Subzero)" */
  device: string;
  vendor: string;
  architecture: string;
  /** true for CPU (software) adapters: SwiftShader, llvmpipe/lavapipe, WARP, fallback adapters */
  software: boolean;
}

/** A WebGPU device plus what it is. The creator of the `GpuContext` owns the device. */
export interface GpuContext {
  device: GPUDevice;
  /** the adapter object */
  gpuAdapter: GPUAdapter;
  /** the GPU (instance) the adapter came from */
  gpu: GPU;
  adapter: AdapterDescription;
  hasTimestampQuery: boolean;
}

const RETAIN = Symbol('langevin.retain');

/** The names of software (CPU) rasterizers as adapters report them. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|microsoft basic render|software|\bcpu\b/i;

/** What `isSoftwareAdapter` reads of a `GPUAdapterInfo` (all optional: browsers may leave fields empty). */
export interface AdapterInfoFields {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** `GPUAdapterInfo.isFallbackAdapter` (Chrome 132+, Dawn) */
  isFallbackAdapter?: boolean;
}

/**
 * Whether an adapter renders in software on the CPU (SwiftShader, llvmpipe,
 * lavapipe, WARP, Microsoft Basic Render Driver, any fallback adapter): there
 * the CPU backend is faster, so `backend: 'auto'` does not pick it.
 * @example isSoftwareAdapter({vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0'}) // true
 * @example isSoftwareAdapter({vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3'}) // false
 */
export function isSoftwareAdapter(info: AdapterInfoFields): boolean {
  return info.isFallbackAdapter === true || SOFTWARE.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

/** Proper names of adapters by `GPUAdapterInfo.architecture`, for an adapter that gives no description. */
const KNOWN_NAMES: Record<string, string> = { swiftshader: 'SwiftShader', llvmpipe: 'llvmpipe', lavapipe: 'lavapipe', warp: 'WARP' };

/** The result's description of an adapter: its name, vendor and architecture, and whether it is software. */
export function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const what = [info.vendor, info.architecture].filter((s) => s && s.length > 0).join(' ');
  // Chrome leaves description and device empty: then the architecture names it ("SwiftShader (google swiftshader)")
  const name = info.description || info.device || KNOWN_NAMES[info.architecture?.toLowerCase() ?? ''] || (what ? '' : 'unknown adapter');
  const device = name && what ? `${name} (${what})` : name || what;
  // older Dawn and Chrome put the flag on the adapter itself
  const fallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    device,
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    software: fallback || isSoftwareAdapter(info),
  };
}

/**
 * Request a device with the largest buffer limits the adapter offers.
 * @throws RuntimeFailure when no adapter or device can be had
 */
export async function requestGpuContext(gpu: GPU, noAdapterHint: string): Promise<GpuContext> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new RuntimeFailure(`no WebGPU adapter found. ${noAdapterHint}`);
  const limits = adapter.limits;
  const hasTimestampQuery = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    label: 'langevin',
    requiredFeatures: hasTimestampQuery ? ['timestamp-query'] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
  // Dawn (in Node, and Chrome's too) loses the device once the JS adapter and
  // GPU objects are garbage-collected while it lives: let the device hold them.
  Object.defineProperty(device, RETAIN, { value: [gpu, adapter] });
  return { device, gpuAdapter: adapter, gpu, adapter: describeAdapter(adapter), hasTimestampQuery };
}

/** The browser's GPU, or a RuntimeFailure saying plainly why there is none. */
export async function browserGpuContext(): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new RuntimeFailure(
      'this browser has no WebGPU (navigator.gpu is missing). Use a current Chrome or Edge, on a page served over https or from localhost.',
    );
  }
  return requestGpuContext(
    gpu,
    'The browser exposes WebGPU but offered no adapter: the GPU may be blocklisted or disabled (see chrome://gpu).',
  );
}
