/**
 * GPU resource lifetime tracking for tests (in the style of webgpu-utils'
 * tests): every buffer, texture, query set and pipeline a device creates while
 * a tracker is active is recorded with its label; `destroy()` (or destroying
 * its device) marks it freed. Whatever is destroyable and still alive when the
 * tracker stops is a leak.
 *
 * It works by wrapping the create/destroy methods of the WebGPU prototypes
 * once per process (Dawn's objects in Node are ordinary JS wrappers), so the
 * code under test runs unmodified.
 */
import { globals } from 'webgpu';

/** The kinds recorded; pipelines have no destroy() in WebGPU and are counted, never leaks. */
export type ResourceKind = 'buffer' | 'texture' | 'querySet' | 'computePipeline' | 'renderPipeline';

const DESTROYABLE: ReadonlySet<ResourceKind> = new Set(['buffer', 'texture', 'querySet']);

export interface TrackedResource {
  kind: ResourceKind;
  label: string;
  device: GPUDevice;
  destroyed: boolean;
}

/** Resources created while it was active, in creation order. */
export class ResourceTracker {
  readonly created: TrackedResource[] = [];

  /** Destroyable resources created while tracking and not destroyed since. */
  leaks(): TrackedResource[] {
    return this.created.filter((r) => DESTROYABLE.has(r.kind) && !r.destroyed);
  }

  /** How many of a kind were created. */
  count(kind: ResourceKind): number {
    return this.created.filter((r) => r.kind === kind).length;
  }

  /** `kind 'label'` of each leak, for a failure message. */
  describeLeaks(): string {
    return this.leaks()
      .map((r) => `${r.kind} '${r.label || '(unlabelled)'}'`)
      .join(', ');
  }
}

const records = new WeakMap<object, TrackedResource>();
const active: ResourceTracker[] = [];
const perDevice = new WeakMap<GPUDevice, TrackedResource[]>();
let patched = false;

function record(device: GPUDevice, kind: ResourceKind, object: object, label: string | undefined): void {
  if (active.length === 0) return;
  const r: TrackedResource = { kind, label: label ?? '', device, destroyed: false };
  records.set(object, r);
  for (const t of active) t.created.push(r);
  const list = perDevice.get(device) ?? [];
  list.push(r);
  perDevice.set(device, list);
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

function wrapCreate(proto: Record<string, unknown>, name: string, kind: ResourceKind): void {
  const original = proto[name] as Method;
  proto[name] = function (this: GPUDevice, descriptor: { label?: string }) {
    const made = original.call(this, descriptor);
    if (made instanceof Promise) return made.then((obj: object) => (record(this, kind, obj, descriptor?.label), obj));
    record(this, kind, made as object, descriptor?.label);
    return made;
  };
}

function wrapDestroy(proto: Record<string, unknown>): void {
  const original = proto.destroy as Method;
  proto.destroy = function (this: object) {
    const r = records.get(this);
    if (r) r.destroyed = true;
    return original.call(this);
  };
}

/** Wrap the WebGPU prototypes of Dawn's `webgpu` package (once per process). */
export function installLifetimeTracking(): void {
  if (patched) return;
  patched = true;
  const classes = globals as unknown as Record<string, { prototype: Record<string, unknown> }>;
  for (const c of ['GPUBuffer', 'GPUTexture', 'GPUQuerySet']) wrapDestroy(classes[c].prototype);
  const dev = classes.GPUDevice.prototype;
  wrapCreate(dev, 'createBuffer', 'buffer');
  wrapCreate(dev, 'createTexture', 'texture');
  wrapCreate(dev, 'createQuerySet', 'querySet');
  wrapCreate(dev, 'createComputePipeline', 'computePipeline');
  wrapCreate(dev, 'createComputePipelineAsync', 'computePipeline');
  wrapCreate(dev, 'createRenderPipeline', 'renderPipeline');
  wrapCreate(dev, 'createRenderPipelineAsync', 'renderPipeline');
  // destroying a device destroys everything it made (WebGPU §"device.destroy()")
  const destroyDevice = dev.destroy as Method;
  dev.destroy = function (this: GPUDevice) {
    for (const r of perDevice.get(this) ?? []) r.destroyed = true;
    return destroyDevice.call(this);
  };
}

/** Start recording into a new tracker (trackers nest: an outer one sees what inner ones see). */
export function startTracking(): ResourceTracker {
  const t = new ResourceTracker();
  active.push(t);
  return t;
}

/** Stop recording into `t`. */
export function stopTracking(t: ResourceTracker): void {
  const i = active.lastIndexOf(t);
  if (i >= 0) active.splice(i, 1);
}
