/**
 * Recording the view (canvas and plots, as compose.ts draws them) to a video
 * at a fixed frame rate. With WebCodecs: the first codec `VideoEncoder` takes
 * at the clip's size, H.264 in MP4, else VP9 or VP8 in WebM (muxed by
 * mediabunny). Without WebCodecs: an animated GIF (gifenc) at half size and a
 * lower rate. Frame i is captured at (or, on a machine that cannot keep up, as
 * soon as possible after) i/fps seconds from the start and stamped i/fps, so a
 * clip of s seconds has round(s·fps) frames and lasts s seconds.
 */
import {
  BufferTarget,
  CanvasSource,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  WebMOutputFormat,
  getFirstEncodableVideoCodec,
  type VideoCodec,
} from 'mediabunny';
import { GIFEncoder, applyPalette, quantize } from 'gifenc';
import { composeInto, composedSize, viewImage } from './compose.ts';
import type { DemoState } from './state.ts';
import type { ClipReport } from './hooks.ts';

/** Frames per second of a video clip. */
export const VIDEO_FPS = 30;
/** Frames per second of the GIF fallback (each frame is quantised on the main thread). */
export const GIF_FPS = 10;
/** The longest clip, seconds. */
export const MAX_SECONDS = 60;

/** How a clip is encoded. */
export interface ClipFormat {
  /** in words, as the controls show it, e.g. "MP4 (H.264)" */
  label: string;
  extension: 'mp4' | 'webm' | 'gif';
  mime: string;
  /** mediabunny's codec name; undefined for the GIF */
  codec?: VideoCodec;
  fps: number;
  /** the clip's pixels per composed pixel (½ for the GIF) */
  scale: number;
}

/** A finished clip. */
export interface Clip {
  format: ClipFormat;
  blob: Blob;
  frames: number;
  /** pixels */
  width: number;
  height: number;
  /** the clip's length, seconds (frames / fps) */
  seconds: number;
  /** how long capturing took, seconds (more than `seconds` where the page could not keep up) */
  wallSeconds: number;
}

const GIF: ClipFormat = {
  label: 'GIF (this browser has no WebCodecs VideoEncoder)',
  extension: 'gif',
  mime: 'image/gif',
  fps: GIF_FPS,
  scale: 0.5,
};

/** Round up to an even number of pixels (H.264 and VP9 encoders need even sizes). */
const even = (n: number) => 2 * Math.ceil(n / 2);

/** The format a clip of `width` × `height` composed pixels gets in this browser: the first codec VideoEncoder supports, else the GIF. */
export async function chooseFormat(width: number, height: number): Promise<ClipFormat> {
  if (typeof VideoEncoder === 'undefined') return GIF;
  const size = { width: even(width), height: even(height), frameRate: VIDEO_FPS };
  const codec = await getFirstEncodableVideoCodec(['avc', 'vp9', 'vp8'], size).catch(() => null);
  if (codec === 'avc') return { label: 'MP4 (H.264)', extension: 'mp4', mime: 'video/mp4', codec, fps: VIDEO_FPS, scale: 1 };
  if (codec === 'vp9' || codec === 'vp8') {
    return { label: `WebM (${codec.toUpperCase()})`, extension: 'webm', mime: 'video/webm', codec, fps: VIDEO_FPS, scale: 1 };
  }
  return { ...GIF, label: 'GIF (no video codec VideoEncoder supports here)' };
}

/** Where frames go: a video encoder and muxer, or the GIF encoder. */
interface FrameSink {
  add(index: number): Promise<void>;
  finish(): Promise<Blob>;
  cancel(): Promise<void>;
}

async function videoSink(canvas: HTMLCanvasElement, format: ClipFormat): Promise<FrameSink> {
  const target = new BufferTarget();
  const output = new Output({
    format: format.extension === 'mp4' ? new Mp4OutputFormat({ fastStart: 'in-memory' }) : new WebMOutputFormat(),
    target,
  });
  const source = new CanvasSource(canvas, { codec: format.codec!, bitrate: QUALITY_HIGH, keyFrameInterval: 1 });
  output.addVideoTrack(source, { frameRate: format.fps });
  await output.start();
  return {
    add: (i) => source.add(i / format.fps, 1 / format.fps),
    async finish() {
      source.close();
      await output.finalize();
      return new Blob([target.buffer!], { type: format.mime });
    },
    cancel: () => output.cancel(),
  };
}

function gifSink(canvas: HTMLCanvasElement, format: ClipFormat): FrameSink {
  const gif = GIFEncoder();
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  return {
    async add() {
      const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
      const palette = quantize(data, 256);
      gif.writeFrame(applyPalette(data, palette), canvas.width, canvas.height, { palette, delay: 1000 / format.fps });
    },
    async finish() {
      gif.finish();
      return new Blob([gif.bytes().slice()], { type: format.mime });
    },
    cancel: async () => {},
  };
}

/** A recording in progress: `stop()` ends it early (the clip keeps the frames so far, at least one); `done` settles with the clip. */
export interface Recording {
  format: ClipFormat;
  /** frames captured so far, and the clip's planned frames */
  captured: number;
  planned: number;
  stopped: boolean;
  stop(): void;
  done: Promise<Clip>;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Start recording the view for `seconds` (clamped to 0.1 … MAX_SECONDS).
 * @param format the clip's format (chooseFormat's, by default)
 */
export async function startRecording(state: DemoState, seconds: number, format?: ClipFormat): Promise<Recording> {
  const size = composedSize();
  const f = format ?? (await chooseFormat(size.width, size.height));
  const full = document.createElement('canvas');
  Object.assign(full, { width: even(size.width), height: even(size.height) });
  const clip = f.scale === 1 ? full : document.createElement('canvas');
  Object.assign(clip, { width: even(full.width * f.scale), height: even(full.height * f.scale) });
  const sink = f.codec ? await videoSink(clip, f) : gifSink(clip, f);
  const planned = Math.max(1, Math.round(Math.min(Math.max(seconds, 0.1), MAX_SECONDS) * f.fps));
  const recording: Recording = {
    format: f,
    captured: 0,
    planned,
    stopped: false,
    stop: () => (recording.stopped = true),
    done: undefined!,
  };
  const capture = async (): Promise<Clip> => {
    const start = performance.now();
    for (let i = 0; i < planned && (i === 0 || !recording.stopped); i++) {
      const wait = start + (i * 1000) / f.fps - performance.now();
      if (wait > 0) await sleep(wait);
      const view = await viewImage(state);
      composeInto(full, view);
      if (view instanceof ImageBitmap) view.close();
      if (clip !== full) clip.getContext('2d')!.drawImage(full, 0, 0, clip.width, clip.height);
      await sink.add(i);
      recording.captured = i + 1;
    }
    const frames = recording.captured;
    const blob = await sink.finish();
    const wallSeconds = (performance.now() - start) / 1000;
    return { format: f, blob, frames, width: clip.width, height: clip.height, seconds: frames / f.fps, wallSeconds };
  };
  recording.done = capture().catch(async (e) => {
    await sink.cancel().catch(() => {});
    throw e;
  });
  return recording;
}

/** The file name of a clip: langevin-PRESET-SEED-STEP.EXT (the step at which recording started). */
export function clipName(state: DemoState, step: number, format: ClipFormat): string {
  return `langevin-${state.preset.id}-${state.params.seed}-${step}.${format.extension}`;
}

/** `langevinDemo.record(seconds)`: record the view for `seconds` and report the clip (nothing is downloaded). */
export async function recordReport(state: DemoState, seconds: number): Promise<ClipReport> {
  const step = state.running?.lanes[0].sim.step ?? 0;
  const clip = await (await startRecording(state, seconds)).done;
  const bytes = new Uint8Array(await clip.blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const { format } = clip;
  return {
    name: clipName(state, step, format),
    mime: format.mime,
    label: format.label,
    codec: format.codec,
    base64: btoa(binary),
    frames: clip.frames,
    width: clip.width,
    height: clip.height,
    fps: format.fps,
    seconds: clip.seconds,
    wallSeconds: clip.wallSeconds,
  };
}
