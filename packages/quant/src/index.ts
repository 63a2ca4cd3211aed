export const PACKAGE_NAME = '@layerprune/quant';
