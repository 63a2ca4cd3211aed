import { packageInfo } from '@layerprune/tensor-io';

/** This package's version, recorded in layerprune.json and the model card. Works from src/ and dist/. */
export function toolVersion(): string {
  return packageInfo(import.meta.url).version;
}
