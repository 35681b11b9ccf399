import { en } from 'zod/locales';
import * as z from 'zod/mini';

/**
 * Gives the protocol's schemas zod's English messages ("Too big: expected string to have
 * <=128 characters") when nothing chose a locale yet. `zod` installs them on import; `zod/mini`,
 * which the schemas are built with to keep the SDK small, does not, and would only say
 * "Invalid input". An app that configured its own locale keeps it.
 */
export const useEnglishMessages = (): void => {
  if (z.config().localeError === undefined) z.config(en());
};
