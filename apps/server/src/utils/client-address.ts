import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** The address of the client a request came from, as far as the trusted proxies say. */
export type ClientAddress = (request: IncomingMessage) => string;

/** Which proxy hops to believe; Express takes the same function as its `trust proxy`. */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * Takes `X-Forwarded-For` into account only as far as `trustProxy` trusts the proxies in front
 * (the same values Express's `trust proxy` takes): a client talking to us directly could write
 * anything into that header, and a limit per address would then limit nothing.
 */
export const trustProxy = (setting: boolean | number | string): TrustProxy =>
  typeof setting === 'boolean'
    ? () => setting
    : typeof setting === 'number'
      ? (_address, hop) => hop < setting
      : proxyAddr.compile(setting.split(',').map((each) => each.trim()));

export const clientAddress =
  (trust: TrustProxy): ClientAddress =>
  (request) =>
    proxyAddr(request, trust);
