/**
 * Saving a file from a page: the browser's download of a link, without a
 * server round trip.
 */

/**
 * Offer `content` to the user as the file `name`.
 * @param content a Blob (its object URL is revoked once the download has had
 *   time to start), or a URL the page may read, e.g. a `data:` URL
 */
export function download(name: string, content: Blob | string): void {
  const a = document.createElement('a');
  a.href = typeof content === 'string' ? content : URL.createObjectURL(content);
  a.download = name;
  // attached while clicked: some browsers (older Firefox) ignore a click on a link outside the document
  document.body.append(a);
  a.click();
  a.remove();
  // revoking at once would cancel the download in some browsers
  if (typeof content !== 'string') setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
