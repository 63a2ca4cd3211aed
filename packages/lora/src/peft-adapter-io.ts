// Saves and loads LoRA adapters in PEFT's on-disk format: adapter_config.json
// plus adapter_model.safetensors with keys
// `base_model.model.model.layers.{i}.mlp.down_proj.lora_A.weight` ([r, in]) and
// `...lora_B.weight` ([out, r]), float32 (PEFT keeps adapters in float32). One
// pair per stored linear: on Phi-3 `...self_attn.qkv_proj.lora_B.weight` has the
// fused tensor's q + 2 kv rows.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openSafetensors, writeFileAtomic, writeSafetensors, type TensorSource } from '@layerprune/tensor-io';
import { LoraAdapters, peftKey, type LinearShapes, type LoraModule } from './lora-adapters.js';
import { LoraError } from './lora-error.js';
import { ADAPTER_CONFIG_NAME, ADAPTER_WEIGHTS_NAME, formatPeftAdapterConfig, parsePeftAdapterConfig } from './peft-adapter-config.js';
import { resolveTargets } from './resolve-targets.js';
import { ALL_LINEAR_MODULES, KNOWN_TARGET_MODULES, modulePath, type LinearModuleName } from './target-modules.js';

/** Writes `dir/adapter_config.json` and `dir/adapter_model.safetensors` (each atomically). */
export async function saveLoraAdapter(dir: string, adapters: LoraAdapters): Promise<{ configPath: string; weightsPath: string }> {
  await mkdir(dir, { recursive: true });
  const r = adapters.config.rank;
  const sources: TensorSource[] = adapters.modules.flatMap((p) => [
    { name: peftKey(p.path, 'A'), dtype: 'F32' as const, shape: [r, p.inFeatures], read: () => p.a },
    { name: peftKey(p.path, 'B'), dtype: 'F32' as const, shape: [p.outFeatures, r], read: () => p.b },
  ]);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_NAME);
  const configPath = join(dir, ADAPTER_CONFIG_NAME);
  await writeSafetensors(weightsPath, sources);
  await writeFileAtomic(configPath, formatPeftAdapterConfig(adapters.config));
  return { configPath, weightsPath };
}

/**
 * Loads a PEFT LoRA adapter directory. With `shapes`, every expected module
 * must be present with the model's shapes (ADAPTER_MISMATCH otherwise), and
 * fused modules learn their parts; without, a fused module's parts stay
 * unknown (its state loads, `pairs` refuses it).
 */
export async function loadLoraAdapter(dir: string, shapes?: LinearShapes): Promise<LoraAdapters> {
  const configPath = join(dir, ADAPTER_CONFIG_NAME);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_NAME);
  for (const file of [configPath, weightsPath]) {
    try {
      await stat(file);
    } catch (cause) {
      throw new LoraError('ADAPTER_NOT_FOUND', `${file} not found: an adapter directory holds ${ADAPTER_CONFIG_NAME} and ${ADAPTER_WEIGHTS_NAME}`, { file, cause });
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (cause) {
    throw new LoraError('ADAPTER_INVALID', `${configPath} is not valid JSON`, { file: configPath, cause });
  }
  const config = parsePeftAdapterConfig(raw, configPath);
  const reader = await openSafetensors(weightsPath);
  try {
    const pattern = /^base_model\.model\.(model\.layers\.(\d+)\.(?:self_attn|mlp)\.([a-z_]+))\.lora_A\.weight$/;
    const modules: LoraModule[] = [];
    for (const name of reader.tensors.keys()) {
      const m = pattern.exec(name);
      if (!m) continue;
      const [, path, layerText, module] = m;
      const layer = Number(layerText);
      if (!config.targetModules.includes(module)) continue;
      const linear = shapes?.layout.find((l) => l.name === module);
      if (shapes && !linear) {
        throw new LoraError('ADAPTER_MISMATCH', `${weightsPath}: adapter module ${path} is not a linear of the model (its blocks have ${shapes.layout.map((l) => l.name).join(', ')})`, {
          file: weightsPath,
          module: path,
        });
      }
      if (path !== (linear ? `model.layers.${layer}.${linear.suffix}` : modulePath(layer, module))) {
        throw new LoraError('ADAPTER_INVALID', `${weightsPath}: tensor "${name}" is not at the expected path of ${module}`, { file: weightsPath, module: path });
      }
      const bName = peftKey(path, 'B');
      const aInfo = reader.info(name);
      if (!reader.tensors.has(bName)) {
        throw new LoraError('ADAPTER_INVALID', `${weightsPath}: "${name}" has no matching "${bName}"`, { file: weightsPath, module: path });
      }
      const bInfo = reader.info(bName);
      const [ar, inF] = aInfo.shape;
      const [outF, br] = bInfo.shape;
      if (aInfo.shape.length !== 2 || bInfo.shape.length !== 2 || ar !== config.rank || br !== config.rank) {
        throw new LoraError(
          'ADAPTER_INVALID',
          `${weightsPath}: "${name}" ${JSON.stringify(aInfo.shape)} / "${bName}" ${JSON.stringify(bInfo.shape)} do not match rank r=${config.rank} ([r, in] and [out, r])`,
          { file: weightsPath, module: path, field: 'r', limit: config.rank },
        );
      }
      if (linear) {
        const [eo, ei] = [linear.rows, linear.columns];
        if (eo !== outF || ei !== inF) {
          throw new LoraError('ADAPTER_MISMATCH', `${weightsPath}: ${path} is [out ${outF}, in ${inF}] but the model's is [${eo}, ${ei}]`, {
            file: weightsPath,
            module: path,
          });
        }
      }
      // Unfused modules are their own single part even without the model's layout.
      const unfused = (ALL_LINEAR_MODULES as readonly string[]).includes(module) ? [{ module: module as LinearModuleName, rowStart: 0, rowEnd: outF }] : [];
      modules.push({
        path,
        layer,
        name: module,
        inFeatures: inF,
        outFeatures: outF,
        a: await reader.readFloat32(name),
        b: await reader.readFloat32(bName),
        parts: linear ? linear.parts : unfused,
      });
    }
    // Block order, then the layout's (checkpoint) order: the order LoraAdapters.create makes them in.
    const order = shapes ? shapes.layout.map((l) => l.name) : KNOWN_TARGET_MODULES;
    modules.sort((x, y) => x.layer - y.layer || order.indexOf(x.name) - order.indexOf(y.name));
    if (modules.length === 0) {
      throw new LoraError('ADAPTER_INVALID', `${weightsPath}: no lora_A/lora_B tensors for target modules ${config.targetModules.join(', ')}`, {
        file: weightsPath,
      });
    }
    if (shapes) {
      const perBlock = resolveTargets(config.targetModules, shapes.layout).linears.length;
      const expected = (config.layersToTransform ?? Array.from({ length: shapes.numLayers }, (_, l) => l)).length * perBlock;
      const beyond = modules.find((p) => p.layer >= shapes.numLayers);
      if (beyond || modules.length !== expected) {
        throw new LoraError(
          'ADAPTER_MISMATCH',
          `${weightsPath}: adapter has ${modules.length} modules${beyond ? ` (one at block ${beyond.layer})` : ''}, the model with ${shapes.numLayers} blocks expects ${expected}`,
          { file: weightsPath, limit: expected },
        );
      }
    }
    return new LoraAdapters(config, modules);
  } finally {
    await reader.close();
  }
}
