/**
 * A PDF's text, page by page (PDF.js, loaded only when a PDF is attached). PDF.js parses in this
 * thread: its parser module, loaded beside it, registers itself as PDF.js's in-thread worker.
 * (A dedicated worker stalled once another module worker — the code highlighter — was running
 * in the page, in the production build; in-thread parsing has no such dependency, and happens
 * once per attached file.) No script in a PDF runs, and nothing is fetched: fonts and character
 * maps are not needed for text, and `isEvalSupported: false` keeps PDF.js within the
 * Content-Security-Policy.
 */
import { getDocument, VerbosityLevel } from 'pdfjs-dist';

let parser: Promise<unknown> | undefined;

export async function pdfText(data: ArrayBuffer): Promise<string> {
  // Sets globalThis.pdfjsWorker, which PDF.js then uses in this thread.
  parser ??= import('pdfjs-dist/build/pdf.worker.min.mjs');
  await parser;
  const pdf = await getDocument({
    data: new Uint8Array(data),
    isEvalSupported: false,
    enableXfa: false,
    disableFontFace: true,
    // Errors only: its warnings (the in-thread parsing above, a PDF's small flaws) say nothing
    // the person can act on.
    verbosity: VerbosityLevel.ERRORS,
  }).promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : '');
      }
      pages.push(text.trim());
      page.cleanup();
    }
    return pages.filter(Boolean).join('\n\n');
  } finally {
    void pdf.destroy();
  }
}
