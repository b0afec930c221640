/**
 * The page's link: `runner.html?spec=URL` puts that spec in the box, and
 * `&run` starts it at once. Anyone can write such a link, so only a spec of
 * this page's own origin starts by itself; one from another origin, or from a
 * data: or blob: URL, is shown with a notice saying where it came from and
 * waits for the visitor to press Run.
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
 * loaded leaves the box empty, and the check line and the summary say why.
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
    showLoadFailure(page, link.url, error);
    return false;
  }
  setSpec(page, loaded.spec);
  if (loaded.foreign === undefined) return link.run;
  showOrigin(
    page,
    `This spec comes from ${loaded.foreign}, not from this site (${at.origin}). Read it before you press Run: it starts only when you do.` +
      (link.run ? ' The link asked to start it at once; a spec from elsewhere never starts by itself.' : ''),
  );
  return false;
}

function showLoadFailure(page: Page, url: string, e: unknown): void {
  page.spec = { text: '', source: sourceName(url) };
  page.el.specBox.value = '';
  fail(page, describeError(e), e);
  page.el.checkLine.className = 'error';
  page.el.checkLine.textContent = page.runner.error!;
}
