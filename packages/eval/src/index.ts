export const PACKAGE_NAME = '@layerprune/eval';
