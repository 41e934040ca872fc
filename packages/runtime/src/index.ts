export { DataPlane, type DataPlaneOptions, type ScriptChange } from './data-plane.ts';
