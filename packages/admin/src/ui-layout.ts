import { html, type SafeHtml } from './html.js';

/** The page shell every UI page shares: title, navigation, styles, and the one small script. */
export function renderLayout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Attaché</title>
<style>${styles}</style>
<script src="/ui.js" defer></script>
</head>
<body>
<header><a class="brand" href="/">Attaché</a>
<nav><a href="/#live">Live</a><a href="/#problems">Problems</a><a href="/#config">Configuration</a><a href="/#explain">Explain</a><a href="/#reconfigures">Reconfigures</a></nav></header>
<main>
${body}
</main>
</body>
</html>
`.value;
}

/** Inline styles: the page must work without any other request than /ui.js (which only adds filtering). */
const styles = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 0.6rem 1.5rem; display: flex; gap: 2rem; align-items: center; position: sticky; top: 0; z-index: 1; }
header a { color: #cfd8ea; text-decoration: none; margin-right: 1.2rem; }
header a.brand { color: #fff; font-weight: 600; font-size: 1.1rem; }
main { padding: 0.5rem 1.5rem 3rem; max-width: 1300px; }
section.panel { scroll-margin-top: 3.2rem; background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 0.6rem 1rem 1rem; margin: 1rem 0; }
h1 { font-size: 1.3rem; margin: 1rem 0 0.3rem; } h2 { font-size: 1.1rem; margin: 0.4rem 0 0.6rem; }
h3 { font-size: 0.95rem; margin: 0.8rem 0 0.2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.3rem 0 0.8rem; }
th, td { border-bottom: 1px solid #e5e8ee; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f2f6; font-weight: 600; font-size: 0.85rem; }
code, pre { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { background: #f0f2f6; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; }
a { color: #1a56c4; }
.error { color: #b00020; } .warning { color: #8a5a00; } .info { color: #556; } .ok { color: #1b7a3a; }
.badge { display: inline-block; border-radius: 3px; padding: 0 0.4rem; font-size: 0.8rem; font-weight: 600; }
.badge.error { background: #fde7ea; } .badge.warning { background: #fff3d6; } .badge.info { background: #eef0f4; } .badge.ok { background: #e2f5e8; }
.summary { display: flex; gap: 1rem; flex-wrap: wrap; }
.summary div { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 0.5rem 0.9rem; min-width: 11rem; }
.summary b { display: block; font-size: 1.2rem; }
details { margin: 0.15rem 0 0.15rem 0.4rem; } details > summary { cursor: pointer; }
.tree { margin-left: 1.1rem; border-left: 1px dashed #c9ced8; padding-left: 0.6rem; }
.muted { color: #667; } .small { font-size: 0.85rem; }
form.explain { display: grid; grid-template-columns: 8rem 1fr; gap: 0.35rem 0.8rem; max-width: 52rem; }
form.explain input, form.explain textarea, form.explain select { font: inherit; padding: 0.2rem 0.3rem; }
form.explain button { justify-self: start; padding: 0.25rem 1.2rem; font: inherit; }
.nowrap { white-space: nowrap; } .fingerprint { word-break: break-all; }
.filters { display: flex; gap: 0.6rem; margin-bottom: 0.5rem; }
.filters input, .filters select { font: inherit; padding: 0.15rem 0.3rem; }
[hidden] { display: none !important; }
`;
