import { assets } from './assets/index.ts';
import { inherit } from './inherit/index.ts';
import { json } from './json/index.ts';
import { kvNamespace } from './kv-namespace/index.ts';
import { plainText } from './plain-text/index.ts';
import { secretText } from './secret-text/index.ts';
import { service } from './service/index.ts';
import type { BindingType } from './types.ts';
import { versionMetadata } from './version-metadata/index.ts';

/** Every binding type an upload may declare, control-plane side: one line each. */
const bindingTypes: BindingType[] = [plainText, json, secretText, kvNamespace, service, assets, inherit, versionMetadata];

export const bindingTypesByName = new Map(bindingTypes.map((bindingType) => [bindingType.type, bindingType]));
export const supportedBindingTypes = bindingTypes.map((bindingType) => bindingType.type);
