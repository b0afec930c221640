/**
 * The view the lanes are drawn with and the 3-D orbit camera: where it looks,
 * and the pointer drags and wheel that move it.
 */
import { OrbitCamera } from '../gpu/render/camera.ts';
import type { View } from '../gpu/render/view.ts';
import type { Preset } from './presets.ts';
import { viewFor, is3d } from './params.ts';
import { page } from './page.ts';
import type { DemoState } from './state.ts';

/** The view the lanes are drawn with now (the camera moves between frames). */
export function currentView(state: DemoState): View {
  const view: View = viewFor(state.preset, state.params);
  if (view.dims.length === 3) view.camera = state.camera.matrix(1);
  return view;
}

/** The box a 3-D view shows: the preset's view box, with the depth coordinate over the horizontal range. */
export function box3d(preset: Preset): [number, number, number, number, number, number] {
  const [x0, x1, y0, y1] = preset.view.box;
  return [x0, x1, y0, y1, x0, x1];
}

/** Point the camera at the 3-D box, keeping its angles. */
export function frameCamera(state: DemoState): void {
  const next = OrbitCamera.framing(box3d(state.preset));
  next.azimuth = state.camera.azimuth;
  next.elevation = state.camera.elevation;
  state.camera = next;
}

/** Pointer drags orbit the 3-D camera; the wheel zooms. */
export function bindCamera(state: DemoState): void {
  const { canvas } = page;
  let last: { x: number; y: number } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    if (!is3d(state.params)) return;
    last = { x: e.clientX, y: e.clientY };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    state.camera.orbit(-0.01 * (e.clientX - last.x), 0.01 * (e.clientY - last.y));
    last = { x: e.clientX, y: e.clientY };
  });
  const end = () => (last = undefined);
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  canvas.addEventListener(
    'wheel',
    (e) => {
      if (!is3d(state.params)) return;
      e.preventDefault();
      state.camera.zoom(Math.exp(0.001 * e.deltaY));
    },
    { passive: false },
  );
}
