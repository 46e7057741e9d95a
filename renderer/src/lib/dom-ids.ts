/** The composer's textarea, focused by "New chat" and suggestion buttons. */
export const COMPOSER_INPUT_ID = 'composer-input';

export function focusComposer(): void {
  document.getElementById(COMPOSER_INPUT_ID)?.focus();
}
