// Headless rendering: Vega-Lite compiles to a Vega spec, and a Vega View with the
// 'none' renderer (no DOM, no canvas) serialises the scenegraph to SVG markup.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FigureError } from './figure-error.js';

/** Shared look of every figure: white background, readable sizes, no chart border. */
export const FIGURE_CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titlePadding: 8, grid: false },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start', offset: 10 },
} as const;

/** Renders a Vega-Lite spec to a standalone SVG document string. */
export async function renderSvg(spec: TopLevelSpec, figure = 'figure'): Promise<string> {
  let view: vega.View | null = null;
  try {
    const compiled = compile(spec).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    const svg = stableIds(await view.toSVG());
    return svg.startsWith('<?xml') ? svg : `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
  } catch (error) {
    throw new FigureError('RENDER_FAILED', figure, `Vega could not render the spec: ${(error as Error).message}`, { cause: error });
  } finally {
    view?.finalize();
  }
}

/** 32-bit FNV-1a hash as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * Vega numbers gradients and clip paths with a process-wide counter, so the same
 * figure rendered twice differs, and two figures inlined in one HTML page could
 * share an id. Renames every id to `f<hash of the figure>-<k>`: deterministic, and
 * distinct between different figures.
 */
export function stableIds(svg: string): string {
  const ids = Array.from(new Set(Array.from(svg.matchAll(/\sid="([^"]+)"/g), (m) => m[1])));
  if (ids.length === 0) return svg;
  const escape = (id: string): string => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(id="|url\\(#|href="#)(${ids.map(escape).join('|')})(?=[")])`, 'g');
  const index = new Map(ids.map((id, k) => [id, k]));
  const normalised = svg.replace(pattern, (_, before: string, id: string) => `${before}\u0001${index.get(id)}`);
  const prefix = `f${fnv1a(normalised)}`;
  return normalised.replace(/\u0001(\d+)/g, (_, k: string) => `${prefix}-${k}`);
}
