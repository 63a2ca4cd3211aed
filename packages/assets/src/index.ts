export const PACKAGE_NAME = '@layerprune/assets';
