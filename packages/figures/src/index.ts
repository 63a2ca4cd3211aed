export const PACKAGE_NAME = '@layerprune/figures';
