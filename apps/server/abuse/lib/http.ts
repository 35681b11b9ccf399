/** Plain HTTP calls and counting helpers for the cases. */

export interface Answer {
  status: number;
  body: any;
}

export const request = async (
  url: string,
  pathname: string,
  options: {
    method?: string;
    token?: string;
    json?: unknown;
    body?: Uint8Array | string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${url}${pathname}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
};

/** Tallies of labels, printed as "3 × 201, 17 × 429". */
export class Tally {
  readonly #counts = new Map<string, number>();

  add(label: string | number): void {
    const key = String(label);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  get(label: string | number): number {
    return this.#counts.get(String(label)) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const value of this.#counts.values()) total += value;
    return total;
  }

  toString(): string {
    return [...this.#counts]
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `${n.toLocaleString('en-US')} × ${label}`)
      .join(', ');
  }
}

/** The code of a socket acknowledgement: "ok" or the error's code. */
export const ackCode = (ack: unknown): string => {
  const value = ack as { ok?: boolean; error?: { code?: string } } | undefined;
  if (value?.ok === true) return 'ok';
  return value?.error?.code ?? 'no answer';
};
