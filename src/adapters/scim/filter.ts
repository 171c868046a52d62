/**
 * SCIM filter text. Values are JSON strings (RFC 7644 §3.4.2.2), so JSON quoting escapes quotes,
 * backslashes and control characters: whatever a value holds, it stays one value and cannot add
 * operators to the filter.
 */
export function quote(value: string): string {
  return JSON.stringify(value);
}

export function eq(attr: string, value: string): string {
  return `${attr} eq ${quote(value)}`;
}

/** Email lookup forms, most precise first; servers reject the ones they do not parse. */
export const EMAIL_FORMS: readonly ((email: string) => string)[] = [
  (e) => `emails[value eq ${quote(e)}]`,
  (e) => eq('emails.value', e),
  (e) => eq('userName', e),
];

/** Name search forms, widest first; the last ones are all a minimal server may know. */
export const NAME_FORMS: readonly ((name: string) => string)[] = [
  (n) =>
    `displayName co ${quote(n)} or name.givenName sw ${quote(n)} or name.familyName sw ${quote(n)} or userName sw ${quote(n)}`,
  (n) => `displayName co ${quote(n)} or userName sw ${quote(n)}`,
  (n) => `displayName co ${quote(n)}`,
  (n) => `userName sw ${quote(n)}`,
  (n) => eq('userName', n),
];

/** Membership of one user in one group, without fetching the group's members. */
export const MEMBER_FORMS: readonly ((groupId: string, userId: string) => string)[] = [
  (g, u) => `${eq('id', g)} and members[value eq ${quote(u)}]`,
  // AWS IAM Identity Center's form.
  (g, u) => `${eq('id', g)} and ${eq('members', u)}`,
  (g, u) => `${eq('id', g)} and ${eq('members.value', u)}`,
];

/** Path of the one member (or role) value to remove. */
export function valuePath(attr: string, value: string): string {
  return `${attr}[value eq ${quote(value)}]`;
}

/**
 * Users holding one `roles` value, most precise first (RFC 7644 §3.4.2.2: a value path on the
 * multi-valued attribute, then its sub-attribute; a multi-valued attribute matches if any value does).
 */
export const ROLE_HOLDER_FORMS: readonly ((value: string) => string)[] = [
  (v) => valuePath('roles', v),
  (v) => eq('roles.value', v),
];
