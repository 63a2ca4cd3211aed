export const PACKAGE_NAME = '@layerprune/similarity';
