/**
 * The page's link: `runner.html?spec=URL` puts that spec in the box, and
 * `&run` starts it at once. Anyone can write such a link, so only a spec of
 * this page's own origin starts by itself; one from another origin, or from a
 * data: or blob: URL, is shown with a notice saying where it came from and
 * waits for the visitor to press Run; inside another site's frame (where a
 * click can be steered onto Run) it is not loaded at all.
 */
import { fail, showOrigin, type Page } from './page.ts';
import { fromUrl, sourceName } from './remote.ts';
import { describeError } from './source.ts';
import { setSpec } from './specBox.ts';

/** What a link asks for. */
export interface Link {
  /** the `spec` parameter as given */
  url: string;
  /** the link has `&run` */
  run: boolean;
}

/** The link in a page's query string (`location.search`); undefined without a `spec` parameter. */
export function readLink(search: string): Link | undefined {
  const params = new URLSearchParams(search);
  const url = params.get('spec');
  return url ? { url, run: params.has('run') } : undefined;
}

/**
 * Load the link's spec into the box and check it; resolves true when the page
 * should start it now (`&run` and a spec of this origin). A spec the visitor
 * put in the box while this one loaded stays there. A spec that cannot be
 * loaded, or comes from elsewhere while another site frames the page, leaves
 * the box empty, and the check line and the summary say why.
 */
export async function loadLink(page: Page, link: Link, at: Pick<Location, 'href' | 'origin'> = location): Promise<boolean> {
  const before = page.spec;
  page.el.sourceLabel.textContent = sourceName(link.url);
  page.el.checkLine.className = '';
  page.el.checkLine.textContent = `loading the spec from ${sourceName(link.url)}…`;
  let loaded: Awaited<ReturnType<typeof fromUrl>> | undefined;
  let error: unknown;
  try {
    loaded = await fromUrl(link.url, at);
  } catch (e) {
    error = e;
  }
  if (page.spec !== before) {
    // typed, dropped or picked while the link's spec loaded: the visitor's own spec wins
    showOrigin(page, `The spec of the link (${sourceName(link.url)}) was not loaded: you put another spec in the box while it loaded.`);
    return false;
  }
  if (!loaded) {
    showLoadFailure(page, link.url, describeError(error), error);
    return false;
  }
  if (loaded.foreign === undefined) {
    setSpec(page, loaded.spec);
    return link.run;
  }
  if (inForeignFrame()) {
    // another site could cover the page and steer a click onto Run: a spec from elsewhere needs the page in its own tab
    const why = `the spec from ${loaded.foreign} was not loaded: this page is inside a frame of another site; open the link in a tab of its own`;
    showLoadFailure(page, link.url, why);
    return false;
  }
  setSpec(page, loaded.spec);
  showOrigin(
    page,
    `This spec comes from ${loaded.foreign}, not from this site (${at.origin}). Read it before you press Run: it starts only when you do.` +
      (link.run ? ' The link asked to start it at once; a spec from elsewhere never starts by itself.' : ''),
  );
  return false;
}

/** Leave the box empty, the check line and the summary saying why. */
function showLoadFailure(page: Page, url: string, message: string, e?: unknown): void {
  page.spec = { text: '', source: sourceName(url) };
  page.el.specBox.value = '';
  fail(page, message, e);
  page.el.checkLine.className = 'error';
  page.el.checkLine.textContent = message;
}

/** Whether a page of another origin frames this one (the top window, or any ancestor where the browser lists them). */
function inForeignFrame(): boolean {
  if (window.top === window.self) return false;
  if (Array.from(location.ancestorOrigins ?? []).some((o) => o !== location.origin)) return true;
  try {
    return window.top!.location.origin !== location.origin;
  } catch {
    return true; // reading another origin's location throws
  }
}
