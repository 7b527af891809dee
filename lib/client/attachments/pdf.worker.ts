// PDF.js's parser, in a worker of its own: reading a long PDF never blocks the page. Importing it
// is enough (it answers on this worker's port).
import 'pdfjs-dist/build/pdf.worker.min.mjs';
