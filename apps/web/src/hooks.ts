import { useEffect, useState } from 'preact/hooks';
import type { ChatModel } from './chat-model';

/** Re-renders the caller whenever the model changes. */
export const useModel = (model: ChatModel): void => {
  const [, setVersion] = useState(0);
  useEffect(() => model.subscribe(() => setVersion((version) => version + 1)), [model]);
};

/** The current time, refreshed every `intervalMs`, for "last seen 3 minutes ago". */
export const useNow = (intervalMs = 30_000): number => {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
};

export const useMediaQuery = (query: string): boolean => {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const onChange = () => setMatches(list.matches);
    onChange();
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, [query]);
  return matches;
};

/** The room named in the URL's hash (`#design`), so rooms can be linked and bookmarked. */
export const roomFromHash = (): string | null => {
  const raw = window.location.hash.replace(/^#\/?/, '');
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
};
