/**
 * What a workspace without a tenant, or a click from the wrong workspace, is told (OAuth
 * distribution, issue 17), and what Slack-side failures to open a form say.
 */
import type { Card } from '../../ports/chat.ts';

export const workspaceNotSetUp = (): Card => ({
  text: "Rolecall isn't set up for this workspace yet. Your Rolecall administrator can connect it.",
});
export const notThisWorkspacesRequest = (): Card => ({
  text: 'That request belongs to another organisation; it cannot be decided from this workspace.',
});
