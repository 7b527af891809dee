/**
 * A PDF's text, page by page (PDF.js, loaded only when a PDF is attached; it parses in a worker).
 * No script in a PDF runs, and nothing is fetched: fonts and character maps are not needed for
 * text, and `isEvalSupported: false` keeps PDF.js within the Content-Security-Policy.
 */
import { getDocument, GlobalWorkerOptions } from 'pdfjs-dist';

let worker: Worker | undefined;

export async function pdfText(data: ArrayBuffer): Promise<string> {
  worker ??= new Worker(new URL('./pdf.worker.ts', import.meta.url), { type: 'module' });
  GlobalWorkerOptions.workerPort = worker;
  const pdf = await getDocument({
    data: new Uint8Array(data),
    isEvalSupported: false,
    enableXfa: false,
    disableFontFace: true,
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
