// Query parameters that carry credentials in the wild: ours never do, but clients put tokens
// there anyway (`?token=`, OAuth's `access_token`, a Socket.IO `query: { token }`).
const CREDENTIAL_PARAM =
  /([?&](?:token|access_token|accesstoken|id_token|refresh_token|jwt|auth|authorization|bearer|key|api_key|apikey|secret|password)=)[^&#]*/gi;

/** `url` with the value of every credential-like query parameter replaced, for logs. */
export const redactUrl = (url: string): string => url.replace(CREDENTIAL_PARAM, '$1[Redacted]');
