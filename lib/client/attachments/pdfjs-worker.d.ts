// PDF.js's parser: imported for its effect (it registers itself as globalThis.pdfjsWorker).
declare module 'pdfjs-dist/build/pdf.worker.min.mjs';
