import { en } from './en.js';
import { hi } from './hi.js';
import type { Catalog, Language, MessageKey } from './keys.js';

export { HELP_PAGES, LANGUAGES, isLanguage, type Catalog, type Language, type MessageKey } from './keys.js';

export const CATALOGS: Readonly<Record<Language, Catalog>> = { en, hi };

/** Names of the languages in the language menu, each in its own script. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', hi: 'हिन्दी' };

export function message(lang: Language, key: MessageKey): string {
  return CATALOGS[lang][key];
}
