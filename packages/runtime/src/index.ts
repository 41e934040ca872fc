export { DataPlane, type DataPlaneOptions, type ScriptChange } from './data-plane.ts';
export { renderConfig, type WorkerdConfig } from './workerd-config.ts';
export { workerdBinary } from './workerd-binary.ts';
