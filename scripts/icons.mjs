// Makes the PNG icons of the web app manifest (public/icons/) and the Apple touch icon
// (app/apple-icon.png) from app/icon.svg, with sharp (installed with Next.js). Run it again
// after changing the icon: `node scripts/icons.mjs`. The PNGs are committed.
// The maskable icon and the Apple one fill the whole square (the platform cuts its own shape);
// the icon's lines already sit inside the maskable safe zone (the central circle of 80 %).
import { readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';

const svg = readFileSync('app/icon.svg', 'utf8');
const fullBleed = svg.replace(/ rx="[^"]*"/, '');

async function png(source, size, file) {
  const out = await sharp(Buffer.from(source), { density: (72 * size) / 32 })
    .resize(size, size)
    .png({ compressionLevel: 9, palette: true })
    .toBuffer();
  writeFileSync(file, out);
  console.log(`${file}: ${size}×${size}, ${out.length} bytes`);
}

await png(svg, 192, 'public/icons/icon-192.png');
await png(svg, 512, 'public/icons/icon-512.png');
await png(fullBleed, 512, 'public/icons/maskable-512.png');
await png(fullBleed, 180, 'app/apple-icon.png');
