/**
 * Which backend `auto` picks: WebGPU on a hardware adapter; on a software one
 * (SwiftShader, llvmpipe, WARP, any fallback adapter) the CPU backend, which
 * outruns it, with a one-line notice. `webgpu` still takes the software adapter.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine.ts';
import { isSoftwareAdapter, type AdapterInfoFields } from '../../src/gpu/device.ts';
import { nodeGpuContext } from '../../src/node/device.ts';
import { gpu } from './harness.ts';

describe('isSoftwareAdapter over adapter info as browsers and Dawn report it', () => {
  const cases: [string, AdapterInfoFields, boolean][] = [
    [
      'Dawn in Node on SwiftShader',
      { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true },
      true,
    ],
    [
      'Chromium headless on SwiftShader (no fallback flag)',
      { vendor: 'google', architecture: 'swiftshader', device: '', description: '' },
      true,
    ],
    ['Mesa llvmpipe (OpenGL/Vulkan)', { vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, true],
    ['Mesa lavapipe', { vendor: 'mesa', architecture: '', description: 'lavapipe' }, true],
    ['Windows WARP', { vendor: 'microsoft', architecture: '', description: 'Microsoft Basic Render Driver' }, true],
    ['a WARP adapter named by its architecture', { vendor: 'microsoft', architecture: 'warp', description: '' }, true],
    ['Firefox software rendering', { vendor: '', architecture: '', description: 'Software Adapter' }, true],
    ['a fallback adapter with nothing else said', { vendor: '', architecture: '', description: '', isFallbackAdapter: true }, true],
    [
      'NVIDIA H100 (Vulkan)',
      { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3', isFallbackAdapter: false },
      false,
    ],
    ['Apple M2 (Metal)', { vendor: 'apple', architecture: 'metal-3', device: '', description: '' }, false],
    ['Intel UHD 620 (D3D12)', { vendor: 'intel', architecture: 'gen-9', description: 'Intel(R) UHD Graphics 620' }, false],
    ['AMD Radeon (Vulkan)', { vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX (RADV NAVI31)' }, false],
    ['Qualcomm Adreno (Android)', { vendor: 'qualcomm', architecture: 'adreno-7xx', description: '' }, false],
    ['a browser that says nothing', { vendor: '', architecture: '', device: '', description: '' }, false],
  ];
  it.each(cases)('%s', (_label, info, software) => {
    expect(isSoftwareAdapter(info)).toBe(software);
  });
});

describe('the API: backend "auto"', () => {
  const spec = { dims: 1, particles: 64, potential: { name: 'harmonic' }, dt: 0.01, steps: 5, seed: 1 };

  it('runs on the CPU with a notice naming the adapter when the adapter is software, else on WebGPU', async () => {
    const notices: string[] = [];
    const software = (await nodeGpuContext().then((ctx) => (ctx.device.destroy(), ctx.adapter))).software;
    const sim = await Simulation.create(spec, { gpu: nodeGpuContext, onNotice: (m) => notices.push(m) });
    try {
      expect(sim.backend.kind).toBe(software ? 'cpu' : 'webgpu');
      if (software) {
        expect(notices).toHaveLength(1);
        expect(notices[0]).toMatch(
          /^.*SwiftShader.* is a software adapter; running on the CPU backend \(--backend webgpu to use it anyway\)$/,
        );
      } else expect(notices).toEqual([]);
      expect((await sim.run()).final.nonFinite).toBe(0);
    } finally {
      sim.destroy();
    }
  });

  it('backend "webgpu" uses the software adapter as asked, and names it', async () => {
    const notices: string[] = [];
    const sim = await Simulation.create(spec, { backend: 'webgpu', gpu: nodeGpuContext, onNotice: (m) => notices.push(m) });
    try {
      expect(sim.backend.kind).toBe('webgpu');
      expect(notices).toEqual([]);
      const result = await sim.run();
      expect(result.backend).toBe('webgpu');
      expect(result.device).toBe(sim.backend.device);
      if (sim.backend.software) expect(result.device).toMatch(/swiftshader/i);
    } finally {
      sim.destroy();
    }
  });

  it('a device lent with ownsDevice: false (the file\'s shared one) stays usable when "auto" passes it over', async () => {
    const ctx = await gpu();
    const sim = await Simulation.create(spec, { gpu: async () => ctx, webgpu: { ownsDevice: false } });
    sim.destroy();
    const buffer = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    buffer.destroy();
    const lost = await Promise.race([ctx.device.lost.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]);
    expect(lost).toBe(false);
  });
});
