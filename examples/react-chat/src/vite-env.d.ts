interface ImportMetaEnv {
  /** The Chatter server, e.g. http://localhost:3000 (the default). */
  readonly VITE_CHATTER_URL?: string;
}
