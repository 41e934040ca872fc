export { DataPlane, type DataPlaneOptions } from './data-plane.ts';
export { startNode, type NodeOptions, type RunningNode } from './node.ts';
export { renderConfig, type WorkerdConfig } from './workerd-config.ts';
export { workerdBinary } from './workerd-binary.ts';
