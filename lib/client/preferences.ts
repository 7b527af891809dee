/**
 * Small choices a person makes once and expects kept on this device (localStorage): the model
 * for new chats, the system prompt new chats start with, the demo banner dismissed. Reading
 * never throws (storage can be disabled or full); a value that is not a string reads as unset.
 */
const PREFIX = 'streamchat:';

export type Preference = 'model' | 'default-system-prompt' | 'demo-banner-dismissed';

export function readPreference(name: Preference): string | null {
  try {
    return localStorage.getItem(PREFIX + name);
  } catch {
    return null;
  }
}

/** Stores a value; an empty or null value removes it. */
export function writePreference(name: Preference, value: string | null): void {
  try {
    if (value) localStorage.setItem(PREFIX + name, value);
    else localStorage.removeItem(PREFIX + name);
  } catch {
    // Storage unavailable: the choice lasts for this page only.
  }
}
