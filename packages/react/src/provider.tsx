import {
  type ChatterClient,
  type ChatterClientOptions,
  createChatterClient,
} from '@chatter/client';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';

const ChatterContext = createContext<ChatterClient | null>(null);

/**
 * Props of {@link ChatterProvider}: `options` to have the provider create, connect and close a
 * client, or an existing `client` that the app keeps and closes itself.
 *
 * @example
 * ```tsx
 * const props: ChatterProviderProps = { options: { url, token }, children: <App /> };
 * ```
 */
export type ChatterProviderProps = { children?: ReactNode } & (
  | {
      /**
       * Options of a client the provider creates once (later changes are ignored: give the
       * provider a new `key` to start again), connects on mount and closes on unmount.
       */
      options: ChatterClientOptions;
      client?: never;
    }
  | {
      /** A client made with `createChatterClient`; the provider neither connects nor closes it. */
      client: ChatterClient;
      options?: never;
    }
);

interface OwnedClient {
  client: ChatterClient;
  /** Mounted providers using it: StrictMode mounts twice, and must not close it in between. */
  mounted: number;
}

/**
 * Makes a Chatter client available to the hooks below it.
 *
 * @example
 * ```tsx
 * import { ChatterProvider } from '@chatter/react';
 *
 * const root = createRoot(document.getElementById('root')!);
 * root.render(
 *   <ChatterProvider options={{ url: 'http://localhost:3000', token }}>
 *     <App />
 *   </ChatterProvider>,
 * );
 * ```
 */
export const ChatterProvider = (props: ChatterProviderProps) => {
  const { client: given, options } = props;
  // Creating a client opens nothing (that waits for `connect`), so StrictMode calling this
  // initializer twice costs nothing.
  const [owned] = useState<OwnedClient | null>(() =>
    given || !options ? null : { client: createChatterClient(options), mounted: 0 },
  );
  useEffect(() => {
    if (!owned) return;
    owned.mounted += 1;
    // A refused token also reaches `chat.on('error')` and the `disconnected` status.
    owned.client.connect().catch(() => undefined);
    return () => {
      owned.mounted -= 1;
      // StrictMode's unmount is followed at once by a mount of the same provider.
      setTimeout(() => {
        if (owned.mounted === 0) owned.client.close();
      }, 0);
    };
  }, [owned]);
  const client = given ?? owned?.client;
  if (!client) throw new Error('<ChatterProvider> needs either `options` or `client`');
  return <ChatterContext.Provider value={client}>{props.children}</ChatterContext.Provider>;
};

/**
 * The client of the nearest {@link ChatterProvider}. Throws when there is none.
 *
 * @example
 * ```tsx
 * const SignOut = () => {
 *   const chat = useChatter();
 *   return <button onClick={() => chat.close()}>Sign out</button>;
 * };
 * ```
 */
export const useChatter = (): ChatterClient => {
  const client = useContext(ChatterContext);
  if (!client) {
    throw new Error(
      'useChatter() and the other Chatter hooks must be used inside <ChatterProvider>',
    );
  }
  return client;
};
