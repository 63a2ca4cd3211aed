export const PACKAGE_NAME = '@layerprune/report';
