export const PACKAGE_NAME = '@layerprune/lora';
