// Which layers attend through a sliding window. config.json says it per layer in
// `layer_types` (newer transformers), or a family rule derives it from the layer
// index (Gemma's sliding_window_pattern, Qwen's max_window_layers). A rule counts
// from layer 0 of the checkpoint, so a pruned model must carry the list
// explicitly: surgery writes `layer_types` cut to the kept layers.
import type { ArchitectureSpec } from './architecture-specs.js';
import type { ConfigReader } from './config-reader.js';
import { ArchitectureError } from './errors.js';

export type LayerType = 'full_attention' | 'sliding_attention';

const LAYER_TYPES: readonly string[] = ['full_attention', 'sliding_attention'];

/** The per-layer attention types of a config, `layer_types` verbatim when present, else the family's rule. */
export function resolveLayerTypes(reader: ConfigReader, spec: ArchitectureSpec, layers: number, slidingWindow: number | null): LayerType[] {
  const { raw, file } = reader;
  const listed = raw.layer_types;
  if (listed !== undefined && listed !== null) {
    if (!Array.isArray(listed) || listed.length !== layers) {
      throw new ArchitectureError(
        'CONFIG_INVALID',
        `${file}: field layer_types must list one type per layer (num_hidden_layers ${layers}), got ${Array.isArray(listed) ? `${listed.length} entries` : JSON.stringify(listed)}`,
        { file, field: 'layer_types', expected: layers, found: Array.isArray(listed) ? listed.length : undefined },
      );
    }
    return listed.map((type: unknown, i) => {
      if (typeof type !== 'string' || !LAYER_TYPES.includes(type)) {
        throw new ArchitectureError('UNSUPPORTED_CONFIG', `${file}: layer_types[${i}] ${JSON.stringify(type)} is not supported (supported: ${LAYER_TYPES.join(', ')})`, {
          file,
          field: `layer_types[${i}]`,
          limit: LAYER_TYPES.join(', '),
        });
      }
      if (type === 'sliding_attention' && slidingWindow === null) {
        throw new ArchitectureError('CONFIG_INVALID', `${file}: layer_types[${i}] is sliding_attention but sliding_window is not set`, { file, field: 'sliding_window' });
      }
      return type as LayerType;
    });
  }
  const all = (type: LayerType): LayerType[] => new Array<LayerType>(layers).fill(type);
  if (slidingWindow === null) return all('full_attention');
  switch (spec.sliding) {
    case 'none':
      return all('full_attention');
    case 'all-when-set':
      return all('sliding_attention');
    case 'qwen-max-window-layers': {
      // transformers Qwen2Config / Qwen3Config: layers from max_window_layers on use the window.
      const value = raw.max_window_layers;
      const maxWindowLayers = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 28;
      return Array.from({ length: layers }, (_, i) => (i >= maxWindowLayers ? 'sliding_attention' : 'full_attention'));
    }
    case 'pattern': {
      const pattern = reader.positiveInt('sliding_window_pattern', spec.slidingPattern ?? 1);
      return Array.from({ length: layers }, (_, i) => ((i + 1) % pattern !== 0 ? 'sliding_attention' : 'full_attention'));
    }
  }
}
