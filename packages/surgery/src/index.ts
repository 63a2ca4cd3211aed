export const PACKAGE_NAME = '@layerprune/surgery';
