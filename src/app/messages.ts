/**
 * Every word Rolecall says to people lives under messages/, one file per audience, built from
 * templates and request data — never from model output. Cards are neutral rich text
 * (core/rich-text.ts): no chat markup is written here; each chat adapter renders and escapes.
 * This index keeps one import path for the use cases.
 */
export * from './messages/admin.ts';
export * from './messages/approver.ts';
export * from './messages/common.ts';
export * from './messages/format.ts';
export * from './messages/help.ts';
export * from './messages/requester.ts';
export * from './messages/target.ts';
