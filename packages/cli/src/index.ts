export const PACKAGE_NAME = '@layerprune/cli';
