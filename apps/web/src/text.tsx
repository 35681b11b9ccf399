import { ChatterError } from '@chatter/client';
import type { ComponentChildren } from 'preact';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"]+$/;

/** Drops punctuation that ends a sentence rather than the link, and an unmatched `)`. */
const trimUrl = (raw: string): string => {
  let url = raw.replace(TRAILING_PUNCTUATION, '');
  while (url.endsWith(')') && url.split('(').length < url.split(')').length) {
    url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, '');
  }
  return url;
};

/**
 * Message text as text nodes, with http(s) links made clickable. Nothing is ever parsed as HTML:
 * what people type is shown exactly as typed.
 */
export const withLinks = (text: string): ComponentChildren[] => {
  const parts: ComponentChildren[] = [];
  let position = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    const start = match.index;
    if (start < position || !URL.canParse(url)) continue;
    if (start > position) parts.push(text.slice(position, start));
    parts.push(
      <a href={url} target="_blank" rel="noopener noreferrer nofollow">
        {url}
      </a>,
    );
    position = start + url.length;
  }
  if (position < text.length) parts.push(text.slice(position));
  return parts;
};

/** A sentence for a person, from whatever went wrong. */
export const describeError = (error: unknown): string => {
  if (!(error instanceof ChatterError)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'NETWORK':
    case 'DISCONNECTED':
    case 'TIMEOUT':
    case 'UNAVAILABLE':
      return 'Could not reach the server. Check that it is running, then try again.';
    case 'RATE_LIMITED':
      return 'Too many attempts in a short time. Wait a moment, then try again.';
    default:
      return error.message;
  }
};
