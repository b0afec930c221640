/** The part of gifenc (npm, MIT; ships no types) that the demo's GIF recorder (record.ts) uses. */
declare module 'gifenc' {
  /** An RGB palette: at most 256 [r, g, b] colours. */
  export type Palette = number[][];
  export interface Encoder {
    /** Add a frame of `width` × `height` palette indices; `delay` in milliseconds. */
    writeFrame(index: Uint8Array, width: number, height: number, options: { palette: Palette; delay?: number; repeat?: number }): void;
    finish(): void;
    bytes(): Uint8Array;
  }
  export function GIFEncoder(): Encoder;
  /** A palette of at most `maxColors` for RGBA pixels. */
  export function quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number): Palette;
  /** Each RGBA pixel's index in `palette`. */
  export function applyPalette(rgba: Uint8Array | Uint8ClampedArray, palette: Palette): Uint8Array;
}
