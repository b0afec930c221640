/**
 * The state of how frames reach the screen (which path draws, why, and the
 * offscreen path's read-back rate) and the path a page's URL starts on; what
 * the page does with it is fallback.ts.
 */
export type DrawPath = 'present' | 'offscreen' | 'cpu';

export interface DrawState {
  path: DrawPath;
  /** why this path draws */
  reason: string;
  /** `?backend=webgpu`: never the CPU (a failure stops the page instead) */
  gpuOnly: boolean;
  /** automatic device re-creations left before the CPU */
  recreations: number;
  /** frames presented on the WebGPU canvas */
  presented: number;
  /** offscreen: when the next read-back may start (performance.now(), ms), read-backs since `since`, their rate */
  nextShow: number;
  shown: number;
  since: number;
  fps: number;
  /** the device loss being handled now */
  recovery?: Promise<void>;
  /** settles when a recovery leaves the running lanes (a frame stuck on their device stops waiting) */
  abandoned: Promise<void>;
  abandon: () => void;
}

/** The path a page opened with URL query `query` starts on. */
export function initialDraw(query: URLSearchParams): DrawState {
  const backend = query.get('backend');
  const present = query.get('present');
  const [path, reason]: [DrawPath, string] =
    backend === 'cpu'
      ? ['cpu', 'chosen with ?backend=cpu']
      : present === 'offscreen' || present === '0'
        ? ['offscreen', `chosen with ?present=${present}`]
        : ['present', backend === 'webgpu' ? 'chosen with ?backend=webgpu' : 'WebGPU presents to the canvas'];
  const now = performance.now();
  return {
    path,
    reason,
    gpuOnly: backend === 'webgpu',
    recreations: 1,
    presented: 0,
    nextShow: 0,
    shown: 0,
    since: now,
    fps: 0,
    ...abandonment(),
  };
}

export function abandonment(): { abandoned: Promise<void>; abandon: () => void } {
  let abandon = () => {};
  const abandoned = new Promise<void>((ok) => (abandon = ok));
  return { abandoned, abandon };
}
