/**
 * The spec box: its text, the label saying where it came from and the check
 * line under it (the CLI's verdict on the spec); filled by the file picker, a
 * drop anywhere on the page, or typing.
 */
import { showOrigin, type Page } from './page.ts';
import { check, fromFile, type Checked, type SpecText } from './source.ts';

/** Put a spec in the box and check it; a notice about where the previous one came from goes. */
export function setSpec(page: Page, s: SpecText): void {
  page.spec = s;
  showOrigin(page, undefined);
  page.el.specBox.value = s.text;
  showCheck(page);
}

/** Check the page's spec as the CLI would and say so under the box. */
export function showCheck(page: Page): Checked {
  page.el.sourceLabel.textContent = page.spec.source;
  const c = check(page.spec);
  page.el.checkLine.className = c.ok ? 'ok' : 'error';
  page.el.checkLine.textContent = c.ok
    ? `valid: ${c.prepared.spec.particles.toLocaleString('en')} particles × ${c.prepared.spec.steps.toLocaleString('en')} steps, ${c.prepared.spec.dims}-D, ${c.prepared.spec.integrator.toUpperCase()}`
    : c.message;
  return c;
}

/** Follow typing (checked once it pauses), the file picker and drops. */
export function wireSpecBox(page: Page): void {
  const { specBox, fileInput } = page.el;
  let checkTimer: ReturnType<typeof setTimeout> | undefined;
  specBox.addEventListener('input', () => {
    page.spec = { text: specBox.value, source: 'pasted spec' };
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => showCheck(page), 250);
  });

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (file) setSpec(page, await fromFile(file));
    fileInput.value = '';
  });

  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    specBox.classList.add('drop');
  });
  document.addEventListener('dragleave', () => specBox.classList.remove('drop'));
  document.addEventListener('drop', async (e) => {
    e.preventDefault();
    specBox.classList.remove('drop');
    const file = e.dataTransfer?.files[0];
    if (file) setSpec(page, await fromFile(file));
    else {
      const text = e.dataTransfer?.getData('text/plain');
      if (text) setSpec(page, { text, source: 'dropped text' });
    }
  });
}
