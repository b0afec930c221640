/**
 * A spec fetched for `runner.html?spec=URL`: where the URL points (this page's
 * origin, another origin, or the link itself for data: and blob: URLs) and a
 * read of the response bounded in bytes, so that a hostile or broken server
 * cannot fill the page's memory with an endless body.
 */
import { RuntimeFailure, SpecError } from '../index.ts';
import type { SpecText } from './source.ts';

/** The most bytes of a spec the runner reads: the CLI's limit for a spec file. */
export const MAX_SPEC_BYTES = 64 * 2 ** 20;

/** The schemes `?spec=` may name; any other (javascript:, file:, …) is refused before anything is fetched. */
const SCHEMES = ['http:', 'https:', 'data:', 'blob:'];
const ALLOWED = 'allowed: an http(s) URL (relative to this page or absolute), a data: URL or a blob: URL';

/** A spec loaded from a URL, and who it comes from when that is not this page's site. */
export interface RemoteSpec {
  spec: SpecText;
  /** undefined for a spec of this page's origin; else where it comes from, in words (an origin, "a data: URL in the link") */
  foreign?: string;
}

/**
 * The absolute URL `url` names, resolved against the page.
 * @throws SpecError (field `?spec=`) for a URL that does not parse or whose scheme is not allowed
 */
function resolveSpecUrl(url: string, base: string): URL {
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    throw new SpecError('?spec=', url, `not a URL; ${ALLOWED}`);
  }
  if (!SCHEMES.includes(u.protocol)) throw new SpecError('?spec=', url, ALLOWED);
  return u;
}

/**
 * Who a spec at `u` comes from, as the notice says it; undefined when `u` has
 * the page's origin. data: and blob: URLs count as foreign whatever the origin
 * (a data: URL is written by whoever wrote the link).
 */
function foreignSource(u: URL, pageOrigin: string): string | undefined {
  if (u.protocol === 'data:') return 'a data: URL in the link (its text is the spec)';
  if (u.protocol === 'blob:') return `a blob: URL (${u.href})`;
  return u.origin === pageOrigin ? undefined : u.origin;
}

/**
 * Fetch the spec at `url` (relative to the page), reading at most MAX_SPEC_BYTES.
 * A redirect counts: a URL of this origin that redirects elsewhere is foreign.
 * @throws SpecError for a bad URL or a response over the limit; RuntimeFailure for a network or HTTP failure
 */
export async function fromUrl(url: string, at: Pick<Location, 'href' | 'origin'> = location): Promise<RemoteSpec> {
  const u = resolveSpecUrl(url, at.href);
  let response: Response;
  try {
    response = await fetch(u.href);
  } catch (e) {
    throw new RuntimeFailure(
      `cannot load the spec from ${shortUrl(u)}: ${(e as Error).message} (the server must allow this page to read it: same origin or CORS)`,
    );
  }
  if (!response.ok) throw new RuntimeFailure(`cannot load the spec from ${shortUrl(u)}: HTTP ${response.status} ${response.statusText}`);
  let text: string;
  try {
    text = await readBounded(response, url);
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw new RuntimeFailure(`cannot load the spec from ${shortUrl(u)}: ${(e as Error).message} (the connection failed while reading)`);
  }
  let foreign = foreignSource(u, at.origin);
  if (foreign === undefined && response.redirected) {
    const landed = foreignSource(new URL(response.url), at.origin);
    if (landed) foreign = `${landed} (redirected from ${u.href})`;
  }
  return { spec: { text, source: sourceName(url) }, foreign };
}

/** What messages and the source label call the spec at `url`: the URL as given, but "data: URL" for a data: URL (it holds the whole spec). */
export function sourceName(url: string): string {
  return /^\s*data:/i.test(url) ? 'data: URL' : url;
}

/** The body as text, refused once it passes MAX_SPEC_BYTES (by its Content-Length, or while reading: the rest is never read). */
async function readBounded(response: Response, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > MAX_SPEC_BYTES) {
    await response.body?.cancel();
    throw tooLarge(url, `its Content-Length is ${declared.toLocaleString('en')} bytes`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > MAX_SPEC_BYTES) {
      await reader.cancel();
      throw tooLarge(url, 'the server sent more');
    }
    chunks.push(value);
  }
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

function tooLarge(url: string, why: string): SpecError {
  return new SpecError(
    '?spec=',
    url,
    `a spec of at most ${MAX_SPEC_BYTES / 2 ** 20} MiB (${MAX_SPEC_BYTES.toLocaleString('en')} bytes, as for the CLI); ${why}`,
  );
}

/** A URL for a message: a data: URL is cut to its first 60 characters. */
function shortUrl(u: URL): string {
  return u.protocol === 'data:' && u.href.length > 60 ? `${u.href.slice(0, 57)}...` : u.href;
}
