/**
 * Sharing a run: a link that reproduces it (every control is in the URL,
 * params.ts; the link adds `step`, the step the run was at, and opening it runs
 * to that step and pauses), the run spec of a lane as JSON (the normalised spec
 * the engine runs, schema/spec.schema.json), and the runner page
 * (runner.html) opened on that spec through a `?spec=` data: URL; and the
 * controls' 'Record & share' folder, which offers these and record.ts's clips.
 */
import { normalisedSpec } from '../run/specJson.ts';
import { download } from '../ui/download.ts';
import { writeParams } from './params.ts';
import { page, say } from './page.ts';
import { captureTrails } from './drawing.ts';
import { chooseFormat, clipName, startRecording, MAX_SECONDS, type Recording } from './record.ts';
import { composedSize } from './compose.ts';
import { saveComposedPng } from './save.ts';
import type GUI from 'lil-gui';
import type { DemoState } from './state.ts';

/** The query key of the step a shared link's run was at. */
export const STEP_KEY = 'step';
/** Steps advanced between two progress messages while a link runs to its step. */
const CHUNK = 500;
/**
 * The longest runner link carrying the spec as a data: URL, characters (Chrome's limit on a URL is 2 MiB); a
 * longer spec goes by a blob: URL, which lasts as long as this page.
 */
const MAX_LINK = 2 * 2 ** 20 - 1024;

/** The link that reproduces the run: the page's URL with every control and `step` = lane 0's step now. */
export function shareLink(state: DemoState): string {
  writeParams(state.params);
  const url = new URL(location.href);
  url.searchParams.set(STEP_KEY, String(state.running?.lanes[0].sim.step ?? 0));
  return url.href;
}

/**
 * "Copy link": the link on the clipboard; where the browser denies the clipboard, `copied` is false and the link
 * is shown under the page's message in a field to copy from (`.share-link input`, selected).
 */
export async function copyLink(state: DemoState): Promise<{ url: string; copied: boolean }> {
  const url = shareLink(state);
  try {
    await navigator.clipboard.writeText(url);
    showLinkField(undefined);
    return { url, copied: true };
  } catch {
    showLinkField(url);
    return { url, copied: false };
  }
}

/** Show `url` in a read-only field after the page's message (replacing an earlier one), or with undefined remove it. */
function showLinkField(url: string | undefined): void {
  const old = page.message.nextElementSibling;
  if (old?.classList.contains('share-link')) old.remove();
  if (url === undefined) return;
  const p = document.createElement('p');
  p.className = 'share-link';
  p.style.margin = '0 1rem';
  const input = document.createElement('input');
  Object.assign(input, { readOnly: true, value: url, size: 80 });
  input.setAttribute('aria-label', 'link to this run');
  const close = document.createElement('button');
  close.textContent = 'close';
  close.onclick = () => p.remove();
  p.append('The browser did not allow copying to the clipboard; copy the link from here: ', input, ' ', close);
  page.message.after(p);
  input.focus();
  input.select();
}

/** Lane `lane`'s run spec in the input format, every default filled in; undefined before the lanes run. */
export function specJson(state: DemoState, lane = 0): Record<string, unknown> | undefined {
  const sim = state.running?.lanes[lane]?.sim;
  return sim ? (normalisedSpec(sim.spec) as unknown as Record<string, unknown>) : undefined;
}

/** Download lane 0's spec as langevin-PRESET-SEED.spec.json. */
export function downloadSpec(state: DemoState): void {
  const spec = specJson(state);
  if (!spec) return;
  const name = `langevin-${state.preset.id}-${state.params.seed}.spec.json`;
  download(name, new Blob([JSON.stringify(spec, null, 2)], { type: 'application/json' }));
}

/** runner.html with `?spec=` carrying lane 0's spec (a data: URL; a blob: URL for a spec too long for a link). */
export function runnerLink(state: DemoState): string | undefined {
  const spec = specJson(state);
  if (!spec) return undefined;
  const text = JSON.stringify(spec, null, 2);
  const runner = new URL('runner.html', location.href);
  runner.search = '';
  const data = `data:application/json,${encodeURIComponent(text)}`;
  const inline = `${runner.href}?spec=${encodeURIComponent(data)}`;
  if (inline.length <= MAX_LINK) return inline;
  const blob = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  return `${runner.href}?spec=${encodeURIComponent(blob)}`;
}

/** "Open in runner": the runner page on lane 0's spec, in a new tab (it waits there for Run: a data: spec never starts by itself). */
export function openInRunner(state: DemoState): void {
  const url = runnerLink(state);
  if (url) window.open(url, '_blank');
}

/**
 * The step a page's link asks to run to (`?step=N`); undefined without one. A bad value is named on the page and
 * ignored.
 */
export function linkedStep(query: URLSearchParams): number | undefined {
  const raw = query.get(STEP_KEY);
  if (raw === null) return undefined;
  const step = Number(raw);
  if (raw.trim() !== '' && Number.isSafeInteger(step) && step >= 0) return step;
  say(
    `?${STEP_KEY}=${JSON.stringify(raw)} is ignored: allowed: an integer ≥ 0 (the step the linked run was at); the run starts at step 0.`,
    'error',
  );
  return undefined;
}

/**
 * Run every lane to `target` (a lane whose schedule ends earlier stops at its end), then leave the page paused,
 * saying so. The steps are the same whatever the chunks (a run's results do not depend on them), so lane 0 then
 * holds the particles the linked page had at that step, where its controls were not changed while it ran.
 */
export async function runToStep(state: DemoState, target: number): Promise<void> {
  const r = state.running;
  if (!r) return;
  state.params.paused = true;
  const goal = (steps: number) => Math.min(target, steps);
  for (;;) {
    const behind = r.lanes.filter((l) => l.sim.step < goal(l.sim.spec.steps));
    // unticking "pause" (the page starts paused) stops the run-to where it is: a link with a huge step is not a trap
    if (behind.length === 0 || state.running !== r || !state.params.paused) break;
    for (const lane of behind) {
      await lane.sim.advance(Math.min(CHUNK, goal(lane.sim.spec.steps) - lane.sim.step));
      if (lane.trails) captureTrails(r, lane);
    }
    say(
      `Running to step ${target.toLocaleString('en')}, the step of the link: at ${r.lanes[0].sim.step.toLocaleString('en')}… (untick "pause" to stop here and go on live)`,
    );
  }
  const at = r.lanes[0].sim.step;
  state.hooks.step = at;
  if (!state.params.paused) return say(`Stopped running to the link's step at step ${at.toLocaleString('en')}; running live.`);
  const capped = at < target ? ` (the run ends at step ${at.toLocaleString('en')})` : '';
  say(`Paused at step ${at.toLocaleString('en')}, the step of the link${capped}. Untick "pause" to go on.`);
}

/**
 * The 'Record & share' folder of the controls: record (start/stop, clip length; the format in words), save PNG
 * (canvas + plots), copy link, download spec, open in runner.
 */
export function addShareFolder(gui: GUI, state: DemoState): void {
  const folder = gui.addFolder('Record & share');
  const ui = { seconds: 5, format: 'checking…' };
  folder.add(ui, 'seconds', 0.5, MAX_SECONDS, 0.5).name('clip length (s)');
  let recording: Recording | undefined;
  let starting = false;
  const button = folder.add({ record: () => void toggle() }, 'record').name(RECORD);
  const format = folder.add(ui, 'format').name('video format').disable();
  void chooseFormat(composedSize().width, composedSize().height).then((f) => {
    ui.format = f.label;
    format.updateDisplay();
  });
  const toggle = async () => {
    if (recording) return recording.stop();
    if (starting) return;
    starting = true;
    button.name('■ stop (starting…)');
    const step = state.running?.lanes[0].sim.step ?? 0;
    const timer = setInterval(() => {
      if (recording) button.name(`■ stop (${(recording.captured / recording.format.fps).toFixed(1)} s of ${ui.seconds} s)`);
    }, 200);
    try {
      recording = await startRecording(state, ui.seconds);
      starting = false;
      const clip = await recording.done;
      download(clipName(state, step, clip.format), clip.blob);
      const late =
        clip.wallSeconds > clip.seconds * 1.1 ? ` (capturing took ${clip.wallSeconds.toFixed(1)} s: this page could not keep up)` : '';
      say(
        `Recorded ${clip.frames} frames, ${clip.seconds.toFixed(1)} s at ${clip.format.fps} fps, ${clip.width} × ${clip.height}, ${clip.format.label}${late}.`,
      );
    } catch (e) {
      say(`Recording failed: ${(e as Error).message}`, 'error');
    } finally {
      clearInterval(timer);
      recording = undefined;
      starting = false;
      button.name(RECORD);
    }
  };
  folder.add({ png: () => void saveComposedPng(state) }, 'png').name('save PNG (canvas + plots)');
  const copy = folder.add({ copy: () => void copyNow() }, 'copy').name(COPY);
  const copyNow = async () => {
    const { copied } = await copyLink(state);
    copy.name(copied ? 'copy link: copied ✓' : 'copy link: see the field at the top');
    setTimeout(() => copy.name(COPY), 3000);
  };
  folder.add({ spec: () => downloadSpec(state) }, 'spec').name('download spec');
  folder.add({ runner: () => openInRunner(state) }, 'runner').name('open in runner');
}

const RECORD = '● record video';
const COPY = 'copy link (with the step)';
