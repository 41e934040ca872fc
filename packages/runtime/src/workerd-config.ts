import { serializeConfig, voidValue, type CapnpValue } from './capnp-text.ts';

/** The parts of workerd.capnp's `Config` that Switchyard uses, field for field. */
export interface WorkerdConfig {
  services: Service[];
  sockets: Socket[];
  v8Flags?: string[];
}

export type Service = { name: string } & ({ worker: Worker } | { external: ExternalServer } | { network: Network });

export interface Worker {
  modules: Module[];
  compatibilityDate: string;
  compatibilityFlags?: string[];
  bindings?: Binding[];
  globalOutbound?: ServiceDesignator;
}

export type Module = { name: string } & ({ esModule: string } | { commonJsModule: string } | { text: string } | { json: string });

export type Binding = { name: string } & (
  | { text: string }
  | { json: string }
  | { service: ServiceDesignator }
  | { workerLoader: { id?: string } }
);

export interface ServiceDesignator {
  name: string;
  entrypoint?: string;
}

export interface Socket {
  name: string;
  address: string;
  service: ServiceDesignator;
  http?: HttpOptions;
}

export interface ExternalServer {
  address: string;
  http?: HttpOptions;
}

/** workerd.capnp's `HttpOptions`, the fields Switchyard and its bench use. */
export interface HttpOptions {
  /** A CONNECT to this host forms a Cap'n Proto connection: JS RPC between workerd processes. */
  capnpConnectHost?: string;
  /** Headers set on every request through this socket or to this server. */
  injectRequestHeaders?: { name: string; value: string }[];
}

export interface Network {
  allow?: string[];
  deny?: string[];
}

const workerdSchema = '/workerd/workerd.capnp';

const httpOptions = (options: HttpOptions | undefined): CapnpValue => (options ? (options as unknown as CapnpValue) : voidValue);

function toCapnp(config: WorkerdConfig): CapnpValue {
  return {
    services: config.services.map((service) => {
      if ('external' in service) return { name: service.name, external: { address: service.external.address, http: httpOptions(service.external.http) } };
      return service as unknown as CapnpValue;
    }),
    sockets: config.sockets.map((socket) => ({ ...socket, http: httpOptions(socket.http) }) as unknown as CapnpValue),
    v8Flags: config.v8Flags,
  };
}

/** The config as Cap'n Proto text for `workerd serve`. */
export const renderConfig = (config: WorkerdConfig) => serializeConfig(toCapnp(config), workerdSchema);
