/**
 * How pure modules speak to people without importing React or next-intl: they take a `Translate`
 * (a component passes its `useTranslations()`, a unit test one made from messages/en.json), or
 * return a `Text` (a key of messages/<locale>.json with its values) that a component says.
 */
export type Values = Record<string, string | number>;

export type Translate = (key: string, values?: Values) => string;

export interface Text {
  key: string;
  values?: Values;
}

/** A `Text` said in the active language. */
export function say(t: Translate, text: Text): string {
  return t(text.key, text.values);
}
