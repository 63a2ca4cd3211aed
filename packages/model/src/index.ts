export const PACKAGE_NAME = '@layerprune/model';
