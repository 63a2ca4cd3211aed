export const PACKAGE_NAME = '@layerprune/data';
