export const PACKAGE_NAME = '@layerprune/convert-llama2c';
