export type { MaskToPolygonsOptions, PolygonRing } from './polygon.types';
export { maskToPolygons, signedArea, simplifyRing } from './mask-to-polygons';
export { polygonsToMask } from './polygons-to-mask';
export { maskToCocoPolygons, measurePolygonAreaError, type PolygonAreaError } from './polygon-area-error';
